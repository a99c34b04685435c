"""What each official form shows: one context builder per form kind (SPEC.md §1.8).

The builders read a dossier loaded by :func:`load_dossier` (everything prefetched, so a form
costs a fixed number of queries) and return plain values for the templates.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.safestring import mark_safe

from motcua.dossiers.choices import Action, DossierState, SupplementPhase
from motcua.dossiers.documents import barcode, text
from motcua.dossiers.documents.regimes import (
    APOLOGY,
    COMPLETION_REQUEST,
    CONTROL_SHEET,
    RECEIPT,
    REFUSAL,
    STOP_NOTICE,
    FormRegime,
    FormSpec,
)
from motcua.dossiers.models import (
    Dossier,
    DossierEvent,
    DossierStep,
    Extension,
    SupplementRequest,
    Transfer,
)
from motcua.org.models import Agency

# Events whose actor and reason the forms print.
FORM_EVENTS = (Action.RECEIVE, Action.INTAKE, Action.REFUSE, Action.STOP)


def load_dossier(pk: int) -> Dossier:
    return (
        Dossier.objects.select_related(
            "procedure_version__procedure",
            "variant",
            "receiving_agency__parent",
            "handling_agency__parent",
        )
        .prefetch_related(
            "components",
            "variant__channels",
            Prefetch(
                "steps",
                queryset=DossierStep.objects.select_related(
                    "agency", "assignee", "finished_by"
                ).order_by("order"),
            ),
            Prefetch(
                "transfers",
                queryset=Transfer.objects.select_related("to_agency").order_by("sent_at", "id"),
            ),
            Prefetch(
                "supplements",
                queryset=SupplementRequest.objects.select_related("requested_by").order_by(
                    "requested_at", "id"
                ),
            ),
            Prefetch(
                "extensions",
                queryset=Extension.objects.select_related("created_by__staff").order_by(
                    "created_at", "id"
                ),
            ),
            Prefetch(
                "events",
                queryset=DossierEvent.objects.filter(action__in=FORM_EVENTS)
                .select_related("actor__staff")
                .order_by("seq"),
                to_attr="form_events",
            ),
        )
        .get(pk=dossier_pk(pk))
    )


def dossier_pk(value: Any) -> int:
    return value.pk if isinstance(value, Dossier) else value


def last_event(dossier: Dossier, *actions: str) -> DossierEvent | None:
    events = [e for e in dossier.form_events if e.action in actions]
    return events[-1] if events else None


def event_actor(event: DossierEvent | None) -> str:
    if event is None:
        return ""
    return event.actor_name or text.person(event.actor)


def province_of(agency: Agency) -> Agency | None:
    """The root of the agency's tree (the province), fetched only when not already loaded."""
    for candidate in (agency, agency.parent if agency.parent_id else None):
        if candidate is not None and candidate.parent_id is None:
            return candidate
    codes = agency.ancestor_codes()
    return Agency.objects.filter(code=codes[0]).first() if codes else None


def procedure_text(dossier: Dossier) -> str:
    name = dossier.procedure_version.name
    variant = dossier.variant
    if not variant.is_default and variant.name and variant.name != name:
        name = f"{name} ({variant.name})"
    return name


def _common(dossier: Dossier, spec: FormSpec, issuer: Agency, day: Any) -> dict[str, Any]:
    return {
        "form": spec,
        "regime": spec.regime,
        "is_tt03": spec.regime == FormRegime.TT03_2025,
        "issuer": text.heading(issuer),
        "issuer_agency": issuer,
        "place": text.place_name(province_of(issuer)),
        "date_line": text.long_date(day),
        "dossier": dossier,
        "code": dossier.code or "",
        "procedure": procedure_text(dossier),
        "honorific": text.honorific(dossier.applicant_type),
        "receiving_agency": dossier.receiving_agency,
        "handling_agency": dossier.handling_agency,
        "received": text.clock(dossier.received_at),
        "received_date": text.long_date(dossier.received_at) if dossier.received_at else "",
    }


