import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from motcua.core.errors import DomainError
from motcua.notifications.choices import OutboxStatus
from motcua.notifications.models import OutboxMessage, WebhookSubscription
from motcua.notifications.policies import (
    may_subscribe_for,
    outbox_visible_to,
    subscriptions_visible_to,
)
from motcua.notifications.services.outbox import outbox_cancel, outbox_retry

_STATUS_STYLE = {
    OutboxStatus.FAILED: "color:#fff;background:#ba2121;font-weight:bold",
    OutboxStatus.DELIVERED: "color:#fff;background:#2e7d32",
    OutboxStatus.DELIVERING: "color:#000;background:#f6c343",
    OutboxStatus.PENDING: "color:#000;background:#e0e0e0",
    OutboxStatus.CANCELLED: "color:#555;background:#f5f5f5;text-decoration:line-through",
}


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "status_badge",
        "topic",
        "idempotency_key",
        "tries",
        "next_attempt_at",
        "error_excerpt",
        "created_at",
        "delivered_at",
    )
    list_display_links = ("id", "idempotency_key")
    list_filter = ("status", "topic")
    search_fields = ("idempotency_key", "topic", "last_error", "agency_path")
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ("retry_messages", "cancel_messages")
    fields = (
        "topic",
        "status",
        "idempotency_key",
        ("attempts", "max_attempts"),
        ("next_attempt_at", "lease_until"),
        "last_error",
        "payload_pretty",
        ("dossier_id", "agency_path"),
        ("created_at", "delivered_at"),
    )
    readonly_fields = (
        "topic",
        "status",
        "idempotency_key",
        "attempts",
        "max_attempts",
        "next_attempt_at",
        "lease_until",
        "last_error",
        "payload_pretty",
        "dossier_id",
        "agency_path",
        "created_at",
        "delivered_at",
    )

    def get_queryset(self, request):
        return outbox_visible_to(request.user)

    # Rows change only through the outbox services (the actions below), never by editing.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Needed for the actions on the list; a single message is shown read-only, so that a
        # stale form can never overwrite what a worker recorded.
        return obj is None and super().has_change_permission(request)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span style="padding:1px 6px;border-radius:3px;{}">{}</span>',
            _STATUS_STYLE.get(obj.status, ""),
            obj.get_status_display(),
        )

    @admin.display(description=_("tries"), ordering="attempts")
    def tries(self, obj):
        return f"{obj.attempts}/{obj.max_attempts}"

    @admin.display(description=_("last error"))
    def error_excerpt(self, obj):
        return Truncator(obj.last_error).chars(80)

    @admin.display(description=_("payload"))
    def payload_pretty(self, obj):
        text = json.dumps(obj.payload, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", text)

    def _apply(self, request, queryset, service) -> int:
        done = 0
        for message in queryset:
            try:
                service(message=message, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"#{message.pk}: {error.message}", messages.WARNING)
            else:
                done += 1
        return done

    @admin.action(description=_("Send the selected messages again"), permissions=["change"])
    def retry_messages(self, request, queryset):
        if done := self._apply(request, queryset, outbox_retry):
            text = ngettext(
                "%(count)d message will be sent again.",
                "%(count)d messages will be sent again.",
                done,
            )
            self.message_user(request, text % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Cancel the selected messages"), permissions=["change"])
    def cancel_messages(self, request, queryset):
        if done := self._apply(request, queryset, outbox_cancel):
            text = ngettext("%(count)d message cancelled.", "%(count)d messages cancelled.", done)
            self.message_user(request, text % {"count": done}, messages.SUCCESS)


class WebhookSubscriptionForm(forms.ModelForm):
    user = None  # set per request by the admin
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookSubscription
        fields = ("name", "url", "secret", "topics", "agency", "is_active")

    def clean_agency(self):
        agency = self.cleaned_data.get("agency")
        if not may_subscribe_for(self.user, agency):
            raise forms.ValidationError(_("Choose an agency within your administration scope."))
        return agency


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ("name", "url", "topics", "agency", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url", "agency__name", "agency__code")
    raw_id_fields = ("agency",)

    def get_queryset(self, request):
        return subscriptions_visible_to(request.user).select_related("agency")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})
