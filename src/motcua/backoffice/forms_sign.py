"""The leader's signing form (issue 7): the result's values, filled in from the dossier where it
has them, how the leader signs (TM./KT./TL.), and the key's PIN when it is typed each time."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.documents.results import ResultKind
from motcua.documents.services.results import COMPETENCES


def initial_values(kind: ResultKind, dossier) -> dict[str, str]:
    """What the dossier already says: its form's answers under the same names, then the
    applicant's own details."""
    known = {
        "full_name": dossier.applicant_name,
        "requester": dossier.applicant_name,
        "residence": dossier.applicant_address,
        "identity": (
            f"Căn cước số {dossier.applicant_id_number}" if dossier.applicant_id_number else ""
        ),
    }
    data = dossier.form_data if isinstance(dossier.form_data, dict) else {}
    found = {}
    for item in kind.fields:
        value = data.get(item.name) or known.get(item.name) or ""
        if isinstance(value, str) and value.strip():
            found[item.name] = value.strip()
    return found


class SignResultForm(forms.Form):
    def __init__(
        self, *args: Any, kind: ResultKind, ask_secret: bool, competence: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for item in kind.fields:
            self.fields[f"v_{item.name}"] = forms.CharField(
                label=item.label, required=item.required, max_length=500
            )
        self.fields["competence"] = forms.ChoiceField(
            label=_("How you sign"),
            choices=list(COMPETENCES.items()),
            widget=forms.RadioSelect,
            initial=competence,
        )
        if ask_secret:
            self.fields["secret"] = forms.CharField(
                label=_("PIN of your signing key"),
                max_length=128,
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
            )

    def values(self) -> dict[str, str]:
        return {item.name: self.cleaned_data.get(f"v_{item.name}", "") for item in self.kind.fields}
