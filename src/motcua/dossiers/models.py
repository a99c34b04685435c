"""Dossiers (hồ sơ) and everything recorded about them (SPEC.md §1.9).

Only the services in ``motcua.dossiers.services`` write these rows. Events are append-only and
hash-chained per dossier; the dossier keeps the head of its chain so that a removed last event
is detected too.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.choices import ApplicantType, Channel, FeeKind
from motcua.core.models import TimeStampedModel
from motcua.dossiers.choices import (
    Action,
    DossierState,
    ResultKind,
    ReturnMethod,
    SupplementPhase,
    Timeliness,
)


class DossierQuerySet(models.QuerySet["Dossier"]):
    def in_paths(self, paths: list[str]) -> DossierQuerySet:
        """Dossiers received by, or currently handled by, an agency under one of ``paths``."""
        if not paths:
            return self.none()
        condition = models.Q()
        for path in paths:
            condition |= models.Q(receiving_agency__path__startswith=path)
            condition |= models.Q(handling_agency__path__startswith=path)
        return self.filter(condition)


class Dossier(TimeStampedModel):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("dossier code"), max_length=64, unique=True, null=True, blank=True)
    other_code = models.CharField(
        _("code in the previous system"), max_length=64, blank=True, db_index=True
    )

    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion", on_delete=models.PROTECT, related_name="dossiers"
    )
    variant = models.ForeignKey(
        "catalog.ProcedureVariant", on_delete=models.PROTECT, related_name="dossiers"
    )
    receiving_agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="received_dossiers"
    )
    handling_agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="handled_dossiers"
    )
    channel = models.PositiveSmallIntegerField(_("channel"), choices=Channel.choices)
    state = models.CharField(
        _("status"), max_length=32, choices=DossierState.choices, default=DossierState.DRAFT
    )
    state_before_withdrawal = models.CharField(max_length=32, blank=True)

    # Applicant (chủ hồ sơ) and authorised representative (người được ủy quyền)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossiers",
    )
    # The organisation the dossier is for, when submitted by a person acting for it: all its
    # active members see the dossier (accounts.services.organisations).
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    # The language the applicant used when submitting: their notices are written in it.
    language = models.CharField(_("language"), max_length=8, blank=True)
    applicant_type = models.PositiveSmallIntegerField(
        _("applicant type"), choices=ApplicantType.choices, default=ApplicantType.CITIZEN
    )
    applicant_name = models.CharField(_("applicant"), max_length=255)
    applicant_id_number = models.CharField(_("identity number"), max_length=32, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_address = models.CharField(_("address"), max_length=500, blank=True)
    applicant_province = models.ForeignKey(
        "org.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applicant_commune = models.ForeignKey(
        "org.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    representative_name = models.CharField(
        _("authorised representative"), max_length=255, blank=True
    )
    representative_id_number = models.CharField(max_length=32, blank=True)
    representative_phone = models.CharField(max_length=20, blank=True)
    representative_email = models.EmailField(blank=True)
    summary = models.TextField(_("summary"), max_length=1000, blank=True)  # TrichYeuHoSo
    form_data = models.JSONField(_("application form"), default=dict, blank=True)
    sets = models.PositiveSmallIntegerField(_("number of sets"), default=1)

    # Timestamps (UTC)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("original appointment"), null=True, blank=True)
    due_at = models.DateTimeField(_("appointment"), null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(_("processing finished"), null=True, blank=True)
    returned_at = models.DateTimeField(_("result returned"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("reception refused"), null=True, blank=True)
    paused_at = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("working time paused (s)"), default=0)

    # Result and its return
    result_kind = models.CharField(max_length=16, choices=ResultKind.choices, blank=True)
    result_number = models.CharField(_("result document number"), max_length=60, blank=True)
    result_signer = models.CharField(_("signed by"), max_length=255, blank=True)
    result_note = models.TextField(blank=True)
    result_file = models.ForeignKey(
        "StoredFile",
        verbose_name=_("electronic result"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result_file_name = models.CharField(max_length=255, blank=True)
    return_method = models.CharField(max_length=16, choices=ReturnMethod.choices, blank=True)
    result_recipient = models.CharField(_("result received by"), max_length=255, blank=True)
    timeliness = models.CharField(max_length=10, choices=Timeliness.choices, blank=True)

    # Flags orthogonal to state (SPEC.md §1.7)
    is_overdue = models.BooleanField(_("overdue"), default=False)
    apology_issued = models.BooleanField(_("apology issued"), default=False)
    interlinked = models.BooleanField(_("inter-agency (liên thông)"), default=False)
    digitised = models.BooleanField(_("digitised"), default=False)
    paid = models.BooleanField(_("paid"), default=False)
    # Paid online, on the national portal or a provincial gateway (DuocThanhToanTrucTuyen 1 or
    # 2, SPEC.md §4.2): the 766 index's online-payment components.
    paid_online = models.BooleanField(_("paid online"), default=False)
    # When the national portal (DVCQG) last accepted this dossier's data (766 component 1.4).
    dvcqg_synced_at = models.DateTimeField(
        _("synced to the national portal"), null=True, blank=True
    )
    rated = models.BooleanField(_("rated"), default=False)
    imported = models.BooleanField(_("imported"), default=False)
    supplement_count = models.PositiveSmallIntegerField(default=0)
    extension_count = models.PositiveSmallIntegerField(default=0)

    current_step = models.ForeignKey(
        "DossierStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    register_number = models.PositiveIntegerField(_("register entry"), null=True, blank=True)

    # Head of the event chain (see DossierEvent)
    event_count = models.PositiveIntegerField(default=0)
    last_event_hash = models.CharField(max_length=64, blank=True)

    objects = DossierQuerySet.as_manager()

    # Not columns: set by selectors on the dossier they return, for the API and the pages —
    # ``dossier_detail`` (the actions its actor may take, the forms that can be printed) and
    # ``public_dossier_lookup`` (the steps and state changes the public tracking page shows).
    available_actions: list[str]
    available_forms: list[str]
    public_steps: list[DossierStep]
    public_changes: list[DossierEvent]

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["receiving_agency", "received_at"]),
            models.Index(fields=["handling_agency", "state"]),
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["owner", "state"]),
        ]

    def __str__(self) -> str:
        return self.code or str(self.uuid)

    @property
    def status(self) -> DossierState:
        return DossierState(self.state)

    @property
    def dvcqg_status(self) -> int | None:
        return self.status.dvcqg_code


class StoredFile(models.Model):
    """An uploaded file, stored once by content (SHA-256)."""

    sha256 = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to="blobs/%Y/%m/")
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256


class DossierComponent(models.Model):
    """A component (thành phần hồ sơ) as submitted: TaiLieuNop of SPEC.md §1.9."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(
        "catalog.Component", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.TextField(_("name"))
    is_original = models.BooleanField(_("original"), default=False)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT)
    file_name = models.CharField(max_length=255, blank=True)
    digitised = models.BooleanField(_("digitised"), default=False)  # DuocSoHoa
    # the electronic copy (bản sao điện tử) of a component digitised at reception: a PDF sealed
    # with the receiving committee's digital signature (documents.services.digitise)
    e_copy = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    e_copy_at = models.DateTimeField(null=True, blank=True)
    reused = models.BooleanField(_("reused"), default=False)  # DuocTaiSuDung
    from_national_store = models.BooleanField(default=False)  # DuocLayTuKhoDMQG
    added_by_supplement = models.ForeignKey(
        "SupplementRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class DossierFee(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fees")
    fee_item = models.ForeignKey(
        "catalog.FeeItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, choices=FeeKind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    payment = models.ForeignKey(
        "PaymentRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="fees"
    )

    def __str__(self) -> str:
        return self.name


