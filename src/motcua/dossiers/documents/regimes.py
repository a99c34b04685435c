"""Which official form set applies, and each form's number, title and template (SPEC.md §1.8).

Forms are keyed by a stable *kind* (``receipt``, ``apology`` …); the number printed on the form
("Mẫu số 04") and its title depend on the regime, which is chosen by the dossier's reception
date. Templates never hard-code numbers or titles: they get them from :class:`FormSpec`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from motcua.dossiers import regimes as dossier_regimes
from motcua.dossiers.choices import FormRegime

RECEIPT = "receipt"
COMPLETION_REQUEST = "completion_request"
REFUSAL = "refusal"
APOLOGY = "apology"
STOP_NOTICE = "stop_notice"
CONTROL_SHEET = "control_sheet"
REGISTER = "register"

FORM_KINDS: tuple[str, ...] = (
    RECEIPT,
    COMPLETION_REQUEST,
    REFUSAL,
    APOLOGY,
    STOP_NOTICE,
    CONTROL_SHEET,
    REGISTER,
)
# Forms printed for one dossier (the register covers an agency and a period).
DOSSIER_FORM_KINDS: tuple[str, ...] = tuple(k for k in FORM_KINDS if k != REGISTER)


@dataclass(frozen=True)
class FormSpec:
    regime: FormRegime
    kind: str
    number: str
    title: str
    template: str

    @property
    def label(self) -> str:
        return f"Mẫu số {self.number}"


def _spec(regime: FormRegime, kind: str, number: str, title: str, template: str = "") -> FormSpec:
    return FormSpec(regime, kind, number, title, template or f"dossiers/pdf/{kind}.html")


_TT01 = FormRegime.TT01_2018
_TT03 = FormRegime.TT03_2025
FORMS: dict[tuple[str, str], FormSpec] = {
    (s.regime.value, s.kind): s
    for s in (
        # Thông tư 01/2018/TT-VPCP, Phụ lục (SPEC.md §1.8 A). No stop notice in this set.
        _spec(_TT01, RECEIPT, "01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        _spec(_TT01, COMPLETION_REQUEST, "02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        _spec(_TT01, REFUSAL, "03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        _spec(_TT01, APOLOGY, "04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
        _spec(_TT01, CONTROL_SHEET, "05", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
        _spec(_TT01, REGISTER, "06", "Sổ theo dõi hồ sơ"),
        # Thông tư 03/2025/TT-VPCP, Phụ lục I (SPEC.md §1.8 B — UNCONFIRMED).
        _spec(_TT03, RECEIPT, "01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        _spec(_TT03, COMPLETION_REQUEST, "02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        _spec(_TT03, REFUSAL, "03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        _spec(
            _TT03,
            APOLOGY,
            "04",
            "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
            "dossiers/pdf/tt03_2025/apology.html",
        ),
        _spec(_TT03, STOP_NOTICE, "05", "Thông báo dừng giải quyết hồ sơ"),
        _spec(_TT03, CONTROL_SHEET, "06", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
        _spec(_TT03, REGISTER, "07", "Sổ theo dõi hồ sơ"),
    )
}


def form_spec(regime: str, kind: str) -> FormSpec | None:
    """The form of ``kind`` in ``regime``, or None when that regime has no such form."""
    return FORMS.get((str(regime), kind))


def regime_for(day: dt.date) -> FormRegime:
    """The form set in force on ``day`` (a local date); the cut-over is
    ``settings.MOTCUA_FORMS_TT03_FROM``. One rule for the forms and the services (which stamp
    ``Extension.regime``): :mod:`motcua.dossiers.regimes`."""
    return dossier_regimes.regime_for(day)


def dossier_regime(dossier) -> FormRegime:
    """By the local reception date; before reception, the submission date; otherwise today."""
    return dossier_regimes.regime_for_dossier(dossier)
