"""Who may see and act on outbox messages and webhook subscriptions (STYLE.md §15–16).

Superusers see everything; an official with the administrator role sees what belongs to the
agency subtree the role is granted on. Rows without an agency are for superusers only.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound
from motcua.notifications.models import OutboxMessage, WebhookSubscription
from motcua.org.choices import Role
from motcua.org.policies import scope_paths


def _admin_paths(user) -> list[str] | None:
    """None: everything (superuser); otherwise the administered subtrees (maybe none)."""
    if user is None or not user.is_authenticated:
        return []
    if user.is_superuser:
        return None
    return scope_paths(user, Role.ADMINISTRATOR)


def outbox_visible_to(user) -> QuerySet[OutboxMessage]:
    paths = _admin_paths(user)
    if paths is None:
        return OutboxMessage.objects.all()
    if not paths:
        return OutboxMessage.objects.none()
    return OutboxMessage.objects.filter(reduce(or_, (Q(agency_path__startswith=p) for p in paths)))


def subscriptions_visible_to(user) -> QuerySet[WebhookSubscription]:
    paths = _admin_paths(user)
    if paths is None:
        return WebhookSubscription.objects.all()
    if not paths:
        return WebhookSubscription.objects.none()
    return WebhookSubscription.objects.filter(
        reduce(or_, (Q(agency__path__startswith=p) for p in paths))
    )


def may_subscribe_for(user, agency) -> bool:
    """A subscription receives its agency's subtree (all agencies when None): an official may
    only create one for a subtree they administer."""
    paths = _admin_paths(user)
    if paths is None:
        return True
    return agency is not None and any(agency.path.startswith(p) for p in paths)


def require_outbox_admin(user, message: OutboxMessage) -> None:
    """Raise NotFound unless ``user`` administers ``message`` (out of scope looks missing)."""
    if not outbox_visible_to(user).filter(pk=message.pk).exists():
        raise NotFound(_("Outbox message not found."), code="outbox_message_not_found")
