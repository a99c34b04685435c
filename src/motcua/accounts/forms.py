"""Input of the account pages: forms that only parse (the rules are in ``services``)."""

from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import MemberRole, OrganisationKind


class LoginForm(AllauthLoginForm):
    """allauth's login form with a plain label instead of a placeholder (settings.ACCOUNT_FORMS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("E-mail address or phone number")
        login.help_text = _("The phone number works once it has been verified.")
        login.widget.attrs.pop("placeholder", None)
        login.widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs.pop("placeholder", None)


VERIFIED_FIELDS = ("full_name", "id_number", "date_of_birth")


class ProfileForm(forms.Form):
    """The profile, with the province → commune picker that works without JavaScript: the
    "Choose" button posts ``choose_province`` and the page comes back with that province's
    communes, keeping what was typed."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("Personal identification number"),
        max_length=20,
        required=False,
        help_text=_("The 12 digits on your citizen identity card (CCCD)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        help_text=_("Day/month/year, e.g. 25/12/1990."),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "bday"}),
    )
    province = forms.ChoiceField(label=_("Province or city"), required=False)
    commune = forms.ChoiceField(label=_("Commune, ward or special zone"), required=False)
    address = forms.CharField(
        label=_("House number, street, village"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def __init__(self, *args, provinces=(), communes=(), verified_by: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if verified_by:
            # what the identity provider vouches for is shown, not edited (the browser does not
            # send disabled inputs; Django keeps the initial value)
            for name in VERIFIED_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Provided by %(provider)s; it cannot be changed here."
                ) % {"provider": verified_by}
        self.fields["province"].choices = [("", _("Choose a province"))] + [
            (p.code, p.display_name) for p in provinces
        ]
        self.fields["commune"].choices = [("", _("Choose a commune"))] + [
            (c.code, c.display_name) for c in communes
        ]


class OrganisationForm(forms.Form):
    """Register an organisation one acts for (accounts.services.organisations)."""

    kind = forms.TypedChoiceField(
        label=_("Kind of organisation"),
        coerce=int,
        choices=OrganisationKind.choices,
        initial=OrganisationKind.BUSINESS,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("Name of the organisation"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    tax_code = forms.CharField(
        label=_("Enterprise code (tax code)"),
        max_length=14,
        help_text=_("10 digits, or 10 digits, a hyphen and 3 digits for a branch."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Head office address"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    role = forms.ChoiceField(
        label=_("Your role"),
        choices=MemberRole.choices,
        initial=MemberRole.REPRESENTATIVE,
        widget=forms.RadioSelect,
    )
    authorisation = forms.FileField(
        label=_("Authorisation letter (if you are an authorised person)"),
        required=False,
        help_text=_("PDF, JPEG or PNG, signed by the legal representative."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    valid_until = forms.DateField(
        label=_("Authorisation valid until (optional)"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text=_("Day/month/year, e.g. 31/12/2026."),
    )


class MemberForm(forms.Form):
    """The legal representative authorises a person (by their account's e-mail address)."""

    email = forms.EmailField(
        label=_("E-mail address of the person's account"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    authorisation = forms.FileField(
        label=_("Authorisation letter"),
        help_text=_("PDF, JPEG or PNG, signed by the legal representative."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    valid_until = forms.DateField(
        label=_("Valid until (optional)"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text=_("Day/month/year, e.g. 31/12/2026."),
    )
