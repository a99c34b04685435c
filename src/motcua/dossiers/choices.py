"""Vocabulary of the dossier lifecycle (SPEC.md §1.7, §3.5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.choices import DossierStatusCode


class DossierState(models.TextChoices):
    """Internal states of SPEC.md §1.7; ``dvcqg_code`` maps each to the national code 1–10."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting reception")
    RETURNED_FOR_COMPLETION = "returned_for_completion", _("Completion requested before reception")
    REJECTED = "rejected", _("Not received")
    RECEIVED = "received", _("Received")
    IN_PROCESS = "in_process", _("In process")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplementation requested")
    PAYMENT_REQUESTED = "payment_requested", _("Financial obligation requested")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Withdrawal requested")
    STOPPED = "stopped", _("Processing stopped")
    RESOLVED = "resolved", _("Processing finished")
    RETURNED = "returned", _("Result returned")

    @property
    def dvcqg_code(self) -> int | None:
        return _DVCQG[self]

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATES


_DVCQG: dict[str, int | None] = {
    DossierState.DRAFT: None,
    DossierState.SUBMITTED: DossierStatusCode.NEW,
    # SPEC.md §1.7: "5 (or stays 1)"; before reception no clock runs, so we report 5.
    DossierState.RETURNED_FOR_COMPLETION: DossierStatusCode.SUPPLEMENT,
    DossierState.REJECTED: DossierStatusCode.NOT_RECEIVED,
    DossierState.RECEIVED: DossierStatusCode.RECEIVED,
    DossierState.IN_PROCESS: DossierStatusCode.IN_PROCESS,
    DossierState.SUPPLEMENT_REQUESTED: DossierStatusCode.SUPPLEMENT,
    DossierState.PAYMENT_REQUESTED: DossierStatusCode.FINANCIAL_OBLIGATION,
    DossierState.WITHDRAWAL_REQUESTED: DossierStatusCode.WITHDRAWAL,
    DossierState.STOPPED: DossierStatusCode.STOPPED,
    DossierState.RESOLVED: DossierStatusCode.DONE,
    DossierState.RETURNED: DossierStatusCode.RETURNED,
}

TERMINAL_STATES = frozenset({DossierState.REJECTED, DossierState.STOPPED, DossierState.RETURNED})
# States in which the dossier has been received and the legal clock exists.
RECEIVED_STATES = frozenset(
    {
        DossierState.RECEIVED,
        DossierState.IN_PROCESS,
        DossierState.SUPPLEMENT_REQUESTED,
        DossierState.PAYMENT_REQUESTED,
        DossierState.WITHDRAWAL_REQUESTED,
        DossierState.STOPPED,
        DossierState.RESOLVED,
        DossierState.RETURNED,
    }
)
OPEN_STATES = frozenset(
    {
        DossierState.RECEIVED,
        DossierState.IN_PROCESS,
        DossierState.SUPPLEMENT_REQUESTED,
        DossierState.PAYMENT_REQUESTED,
        DossierState.WITHDRAWAL_REQUESTED,
    }
)


class Action(models.TextChoices):
    """Every event in a dossier's log; one per service of the lifecycle."""

    SUBMIT = "submit", _("Submitted online")
    INTAKE = "intake", _("Recorded at the counter")
    RECEIVE = "receive", _("Received")
    REQUEST_COMPLETION = "request_completion", _("Completion requested (form 02)")
    RESUBMIT = "resubmit", _("Completed and resubmitted")
    REFUSE = "refuse", _("Reception refused (form 03)")
    ASSIGN = "assign", _("Assigned")
    HANDOVER = "handover", _("Handed over to the next step")
    TRANSFER = "transfer", _("Sent to a partner agency")
    TRANSFER_BACK = "transfer_back", _("Returned from the partner agency")
    REQUEST_SUPPLEMENT = "request_supplement", _("Supplementation requested")
    SUPPLY = "supply", _("Supplementation received")
    REQUEST_PAYMENT = "request_payment", _("Financial obligation requested")
    CONFIRM_PAYMENT = "confirm_payment", _("Payment confirmed")
    EXTEND = "extend", _("Apology issued and time extended")
    REQUEST_WITHDRAWAL = "request_withdrawal", _("Withdrawal requested")
    CONFIRM_WITHDRAWAL = "confirm_withdrawal", _("Withdrawal confirmed")
    STOP = "stop", _("Processing stopped")
    RESOLVE = "resolve", _("Result issued")
    RETURN_RESULT = "return_result", _("Result returned")
    RATE = "rate", _("Service rated by the applicant")
    IMPORT = "import", _("Imported from a previous system")


class ResultKind(models.TextChoices):
    APPROVAL = "approval", _("Approved: result issued")
    REFUSAL = "refusal", _("Refused: letter with reasons")


class ReturnMethod(models.TextChoices):
    COUNTER = "counter", _("At the one-stop desk")
    POST = "post", _("By post")
    ONLINE = "online", _("Online (electronic result)")


class Timeliness(models.TextChoices):
    """Trước hạn / đúng hạn / quá hạn (SPEC.md §3.5)."""

    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")


class SupplementPhase(models.TextChoices):
    BEFORE_RECEPTION = "before_reception", _("Before reception (form 02)")
    PROCESSING = "processing", _("During processing")


class CodeAgencyId(models.TextChoices):
    """Which identifier of the receiving agency goes in front of the dossier code (ADR 0003)."""

    LEGACY = "legacy", _("Electronic identifier (QĐ 20/2020, e.g. 000.00.00.H56)")
    DVCQG = "dvcqg", _("National portal short code (e.g. H56.123)")


class FormRegime(models.TextChoices):
    """Which circular's form set applies, by the dossier's reception date (SPEC.md §1.8)."""

    TT01_2018 = "tt01_2018", _("Circular 01/2018/TT-VPCP")
    TT03_2025 = "tt03_2025", _("Circular 03/2025/TT-VPCP")
