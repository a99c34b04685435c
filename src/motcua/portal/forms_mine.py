"""Input of "Hồ sơ của tôi": parse the citizen's POSTs. The rules (file types and sizes, who may
withdraw, rating once) stay in the services; their DomainErrors are attached to a field here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.services.lifecycle import ComponentIn
from motcua.feedback.choices import Satisfaction


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files for one requested document (e.g. the pages of a scan). Empty files pass
    through: the storage service refuses them with the same message on every channel."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_empty_file", True)
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class SummaryMixin:
    """The entries of the error summary: (id of the element to focus, label, message)."""

    def summary(self) -> list[tuple[str, str, str]]:
        entries = []
        form: forms.Form = self  # type: ignore[assignment]
        first = next(iter(form), None)
        for bound in form:
            anchor = bound.auto_id
            if isinstance(bound.field.widget, forms.RadioSelect):
                anchor = f"{bound.auto_id}_0"
            entries += [(anchor, str(bound.label), str(error)) for error in bound.errors]
        if first is not None:
            entries += [(first.auto_id, "", str(e)) for e in form.non_field_errors()]
        return entries


class SupplyForm(SummaryMixin, forms.Form):
    """One file input per requested document, and a note. Used for supplementation during
    processing (``dossier_supply``) and for completion before reception (``dossier_resubmit``)."""

    note = forms.CharField(
        label=_("Note for the one-stop desk (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, items: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        note = self.fields.pop("note")
        for index, item in enumerate(items):
            self.fields[f"file_{index}"] = MultipleFileField(
                label=item,
                help_text=_("PDF, JPEG or PNG. You may choose several files."),
                widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
            )
        self.fields["note"] = note
        self.items = items

    def file_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("file_")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        attached = any(data.get(f"file_{index}") for index in range(len(self.items)))
        if not self.errors and not attached and not (data.get("note") or "").strip():
            target = self.file_fields()[0].name if self.items else "note"
            self.add_error(target, _("Attach the requested documents, or write a note."))
        return data

    def components(self) -> list[ComponentIn]:
        found = []
        for index, item in enumerate(self.items):
            for upload in self.cleaned_data.get(f"file_{index}") or []:
                upload.seek(0)
                found.append(
                    ComponentIn(name=item, content=upload.read(), file_name=upload.name or "")
                )
        return found

    def field_for_file(self, message: str) -> str:
        """The field that holds the file a storage error names; the first one otherwise."""
        for index in range(len(self.items)):
            for upload in self.cleaned_data.get(f"file_{index}") or []:
                if upload.name and f"“{upload.name}”" in message:
                    return f"file_{index}"
        return "file_0" if self.items else "note"


class WithdrawalForm(SummaryMixin, forms.Form):
    # Not required here: ``dossier_request_withdrawal`` asks for the reason itself.
    reason = forms.CharField(
        label=_("Why do you want to withdraw the dossier?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


LIKED = [("yes", _("Satisfied")), ("no", _("Dissatisfied"))]


class RatingForm(SummaryMixin, forms.Form):
    """SPEC.md §6.1: like/dislike, questions 10 (convenience) and 11 (overall), a comment."""

    liked = forms.ChoiceField(
        label=_("Are you satisfied with how your dossier was handled?"),
        choices=LIKED,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose Satisfied or Dissatisfied.")},
    )
    convenience = forms.ChoiceField(
        label=_("Convenience of the service"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an answer.")},
    )
    overall = forms.ChoiceField(
        label=_("Overall assessment"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an answer.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
    )