class DossierStep(models.Model):
    """One step actually carried out (a row of the Phiếu kiểm soát, SPEC.md §1.8 form 05)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    process_step = models.ForeignKey(
        "catalog.ProcessStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=255)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    hours = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    timeliness = models.CharField(max_length=10, choices=Timeliness.choices, blank=True)
    transfer = models.ForeignKey(
        "Transfer", null=True, blank=True, on_delete=models.SET_NULL, related_name="steps"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["dossier", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "order"], name="dossier_step_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class Transfer(models.Model):
    """Liên thông: the dossier sent to a partner agency for its part and back (SPEC.md §1.5).
    It stays one dossier, so it is counted once."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="transfers")
    from_agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    hours = models.DecimalField(max_digits=7, decimal_places=2)
    due_at = models.DateTimeField()
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    outcome_note = models.TextField(blank=True)

    class Meta:
        ordering = ["dossier", "sent_at"]

    def __str__(self) -> str:
        return f"{self.from_agency_id} → {self.to_agency_id}"


class SupplementRequest(models.Model):
    """Yêu cầu bổ sung: before reception (form 02, no clock) or during processing (clock
    paused). ``paused_seconds`` is the working time between request and supply."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplements")
    phase = models.CharField(max_length=20, choices=SupplementPhase.choices)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    items = models.JSONField(default=list)
    respond_by = models.DateField(null=True, blank=True)  # ThoiHanBoSung
    supplied_at = models.DateTimeField(null=True, blank=True)
    supplied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_before = models.DateTimeField(null=True, blank=True)  # NgayHenTraTruoc
    # The statutory appointment (``Dossier.original_due_at``, which an extension never moves) in
    # force when the request was made: reports judge the days before each pause against it.
    original_due_before = models.DateTimeField(null=True, blank=True)
    due_after = models.DateTimeField(null=True, blank=True)  # NgayHenTraMoi
    paused_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["dossier", "requested_at"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.phase} {self.requested_at:%Y-%m-%d}"


class PaymentRequest(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    description = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(max_length=40, blank=True)
    receipt_number = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["dossier", "requested_at"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.amount}"


class Extension(models.Model):
    """Apology and new appointment: Mẫu 04 (TT 01/2018) or "Văn bản xin lỗi và đề nghị gia hạn
    thời gian giải quyết" (TT 03/2025). The dossier keeps its original due for statistics."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="extensions")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    original_due = models.DateTimeField()
    previous_due = models.DateTimeField()
    new_due = models.DateTimeField()
    regime = models.CharField(max_length=16)

    class Meta:
        ordering = ["dossier", "created_at"]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.new_due:%Y-%m-%d}"


