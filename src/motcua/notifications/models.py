"""The transactional outbox and webhook subscriptions.

Every external effect (notification, national-portal sync, webhook) is an ``OutboxMessage`` row
written in the same transaction as the event that causes it (ARCHITECTURE.md, "Nothing is lost";
STYLE.md §7). Only ``services/outbox.py`` changes these rows.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStampedModel
from motcua.notifications.choices import OutboxStatus

ALL_TOPICS = "*"


class OutboxMessage(models.Model):
    topic = models.CharField(_("topic"), max_length=64, db_index=True)
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"))
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # While a worker holds a message it is "delivering" until lease_until; a worker that dies
    # leaves the lease to expire and the message becomes claimable again. Each claim sets a
    # later lease, so lease_until also fences a slow worker out of marking a re-claimed message.
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    # Plain ids, no foreign keys: the outbox outlives and does not lock the rows it talks about.
    dossier_id = models.BigIntegerField(_("dossier id"), null=True, blank=True, db_index=True)
    agency_path = models.CharField(_("agency path"), max_length=400, blank=True, db_index=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["status", "lease_until"], name="outbox_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.idempotency_key} ({self.get_status_display()})"


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscription(TimeStampedModel):
    """A receiver of events: POSTed JSON signed with ``secret`` (HMAC-SHA256)."""

    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("secret"),
        max_length=200,
        default=_new_secret,
        help_text=_("Shared secret; the receiver checks X-Motcua-Signature with it."),
    )
    topics = models.JSONField(
        _("topics"),
        default=list,
        help_text=_('A list of event topics, e.g. ["dossier.received"], or "*" for all.'),
    )
    is_active = models.BooleanField(_("active"), default=True)
    agency = models.ForeignKey(
        "org.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="webhook_subscriptions",
        help_text=_("Receive only events of this agency and its subtree. Empty: all agencies."),
    )

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if not self.url.lower().startswith(("http://", "https://")):
            raise ValidationError({"url": _("Only http and https URLs can receive webhooks.")})
        topics = self.topics
        valid = topics == ALL_TOPICS or (
            isinstance(topics, list)
            and bool(topics)
            and all(isinstance(t, str) and t.strip() for t in topics)
        )
        if not valid:
            raise ValidationError({"topics": _('Enter a list of topic names or "*".')})

    def wants(self, *, topic: str, agency_path: str) -> bool:
        """Whether an event of ``topic`` at ``agency_path`` goes to this subscription."""
        topics = self.topics
        if not (topics == ALL_TOPICS or (isinstance(topics, list) and {topic, "*"} & set(topics))):
            return False
        if self.agency_id is None:
            return True
        return bool(agency_path) and agency_path.startswith(self.agency.path)
