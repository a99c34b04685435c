"""Official forms (phiếu, mẫu) of a dossier as PDF, and the register as PDF and XLSX.

Public API (SPEC.md §1.8; see docs/forms.md)::

    available_forms(dossier) -> list[str]
    form_kind(dossier, form) -> str
    render_dossier_form(*, dossier, kind) -> bytes
    render_register_pdf(*, agency, start, end, dossiers) -> bytes
    render_register_xlsx(*, agency, start, end, dossiers) -> bytes

Which form set (Thông tư 01/2018 or 03/2025) is printed is chosen by the dossier's reception
date (:func:`regimes.dossier_regime`); numbers and titles come from :data:`regimes.FORMS`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound
from motcua.dossiers.documents import forms, register, text
from motcua.dossiers.documents.pdf import render_pdf
from motcua.dossiers.documents.regimes import (
    APOLOGY,
    COMPLETION_REQUEST,
    DOSSIER_FORM_KINDS,
    FORM_KINDS,
    FORMS,
    REGISTER,
    FormSpec,
    dossier_regime,
    form_spec,
    regime_for,
)

__all__ = [
    "FORM_KINDS",
    "available_forms",
    "form_kind",
    "regime_for",
    "render_dossier_form",
    "render_register_pdf",
    "render_register_xlsx",
]


def _not_available() -> NotFound:
    return NotFound(_("This form is not available for this dossier."), code="form_not_available")


def available_forms(dossier) -> list[str]:
    """The form kinds that apply to ``dossier`` now, in FORM_KINDS order."""
    regime = dossier_regime(dossier)
    return [
        kind
        for kind in DOSSIER_FORM_KINDS
        if form_spec(regime, kind) is not None and forms.is_applicable(dossier, kind, regime)
    ]


def form_kind(dossier, form: str) -> str:
    """``form`` is a kind (``receipt``) or the form's number in the dossier's regime (``01``).
    A number that names no dossier form of that regime raises NotFound (``form_not_available``);
    a kind is returned as given (``render_dossier_form`` refuses an unknown one)."""
    if not form.isdigit():
        return form
    regime = dossier_regime(dossier)
    for spec in FORMS.values():
        if spec.regime == regime and spec.number == form and spec.kind != REGISTER:
            return spec.kind
    raise _not_available()


def render_dossier_form(*, dossier, kind: str, supplement=None, extension=None) -> bytes:
    """The PDF of form ``kind`` for ``dossier``. ``supplement`` (completion_request) and
    ``extension`` (apology) choose the record to print; by default the latest.

    Raises NotFound (code ``form_not_available``) when the form does not apply."""
    if kind not in DOSSIER_FORM_KINDS:
        raise _not_available()
    loaded = forms.load_dossier(dossier)
    regime = dossier_regime(loaded)
    spec = form_spec(regime, kind)
    if spec is None or not forms.is_applicable(loaded, kind, regime):
        raise _not_available()
    for record in (supplement, extension):
        if record is not None and record.dossier_id != loaded.pk:
            raise _not_available()
    build = forms.BUILDERS[kind]
    if kind == COMPLETION_REQUEST:
        context = build(loaded, spec, supplement)
    elif kind == APOLOGY:
        context = build(loaded, spec, extension)
    else:
        context = build(loaded, spec)
    return render_pdf(spec.template, context)


def _register_spec(end: dt.date) -> FormSpec:
    """A register spans a period: it is printed in the form set in force on its last day."""
    spec = form_spec(regime_for(end), REGISTER)
    assert spec is not None  # every regime has a register
    return spec


def render_register_pdf(*, agency, start: dt.date, end: dt.date, dossiers) -> bytes:
    """Sổ theo dõi hồ sơ of ``agency`` for ``start``–``end`` (inclusive) over ``dossiers``
    (already filtered and scoped by the caller)."""
    spec = _register_spec(end)
    rows = register.register_rows(dossiers)
    context = {
        "form": spec,
        "issuer": text.heading(agency),
        "issuer_agency": agency,
        "place": text.place_name(forms.province_of(agency)),
        "date_line": text.long_date(timezone.localdate()),
        "start": start,
        "end": end,
        "rows": [
            {
                **row.__dict__,
                # a line may break after each hyphen of the code, not inside its parts
                "code_text": row.code.replace("-", "-\u200b"),
                **{
                    f"{name}_text": text.short_datetime(getattr(row, name))
                    for name in (
                        "received_at",
                        "due_at",
                        "forwarded_at",
                        "finished_at",
                        "returned_at",
                    )
                },
            }
            for row in rows
        ],
        "columns": register.COLUMNS,
    }
    return render_pdf(spec.template, context)


def render_register_xlsx(*, agency, start: dt.date, end: dt.date, dossiers) -> bytes:
    """The same register as a workbook (dates as local date-times, dd/mm/yyyy hh:mm)."""
    spec = _register_spec(end)
    return register.register_xlsx(
        agency=agency,
        start=start,
        end=end,
        rows=register.register_rows(dossiers),
        title=spec.title,
        label=spec.label,
    )


def render_eform(
    *,
    schema,
    ui,
    answers,
    recipient,
    place,
    declarant,
    account,
    at: dt.datetime,
    at_counter: bool = False,
) -> bytes:
    """The tờ khai as the applicant filled it online: national heading, "Kính gửi" the
    receiving agency, every answer in the form's order (eforms.summary), the declaration of the
    form and where, when and through which account it was made — or, ``at_counter``, that the
    reception officer entered it as the applicant declared (for the dossier's component)."""
    from motcua.catalog import eforms

    sections: list[dict] = []
    for label, value, _path in eforms.summary(schema, ui, answers):
        if label.startswith("Tôi cam đoan"):  # the form's own pledge: printed once, below
            continue
        group, sep, field = label.partition(" – ")
        title, name = (group, field) if sep else ("", label)
        if not sections or sections[-1]["title"] != title:
            sections.append({"title": title, "rows": []})
        sections[-1]["rows"].append((name, value))
    verified = getattr(account, "identity_verified_by", "")
    return render_pdf(
        "dossiers/pdf/eform.html",
        {
            "title": schema.get("title") or "Tờ khai",
            "recipient": recipient.name if recipient else "",
            "sections": sections,
            "place": text.place_name(forms.province_of(place)) if place else "",
            "date_line": text.long_date(at),
            "declarant": declarant.representative_name or declarant.name,
            "made_at": text.clock(at),
            "account": account.email or account.phone or account.username,
            "verified": verified,
            "at_counter": at_counter,
        },
    )
