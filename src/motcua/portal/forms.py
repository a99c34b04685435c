"""Input of the public pages: plain GET forms that only parse and validate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.catalog.choices import ImplementationLevel, OnlineLevel

ANY = [("", _("All"))]


class ProcedureSearchForm(forms.Form):
    q = forms.CharField(label=_("Search procedures"), max_length=200, required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=ANY + list(ImplementationLevel.choices)
    )
    online = forms.ChoiceField(
        label=_("Online service level"), required=False, choices=ANY + list(OnlineLevel.choices)
    )

    def __init__(self, *args, sectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = ANY + [(s.code, s.name) for s in sectors]

    def criteria(self) -> dict[str, str]:
        """The valid criteria; an invalid value (e.g. an old sector code) is ignored."""
        if self.is_valid():
            data = self.cleaned_data
        else:
            data = {name: self.cleaned_data.get(name, "") for name in self.fields}
        return {name: (data.get(name) or "").strip() for name in self.fields}


class CommuneFilterForm(forms.Form):
    q = forms.CharField(label=_("Find a commune or ward"), max_length=100, required=False)


class LocationForm(forms.Form):
    """Where the applicant lives: a province, then one of its communes."""

    province = forms.ChoiceField(label=_("Province or city"), required=False)
    commune = forms.ChoiceField(label=_("Commune, ward or special zone"), required=False)

    def __init__(self, *args, provinces=(), communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("Choose a province"))] + [
            (p.code, p.display_name) for p in provinces
        ]
        self.fields["commune"].choices = [("", _("Choose a commune"))] + [
            (c.code, c.display_name) for c in communes
        ]


class TrackingForm(forms.Form):
    """Tra cứu hồ sơ: the dossier code (printed on the receipt, Mẫu 01) and the last four digits
    of the phone number given with the dossier. Field names are short because the QR code on
    the receipt links here with ``?ma=<code>``."""

    ma = forms.CharField(
        label=_("Dossier code"),
        max_length=64,
        help_text=_("As printed on the receipt, e.g. 000.00.00.H56-260309-0001."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    so = forms.RegexField(
        label=_("Last 4 digits of your phone number"),
        regex=r"^[0-9]{4}$",
        max_length=4,
        help_text=_("The phone number given when the dossier was submitted."),
        error_messages={"invalid": _("Enter exactly 4 digits.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}
        ),
    )


class VerifyForm(forms.Form):
    """Xác thực văn bản: the PDF to check (its signatures are read, nothing is kept)."""

    tep = forms.FileField(
        label=_("Signed PDF file"),
        help_text=_("A result or another document signed digitally, up to 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_tep(self):
        upload = self.cleaned_data["tep"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("This file is larger than 20 MB."))
        return upload