def _statutory_time(dossier: Dossier) -> str:
    variant = dossier.variant
    amount, unit = variant.time_amount, variant.time_unit
    for option in variant.channels.all():
        if option.channel == dossier.channel and option.time_amount is not None:
            amount, unit = option.time_amount, option.time_unit or unit
    return text.statutory_time(amount, unit)


def receipt(dossier: Dossier, spec: FormSpec) -> dict[str, Any]:
    ctx = _common(dossier, spec, dossier.receiving_agency, dossier.received_at)
    url = barcode.tracking_url(dossier.code)
    on_the_spot = dossier.variant.time_unit == text.ON_THE_SPOT
    if dossier.due_at is not None and not on_the_spot:
        appointment = text.clock(dossier.due_at)
    else:
        appointment = "Giải quyết ngay khi tiếp nhận, không hẹn ngày trả kết quả"
    return_place = text.RETURN_METHODS.get(dossier.return_method, text.RETURN_METHODS["counter"])
    if dossier.return_method in ("", "counter"):
        agency = dossier.receiving_agency
        return_place += f" – {agency.name}" + (f", {agency.address}" if agency.address else "")
    ctx.update(
        barcode_svg=mark_safe(barcode.code128_svg(dossier.code)),  # noqa: S308 — built here
        qr_uri=barcode.qr_data_uri(url),
        tracking_url=url,
        components=[
            {
                "name": c.name,
                "form": "Bản chính" if c.is_original else "Bản sao",
                "quantity": c.quantity,
            }
            for c in dossier.components.all()
        ],
        statutory_time=_statutory_time(dossier),
        appointment=appointment,
        return_place=return_place,
        receiver=event_actor(last_event(dossier, Action.RECEIVE, Action.INTAKE)),
    )
    return ctx


def _supplement_items(request: SupplementRequest) -> list[dict[str, str]]:
    """``items`` is a list of strings or of objects with a name and an optional reason."""
    items = []
    for item in request.items or []:
        if isinstance(item, dict):
            name = next(
                (str(item[k]) for k in ("name", "title", "component", "document") if item.get(k)),
                "",
            )
            reason = next(
                (str(item[k]) for k in ("reason", "note", "requirement") if item.get(k)), ""
            )
        else:
            name, reason = str(item), ""
        if name or reason:
            items.append({"name": name, "reason": reason})
    return items


def completion_request(
    dossier: Dossier, spec: FormSpec, request: SupplementRequest | None = None
) -> dict[str, Any]:
    request = request or list(dossier.supplements.all())[-1]
    before = request.phase == SupplementPhase.BEFORE_RECEPTION
    issuer = dossier.receiving_agency if before else dossier.handling_agency
    ctx = _common(dossier, spec, issuer, request.requested_at)
    ctx.update(
        request=request,
        before_reception=before,
        intake_date=text.long_date(
            (dossier.submitted_at if before else dossier.received_at) or request.requested_at
        ),
        items=_supplement_items(request),
        reason=request.reason,
        respond_by=text.long_date(request.respond_by) if request.respond_by else "",
        officer=text.person(request.requested_by),
        contact_agency=issuer,
    )
    return ctx


def refusal(dossier: Dossier, spec: FormSpec) -> dict[str, Any]:
    event = last_event(dossier, Action.REFUSE)
    day = dossier.rejected_at or (event.at if event else None)
    ctx = _common(dossier, spec, dossier.receiving_agency, day)
    ctx.update(
        submitted_date=text.long_date(dossier.submitted_at or day),
        reason=event.reason if event else "",
        officer=event_actor(event),
    )
    return ctx


def _signer_title(user) -> str:
    staff = getattr(user, "staff", None) if user is not None else None
    position = getattr(staff, "position", "") if staff is not None else ""
    return position.upper() if position else "THỦ TRƯỞNG CƠ QUAN"


def apology(dossier: Dossier, spec: FormSpec, extension: Extension | None = None) -> dict[str, Any]:
    extensions = list(dossier.extensions.all())
    extension = extension or extensions[-1]
    ctx = _common(dossier, spec, dossier.handling_agency, extension.created_at)
    ctx.update(
        extension=extension,
        previous_due=text.clock(extension.previous_due),
        original_due=text.clock(extension.original_due),
        new_due=text.clock(extension.new_due),
        new_due_date=text.long_date(extension.new_due),
        reason=extension.reason,
        signer=text.person(extension.created_by),
        signer_title=_signer_title(extension.created_by),
        document_number="……/……",
    )
    return ctx


