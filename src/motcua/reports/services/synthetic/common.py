"""The synthetic province's constants, its errors and reports, and how its dossiers are found."""

from __future__ import annotations

import zoneinfo
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from motcua.catalog.choices import Channel
from motcua.dossiers.models import (
    Dossier,
)
from motcua.org.choices import AgencyKind
from motcua.org.models import Agency

MARK = "synthetic"  # Dossier.other_code of every synthetic dossier
ZONE = zoneinfo.ZoneInfo(settings.TIME_ZONE)
BATCH = 5000

# Channel mix (SPEC.md §1.3), among the channels a case offers.
CHANNEL_SHARES = {Channel.ONLINE: 0.45, Channel.COUNTER: 0.50, Channel.POST: 0.05}
PROVINCE_SHARE = 0.2  # dossiers received at the province's own desk
# One story per dossier (the shares add up to 1).
STORIES = (
    ("resolved", 0.75),
    ("open", 0.08),
    ("supplement", 0.06),
    ("supplement2", 0.01),
    ("extension", 0.03),
    ("stopped", 0.03),
    ("payment", 0.04),
)
TRANSFER_SHARE = 0.05  # on top of the story: a part handled by a province department
EARLY, LATE = 0.70, 0.03  # of resolved dossiers with an appointment; the rest on time
DEFAULT_CASE_SHARE = 0.75
RETURNED_SHARE = 0.9
REFUSED_SHARE = 0.03
OPEN_OVERDUE_SHARE = 0.3
SYNCED_SHARE = 0.95  # sent to the national portal (766 component 1.4)
# Of the returned dossiers: rated by the applicant (SPEC.md §6.1), and of those, a "like" (5.4).
RATED_SHARE = 0.35
LIKED_SHARE = 0.92
# The electronic result every synthetic dossier with one points at (a one-page PDF).
E_RESULT = b"%PDF-1.4\n% motcua synthetic result\n%%EOF\n"


class SyntheticError(ValueError):
    """The province or the catalogue cannot give synthetic dossiers (the command shows it)."""


@dataclass(frozen=True)
class GenerateReport:
    created: int
    first_number: int  # of the dossiers created this time (their codes' numbers)
    seconds: float
    states: Counter[str]
    events: int = 0


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0


ProgressCallback = Callable[[Progress], None]


def code_prefix(province: Agency) -> str:
    return f"SYN-{province.code}-"


def synthetic_dossiers(province: Agency):
    """The synthetic dossiers of ``province``."""
    return Dossier.objects.filter(code__startswith=code_prefix(province), other_code=MARK)


def province_for(code: str) -> Agency:
    """The province whose agency code is ``code`` (e.g. ``38``)."""
    found = Agency.objects.filter(code=code, kind=AgencyKind.PROVINCE).first()
    if found is None:
        raise SyntheticError(f"there is no province with the agency code {code!r}")
    return found
