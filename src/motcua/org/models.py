from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStampedModel
from motcua.org.choices import (
    AgencyChangeKind,
    AgencyKind,
    AgencyLevel,
    CalendarDayKind,
    DivisionType,
    Role,
)

PATH_SEPARATOR = "/"


class AgencyQuerySet(models.QuerySet["Agency"]):
    def subtree_of(self, agency: Agency, *, include_self: bool = True) -> AgencyQuerySet:
        qs = self.filter(path__startswith=agency.path)
        return qs if include_self else qs.exclude(pk=agency.pk)

    def active_on(self, day: dt.date) -> AgencyQuerySet:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def active(self) -> AgencyQuerySet:
        from django.utils import timezone

        return self.active_on(timezone.localdate())

    def provinces(self) -> AgencyQuerySet:
        return self.filter(kind=AgencyKind.PROVINCE)

    def communes(self) -> AgencyQuerySet:
        return self.filter(kind=AgencyKind.COMMUNE)


class Agency(TimeStampedModel):
    """A state body in the tree province → commune → units, of any depth.

    ``code`` is motcua's stable key (official division code for People's Committees, e.g. ``38``
    for Thanh Hóa and ``14848`` for a commune; ``<parent>-<KEY>`` for their units). ``path`` is the
    chain of codes from the root, so a subtree is one indexed prefix query.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices, db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=AgencyLevel.choices)
    division_type = models.CharField(
        _("administrative division type"), max_length=10, choices=DivisionType.choices, blank=True
    )
    division_code = models.CharField(
        _("official division code"),
        max_length=10,
        blank=True,
        help_text=_("Code of the administrative division (GSO), for People's Committees."),
    )
    unit_key = models.CharField(
        _("unit key"),
        max_length=40,
        blank=True,
        db_index=True,
        help_text=_("Which standard unit this is, e.g. 'tu-phap' for the Department of Justice."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=400, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    code_dvcqg = models.CharField(
        _("national portal code"),
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Short code on the National Public Service Portal, e.g. H56 or H56.123."),
    )
    code_legacy = models.CharField(
        _("electronic identifier"),
        max_length=35,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Identifier under QĐ 20/2020/QĐ-TTg, e.g. 000.00.00.H56."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    search_text = models.CharField(max_length=400, blank=True, editable=False)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="agency_validity_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to this agency, inclusive."""
        return [part for part in self.path.split(PATH_SEPARATOR) if part]

    def is_active_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    @classmethod
    def path_for(cls, code: str, parent: Agency | None) -> str:
        return (parent.path if parent else "") + code + PATH_SEPARATOR


class AgencyChange(models.Model):
    """History of the tree: merges, moves, dissolutions (the 2025 reform will not be the last)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyChangeKind.choices)
    effective = models.DateField(_("effective date"))
    related = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    old_parent = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agency change")
        verbose_name_plural = _("agency changes")
        ordering = ["effective", "id"]

    def __str__(self) -> str:
        return f"{self.agency} — {self.get_kind_display()} ({self.effective:%d/%m/%Y})"


class WorkingHours(models.Model):
    """Working hours of an agency; units without their own inherit the nearest ancestor's."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="working_hours")
    am_start = models.TimeField(_("morning start"), default=dt.time(7, 30))
    am_end = models.TimeField(_("morning end"), default=dt.time(11, 30))
    pm_start = models.TimeField(_("afternoon start"), default=dt.time(13, 0))
    pm_end = models.TimeField(_("afternoon end"), default=dt.time(17, 0))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(am_start__lt=models.F("am_end"))
                & Q(am_end__lte=models.F("pm_start"))
                & Q(pm_start__lt=models.F("pm_end")),
                name="working_hours_ordered",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.am_start:%H:%M}–{self.am_end:%H:%M}, {self.pm_start:%H:%M}–{self.pm_end:%H:%M}"
        )


class CalendarOverride(models.Model):
    """An administrator's decision about one day, nationally or for an agency's subtree.

    National overrides (no agency) record the Prime Minister's yearly day swaps where the
    holiday package lags behind; a province or agency override applies to its whole subtree. The
    most specific override wins.
    """

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_overrides",
        help_text=_("Empty for a national override; otherwise applies to the agency's subtree."),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "agency"], name="calendar_override_unique_per_agency"
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(agency__isnull=True),
                name="calendar_override_unique_national",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"

    @property
    def scope_label(self) -> str:
        if self.agency_id is None:
            return str(_("National"))
        return self.agency.display_name


class Staff(TimeStampedModel):
    """An official: a user who works in an agency."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="staff"
    )
    position = models.CharField(_("position"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")

    def __str__(self) -> str:
        return f"{self.user} — {self.agency.display_name}"


class RoleAssignment(models.Model):
    """A role granted to an official over an agency and everything below it."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("scope"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
        help_text=_("The role covers this agency and its whole subtree."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "role", "agency"],
                condition=Q(valid_to__isnull=True),
                name="role_assignment_unique_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.agency.display_name}"
