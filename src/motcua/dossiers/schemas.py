"""Input and output schemas of the dossier API. Inputs refuse unknown fields, so that a body of
the wrong shape is answered with a 422 that names the fields; outputs show times in
Asia/Ho_Chi_Minh (ISO 8601 with +07:00)."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, model_validator

from motcua.catalog.choices import ApplicantType, Channel
from motcua.core.formatting import local_tz, to_local
from motcua.dossiers.choices import Action, DossierState, ResultKind, ReturnMethod
from motcua.feedback.choices import Satisfaction


def _as_local(value: dt.datetime) -> dt.datetime:
    return to_local(value) if value.tzinfo is not None else value


def _assume_local(value: dt.datetime) -> dt.datetime:
    """A time given without an offset is a Vietnam wall-clock time."""
    return value if value.tzinfo is not None else value.replace(tzinfo=local_tz())


LocalDateTime = Annotated[dt.datetime, AfterValidator(_as_local)]
InDateTime = Annotated[dt.datetime, AfterValidator(_assume_local)]

# The actions taken on an existing dossier: ``POST /dossiers/{code}/actions/{action}``.
ActionName = enum.StrEnum(  # type: ignore[misc]
    "ActionName",
    {
        action.name: action.value
        for action in Action
        if action not in (Action.SUBMIT, Action.INTAKE, Action.IMPORT)
    },
)


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


# -- references ----------------------------------------------------------------------------


class AgencyRef(Schema):
    code: str
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.display_name


class ProcedureRef(Schema):
    code: str
    name: str


# -- dossiers: input -----------------------------------------------------------------------


class ApplicantIn(InputSchema):
    name: str = Field(..., max_length=255)
    applicant_type: ApplicantType = ApplicantType.CITIZEN
    id_number: str = Field("", max_length=32)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=500)
    province: str | None = Field(None, description="Agency code of the applicant's province.")
    commune: str | None = Field(None, description="Agency code of the applicant's commune.")


class RepresentativeIn(InputSchema):
    name: str = Field(..., max_length=255)
    id_number: str = Field("", max_length=32)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)


class DossierComponentIn(InputSchema):
    component_id: int | None = Field(
        None, description="Id of the catalogue component; or give a free `name`."
    )
    name: str = Field("", max_length=1000)
    is_original: bool = False
    quantity: int = Field(1, ge=1, le=1000)
    file_name: str = Field("", max_length=255)
    content_base64: str | None = Field(None, description="The file (PDF, JPEG or PNG), base64.")

    @model_validator(mode="after")
    def _named(self) -> DossierComponentIn:
        if self.component_id is None and not self.name.strip():
            raise ValueError("give component_id or name")
        return self


class DossierCreateIn(InputSchema):
    procedure: str = Field(..., description="National procedure code, e.g. 1.004873.")
    variant: str | None = Field(None, description="Case code; the default case when omitted.")
    receiving_agency: str = Field(..., description="Code of the agency that receives it.")
    channel: Channel | None = Field(
        None,
        description="1 in person, 2 online, 3 by post. Citizens submit online (or by post); an "
        "officer's intake defaults to in person.",
    )
    applicant: ApplicantIn
    representative: RepresentativeIn | None = None
    summary: str = Field("", max_length=1000)
    form_data: dict[str, Any] = Field(default_factory=dict)
    components: list[DossierComponentIn] = Field(default_factory=list, max_length=100)
    sets: int = Field(1, ge=1, le=100)
    language: str = Field(
        "",
        max_length=8,
        description="Language of the applicant's notices (`vi` or `en`); by default that of the "
        "request (`Accept-Language`).",
    )
    receive: bool = Field(
        True, description="Officer intake only: receive at once (otherwise it waits)."
    )


# -- dossiers: output ----------------------------------------------------------------------


class DossierOut(Schema):
    code: str
    procedure: ProcedureRef
    state: DossierState
    state_label: str
    dvcqg_status: int | None
    channel: int
    receiving_agency: AgencyRef
    handling_agency: AgencyRef
    applicant_name: str
    submitted_at: LocalDateTime | None
    received_at: LocalDateTime | None
    due_at: LocalDateTime | None
    original_due_at: LocalDateTime | None
    is_overdue: bool
    timeliness: str
    finished_at: LocalDateTime | None
    returned_at: LocalDateTime | None

    @staticmethod
    def resolve_procedure(obj) -> dict[str, str]:
        return {"code": obj.procedure_version.procedure.code, "name": obj.procedure_version.name}

    @staticmethod
    def resolve_state_label(obj) -> str:
        return str(obj.status.label)


class ApplicantOut(Schema):
    applicant_type: int
    name: str
    id_number: str
    phone: str
    email: str
    address: str
    province: str | None
    commune: str | None
    representative_name: str
    representative_id_number: str
    representative_phone: str
    representative_email: str


class DossierComponentOut(Schema):
    component_id: int | None
    name: str
    is_original: bool
    quantity: int
    file_name: str
    sha256: str | None
    digitised: bool
    e_copy_sha256: str | None = Field(
        None, description="The sealed electronic copy of a component scanned at reception."
    )
    reused: bool
    by_supplement: bool

    @staticmethod
    def resolve_sha256(obj) -> str | None:
        return obj.file.sha256 if obj.file_id else None

    @staticmethod
    def resolve_e_copy_sha256(obj) -> str | None:
        return obj.e_copy.sha256 if obj.e_copy_id else None

    @staticmethod
    def resolve_by_supplement(obj) -> bool:
        return obj.added_by_supplement_id is not None


class DossierFeeOut(Schema):
    name: str
    kind: str
    amount: Decimal
    paid: bool

    @staticmethod
    def resolve_paid(obj) -> bool:
        return obj.payment is not None and obj.payment.paid_at is not None


class DossierStepOut(Schema):
    order: int
    name: str
    agency: AgencyRef
    role: str
    hours: Decimal
    assignee: str | None
    started_at: LocalDateTime
    due_at: LocalDateTime | None
    finished_at: LocalDateTime | None
    timeliness: str
    note: str

    @staticmethod
    def resolve_assignee(obj) -> str | None:
        return obj.assignee.username if obj.assignee_id else None


class SupplementOut(Schema):
    phase: str
    requested_at: LocalDateTime
    reason: str
    items: list[str]
    respond_by: dt.date | None
    supplied_at: LocalDateTime | None
    due_before: LocalDateTime | None
    due_after: LocalDateTime | None


class ExtensionOut(Schema):
    created_at: LocalDateTime
    reason: str
    original_due: LocalDateTime
    previous_due: LocalDateTime
    new_due: LocalDateTime
    regime: str


class TransferOut(Schema):
    from_agency: AgencyRef
    to_agency: AgencyRef
    sent_at: LocalDateTime
    hours: Decimal
    due_at: LocalDateTime
    returned_at: LocalDateTime | None
    reason: str
    outcome_note: str


class PaymentOut(Schema):
    amount: Decimal
    description: str
    requested_at: LocalDateTime
    paid_at: LocalDateTime | None
    method: str
    receipt_number: str


class ResultOut(Schema):
    kind: str = Field(..., alias="result_kind")
    number: str = Field(..., alias="result_number")
    signer: str = Field(..., alias="result_signer")
    note: str = Field(..., alias="result_note")
    return_method: str
    recipient: str = Field(..., alias="result_recipient")
    file_name: str = Field(..., alias="result_file_name")
    file_sha256: str | None = Field(
        None, description="SHA-256 of the electronic result, downloadable at `result.pdf`."
    )

    @staticmethod
    def resolve_file_sha256(obj) -> str | None:
        return obj.result_file.sha256 if obj.result_file_id else None


class DossierDetailOut(DossierOut):
    uuid: str
    variant: str
    summary: str
    form_data: dict[str, Any]
    sets: int
    applicant: ApplicantOut
    flags: dict[str, bool]
    current_step: int | None
    components: list[DossierComponentOut]
    fees: list[DossierFeeOut]
    steps: list[DossierStepOut]
    supplements: list[SupplementOut]
    extensions: list[ExtensionOut]
    transfers: list[TransferOut]
    payments: list[PaymentOut]
    result: ResultOut | None
    actions: list[str] = Field(..., description="Actions this user may take now (state and role).")
    forms: list[str] = Field(..., description="Forms available at `forms/{form}.pdf`.")

    @staticmethod
    def resolve_uuid(obj) -> str:
        return str(obj.uuid)

    @staticmethod
    def resolve_variant(obj) -> str:
        return obj.variant.code

    @staticmethod
    def resolve_applicant(obj) -> dict[str, Any]:
        return {
            "applicant_type": obj.applicant_type,
            "name": obj.applicant_name,
            "id_number": obj.applicant_id_number,
            "phone": obj.applicant_phone,
            "email": obj.applicant_email,
            "address": obj.applicant_address,
            "province": obj.applicant_province.code if obj.applicant_province_id else None,
            "commune": obj.applicant_commune.code if obj.applicant_commune_id else None,
            "representative_name": obj.representative_name,
            "representative_id_number": obj.representative_id_number,
            "representative_phone": obj.representative_phone,
            "representative_email": obj.representative_email,
        }

    @staticmethod
    def resolve_flags(obj) -> dict[str, bool]:
        names = ("apology_issued", "interlinked", "digitised", "paid", "rated", "imported")
        return {name: getattr(obj, name) for name in names}

    @staticmethod
    def resolve_current_step(obj) -> int | None:
        return obj.current_step.order if obj.current_step_id else None

    @staticmethod
    def resolve_components(obj):
        return obj.components.all()

    @staticmethod
    def resolve_fees(obj):
        return obj.fees.all()

    @staticmethod
    def resolve_steps(obj):
        return obj.steps.all()

    @staticmethod
    def resolve_supplements(obj):
        return obj.supplements.all()

    @staticmethod
    def resolve_extensions(obj):
        return obj.extensions.all()

    @staticmethod
    def resolve_transfers(obj):
        return obj.transfers.all()

    @staticmethod
    def resolve_payments(obj):
        return obj.payments.all()

    @staticmethod
    def resolve_result(obj):
        return obj if obj.result_kind else None

    @staticmethod
    def resolve_actions(obj) -> list[str]:
        return getattr(obj, "available_actions", [])

    @staticmethod
    def resolve_forms(obj) -> list[str]:
        return getattr(obj, "available_forms", [])


class EventOut(Schema):
    seq: int
    action: str
    action_label: str
    at: LocalDateTime
    actor_name: str
    agency: str | None
    from_state: str
    to_state: str
    reason: str
    payload: dict[str, Any]
    hash: str
    prev_hash: str

    @staticmethod
    def resolve_action_label(obj) -> str:
        return str(obj.get_action_display())

    @staticmethod
    def resolve_agency(obj) -> str | None:
        return obj.agency.code if obj.agency_id else None


# -- dossiers: filters ---------------------------------------------------------------------


class DossierFilter(Schema):
    status: list[DossierState] | None = Field(
        None, description="Internal state; repeat for several (`?status=received&status=…`)."
    )
    agency: str | None = Field(
        None, description="Agency code: dossiers received or handled in its subtree."
    )
    procedure: str | None = Field(None, description="National procedure code.")
    due_before: InDateTime | None = Field(
        None, description="Appointment before this time (ISO 8601; no offset = Vietnam time)."
    )
    overdue: bool | None = Field(
        None, description="true: open and past the appointment, or flagged overdue."
    )
    q: str | None = Field(None, max_length=64, description="Start of the dossier code.")


# -- actions: one input schema per action ---------------------------------------------------


class EmptyIn(InputSchema):
    pass


class NoteIn(InputSchema):
    note: str = Field("", max_length=4000)


class ReasonIn(InputSchema):
    reason: str = Field(..., max_length=4000)


class CompletionIn(InputSchema):
    reason: str = Field(..., max_length=4000)
    items: list[str] = Field(..., max_length=100, description="Everything missing, in one go.")


class AssignIn(InputSchema):
    assignee: str = Field(..., description="Username of the person handling the current step.")


class TransferIn(InputSchema):
    to_agency: str = Field(..., description="Code of the partner agency.")
    hours: Decimal = Field(..., gt=0, le=10000, description="Working hours for its part.")
    reason: str = Field("", max_length=4000)


class SupplementIn(InputSchema):
    reason: str = Field(..., max_length=4000)
    items: list[str] = Field(..., max_length=100)
    respond_by: dt.date | None = None


class SupplyIn(InputSchema):
    components: list[DossierComponentIn] = Field(default_factory=list, max_length=100)
    note: str = Field("", max_length=4000)


class PaymentIn(InputSchema):
    amount: Decimal | None = Field(
        None, ge=0, description="Amount in đồng; by default the unpaid fees of the dossier."
    )
    description: str = Field("", max_length=4000)


class ConfirmPaymentIn(InputSchema):
    method: str = Field("cash", max_length=40)
    receipt_number: str = Field("", max_length=60)


class ExtendIn(InputSchema):
    new_due: InDateTime = Field(..., description="New appointment (no offset = Vietnam time).")
    reason: str = Field(..., max_length=4000)


class ResolveIn(InputSchema):
    result_kind: ResultKind = ResultKind.APPROVAL
    result_number: str = Field("", max_length=60)
    signer: str = Field("", max_length=255)
    note: str = Field("", max_length=4000)
    result_file_name: str = Field("", max_length=255)
    result_content_base64: str | None = Field(
        None, description="The electronic result (PDF), base64; needed to return it online."
    )


class ReturnIn(InputSchema):
    method: ReturnMethod
    recipient: str = Field("", max_length=255)


class RatingIn(InputSchema):
    """SPEC.md §6.1: like/dislike, questions 10 (convenience) and 11 (overall), a comment."""

    liked: bool
    convenience: Satisfaction
    overall: Satisfaction
    comment: str = Field("", max_length=2000)


ACTION_INPUTS: dict[str, type[InputSchema]] = {
    Action.RECEIVE: EmptyIn,
    Action.REQUEST_COMPLETION: CompletionIn,
    Action.RESUBMIT: SupplyIn,
    Action.REFUSE: ReasonIn,
    Action.ASSIGN: AssignIn,
    Action.HANDOVER: NoteIn,
    Action.TRANSFER: TransferIn,
    Action.TRANSFER_BACK: NoteIn,
    Action.REQUEST_SUPPLEMENT: SupplementIn,
    Action.SUPPLY: SupplyIn,
    Action.REQUEST_PAYMENT: PaymentIn,
    Action.CONFIRM_PAYMENT: ConfirmPaymentIn,
    Action.EXTEND: ExtendIn,
    Action.REQUEST_WITHDRAWAL: ReasonIn,
    Action.CONFIRM_WITHDRAWAL: NoteIn,
    Action.STOP: ReasonIn,
    Action.RESOLVE: ResolveIn,
    Action.RETURN_RESULT: ReturnIn,
    Action.RATE: RatingIn,
}


# -- public tracking -----------------------------------------------------------------------


class PublicStepOut(Schema):
    name: str
    agency: str
    started_at: LocalDateTime
    due_at: LocalDateTime | None
    finished_at: LocalDateTime | None
    timeliness: str

    @staticmethod
    def resolve_agency(obj) -> str:
        return obj.agency.display_name


class PublicChangeOut(Schema):
    action: str
    label: str
    at: LocalDateTime

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj.get_action_display())


class PublicDossierOut(Schema):
    """What anyone holding the code and the phone's last four digits may see: no name, phone,
    address, identity number, actor or reason."""

    code: str
    procedure: str
    receiving_agency: str
    state: DossierState
    state_label: str
    dvcqg_status: int | None
    submitted_at: LocalDateTime | None
    received_at: LocalDateTime | None
    due_at: LocalDateTime | None
    finished_at: LocalDateTime | None
    returned_at: LocalDateTime | None
    steps: list[PublicStepOut]
    changes: list[PublicChangeOut]

    @staticmethod
    def resolve_procedure(obj) -> str:
        return obj.procedure_version.name

    @staticmethod
    def resolve_receiving_agency(obj) -> str:
        return obj.receiving_agency.display_name

    @staticmethod
    def resolve_state_label(obj) -> str:
        return str(obj.status.label)

    @staticmethod
    def resolve_steps(obj):
        return obj.public_steps

    @staticmethod
    def resolve_changes(obj):
        return obj.public_changes


class DossierErrorOut(Schema):
    code: str
    message: str


class RateLimitedOut(DossierErrorOut):
    retry_after: int
