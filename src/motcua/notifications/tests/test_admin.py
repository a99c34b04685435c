"""Failed messages are shown to administrators, who retry or cancel them (issue: outbox)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.urls import reverse

from motcua.accounts.tests.mfa import mfa_login
from motcua.notifications.choices import OutboxStatus
from motcua.notifications.models import OutboxMessage, WebhookSubscription
from motcua.notifications.services.outbox import outbox_enqueue
from motcua.org.choices import Role
from motcua.org.tests.factories import official

CHANGELIST = "admin:notifications_outboxmessage_changelist"


def make(key: str, status: str = OutboxStatus.FAILED, agency_path: str = "") -> OutboxMessage:
    with transaction.atomic():
        message = outbox_enqueue(topic="webhook", payload={}, key=key, agency_path=agency_path)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=status, attempts=8, last_error="HTTP 500 from https://example.org/hook"
    )
    return message


def test_failed_messages_stand_out_in_the_list(admin_client):
    make("failed-1")
    make("sent-1", status=OutboxStatus.DELIVERED)
    page = admin_client.get(reverse(CHANGELIST), {"status__exact": "failed"}).content.decode()
    assert "failed-1" in page and "sent-1" not in page
    assert "background:#ba2121" in page
    assert "HTTP 500 from https://example.org/hook" in page
    assert "8/8" in page


def test_retry_and_cancel_actions(admin_client):
    failed, pending = make("failed-1"), make("pending-1", status=OutboxStatus.PENDING)
    url = reverse(CHANGELIST)
    response = admin_client.post(
        url, {"action": "retry_messages", "_selected_action": [failed.pk, pending.pk]}
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == OutboxStatus.PENDING and failed.attempts == 0
    admin_client.post(url, {"action": "cancel_messages", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == OutboxStatus.CANCELLED


def test_a_message_cannot_be_edited_or_deleted(admin_client):
    message = make("failed-1")
    url = reverse("admin:notifications_outboxmessage_change", args=[message.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"status": "delivered", "topic": "x"})
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    delete = reverse("admin:notifications_outboxmessage_delete", args=[message.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert OutboxMessage.objects.filter(pk=message.pk).exists()


@pytest.fixture
def commune_admin(tree, client):
    staff = official("qt-hacthanh", home=tree.c1, role=Role.ADMINISTRATOR)
    staff.user.is_staff = True
    staff.user.save()
    staff.user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="notifications",
            codename__in=[
                "view_outboxmessage",
                "change_outboxmessage",
                "add_webhooksubscription",
                "view_webhooksubscription",
            ],
        )
    )
    mfa_login(client, staff.user)
    return client


def test_an_agency_administrator_sees_and_acts_on_their_subtree_only(tree, commune_admin):
    # SPEC.md §1.2: a role covers the subtree of the agency it is granted on.
    mine = make("hacthanh-1", agency_path=tree.c1_units["pvhcc"].path)
    theirs = make("dongtien-1", agency_path=tree.c2.path)
    unscoped = make("national-1")
    page = commune_admin.get(reverse(CHANGELIST)).content.decode()
    assert "hacthanh-1" in page and "dongtien-1" not in page and "national-1" not in page
    commune_admin.post(
        reverse(CHANGELIST),
        {"action": "retry_messages", "_selected_action": [mine.pk, theirs.pk, unscoped.pk]},
    )
    statuses = dict(OutboxMessage.objects.values_list("idempotency_key", "status"))
    assert statuses == {"hacthanh-1": "pending", "dongtien-1": "failed", "national-1": "failed"}
    other = reverse("admin:notifications_outboxmessage_change", args=[theirs.pk])
    assert commune_admin.get(other).status_code == 302  # missing → back to the list


def test_an_agency_administrator_subscribes_only_within_their_subtree(tree, commune_admin):
    url = reverse("admin:notifications_webhooksubscription_add")
    form = {"name": "CSDL", "url": "https://csdl.example.vn/hook", "secret": "s" * 32}
    form |= {"topics": '"*"', "is_active": "on"}
    for agency in ("", tree.c2.pk, tree.p1.pk):  # everything, a sibling, the parent: refused
        response = commune_admin.post(url, {**form, "agency": agency})
        assert response.status_code == 200
        assert set(response.context["adminform"].form.errors) == {"agency"}
    assert not WebhookSubscription.objects.exists()
    response = commune_admin.post(url, {**form, "agency": tree.c1_units["pvhcc"].pk})
    assert response.status_code == 302
    assert WebhookSubscription.objects.get().agency == tree.c1_units["pvhcc"]
