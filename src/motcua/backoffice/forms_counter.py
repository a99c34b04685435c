"""The counter intake's forms (issue 5, item 2). Screen 1 (``StartForm``): the applicant and the
case. Screen 2 (``ChecklistForm``): the component checklist with originals/copies, quantity and
scans, and the decision with its reason or the missing items. They only parse; the intake is
``dossiers.services.counter.counter_intake``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from motcua.catalog.choices import ApplicantType
from motcua.catalog.models import Component
from motcua.dossiers.services._common import Applicant, applicant_problems
from motcua.dossiers.services.counter import Decision, SectorCases


class StartForm(forms.Form):
    desk = forms.TypedChoiceField(label=_("Receiving at"), coerce=int)
    case = forms.TypedChoiceField(
        label=_("Procedure and case"),
        coerce=int,
        help_text=_("Type the first letters of the procedure's name to jump to it."),
    )
    applicant_type = forms.TypedChoiceField(
        label=_("The applicant is"),
        coerce=int,
        choices=ApplicantType.choices,
        initial=ApplicantType.CITIZEN,
    )
    name = forms.CharField(
        label=_("Full name, or the organisation's name"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    id_number = forms.CharField(
        label=_("Identity number (CCCD) or enterprise code"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    representative_name = forms.CharField(
        label=_("Person submitting on the applicant's behalf (if any)"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    representative_id_number = forms.CharField(
        label=_("Their identity number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    representative_phone = forms.CharField(
        label=_("Their phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, desks=(), sectors: list[SectorCases] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["desk"].choices = [(d.pk, d.display_name) for d in desks]
        if len(desks) == 1:
            self.fields["desk"].widget = forms.HiddenInput()
            self.fields["desk"].initial = desks[0].pk
        self.fields["case"].choices = [("", _("— Choose —"))] + [
            (sector.name, [(c.variant.pk, c.label) for c in sector.cases]) for sector in sectors
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("id_number", "phone", "representative_id_number", "representative_phone"):
            if data.get(name):
                data[name] = data[name].replace(" ", "").replace(".", "")
        if data.get("representative_id_number") and not data.get("representative_name"):
            self.add_error("representative_name", _("Give the name of the person submitting."))
        person = Applicant(
            name=data.get("name") or "",
            applicant_type=data.get("applicant_type") or ApplicantType.CITIZEN,
            id_number=data.get("id_number") or "",
            phone=data.get("phone") or "",
        )
        for name, message in applicant_problems(person).items():
            if name != "name" and name not in self.errors:
                self.add_error(name, message)
        return data


@dataclass
class ChecklistRow:
    """One component of the case as the officer checks it at the counter."""

    component: Component
    prefix: str
    is_form: bool = False  # the tờ khai the e-form stands for
    received: bool = False
    is_original: bool = False
    quantity: int = 1
    file: UploadedFile | None = None
    error: str = ""

    @property
    def present(self) -> bool:
        return self.received or self.file is not None


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class ChecklistForm:
    """Screen 2 without a Django form class: its rows follow the case's components. Names:
    ``tp-<id>-nhan`` (received), ``tp-<id>-ban`` (original/copy), ``tp-<id>-sl`` (quantity),
    ``tp-<id>-tep`` (the scan); ``quyet-dinh`` (the decision button), ``ly-do`` and ``thieu``."""

    def __init__(
        self,
        components: list[Component],
        *,
        form_component: Component | None,
        data=None,
        files=None,
    ):
        self.bound = data is not None
        self.rows: list[ChecklistRow] = []
        self.errors: list[str] = []
        self.decision = ""
        self.reason = ""
        self.missing_text = ""
        for component in components:
            prefix = f"tp-{component.pk}"
            row = ChecklistRow(
                component=component,
                prefix=prefix,
                is_form=form_component is not None and component.pk == form_component.pk,
                is_original=component.originals > 0,
                quantity=max(component.originals, component.copies, 1),
            )
            if self.bound:
                row.received = data.get(f"{prefix}-nhan") == "1"
                row.is_original = data.get(f"{prefix}-ban", "") != "sao"
                row.quantity = _int(data.get(f"{prefix}-sl"), row.quantity)
                row.file = files.get(f"{prefix}-tep") if files is not None else None
                if row.present and not 1 <= row.quantity <= 100:
                    row.error = str(_("The number of copies is a whole number from 1 to 100."))
                    row.quantity = max(1, min(row.quantity, 100))
            self.rows.append(row)
        if self.bound:
            self.decision = data.get("quyet-dinh", "")
            self.reason = (data.get("ly-do") or "").strip()[:4000]
            self.missing_text = (data.get("thieu") or "")[:4000]
            if self.decision not in Decision.values:
                self.errors.append(str(_("Choose what to do with the dossier.")))

    def row_errors(self) -> list[ChecklistRow]:
        return [row for row in self.rows if row.error]

    def missing_mandatory(self, *, form_filled: bool) -> list[Component]:
        return [
            row.component
            for row in self.rows
            if row.component.mandatory and not (row.present or (row.is_form and form_filled))
        ]

    def extra_missing(self) -> list[str]:
        return [line.strip() for line in self.missing_text.splitlines() if line.strip()]
