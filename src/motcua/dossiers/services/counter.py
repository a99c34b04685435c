"""The one-stop counter (Bộ phận Một cửa, issue 5 item 2; SPEC.md §1.4 steps 1–3): where an
officer receives, which cases can be received there, the applicant found again by an identity
number or phone, the tờ khai filled on the applicant's behalf, and the intake decided in one go:
received (Mẫu 01), completion requested listing everything missing (Mẫu 02) or refused with
the reasons (Mẫu 03)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.choices import ApplicantType, Channel
from motcua.catalog.models import Component, ProcedureVariant, ProcedureVersion
from motcua.core.errors import ValidationFailed
from motcua.dossiers import policies
from motcua.dossiers.models import Dossier
from motcua.dossiers.services._common import (
    DossierIn,
    _required_text,
    people_committee,
)
from motcua.dossiers.services.drafts import national_phone, receiving_agency_for
from motcua.dossiers.services.reception import (
    dossier_intake,
    dossier_refuse,
    dossier_request_completion,
)
from motcua.org.choices import Role
from motcua.org.models import Agency
from motcua.org.policies import scope_paths


class Decision(models.TextChoices):
    RECEIVE = "receive", _("Receive")
    COMPLETE = "complete", _("Request completion")
    REFUSE = "refuse", _("Refuse")


# -- where and what -------------------------------------------------------------------------


def counter_desks(actor) -> list[Agency]:
    """The agencies at which ``actor`` receives dossiers today: for each agency on which they
    hold the reception role, where its dossiers are received (its People's Committee's public
    administrative service centre when there is one, SPEC.md §1.2)."""
    paths = scope_paths(actor, Role.RECEPTION)
    if not paths:
        return []
    desks: dict[int, Agency] = {}
    for agency in Agency.objects.active().filter(path__in=paths).order_by("path"):
        desk = receiving_agency_for(agency)
        desks.setdefault(desk.pk, desk)
    return list(desks.values())


@dataclass(frozen=True)
class CaseChoice:
    variant: ProcedureVariant
    label: str


@dataclass
class SectorCases:
    name: str
    cases: list[CaseChoice] = field(default_factory=list)


def counter_cases(desk: Agency, *, day: dt.date | None = None) -> list[SectorCases]:
    """The cases (procedure and variant) that can be received in person at ``desk`` on ``day``:
    the newest version in force of each procedure its People's Committee's level implements,
    and of those the variants offered at the counter; grouped by sector."""
    day = day or timezone.localdate()
    level = people_committee(desk).level
    versions = (
        ProcedureVersion.objects.in_force_on(day)
        .select_related("procedure", "sector")
        .prefetch_related("variants__channels")
        .order_by("sector__name", "procedure__code", "-number")
    )
    sectors: dict[str, SectorCases] = {}
    seen: set[str] = set()
    for version in versions:
        if version.procedure.code in seen or (version.levels and level not in version.levels):
            continue
        seen.add(version.procedure.code)
        variants = [
            v
            for v in version.variants.all()
            if not v.channels.all() or any(o.channel == Channel.COUNTER for o in v.channels.all())
        ]
        variants.sort(key=lambda v: (not v.is_default, v.order, v.pk))
        for variant in variants:
            label = f"{version.procedure.code} · {version.name}"
            if len(variants) > 1:
                label = f"{label} — {variant.name}"
            sectors.setdefault(version.sector.name, SectorCases(version.sector.name)).cases.append(
                CaseChoice(variant, label)
            )
    return list(sectors.values())


def counter_case(desk: Agency, variant_id: int, *, day: dt.date | None = None) -> ProcedureVariant:
    """The case ``variant_id`` if it can be received at ``desk``; otherwise ValidationFailed."""
    for sector in counter_cases(desk, day=day):
        for choice in sector.cases:
            if choice.variant.pk == variant_id:
                return choice.variant
    raise ValidationFailed(
        _("This procedure cannot be received at %(desk)s.") % {"desk": desk.display_name},
        code="case_not_offered",
    )


def case_components(variant: ProcedureVariant) -> list[Component]:
    """The components listed for the case: the procedure's general ones and the case's own."""
    return [
        c
        for c in variant.version.components.order_by("order", "pk")
        if c.variant_id is None or c.variant_id == variant.pk
    ]


# -- the applicant found again --------------------------------------------------------------


@dataclass(frozen=True)
class FoundApplicant:
    key: str  # "tk-<user id>" (an account) or "hs-<dossier code>" (an earlier dossier)
    name: str
    id_number: str
    phone: str
    email: str
    address: str
    applicant_type: int
    source: str  # shown to the officer: where the details come from

    def as_applicant(self) -> dict[str, object]:
        return {
            "applicant_type": self.applicant_type,
            "name": self.name,
            "id_number": self.id_number,
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
        }


def lookup_key(query: str) -> str:
    """``query`` reduced to what can be looked up: a full identity number (12 digits, or 9 for an
    old card), an enterprise code (10 digits, or 10-3) or a full phone number; otherwise ""."""
    raw = national_phone(re.sub(r"[\s.]", "", query or ""))
    if re.fullmatch(r"\d{9,12}|\d{10}-\d{3}", raw):
        return raw
    return ""


def applicant_lookup(*, actor, query: str, limit: int = 5) -> list[FoundApplicant]:
    """People matching exactly a full identity number, enterprise code or phone given by the
    person at the counter: citizens' accounts (verified details first) and the applicants of
    earlier dossiers the officer may see. Partial numbers find nothing, so the lookup cannot be
    used to browse people."""
    key = lookup_key(query)
    if not key:
        return []
    from django.contrib.auth import get_user_model

    found: list[FoundApplicant] = []
    phone_e164 = "+84" + key[1:] if key.startswith("0") and len(key) in (10, 11) else None
    accounts = (
        get_user_model()
        .objects.filter(is_active=True, staff__isnull=True)
        .filter(Q(id_number=key) | Q(phone=phone_e164 or key))
        .order_by("-identity_verified_at", "pk")[:limit]
    )
    for user in accounts:
        found.append(
            FoundApplicant(
                key=f"tk-{user.pk}",
                name=user.full_name,
                id_number=user.id_number,
                phone=national_phone(user.phone or ""),
                email=user.email,
                address=user.address,
                applicant_type=ApplicantType.CITIZEN,
                source=str(
                    _("Account, identity verified by %(by)s") % {"by": user.identity_verified_by}
                    if user.identity_verified_by
                    else _("Account (details declared by the citizen)")
                ),
            )
        )
    earlier = (
        policies.visible_dossiers(actor)
        .filter(Q(applicant_id_number=key) | Q(applicant_phone=key))
        .order_by("-submitted_at", "-pk")
        .values(
            "code",
            "applicant_type",
            "applicant_name",
            "applicant_id_number",
            "applicant_phone",
            "applicant_email",
            "applicant_address",
            "submitted_at",
        )[:20]
    )
    seen = {(f.name.casefold(), f.id_number) for f in found}
    for row in earlier:
        ident = (row["applicant_name"].casefold(), row["applicant_id_number"])
        if ident in seen or len(found) >= limit:
            continue
        seen.add(ident)
        when = (
            timezone.localtime(row["submitted_at"]).strftime("%d/%m/%Y")
            if row["submitted_at"]
            else ""
        )
        found.append(
            FoundApplicant(
                key=f"hs-{row['code']}",
                name=row["applicant_name"],
                id_number=row["applicant_id_number"],
                phone=row["applicant_phone"],
                email=row["applicant_email"],
                address=row["applicant_address"],
                applicant_type=row["applicant_type"],
                source=str(_("Dossier %(code)s of %(day)s") % {"code": row["code"], "day": when}),
            )
        )
    return found


# -- the intake ----------------------------------------------------------------------------

STANDARD_COMPLETION_REASON = _(
    "The dossier does not yet have every component, in the number of copies, that the procedure "
    "requires."
)


@transaction.atomic
def counter_intake(
    *,
    actor,
    data: DossierIn,
    decision: str,
    reason: str = "",
    missing: list[str] | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Record a dossier presented at the counter and decide on it at once, in one transaction
    (a refusal of any part leaves nothing):

    - ``receive``: received now, the legal clock starts and Mẫu 01 gives the appointment; every
      mandatory component must be there (NĐ 61/2018 Điều 19);
    - ``complete``: not received; Mẫu 02 lists everything ``missing`` in one go (the reason
      defaults to the standard wording);
    - ``refuse``: not received; Mẫu 03 gives the ``reason``.
    """
    at = at or timezone.now()
    if decision == Decision.RECEIVE:
        from motcua.documents.services.digitise import component_e_copies

        dossier = dossier_intake(actor=actor, data=data, receive=True, at=at)
        component_e_copies(dossier=dossier, at=at)  # the scans' sealed electronic copies
        return dossier
    if decision == Decision.COMPLETE:
        items = [item.strip() for item in missing or [] if item and item.strip()]
        if not items:
            raise ValidationFailed(
                _("List every document that must be supplemented or completed."),
                code="items_required",
            )
        dossier = dossier_intake(actor=actor, data=data, receive=False, at=at)
        dossier_request_completion(
            actor=actor,
            dossier=dossier,
            reason=reason.strip() or str(STANDARD_COMPLETION_REASON),
            items=items,
            at=at,
        )
        return dossier
    if decision == Decision.REFUSE:
        reason = _required_text(reason, _("The reason for refusal"))
        dossier = dossier_intake(actor=actor, data=data, receive=False, at=at)
        dossier_refuse(actor=actor, dossier=dossier, reason=reason, at=at)
        return dossier
    raise ValidationFailed(_("Choose what to do with the dossier."), code="decision_required")