class DossierCounter(models.Model):
    """The last sequence number of dossier codes per receiving agency and reception day."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="dossier_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.last_value}"


class ImmutableError(RuntimeError):
    pass


class DossierEvent(models.Model):
    """One immutable entry of a dossier's history. ``hash`` = SHA-256 over the previous hash and
    the canonical content of this event (see ``services.events``)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=32, choices=Action.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=255, blank=True)
    agency = models.ForeignKey(
        "org.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["dossier", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableError("dossier events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("dossier events are append-only")


class SubmissionDraft(models.Model):
    """An online submission being prepared by a citizen (portal "Nộp hồ sơ trực tuyến"): the
    answers of the e-form and the files attached so far. Written only by
    ``services.drafts``; deleted when submitted or when it expires (``MOTCUA_DRAFT_DAYS``)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submission_drafts"
    )
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion", on_delete=models.CASCADE, related_name="+"
    )
    variant = models.ForeignKey(
        "catalog.ProcedureVariant", on_delete=models.CASCADE, related_name="+"
    )
    commune = models.ForeignKey(
        "org.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receiving_agency = models.ForeignKey(
        "org.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    applicant_chosen = models.BooleanField(default=False)
    answers = models.JSONField(default=dict, blank=True)
    # component id (str) → [{"file": StoredFile id, "name": file name, "reused": bool}]
    uploads = models.JSONField(default=dict, blank=True)
    step = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("submission draft")
        verbose_name_plural = _("submission drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "procedure_version"], name="draft_owner_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.procedure_version_id} ({self.step})"
