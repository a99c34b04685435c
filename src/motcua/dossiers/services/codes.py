"""Dossier codes ``<agency id>-<yyMMdd>-<NNNN>`` (SPEC.md §2.1, ADR 0003).

The sequence is per receiving agency per reception day, starting at ``MOTCUA_DOSSIER_CODE_START``
(default 1), zero-padded to four digits. It is gapless and unique under concurrency: the counter
row is incremented by a single ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement inside
the caller's transaction, so concurrent receptions queue on the row lock (PostgreSQL) or the
write lock (SQLite, BEGIN IMMEDIATE), and a rolled-back reception gives its number back.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from motcua.core.counters import counter_next
from motcua.dossiers.choices import CodeAgencyId
from motcua.dossiers.models import DossierCounter
from motcua.org.choices import AgencyKind
from motcua.org.models import Agency

_COMMITTEES = (AgencyKind.COMMUNE, AgencyKind.PROVINCE, AgencyKind.CENTRAL)


def code_agency(agency: Agency, preference: str | None = None) -> tuple[Agency, str]:
    """The agency whose identifier heads the codes of dossiers received at ``agency``, and that
    identifier (ADR 0003).

    Walk up from the receiving agency to its People's Committee (a commune's service centre
    belongs to the commune): the first agency with an identifier gives it — the configured kind
    (``MOTCUA_DOSSIER_CODE_AGENCY_ID``) if it has one, else the other kind. If none has, the
    People's Committee's own motcua code (the GSO division code) is used, so codes stay unique.
    The sequence is kept per that agency, so two desks sharing an identifier never share a
    number."""
    preference = preference or getattr(settings, "MOTCUA_DOSSIER_CODE_AGENCY_ID", "legacy")
    kinds = ["code_legacy", "code_dvcqg"]
    if preference != CodeAgencyId.LEGACY:
        kinds.reverse()
    node: Agency | None = agency
    while node is not None:
        for attribute in kinds:
            value = (getattr(node, attribute) or "").strip()
            if value:
                return node, value
        if node.kind in _COMMITTEES:
            return node, node.code
        node = node.parent
    return agency, agency.code


def next_sequence(agency: Agency, day: dt.date) -> int:
    start = int(getattr(settings, "MOTCUA_DOSSIER_CODE_START", 1))
    return counter_next(DossierCounter, {"agency": agency, "day": day}, start)


def format_code(agency_id: str, day: dt.date, sequence: int) -> str:
    return f"{agency_id}-{day:%y%m%d}-{sequence:04d}"


@transaction.atomic
def dossier_code_allocate(*, agency: Agency, day: dt.date) -> str:
    """Take the next dossier code of ``agency`` for reception day ``day`` (local date)."""
    owner, identifier = code_agency(agency)
    return format_code(identifier, day, next_sequence(owner, day))
