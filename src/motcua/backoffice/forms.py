"""One form per action of the dossier desk. A form only parses: ``payload()`` gives the body the
API takes for that action (``schemas.ACTION_INPUTS``), and ``dossiers.actions.perform`` calls the
service — the same path as ``POST /api/v1/dossiers/{code}/actions/{action}``."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.choices import Action, ResultKind, ReturnMethod

DATE_HELP = _("Day/month/year, e.g. 31/12/2026.")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _encoded(upload) -> dict[str, Any]:
    upload.seek(0)
    return {
        "file_name": upload.name or "",
        "content_base64": base64.b64encode(upload.read()).decode(),
    }


class ActionForm(forms.Form):
    """Base: the payload is the cleaned data as is."""

    def __init__(self, *args: Any, dossier=None, assignees=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dossier = dossier

    def payload(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class ConfirmForm(ActionForm):
    pass


class NoteForm(ActionForm):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ItemsForm(ReasonForm):
    items = forms.CharField(
        label=_("Documents to provide"),
        help_text=_("One per line: everything that is missing, in one go."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_items(self) -> list[str]:
        items = _lines(self.cleaned_data["items"])
        if not items:
            raise forms.ValidationError(_("List at least one document."))
        return items[:100]

    def payload(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"], "items": self.cleaned_data["items"]}


class SupplementForm(ItemsForm):
    respond_by = forms.DateField(
        label=_("Answer expected by (optional)"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text=DATE_HELP,
    )

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        if self.cleaned_data.get("respond_by"):
            data["respond_by"] = self.cleaned_data["respond_by"].isoformat()
        return data


class AssignForm(ActionForm):
    assignee = forms.ChoiceField(label=_("Handled by"))

    def __init__(self, *args: Any, assignees=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Choose a person"))] + [
            (user.username, str(user)) for user in assignees
        ]


class TransferForm(ActionForm):
    to_agency = forms.CharField(
        label=_("Code of the partner agency"),
        max_length=40,
        help_text=_("As in the agency directory, e.g. 38-tu-phap."),
    )
    hours = forms.DecimalField(
        label=_("Working hours for its part"), min_value=0.5, max_value=10000, decimal_places=2
    )
    reason = forms.CharField(
        label=_("What is asked of it (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "to_agency": data["to_agency"].strip(),
            "hours": str(data["hours"]),
            "reason": data["reason"],
        }


class SupplyForm(ActionForm):
    """Documents brought to the desk for a request for supplementation."""

    files = forms.FileField(
        label=_("Documents received (PDF, JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def payload(self) -> dict[str, Any]:
        upload = self.cleaned_data.get("files")
        components = []
        if upload:
            components.append(
                {"name": upload.name or str(_("Supplementary document")), **_encoded(upload)}
            )
        return {"components": components, "note": self.cleaned_data.get("note", "")}


class PaymentForm(ActionForm):
    amount = forms.DecimalField(
        label=_("Amount in đồng (optional)"),
        required=False,
        min_value=0,
        decimal_places=0,
        help_text=_("Leave empty for the unpaid fees of the dossier."),
    )
    description = forms.CharField(
        label=_("Description (optional)"), required=False, max_length=4000
    )

    def payload(self) -> dict[str, Any]:
        data = {"description": self.cleaned_data.get("description", "")}
        if self.cleaned_data.get("amount") is not None:
            data["amount"] = str(self.cleaned_data["amount"])
        return data


class ConfirmPaymentForm(ActionForm):
    method = forms.ChoiceField(
        label=_("Paid by"),
        choices=[("cash", _("Cash")), ("transfer", _("Bank transfer")), ("online", _("Online"))],
        widget=forms.RadioSelect,
        initial="cash",
    )
    receipt_number = forms.CharField(
        label=_("Receipt number (optional)"), required=False, max_length=60
    )


class ExtendForm(ActionForm):
    new_due_date = forms.DateField(
        label=_("New appointment date"), input_formats=["%d/%m/%Y", "%Y-%m-%d"], help_text=DATE_HELP
    )
    new_due_time = forms.TimeField(
        label=_("Time"),
        initial=dt.time(17, 0),
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(format="%H:%M"),
        help_text=_("e.g. 16:30"),
    )
    reason = forms.CharField(
        label=_("Reason for the extension"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def payload(self) -> dict[str, Any]:
        moment = dt.datetime.combine(
            self.cleaned_data["new_due_date"], self.cleaned_data["new_due_time"]
        )
        return {"new_due": moment.isoformat(), "reason": self.cleaned_data["reason"]}


class ResolveForm(ActionForm):
    result_kind = forms.ChoiceField(
        label=_("Result"),
        choices=ResultKind.choices,
        widget=forms.RadioSelect,
        initial=ResultKind.APPROVAL,
    )
    result_number = forms.CharField(
        label=_("Document number (optional)"), required=False, max_length=60
    )
    signer = forms.CharField(label=_("Signed by (optional)"), required=False, max_length=255)
    note = forms.CharField(
        label=_("Reasons (required for a refusal)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    result_file = forms.FileField(
        label=_("Electronic result (PDF, optional)"),
        required=False,
        help_text=_("Needed to return the result online."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}),
    )

    def payload(self) -> dict[str, Any]:
        data = {
            k: self.cleaned_data.get(k, "")
            for k in ("result_kind", "result_number", "signer", "note")
        }
        upload = self.cleaned_data.get("result_file")
        if upload:
            encoded = _encoded(upload)
            data["result_file_name"] = encoded["file_name"]
            data["result_content_base64"] = encoded["content_base64"]
        return data


class ReturnForm(ActionForm):
    method = forms.ChoiceField(
        label=_("How the result is returned"),
        choices=ReturnMethod.choices,
        widget=forms.RadioSelect,
    )
    recipient = forms.CharField(
        label=_("Received by (at the desk or by post)"), required=False, max_length=255
    )


FORMS: dict[str, type[ActionForm]] = {
    Action.RECEIVE: ConfirmForm,
    Action.REQUEST_COMPLETION: ItemsForm,
    Action.REFUSE: ReasonForm,
    Action.ASSIGN: AssignForm,
    Action.HANDOVER: NoteForm,
    Action.TRANSFER: TransferForm,
    Action.TRANSFER_BACK: NoteForm,
    Action.REQUEST_SUPPLEMENT: SupplementForm,
    Action.SUPPLY: SupplyForm,
    Action.REQUEST_PAYMENT: PaymentForm,
    Action.CONFIRM_PAYMENT: ConfirmPaymentForm,
    Action.EXTEND: ExtendForm,
    Action.REQUEST_WITHDRAWAL: ReasonForm,
    Action.CONFIRM_WITHDRAWAL: NoteForm,
    Action.STOP: ReasonForm,
    Action.RESOLVE: ResolveForm,
    Action.RETURN_RESULT: ReturnForm,
}