def stop_notice(dossier: Dossier, spec: FormSpec) -> dict[str, Any]:
    event = last_event(dossier, Action.STOP)
    day = dossier.stopped_at or (event.at if event else None)
    ctx = _common(dossier, spec, dossier.handling_agency, day)
    ctx.update(
        stopped=text.clock(day) if day else "",
        reason=event.reason if event else "",
        signer=event_actor(event),
        signer_title=_signer_title(event.actor if event else None),
        document_number="……/……",
    )
    return ctx


def _side(agency: Agency | None, name: str) -> dict[str, str]:
    return {"agency": agency.display_name if agency else "", "person": name}


def control_sheet(dossier: Dossier, spec: FormSpec) -> dict[str, Any]:
    ctx = _common(dossier, spec, dossier.receiving_agency, dossier.received_at)
    rows = []
    giver = {"agency": "Tổ chức, cá nhân nộp hồ sơ", "person": dossier.applicant_name}
    steps = list(dossier.steps.all())
    for step in steps:
        receiver = _side(step.agency, text.person(step.assignee or step.finished_by))
        rows.append(
            {
                "order": len(rows) + 1,
                "name": step.name,
                "giver": giver,
                "receiver": receiver,
                "handed_over": text.short_datetime(step.started_at),
                "due": text.short_datetime(step.due_at),
                "finished": text.short_datetime(step.finished_at),
                "result": text.TIMELINESS.get(step.timeliness, ""),
                "in_progress": step.finished_at is None,
                "note": step.note,
            }
        )
        giver = _side(step.agency, text.person(step.finished_by or step.assignee))
    if dossier.returned_at is not None:
        rows.append(
            {
                "order": len(rows) + 1,
                "name": "Trả kết quả",
                "giver": giver,
                "receiver": {
                    "agency": "Tổ chức, cá nhân",
                    "person": dossier.result_recipient or dossier.applicant_name,
                },
                "handed_over": text.short_datetime(dossier.returned_at),
                "due": text.short_datetime(dossier.due_at),
                "finished": text.short_datetime(dossier.returned_at),
                "result": text.TIMELINESS.get(dossier.timeliness, ""),
                "in_progress": False,
                "note": "",
            }
        )
    partners: list[str] = []
    for transfer in dossier.transfers.all():
        if transfer.to_agency.name not in partners:
            partners.append(transfer.to_agency.name)
    ctx.update(
        rows=rows,
        lead_agency=dossier.handling_agency.name,
        partners=partners,
        due=text.clock(dossier.due_at),
    )
    return ctx


BUILDERS = {
    RECEIPT: receipt,
    COMPLETION_REQUEST: completion_request,
    REFUSAL: refusal,
    APOLOGY: apology,
    STOP_NOTICE: stop_notice,
    CONTROL_SHEET: control_sheet,
}


def is_applicable(dossier: Dossier, kind: str, regime: FormRegime) -> bool:
    """Whether ``kind`` applies to ``dossier`` now (the regime must also have the form)."""
    if kind == RECEIPT:
        return bool(dossier.code) and dossier.received_at is not None
    if kind == COMPLETION_REQUEST:
        return _has(dossier, "supplements")
    if kind == REFUSAL:
        return dossier.state == DossierState.REJECTED
    if kind == APOLOGY:
        return _has(dossier, "extensions")
    if kind == STOP_NOTICE:
        return dossier.state == DossierState.STOPPED and regime == FormRegime.TT03_2025
    if kind == CONTROL_SHEET:
        return dossier.received_at is not None
    return False


def _has(dossier: Dossier, relation: str) -> bool:
    cache = getattr(dossier, "_prefetched_objects_cache", {})
    if relation in cache:
        return bool(cache[relation])
    return getattr(dossier, relation).exists()
