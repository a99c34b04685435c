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
