from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.choices import (
    Channel,
    DossierStatusCode,
    FeeKind,
    OnlineLevel,
    TimeUnitChoice,
    VersionStatus,
)
from motcua.core.models import TimeStampedModel
from motcua.org.choices import AgencyKind, Role


class Sector(models.Model):
    """Lĩnh vực: the subject area a procedure belongs to."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    ministry_code = models.CharField(_("ministry code"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(TimeStampedModel):
    """A procedure of the national catalogue (identified by its national code); its content
    lives in versions."""

    code = models.CharField(
        _("national code"), max_length=20, unique=True, help_text=_("e.g. 1.001193")
    )

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ProcedureVersionQuerySet(models.QuerySet["ProcedureVersion"]):
    def published(self) -> ProcedureVersionQuerySet:
        return self.filter(status=VersionStatus.PUBLISHED)

    def in_force_on(self, day: dt.date) -> ProcedureVersionQuerySet:
        return (
            self.published()
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        )

    def current(self) -> ProcedureVersionQuerySet:
        from django.utils import timezone

        return self.in_force_on(timezone.localdate())


class ProcedureVersion(TimeStampedModel):
    """One published text of a procedure (SPEC.md §8.1). Dossiers point at the exact version
    they were filed under; a published version is never edited, a new one is drafted instead."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    name = models.CharField(_("name"), max_length=500)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="versions"
    )
    levels = models.JSONField(_("implementation levels"), default=list)
    applicant_types = models.JSONField(_("applicants"), default=list)
    implementing_agency_text = models.CharField(_("implementing agency"), max_length=500)
    implementing_kind = models.CharField(
        _("implementing agency kind"), max_length=20, choices=AgencyKind.choices
    )
    implementing_unit_key = models.CharField(
        _("implementing unit key"),
        max_length=40,
        blank=True,
        help_text=_("For departments: which standard unit handles it, e.g. 'tu-phap'."),
    )
    sequence = models.TextField(_("sequence of steps"))
    conditions = models.TextField(_("requirements and conditions"), blank=True)
    result_name = models.CharField(_("result"), max_length=500)
    result_is_document = models.BooleanField(_("result is a document"), default=True)
    online_level = models.CharField(
        _("online service level"), max_length=10, choices=OnlineLevel.choices
    )
    is_interlinked = models.BooleanField(_("inter-agency (liên thông)"), default=False)
    time_text = models.TextField(_("statutory time (as published)"))
    fee_text = models.TextField(_("fees and charges (as published)"), blank=True)
    publication_decision = models.CharField(_("publication decision"), max_length=255, blank=True)
    search_text = models.TextField(editable=False, blank=True)

    objects = ProcedureVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_unique")
        ]
        indexes = [models.Index(fields=["status", "valid_from", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} — {self.name}"

    @property
    def code(self) -> str:
        return self.procedure.code

    @property
    def offers_online(self) -> bool:
        return self.online_level != OnlineLevel.NONE


class LegalBasis(models.Model):
    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="legal_bases"
    )
    number = models.CharField(_("number"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=500)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class ProcedureVariant(models.Model):
    """Trường hợp: one case of a procedure with its own statutory time and internal process."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="variants")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=500)
    order = models.PositiveSmallIntegerField(default=0)
    is_default = models.BooleanField(_("default case"), default=False)
    time_amount = models.DecimalField(_("statutory time"), max_digits=7, decimal_places=2)
    time_unit = models.CharField(_("unit"), max_length=20, choices=TimeUnitChoice.choices)
    form_schema = models.JSONField(
        _("application form (JSON Schema)"),
        default=dict,
        blank=True,
        help_text=_("The e-form of this case; see docs/eforms.md for the supported subset."),
    )
    form_ui = models.JSONField(
        _("application form layout"),
        default=dict,
        blank=True,
        help_text=_("Labels, order, help, pages and prefill of the e-form fields."),
    )

    class Meta:
        verbose_name = _("procedure case")
        verbose_name_plural = _("procedure cases")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="variant_code_unique"),
            models.CheckConstraint(condition=Q(time_amount__gte=0), name="variant_time_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ChannelOption(models.Model):
    """Cách thức thực hiện: a channel through which the case may be filed, with its own time
    where it differs from the case's statutory time."""

    variant = models.ForeignKey(ProcedureVariant, on_delete=models.CASCADE, related_name="channels")
    channel = models.PositiveSmallIntegerField(_("channel"), choices=Channel.choices)
    time_amount = models.DecimalField(
        _("time for this channel"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    time_unit = models.CharField(
        _("unit"), max_length=20, choices=TimeUnitChoice.choices, blank=True
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "channel"], name="channel_unique_per_variant"
            )
        ]

    def __str__(self) -> str:
        return self.get_channel_display()


class Component(models.Model):
    """Thành phần hồ sơ: a document the applicant provides."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="components"
    )
    variant = models.ForeignKey(
        ProcedureVariant,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="components",
        help_text=_("Empty when the component is required in every case."),
    )
    code = models.CharField(_("code"), max_length=60, blank=True)
    name = models.TextField(_("name"))
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    template = models.CharField(_("form / template"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("dossier component")
        verbose_name_plural = _("dossier components")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name[:80]


class FeeItem(models.Model):
    """A fee or charge: a fixed amount, or a formula (see ``motcua.catalog.fees``)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    variant = models.ForeignKey(
        ProcedureVariant, null=True, blank=True, on_delete=models.CASCADE, related_name="fees"
    )
    channel = models.PositiveSmallIntegerField(
        _("channel"), choices=Channel.choices, null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=FeeKind.choices)
    amount = models.DecimalField(
        _("amount (đồng)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    formula = models.JSONField(_("formula"), null=True, blank=True)
    exemptions = models.TextField(_("exemptions (verbatim)"), blank=True)
    note = models.TextField(_("note"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=False) | Q(formula__isnull=False),
                name="fee_has_amount_or_formula",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """A step of the approved internal process (quy trình nội bộ, SPEC.md §3.6)."""

    variant = models.ForeignKey(ProcedureVariant, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=255)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    hours = models.DecimalField(_("allotted working hours"), max_digits=7, decimal_places=2)
    status_code = models.PositiveSmallIntegerField(
        _("national status code"), choices=DossierStatusCode.choices
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "order"], name="process_step_order_unique"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="process_step_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
