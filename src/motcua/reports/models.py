"""The reports' read model: what each dossier contributes (``DossierFact``) and the sums of
those contributions per agency, sector, procedure and day, month or year (``Rollup``).

Both are derived data. ``reports.services.rollups`` keeps them current in the same transaction
as the dossier change (ADR 0004), and ``motcua reports rebuild`` recomputes them from the
dossiers; nothing else writes them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.reports.projection import MEASURES, Contribution


class Grain(models.TextChoices):
    DAY = "d", _("Day")
    MONTH = "m", _("Month")
    YEAR = "y", _("Year")


def grain_start(grain: str, day: dt.date) -> dt.date:
    if grain == Grain.YEAR:
        return day.replace(month=1, day=1)
    if grain == Grain.MONTH:
        return day.replace(day=1)
    return day


class DossierFact(models.Model):
    """One received dossier as the reports see it, and its contribution to the rollups (the
    "before" of the next change, and the source of the lists behind each number)."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    agency = models.ForeignKey("org.Agency", on_delete=models.DO_NOTHING, related_name="+")
    sector = models.ForeignKey("catalog.Sector", on_delete=models.DO_NOTHING, related_name="+")
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.DO_NOTHING, related_name="+"
    )
    online = models.BooleanField()
    received_day = models.DateField()
    finished_day = models.DateField(null=True, blank=True)
    class06 = models.CharField(max_length=10, blank=True)  # early / on_time / late
    class766 = models.CharField(max_length=10, blank=True)  # on_time / late
    # [[day ordinal, counter, delta], …], sorted
    contribution = models.JSONField(default=list)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "received_day"], name="reports_fact_received"),
            models.Index(fields=["agency", "finished_day"], name="reports_fact_finished"),
            # The lists behind the numbers (``drilldown.cell_ids``): counted and ordered from
            # this index alone on PostgreSQL (an index-only scan), not from the wide rows.
            models.Index(
                fields=["received_day", "dossier"],
                include=["agency", "finished_day", "online", "class06", "sector"],
                name="reports_fact_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.received_day}"

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.agency_id, self.sector_id, self.procedure_id)

    def counts(self) -> Contribution:
        return Counter(
            {
                (dt.date.fromordinal(ordinal), measure): delta
                for ordinal, measure, delta in self.contribution
            }
        )

    @staticmethod
    def encode(counts: Contribution) -> list[list]:
        return sorted([day.toordinal(), measure, delta] for (day, measure), delta in counts.items())


class Rollup(models.Model):
    """Σ of the dossiers' contributions for one agency (the receiving one), sector and procedure
    over one day, month or year. A report sums the rows before two dates (``form06``)."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()  # the first day of the grain
    agency = models.ForeignKey(
        "org.Agency", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    sector = models.ForeignKey(
        "catalog.Sector", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    recv_online = models.IntegerField(default=0)
    recv_other = models.IntegerField(default=0)
    fin_early = models.IntegerField(default=0)
    fin_on_time = models.IntegerField(default=0)
    fin_late = models.IntegerField(default=0)
    od06 = models.IntegerField(default=0)
    fin766_ok = models.IntegerField(default=0)
    fin766_late = models.IntegerField(default=0)
    od766 = models.IntegerField(default=0)
    fin_days = models.IntegerField(default=0)
    synced = models.IntegerField(default=0)
    full_eligible = models.IntegerField(default=0)
    full_done = models.IntegerField(default=0)
    online_ok = models.IntegerField(default=0)
    fee_bearing = models.IntegerField(default=0)
    paid_online = models.IntegerField(default=0)
    doc_result = models.IntegerField(default=0)
    e_result = models.IntegerField(default=0)
    digitised_ok = models.IntegerField(default=0)
    reused = models.IntegerField(default=0)
    from_store = models.IntegerField(default=0)
    disliked = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "grain", "day", "sector", "procedure"],
                name="reports_rollup_key",
            )
        ]
        # A report reads the rows of each grain before two days (``sums.before``): one partial
        # index per grain lets PostgreSQL read just those (docs/performance.md, "Reports at
        # scale": Biểu 06 for a province-year at 1 M dossiers, 212 → 53 ms).
        indexes = [
            models.Index(fields=["day"], condition=Q(grain="d"), name="reports_rollup_day_d"),
            models.Index(fields=["day"], condition=Q(grain="m"), name="reports_rollup_day_m"),
            models.Index(fields=["day"], condition=Q(grain="y"), name="reports_rollup_day_y"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.agency_id}/{self.sector_id}/{self.procedure_id}"

    def values(self) -> tuple[int, ...]:
        return tuple(getattr(self, measure) for measure in MEASURES)
