"""Online submission drafts: what a citizen has answered and attached so far (portal
"Nộp hồ sơ trực tuyến"). A draft is the citizen's own working copy, not a dossier: it has no
code, no event and no legal effect until ``draft_submit`` turns it into a dossier through
``dossier_submit`` (status 1, SPEC.md §1.7) and deletes it, in one transaction.

A draft lives ``MOTCUA_DRAFT_DAYS`` days (default 30) after its last change;
``drafts_purge_expired`` removes the old ones (stored files stay: they are shared by content
and may belong to dossiers).
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from motcua.catalog import eforms
from motcua.catalog.choices import Channel
from motcua.catalog.models import Component, ProcedureVariant, ProcedureVersion
from motcua.core.errors import ValidationFailed
from motcua.dossiers import clock
from motcua.dossiers.models import Dossier, DossierComponent, StoredFile, SubmissionDraft
from motcua.dossiers.services._common import (
    Applicant,
    ComponentIn,
    DossierIn,
    people_committee,
    time_rule,
)
from motcua.dossiers.services.files import stored_file_check, stored_file_put
from motcua.dossiers.services.reception import dossier_submit
from motcua.org import selectors as org
from motcua.org.choices import AgencyKind
from motcua.org.models import Agency
from motcua.org.services.calendar import calendar_for

WARN_DAYS = 3


def draft_days() -> int:
    return int(getattr(settings, "MOTCUA_DRAFT_DAYS", 30))


def _expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=draft_days())


def _require_citizen(actor) -> None:
    if actor is None or not actor.is_authenticated:
        raise ValidationFailed(_("Please sign in to submit a dossier."), code="login_required")


def _save(draft: SubmissionDraft, *, step: str, now: dt.datetime, fields: list[str]) -> None:
    draft.step = step
    draft.expires_at = _expiry(now)
    draft.save(update_fields=[*fields, "step", "expires_at", "updated_at"])


# -- reads ----------------------------------------------------------------------------------


def draft_get(*, actor, uuid: uuid_module.UUID | str, now: dt.datetime | None = None):
    """The actor's own draft in force; ``SubmissionDraft.DoesNotExist`` otherwise (someone
    else's draft looks exactly like a missing one)."""
    now = now or timezone.now()
    if actor is None or not actor.is_authenticated:
        raise SubmissionDraft.DoesNotExist
    return SubmissionDraft.objects.select_related(
        "owner",
        "procedure_version__procedure",
        "variant",
        "commune__parent",
        "receiving_agency",
        "organisation",
    ).get(uuid=uuid, owner=actor, expires_at__gt=now)


def my_drafts(*, actor, now: dt.datetime | None = None) -> list[SubmissionDraft]:
    """The actor's drafts in force, last worked on first, each with ``expires_soon`` set."""
    now = now or timezone.now()
    if actor is None or not actor.is_authenticated:
        return []
    found = list(
        SubmissionDraft.objects.select_related("procedure_version__procedure", "receiving_agency")
        .filter(owner=actor, expires_at__gt=now)
        .order_by("-updated_at", "-pk")
    )
    for draft in found:
        draft.expires_soon = draft_expires_soon(draft, now=now)  # type: ignore[attr-defined]
    return found


