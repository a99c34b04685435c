"""External effects of dossier events, written to the outbox in the event's transaction
(issue 3 §6): a webhook message per matching subscription, and an e-mail to the applicant for
the steps they must know about. Delivery happens later, with retries, in the outbox worker."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.core.formatting import vn_datetime
from motcua.dossiers.choices import Action, DossierState
from motcua.dossiers.models import Dossier, DossierEvent

# Events the applicant is told about by e-mail (SMS and Zalo come with the notification issue).
_APPLICANT_NOTICES = {
    Action.SUBMIT,
    Action.INTAKE,
    Action.RECEIVE,
    Action.REQUEST_COMPLETION,
    Action.REFUSE,
    Action.REQUEST_SUPPLEMENT,
    Action.REQUEST_PAYMENT,
    Action.EXTEND,
    Action.CONFIRM_WITHDRAWAL,
    Action.STOP,
    Action.RESOLVE,
}


def event_message(dossier: Dossier, event: DossierEvent) -> dict:
    """The payload other systems receive: no personal data beyond what the subscriber's agency
    already holds (code, procedure, states, times)."""
    state = DossierState(dossier.state)
    return {
        "event": f"dossier.{event.action}",
        "seq": event.seq,
        "hash": event.hash,
        "at": event.at.isoformat(),
        "dossier": {
            "code": dossier.code,
            "uuid": str(dossier.uuid),
            "procedure": dossier.procedure_version.procedure.code
            if hasattr(dossier.procedure_version, "procedure")
            else "",
            "receiving_agency": dossier.receiving_agency.code,
            "handling_agency": dossier.handling_agency.code,
            "state": state.value,
            "dvcqg_status": state.dvcqg_code,
            "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
        },
        "from_state": event.from_state,
        "to_state": event.to_state,
    }


def _applicant_mail(dossier: Dossier, event: DossierEvent) -> dict | None:
    if event.action not in _APPLICANT_NOTICES or not dossier.applicant_email:
        return None
    with translation.override(dossier.language or getattr(settings, "LANGUAGE_CODE", "vi")):
        subject = _("Dossier %(code)s: %(what)s") % {
            "code": dossier.code or "",
            "what": Action(event.action).label,
        }
        lines = [
            _("Dear %(name)s,") % {"name": dossier.applicant_name},
            "",
            _("Your dossier %(code)s (%(procedure)s) has a new status: %(state)s.")
            % {
                "code": dossier.code or "",
                "procedure": dossier.procedure_version.name,
                "state": DossierState(dossier.state).label,
            },
        ]
        if dossier.due_at and dossier.state not in (DossierState.RESOLVED, DossierState.STOPPED):
            lines.append(
                _("Appointment for the result: %(due)s.") % {"due": vn_datetime(dossier.due_at)}
            )
        if event.reason:
            lines.append(_("Reason: %(reason)s") % {"reason": event.reason})
        items = event.payload.get("items") if isinstance(event.payload, dict) else None
        if items:
            lines.append(_("Documents to supplement:"))
            lines.extend(f"- {item}" for item in items)
        lines += ["", dossier.receiving_agency.name]
    return {
        "to": [dossier.applicant_email],
        "subject": str(subject),
        "body": "\n".join(map(str, lines)),
    }


def publish(*, dossier: Dossier, event: DossierEvent) -> None:
    from motcua.notifications.services.email import email_enqueue
    from motcua.notifications.services.webhooks import webhook_fanout

    key = f"dossier:{dossier.uuid}:{event.seq}"
    agency_path = dossier.handling_agency.path
    webhook_fanout(
        topic=f"dossier.{event.action}",
        payload=event_message(dossier, event),
        key=key,
        agency_path=agency_path,
        dossier_id=dossier.pk,
    )
    mail = _applicant_mail(dossier, event)
    if mail is not None:
        email_enqueue(**mail, key=f"{key}:email", dossier_id=dossier.pk, agency_path=agency_path)
