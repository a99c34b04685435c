from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    """Life of an outbox message: pending → delivering → delivered, or back to pending for a
    retry, or failed after the last try (shown to administrators, who may retry or cancel)."""

    PENDING = "pending", _("Waiting to be sent")
    DELIVERING = "delivering", _("Being sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class OutboxTopic(models.TextChoices):
    """Channels with a handler in this app; other topics (``dvcqg.sync`` …) register their own."""

    WEBHOOK = "webhook", _("Webhook")
    EMAIL = "email", _("E-mail")