def draft_expires_soon(draft: SubmissionDraft, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return draft.expires_at - now < dt.timedelta(days=WARN_DAYS)


def _case_components(draft: SubmissionDraft) -> list[Component]:
    return [
        c
        for c in draft.procedure_version.components.all()
        if c.variant_id is None or c.variant_id == draft.variant_id
    ]


def form_component(draft: SubmissionDraft) -> Component | None:
    """The component the e-form stands for (its tờ khai), if the case has an e-form naming one."""
    if not draft.variant.form_schema:
        return None
    ui = draft.variant.form_ui or {}
    return next((c for c in _case_components(draft) if eforms.is_form_component(ui, c.name)), None)


def draft_components(draft: SubmissionDraft) -> list[Component]:
    """The components the applicant uploads for the draft's case: general ones and the case's,
    except the one the e-form stands for (it is made from the answers at submission)."""
    filled = form_component(draft)
    return [c for c in _case_components(draft) if filled is None or c.pk != filled.pk]


def reusable_files(*, actor, component: Component) -> list[DossierComponent]:
    """Files the actor submitted earlier for the same document (same catalogue component or,
    across procedure versions, the same name), newest first, one per content."""
    rows = (
        DossierComponent.objects.filter(dossier__owner=actor, file__isnull=False)
        .filter(Q(component=component) | Q(name=component.name))
        .select_related("file", "dossier")
        .order_by("-dossier__submitted_at", "-id")
    )
    seen: set[int | None] = set()
    out = []
    for row in rows:
        if row.file_id not in seen:
            seen.add(row.file_id)
            out.append(row)
    return out


def receiving_agency_for(handler: Agency) -> Agency:
    """Where a dossier for ``handler`` is received: the public administrative service centre
    of its People's Committee when there is one in force, else the handler itself."""
    committee = people_committee(handler)
    centre = committee.children.active().filter(kind=AgencyKind.SERVICE_CENTRE).first()
    return centre or handler


@dataclass
class Appointment:
    received_at: dt.datetime
    due_at: dt.datetime | None


def appointment_preview(
    *,
    variant: ProcedureVariant,
    agency: Agency,
    now: dt.datetime | None = None,
    channel: int = Channel.ONLINE,
) -> Appointment:
    """For information only: the appointment the legal clock would give if the dossier were
    received at the next working moment. The real one is computed at reception (SPEC.md §1.3)."""
    now = now or timezone.now()
    calendar = calendar_for(agency, around=timezone.localdate(now))
    received = clock.reception_time(calendar, now)
    amount, unit = time_rule(variant, channel)
    return Appointment(received, clock.appointment(calendar, received, amount, unit))


def _leaf_paths(draft: SubmissionDraft, page: eforms.Page) -> list[str]:
    fields = eforms.form_fields(draft.variant.form_schema, draft.variant.form_ui, paths=page.paths)
    return [f.path for f in fields]


def draft_problems(draft: SubmissionDraft) -> dict[str, Any]:
    """What still stops the draft from being submitted: ``where``, ``pages`` (page index →
    errors) and ``components`` (mandatory components without a file)."""
    problems: dict[str, Any] = {}
    if draft.receiving_agency_id is None:
        problems["where"] = _("Choose where you live.")
    schema, ui = draft.variant.form_schema, draft.variant.form_ui
    if schema:
        for index, page in enumerate(eforms.pages(schema, ui)):
            errors = eforms.validate(schema, draft.answers, ui=ui, paths=page.paths)
            if errors:
                problems.setdefault("pages", {})[index] = errors
    missing = [
        c for c in draft_components(draft) if c.mandatory and not draft.uploads.get(str(c.pk))
    ]
    if missing:
        problems["components"] = missing
    return problems


# -- writes ---------------------------------------------------------------------------------


@transaction.atomic
def draft_start(
    *,
    actor,
    version: ProcedureVersion,
    variant: ProcedureVariant | None = None,
    now: dt.datetime | None = None,
) -> SubmissionDraft:
    """Start (or resume) the actor's draft for this procedure version."""
    now = now or timezone.now()
    _require_citizen(actor)
    if not version.offers_online:
        raise ValidationFailed(
            _("This procedure is not offered online."), code="channel_not_offered"
        )
    variants = list(version.variants.all())
    if variant is None:
        variant = next((v for v in variants if v.is_default), variants[0] if variants else None)
    if variant is None or variant.version_id != version.pk:
        raise ValidationFailed(
            _("The chosen case does not belong to this procedure."), code="variant_mismatch"
        )
    SubmissionDraft.objects.filter(owner=actor, expires_at__lte=now).delete()
    draft, created = SubmissionDraft.objects.get_or_create(
        owner=actor,
        procedure_version=version,
        defaults={"variant": variant, "expires_at": _expiry(now), "step": "start"},
    )
    if created and variant.form_schema:
        profile = {
            "full_name": actor.full_name,
            "id_number": actor.id_number,
            "date_of_birth": actor.date_of_birth,
            "phone": actor.phone,
            "email": actor.email,
            "address": actor.address,
        }
        draft.answers = eforms.prefill(variant.form_schema, variant.form_ui, profile)
        if actor.commune_id:
            draft.commune = actor.commune
        draft.save(update_fields=["answers", "commune"])
    return draft


@transaction.atomic
def draft_choose_where(
    *, actor, draft: SubmissionDraft, commune: Agency, now: dt.datetime | None = None
) -> SubmissionDraft:
    """Record the applicant's commune and the agency that will receive the dossier."""
    now = now or timezone.now()
    version = draft.procedure_version
    handler = org.handling_agency(
        commune=commune,
        implementing_kind=version.implementing_kind,
        unit_key=version.implementing_unit_key,
    )
    if handler is None:
        raise ValidationFailed(
            _("The handling agency could not be determined for this place."), code="no_handler"
        )
    draft.commune = commune
    draft.receiving_agency = receiving_agency_for(handler)
    _save(draft, step="where", now=now, fields=["commune", "receiving_agency"])
    return draft


def online_cases(version: ProcedureVersion) -> list[ProcedureVariant]:
    """The cases of ``version`` that may be submitted online (channel 2, or no channel list)."""
    return [
        v
        for v in version.variants.all()
        if not v.channels.all() or any(o.channel == Channel.ONLINE for o in v.channels.all())
    ]


@transaction.atomic
def draft_choose_case(
    *, actor, draft: SubmissionDraft, variant_id: int, now: dt.datetime | None = None
) -> SubmissionDraft:
    """Choose the case (trường hợp) the dossier is submitted under. Files attached for a
    component of the previous case only are dropped; the answers are kept (same tờ khai)."""
    now = now or timezone.now()
    variant = next((v for v in online_cases(draft.procedure_version) if v.pk == variant_id), None)
    if variant is None:
        raise ValidationFailed(_("Choose the case that applies to you."), code="variant")
    draft.variant = variant
    keep = {str(c.pk) for c in _case_components(draft)}
    draft.uploads = {key: files for key, files in draft.uploads.items() if key in keep}
    _save(draft, step="case", now=now, fields=["variant", "uploads"])
    return draft


def organisations_eligible(*, actor, version) -> list:
    """The organisations ``actor`` acts for whose kind the procedure accepts as applicant."""
    from motcua.accounts.services.organisations import organisations_of

    accepted = set(version.applicant_types or [])
    return [o for o in organisations_of(actor) if o.kind in accepted]


@transaction.atomic
def draft_choose_applicant(
    *, actor, draft: SubmissionDraft, organisation_id: int | None, now: dt.datetime | None = None
) -> SubmissionDraft:
    """Submit for oneself (``None``) or for one of the organisations the actor acts for."""
    now = now or timezone.now()
    organisation = None
    if organisation_id is not None:
        eligible = organisations_eligible(actor=actor, version=draft.procedure_version)
        organisation = next((o for o in eligible if o.pk == organisation_id), None)
        if organisation is None:
            raise ValidationFailed(_("Choose who the dossier is for."), code="organisation")
    draft.organisation = organisation
    draft.applicant_chosen = True
    _save(draft, step="applicant", now=now, fields=["organisation", "applicant_chosen"])
    return draft


def _drop(data: dict[str, Any], path: str) -> None:
    head, _sep, rest = path.partition(".")
    if not rest:
        data.pop(head, None)
        return
    group = data.get(head)
    if isinstance(group, dict):
        group.pop(rest, None)
        if not group:
            data.pop(head, None)


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    head, _sep, rest = path.partition(".")
    if rest:
        data.setdefault(head, {})[rest] = value
    else:
        data[head] = value


def _pick(data: dict[str, Any], path: str) -> Any:
    head, _sep, rest = path.partition(".")
    value = data.get(head)
    if rest:
        return value.get(rest) if isinstance(value, dict) else None
    return value


@transaction.atomic
def draft_save_answers(
    *,
    actor,
    draft: SubmissionDraft,
    page: int,
    raw: dict[str, Any],
    now: dt.datetime | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse and check the answers of one page of the e-form; store them only when valid.
    Returns (cleaned data of the page, errors by path)."""
    now = now or timezone.now()
    schema, ui = draft.variant.form_schema, draft.variant.form_ui
    form_pages = eforms.pages(schema, ui)
    if not 0 <= page < len(form_pages):
        raise ValidationFailed(_("This page does not exist."), code="no_page")
    leaves = _leaf_paths(draft, form_pages[page])
    cleaned, _errors = eforms.clean(schema, raw, ui=ui, paths=form_pages[page].paths)
    answers = dict(draft.answers)
    for path in leaves:
        _drop(answers, path)
        value = _pick(cleaned, path)
        if value is not None:
            _put(answers, path, value)
    # conditions may depend on other pages' answers: check the page against all the data
    errors = eforms.validate(schema, answers, ui=ui, paths=form_pages[page].paths)
    if not errors:
        draft.answers = answers
        _save(draft, step=f"page-{page}", now=now, fields=["answers"])
    return cleaned, errors


def _component_of(draft: SubmissionDraft, component_id: int) -> Component:
    for component in draft_components(draft):
        if component.pk == component_id:
            return component
    raise ValidationFailed(_("This document is not part of the procedure."), code="no_component")


@transaction.atomic
def draft_attach(
    *,
    actor,
    draft: SubmissionDraft,
    component_id: int,
    files: list[tuple[str, bytes]],
    now: dt.datetime | None = None,
) -> list[StoredFile]:
    """Attach uploaded files (name, content) to a component. Each is checked by content (PDF,
    JPEG or PNG) and size, and stored once by SHA-256; any refusal stores nothing."""
    now = now or timezone.now()
    component = _component_of(draft, component_id)
    if not files:
        raise ValidationFailed(_("Choose a file to upload."), code="file_missing")
    for name, content in files:
        stored_file_check(content=content, name=name)
    stored = [stored_file_put(content=content, name=name) for name, content in files]
    uploads = dict(draft.uploads)
    entries = list(uploads.get(str(component.pk), []))
    entries += [
        {"file": row.pk, "name": name[:255], "reused": False}
        for row, (name, _content) in zip(stored, files, strict=True)
    ]
    uploads[str(component.pk)] = entries
    draft.uploads = uploads
    _save(draft, step="documents", now=now, fields=["uploads"])
    return stored


@transaction.atomic
def draft_reuse(
    *,
    actor,
    draft: SubmissionDraft,
    component_id: int,
    stored_file_id: int,
    now: dt.datetime | None = None,
) -> None:
    """Attach a file the actor submitted with an earlier dossier; it is marked as reused."""
    now = now or timezone.now()
    component = _component_of(draft, component_id)
    earlier = next(
        (
            r
            for r in reusable_files(actor=actor, component=component)
            if r.file_id == stored_file_id
        ),
        None,
    )
    if earlier is None:
        raise ValidationFailed(_("This document cannot be reused."), code="no_reuse")
    uploads = dict(draft.uploads)
    entries = [e for e in uploads.get(str(component.pk), []) if e["file"] != stored_file_id]
    entries.append(
        {"file": stored_file_id, "name": earlier.file_name or earlier.name[:255], "reused": True}
    )
    uploads[str(component.pk)] = entries
    draft.uploads = uploads
    _save(draft, step="documents", now=now, fields=["uploads"])


@transaction.atomic
def draft_detach(
    *,
    actor,
    draft: SubmissionDraft,
    component_id: int,
    index: int,
    now: dt.datetime | None = None,
) -> None:
    """Remove one attached file from a component (the stored file itself stays)."""
    now = now or timezone.now()
    uploads = dict(draft.uploads)
    entries = list(uploads.get(str(component_id), []))
    if 0 <= index < len(entries):
        del entries[index]
    uploads[str(component_id)] = entries
    draft.uploads = uploads
    _save(draft, step="documents", now=now, fields=["uploads"])


@transaction.atomic
def draft_submit(*, actor, draft: SubmissionDraft, now: dt.datetime | None = None) -> Dossier:
    """Submit the draft as a dossier (status 1, a code at once) and delete the draft."""
    now = now or timezone.now()
    _require_citizen(actor)
    draft = SubmissionDraft.objects.select_for_update().get(pk=draft.pk, owner=actor)
    if draft_problems(draft):
        raise ValidationFailed(
            _("Some answers or documents are missing. Check your answers."), code="incomplete"
        )
    assert draft.receiving_agency is not None and draft.commune is not None
    components = {c.pk: c for c in draft_components(draft)}
    files = {
        f.pk: f
        for f in StoredFile.objects.filter(
            pk__in=[e["file"] for entries in draft.uploads.values() for e in entries]
        )
    }
    items: list[ComponentIn] = []
    for key, entries in draft.uploads.items():
        component = components.get(int(key))
        if component is None:
            continue
        for entry in entries:
            stored = files[entry["file"]]
            with stored.file.open("rb") as handle:
                content = handle.read()
            items.append(
                ComponentIn(
                    component=component,
                    name=component.name,
                    is_original=component.originals > 0,
                    content=content,
                    file_name=entry["name"],
                    reused=bool(entry.get("reused")),
                )
            )
    commune = draft.commune
    province = (
        commune.parent if commune.parent and commune.parent.kind == AgencyKind.PROVINCE else None
    )
    person = Applicant(
        name=actor.full_name or str(actor),
        id_number=actor.id_number,
        phone=national_phone(actor.phone),
        email=actor.email,
        address=actor.address,
        province=province,
        commune=commune,
    )
    organisation = draft.organisation
    if organisation is not None:
        person, authorisation = _for_organisation(actor, draft, person)
        if authorisation is not None:
            items.append(authorisation)
    filled = form_component(draft)
    if filled is not None:
        items.insert(0, _form_as_component(draft, filled, person, actor, now))
    data = DossierIn(
        version=draft.procedure_version,
        variant=draft.variant,
        receiving_agency=draft.receiving_agency,
        applicant=person,
        channel=Channel.ONLINE,
        form_data=draft.answers,
        components=items,
        organisation=organisation,
        language=translation.get_language() or "",
    )
    dossier = dossier_submit(actor=actor, data=data, at=now)
    draft.delete()
    return dossier


def _form_as_component(draft, component, person: Applicant, actor, now) -> ComponentIn:
    return eform_as_component(
        variant=draft.variant,
        component=component,
        answers=draft.answers,
        recipient=draft.receiving_agency,
        place=draft.commune,
        declarant=person,
        actor=actor,
        at=now,
    )


def eform_as_component(
    *,
    variant: ProcedureVariant,
    component: Component,
    answers: dict[str, Any],
    recipient: Agency,
    place: Agency,
    declarant: Applicant,
    actor,
    at: dt.datetime,
    at_counter: bool = False,
) -> ComponentIn:
    """The answers of the e-form as the tờ khai's PDF (dossiers.documents.render_eform): made
    online through the applicant's account, or — ``at_counter`` — entered by the reception
    officer as the applicant declared."""
    from motcua.dossiers.documents import render_eform

    pdf = render_eform(
        schema=variant.form_schema,
        ui=variant.form_ui or {},
        answers=answers,
        recipient=recipient,
        place=place,
        declarant=declarant,
        account=actor,
        at=at,
        at_counter=at_counter,
    )
    return ComponentIn(
        component=component,
        name=component.name,
        is_original=True,
        content=pdf,
        file_name=f"to-khai-{variant.version.procedure.code}.pdf",
    )


def _for_organisation(actor, draft: SubmissionDraft, person: Applicant):
    """The organisation as applicant, the actor as its representative, and — for an authorised
    person — the authorisation letter as a component of the dossier (marked reused)."""
    from motcua.accounts.services.organisations import membership_of

    organisation = draft.organisation
    assert organisation is not None
    membership = membership_of(actor, organisation)
    if membership is None or organisation.kind not in (
        draft.procedure_version.applicant_types or []
    ):
        raise ValidationFailed(
            _("You no longer act for %(name)s. Choose who the dossier is for again.")
            % {"name": organisation.name},
            code="organisation_revoked",
        )
    applicant = Applicant(
        applicant_type=organisation.kind,
        name=organisation.name,
        id_number=organisation.tax_code,
        phone=national_phone(organisation.phone),
        email=organisation.email,
        address=organisation.address,
        province=person.province,
        commune=person.commune,
        representative_name=person.name,
        representative_id_number=person.id_number,
        representative_phone=person.phone,
        representative_email=person.email,
    )
    letter = None
    if membership.authorisation_file is not None:
        with membership.authorisation_file.file.open("rb") as handle:
            content = handle.read()
        listed = next(
            (c for c in _case_components(draft) if c.name.startswith("Văn bản ủy quyền")), None
        )
        letter = ComponentIn(
            component=listed,
            # data: the component's name on the dossier, in Vietnamese
            name=listed.name if listed else "Văn bản ủy quyền",
            content=content,
            file_name=membership.authorisation_name or "uy-quyen.pdf",
            reused=True,
        )
    return applicant, letter


def national_phone(phone: str) -> str:
    """The profile keeps E.164 (+84912345678); a dossier keeps the national form (0912345678)."""
    phone = (phone or "").replace(" ", "")
    return "0" + phone[3:] if phone.startswith("+84") else phone


def drafts_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the drafts past their expiry; returns how many."""
    now = now or timezone.now()
    count, _detail = SubmissionDraft.objects.filter(expires_at__lte=now).delete()
    return count
