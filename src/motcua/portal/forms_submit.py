"""Input of the submission flow that is not the e-form itself (the e-form is parsed by
``catalog.eforms.clean``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DeclarationForm(forms.Form):
    """Lời cam đoan before sending the dossier."""

    confirm = forms.BooleanField(
        label=_(
            "I declare that the information I have given is true and I am responsible for it "
            "before the law."
        ),
        error_messages={"required": _("Tick the box to confirm the declaration.")},
    )
