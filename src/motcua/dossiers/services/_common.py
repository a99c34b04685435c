"""Shared machinery of the lifecycle services: inputs, checks, the clock and steps."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from motcua.catalog.choices import ApplicantType, Channel, VersionStatus
from motcua.catalog.models import Component, ProcedureVariant, ProcedureVersion
from motcua.catalog.process import HOURS_PER_WORKING_DAY, statutory_hours
from motcua.core.errors import Conflict, ValidationFailed
from motcua.core.workcal import WorkCalendar
from motcua.dossiers import clock, policies, transitions
from motcua.dossiers.choices import (
    Action,
    DossierState,
    Timeliness,
)
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFee,
    DossierStep,
    Transfer,
)
from motcua.dossiers.services import effects
from motcua.dossiers.services.codes import dossier_code_allocate
from motcua.dossiers.services.events import event_append
from motcua.dossiers.services.files import stored_file_check, stored_file_put
from motcua.org.choices import AgencyKind, Role
from motcua.org.models import Agency
from motcua.org.services.calendar import calendar_for
from motcua.reports.services.rollups import rollup_refresh

# -- inputs ---------------------------------------------------------------------------------


@dataclass
class Applicant:
    """The applicant (chủ hồ sơ) and, optionally, the authorised representative."""

    name: str
    applicant_type: int = ApplicantType.CITIZEN
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    province: Agency | None = None
    commune: Agency | None = None
    representative_name: str = ""
    representative_id_number: str = ""
    representative_phone: str = ""
    representative_email: str = ""


@dataclass
class ComponentIn:
    """One submitted component: a catalogue component (or a free name) with its file."""

    component: Component | None = None
    name: str = ""
    is_original: bool = False
    quantity: int = 1
    content: bytes | None = None
    file_name: str = ""
    digitised: bool = False
    reused: bool = False


@dataclass
class DossierIn:
    version: ProcedureVersion
    variant: ProcedureVariant
    receiving_agency: Agency
    applicant: Applicant
    channel: int = Channel.ONLINE
    summary: str = ""
    form_data: dict[str, Any] = field(default_factory=dict)
    components: list[ComponentIn] = field(default_factory=list)
    sets: int = 1
    handling_agency: Agency | None = None
    organisation: Any = None  # accounts.Organisation the applicant is, acted for by the owner
    language: str = ""  # the applicant's language (notices); the site default when empty


# -- helpers --------------------------------------------------------------------------------


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _setting(name: str, default):
    return getattr(settings, name, default)


def _lock(dossier: Dossier) -> Dossier:
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related(
            "receiving_agency", "handling_agency", "variant", "procedure_version", "current_step"
        )
        .get(pk=dossier.pk)
    )


def _calendar(dossier: Dossier, around: dt.datetime) -> WorkCalendar:
    return calendar_for(dossier.receiving_agency, around=timezone.localdate(around))


def _require_state(dossier: Dossier, action: Action) -> None:
    if not transitions.can(action, dossier.state):
        raise Conflict(
            _("This cannot be done while the dossier is “%(state)s”.")
            % {"state": dossier.status.label},
            code="invalid_state",
        )


def _required_text(value: str, label) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_("%(field)s is required.") % {"field": label}, code="required")
    return value


def _record(
    dossier: Dossier,
    action: Action,
    *,
    actor,
    at: dt.datetime,
    from_state: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    fields: list[str] | None = None,
) -> DossierEvent:
    """Save the changed dossier fields, append the event and enqueue its effects."""
    if fields:
        dossier.save(update_fields=[*fields, "updated_at"])
    agency = (
        dossier.receiving_agency
        if policies.RULES.get(action, ("receiving",))[0] == "receiving"
        else dossier.handling_agency
    )
    event = event_append(
        dossier=dossier,
        action=action,
        at=at,
        actor=actor,
        agency=agency,
        from_state=from_state,
        to_state=dossier.state,
        reason=reason,
        payload=payload,
    )
    rollup_refresh(dossier, action)  # the report counters, in this transaction (ADR 0004)
    effects.publish(dossier=dossier, event=event)
    return event


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def time_rule(variant: ProcedureVariant, channel: int) -> tuple[Decimal, str]:
    """The statutory time of the case, or the channel's own time where the catalogue sets one
    (online variants may be shorter, SPEC.md §3.1)."""
    for option in variant.channels.all():
        if option.channel == channel and option.time_amount is not None and option.time_unit:
            return option.time_amount, option.time_unit
    return variant.time_amount, variant.time_unit


def step_convention() -> str:
    return _setting("MOTCUA_STEP_TIMELINESS", clock.Convention.HALF_DAY)


def dossier_convention() -> str:
    return _setting("MOTCUA_TIMELINESS_CONVENTION", clock.Convention.REPORT_06)


def people_committee(agency: Agency) -> Agency:
    """The People's Committee an agency belongs to (a service centre or unit → its commune or
    province); the agency itself otherwise."""
    node: Agency | None = agency
    while node is not None:
        if node.kind in (AgencyKind.COMMUNE, AgencyKind.PROVINCE, AgencyKind.CENTRAL):
            return node
        node = node.parent
    return agency


# -- validation of a new dossier ------------------------------------------------------------


def _validate_new(data: DossierIn, *, day: dt.date, require_components: bool = True) -> None:
    version, variant = data.version, data.variant
    if version.status != VersionStatus.PUBLISHED or not (
        (version.valid_from is None or version.valid_from <= day)
        and (version.valid_to is None or day <= version.valid_to)
    ):
        raise ValidationFailed(
            _("This procedure is not in force on %(day)s.") % {"day": day.strftime("%d/%m/%Y")},
            code="procedure_not_in_force",
        )
    if variant.version_id != version.pk:
        raise ValidationFailed(
            _("The chosen case does not belong to this procedure."), code="variant_mismatch"
        )
    agency = data.receiving_agency
    if not agency.is_active_on(day):
        raise ValidationFailed(
            _("%(agency)s no longer receives dossiers.") % {"agency": agency.display_name},
            code="agency_inactive",
        )
    committee = people_committee(agency)
    if version.levels and committee.level not in version.levels:
        raise ValidationFailed(
            _("%(agency)s does not handle this procedure.") % {"agency": agency.display_name},
            code="agency_not_competent",
        )
    offered = {option.channel for option in variant.channels.all()}
    if offered and data.channel not in offered:
        raise ValidationFailed(
            _("This procedure cannot be submitted through the channel “%(channel)s”.")
            % {"channel": Channel(data.channel).label},
            code="channel_not_offered",
        )
    if data.channel == Channel.ONLINE and not version.offers_online:
        raise ValidationFailed(
            _("This procedure is not offered online."), code="channel_not_offered"
        )
    problems = applicant_problems(data.applicant)
    if problems:
        field_name, message = next(iter(problems.items()))
        raise ValidationFailed(message, code="required" if field_name == "name" else field_name)
    if len(data.summary) > 1000:
        raise ValidationFailed(
            _("The summary is limited to 1000 characters."), code="summary_too_long"
        )
    if not require_components:
        return
    given = {c.component.pk for c in data.components if c.component is not None}
    for component in _mandatory_components(version, variant):
        if component.pk not in given:
            raise ValidationFailed(
                _("The component “%(name)s” is required.")
                % {"name": Truncator(component.name).chars(120)},
                code="component_missing",
            )


def applicant_problems(applicant: Applicant) -> dict[str, str]:
    """Field → message for the applicant's details that cannot be accepted: a name is required;
    an enterprise code has 10 digits or 10-3; a citizen's identity number 12 digits (9 for an
    old card); a phone number 10 or 11 digits starting with 0."""
    problems: dict[str, str] = {}
    if not (applicant.name or "").strip():
        problems["name"] = str(_("%(field)s is required.") % {"field": _("The applicant's name")})
    number = applicant.id_number
    if applicant.applicant_type in (ApplicantType.BUSINESS, ApplicantType.ORGANISATION):
        # the enterprise (= tax) code: 10 digits, or 10-3 for a dependent unit
        if number and not re.fullmatch(r"\d{10}(-\d{3})?", number):
            problems["id_number"] = str(
                _(
                    "The enterprise code has 10 digits, or 10 digits, a hyphen and 3 digits for "
                    "a branch."
                )
            )
    elif (
        applicant.applicant_type == ApplicantType.CITIZEN
        and number
        and not (number.isdigit() and len(number) in (9, 12))
    ):
        problems["id_number"] = str(
            _("The identity number must have 12 digits (or 9 for an old identity card).")
        )
    phone = applicant.phone.replace(" ", "").replace(".", "")
    # mobiles have 10 digits, landlines (area code 02x…) 11
    if phone and not (phone.isdigit() and len(phone) in (10, 11) and phone.startswith("0")):
        problems["phone"] = str(_("The phone number must have 10 or 11 digits and start with 0."))
    return problems


def _mandatory_components(version: ProcedureVersion, variant: ProcedureVariant) -> list[Component]:
    return [
        c
        for c in version.components.all()
        if c.mandatory and (c.variant_id is None or c.variant_id == variant.pk)
    ]


def _add_components(dossier: Dossier, components: list[ComponentIn], *, supplement=None) -> None:
    for item in components:
        if item.content is not None:
            stored_file_check(content=item.content, name=item.file_name)
    start = dossier.components.count()
    rows = []
    for index, item in enumerate(components):
        stored = (
            stored_file_put(content=item.content, name=item.file_name)
            if item.content is not None
            else None
        )
        name = item.name or (item.component.name if item.component else "")
        rows.append(
            DossierComponent(
                dossier=dossier,
                component=item.component,
                name=_required_text(name, _("The component's name")),
                is_original=item.is_original,
                quantity=max(1, item.quantity),
                file=stored,
                file_name=item.file_name[:255],
                digitised=item.digitised,
                reused=item.reused,
                added_by_supplement=supplement,
                order=start + index,
            )
        )
    DossierComponent.objects.bulk_create(rows)
    if any(row.digitised for row in rows) and not dossier.digitised:
        dossier.digitised = True
        dossier.save(update_fields=["digitised"])


def _add_fees(dossier: Dossier) -> None:
    rows = [
        DossierFee(
            dossier=dossier, fee_item=fee, name=fee.name, kind=fee.kind, amount=fee.amount or 0
        )
        for fee in dossier.procedure_version.fees.all()
        if (fee.variant_id in (None, dossier.variant_id))
        and (fee.channel in (None, dossier.channel))
        and fee.amount is not None
    ]
    DossierFee.objects.bulk_create(rows)


def _create(data: DossierIn, *, owner, state: DossierState, at: dt.datetime) -> Dossier:
    applicant = data.applicant
    receiving = data.receiving_agency
    dossier = Dossier.objects.create(
        procedure_version=data.version,
        variant=data.variant,
        receiving_agency=receiving,
        handling_agency=data.handling_agency or people_committee(receiving),
        channel=data.channel,
        state=state,
        owner=owner,
        organisation=data.organisation,
        language=data.language if data.language in dict(settings.LANGUAGES) else "",
        applicant_type=applicant.applicant_type,
        applicant_name=applicant.name.strip(),
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone.replace(" ", "").replace(".", ""),
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        applicant_province=applicant.province,
        applicant_commune=applicant.commune,
        representative_name=applicant.representative_name,
        representative_id_number=applicant.representative_id_number,
        representative_phone=applicant.representative_phone,
        representative_email=applicant.representative_email,
        summary=data.summary or data.version.name[:1000],
        form_data=data.form_data,
        sets=max(1, data.sets),
        submitted_at=at,
        interlinked=data.version.is_interlinked,
    )
    _add_components(dossier, data.components)
    _add_fees(dossier)
    return dossier


def _assign_code(dossier: Dossier, at: dt.datetime) -> None:
    day = timezone.localdate(at)
    dossier.code = dossier_code_allocate(agency=dossier.receiving_agency, day=day)
    dossier.register_number = int(dossier.code.rsplit("-", 1)[1])
    dossier.save(update_fields=["code", "register_number"])


# -- steps ----------------------------------------------------------------------------------


def _process_steps(dossier: Dossier):
    return list(dossier.variant.steps.order_by("order"))


def _open_step(
    dossier: Dossier,
    *,
    calendar: WorkCalendar,
    at: dt.datetime,
    name: str,
    agency: Agency,
    role: str,
    hours: Decimal,
    process_step=None,
    transfer: Transfer | None = None,
) -> DossierStep:
    order = (dossier.steps.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    step = DossierStep.objects.create(
        dossier=dossier,
        order=order,
        process_step=process_step,
        name=name,
        agency=agency,
        role=role,
        hours=hours,
        started_at=at,
        due_at=clock.step_due(calendar, at, hours),
        transfer=transfer,
    )
    dossier.current_step = step
    return step


def _close_step(
    dossier: Dossier, *, calendar: WorkCalendar, at: dt.datetime, actor, note=""
) -> None:
    step = dossier.current_step
    if step is None or step.finished_at is not None:
        return
    step.finished_at = at
    step.finished_by = actor if actor is not None and actor.is_authenticated else None
    step.timeliness = clock.classify(
        step_convention(), finished=at, due=step.due_at, calendar=calendar
    )
    if note:
        step.note = note
    step.save(update_fields=["finished_at", "finished_by", "timeliness", "note"])


def _open_next_process_step(
    dossier: Dossier, *, calendar: WorkCalendar, at: dt.datetime
) -> DossierStep | None:
    """Open the first step of the procedure's process after the last one done; the step opened
    (now the dossier's current step), ``None`` when the process has no step left."""
    done = (
        dossier.steps.exclude(process_step=None)
        .order_by("-order")
        .values_list("process_step__order", flat=True)
        .first()
    )
    for step in _process_steps(dossier):
        if done is None or step.order > done:
            agency = (
                dossier.receiving_agency if step.role == Role.RECEPTION else dossier.handling_agency
            )
            return _open_step(
                dossier,
                calendar=calendar,
                at=at,
                name=step.name,
                agency=agency,
                role=step.role,
                hours=step.hours,
                process_step=step,
            )
    return None


def _start_clock(dossier: Dossier, *, at: dt.datetime) -> WorkCalendar:
    calendar = _calendar(dossier, at)
    received = clock.reception_time(calendar, at)
    amount, unit = time_rule(dossier.variant, dossier.channel)
    due = clock.appointment(calendar, received, amount, unit)
    dossier.received_at = received
    dossier.due_at = due
    dossier.original_due_at = due
    if not _open_next_process_step(dossier, calendar=calendar, at=received):
        hours = statutory_hours(amount, unit) or HOURS_PER_WORKING_DAY
        _open_step(
            dossier,
            calendar=calendar,
            at=received,
            name=str(_("Processing")),
            agency=dossier.handling_agency,
            role=Role.SPECIALIST,
            hours=hours,
        )
    return calendar


_CLOCK_FIELDS = ["received_at", "due_at", "original_due_at", "current_step"]


def _finish(
    dossier: Dossier, *, calendar: WorkCalendar, at: dt.datetime, on_time: bool = False
) -> None:
    """Record the completion time and classify it against the statutory appointment
    (``original_due_at``: moved by supplementation pauses, never by an extension: an apology
    does not make a late dossier on time, SPEC.md §1.4, §3.4)."""
    dossier.finished_at = at
    dossier.timeliness = (
        Timeliness.ON_TIME
        if on_time
        else clock.classify(
            dossier_convention(),
            finished=at,
            due=dossier.original_due_at,
            calendar=calendar,
            supplement_requests=dossier.supplement_count,
        )
    )
    dossier.is_overdue = dossier.timeliness == Timeliness.LATE
