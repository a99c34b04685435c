"""Bulk assignment from the "awaiting assignment" queue (issue 5, item 3): a head of unit
assigns several dossiers to one official — all of them or, at the first refusal, none — and
the page works as a plain form with a label for every checkbox."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.backoffice.tests.conftest import mfa_login
from motcua.backoffice.tests.test_queues import T0, in_process, submitted
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import lifecycle as svc
from motcua.notifications.models import OutboxMessage
from motcua.portal.tests import test_browser as browser_base

QUEUE = "/can-bo/hang-doi/chua-phan-cong/"
POST = "/can-bo/hang-doi/chua-phan-cong/phan-cong/"


@pytest.fixture
def version(catalogue):
    return catalogue["1.004873"]


def snapshot(*dossiers: Dossier) -> tuple:
    rows = []
    for d in dossiers:
        d.refresh_from_db()
        rows.append((d.code, d.current_step.assignee_id, d.event_count))
    return (tuple(rows), OutboxMessage.objects.count())


def post(client, dossiers, assignee) -> object:
    return client.post(
        POST, {"ho-so": [d.code for d in dossiers], "can-bo": getattr(assignee, "username", "")}
    )


def test_a_head_of_unit_gets_a_checkbox_per_row_and_the_eligible_officials(
    client, c1_staff, applicant_user, version, desk
):
    dossiers = [in_process(c1_staff, applicant_user, version, desk) for _ in range(2)]
    mfa_login(client, c1_staff.unit_leader)
    page = client.get(QUEUE).content.decode()
    assert f'action="{POST}"' in page
    for index, d in enumerate(dossiers, start=1):
        assert f'name="ho-so" value="{d.code}" id="pick-{index}"' in page
        # a label for every checkbox, naming the dossier
        assert f'<label for="pick-{index}" class="visually-hidden">' in page
        label = page.split(f'<label for="pick-{index}"', 1)[1].split("</label>", 1)[0]
        assert d.code in label
    # the step (Thẩm định) needs a specialist at the commune: they are offered, nobody else
    assert f'value="{c1_staff.specialist.username}"' in page
    assert f'value="{c1_staff.accountant.username}"' not in page
    assert 'name="can-bo"' in page and '<label for="bulk-assignee">' in page


def test_an_official_who_may_not_assign_gets_no_form(
    client, c1_staff, applicant_user, version, desk
):
    in_process(c1_staff, applicant_user, version, desk)
    mfa_login(client, c1_staff.specialist)
    page = client.get(QUEUE).content.decode()
    assert 'href="/can-bo/ho-so/' in page
    assert 'name="ho-so"' not in page and POST not in page


def test_all_selected_dossiers_are_assigned(client, c1_staff, applicant_user, version, desk):
    dossiers = [in_process(c1_staff, applicant_user, version, desk) for _ in range(3)]
    events = [d.event_count for d in dossiers]
    mfa_login(client, c1_staff.unit_leader)
    response = post(client, dossiers, c1_staff.specialist)
    assert response.status_code == 302 and response["Location"] == QUEUE
    for d, before in zip(dossiers, events, strict=True):
        d.refresh_from_db()
        assert d.current_step.assignee == c1_staff.specialist
        assert d.event_count == before + 1  # one "assigned" event each, through the service
    follow = client.get(QUEUE)
    assert 'name="ho-so"' not in follow.content.decode()  # the queue is empty now
    (message,) = follow.context["messages"]
    assert "3" in str(message) and str(c1_staff.specialist) in str(message)


def test_a_dossier_out_of_scope_changes_nothing(
    client, c1_staff, c2_staff, applicant_user, version, tree
):
    ours = in_process(c1_staff, applicant_user, version, tree.c1_units["pvhcc"])
    theirs = in_process(c2_staff, applicant_user, version, tree.c2_units["pvhcc"])
    before = snapshot(ours, theirs)
    mfa_login(client, c1_staff.unit_leader)
    assert post(client, [ours, theirs], c1_staff.specialist).status_code == 404
    assert snapshot(ours, theirs) == before


def test_an_official_who_is_not_a_head_of_unit_is_refused(
    client, c1_staff, applicant_user, version, desk
):
    dossiers = [in_process(c1_staff, applicant_user, version, desk) for _ in range(2)]
    before = snapshot(*dossiers)
    mfa_login(client, c1_staff.specialist)
    response = post(client, dossiers, c1_staff.specialist)
    assert response.status_code == 403
    page = response.content.decode()
    assert 'role="alert"' in page and dossiers[0].code in page
    assert snapshot(*dossiers) == before


def test_one_refusal_undoes_the_whole_batch(client, c1_staff, applicant_user, version, desk):
    ready = in_process(c1_staff, applicant_user, version, desk)
    paused = in_process(c1_staff, applicant_user, version, desk)
    svc.dossier_request_supplement(
        actor=c1_staff.specialist,
        dossier=paused,
        reason="Thiếu",
        items=["CCCD"],
        at=T0 + dt.timedelta(hours=2),
    )
    before = snapshot(ready, paused)
    mfa_login(client, c1_staff.unit_leader)
    # the first is assigned inside the transaction, the second is refused: both stay unassigned
    response = post(client, [ready, paused], c1_staff.specialist)
    assert response.status_code == 409
    page = response.content.decode()
    alert = page.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert paused.code in alert and ready.code not in alert
    # what was chosen is kept for another try
    assert re.search(rf'value="{ready.code}" id="pick-\d+" checked', page)
    assert snapshot(ready, paused) == before


def test_an_official_without_the_role_cannot_be_chosen(
    client, c1_staff, applicant_user, version, desk
):
    dossiers = [in_process(c1_staff, applicant_user, version, desk) for _ in range(2)]
    before = snapshot(*dossiers)
    mfa_login(client, c1_staff.unit_leader)
    response = post(client, dossiers, c1_staff.accountant)
    assert response.status_code == 422
    assert dossiers[0].code in response.content.decode()
    assert snapshot(*dossiers) == before


def test_dossiers_needing_different_officials_are_refused(
    client, c1_staff, applicant_user, version, desk
):
    examining = in_process(c1_staff, applicant_user, version, desk)  # needs a specialist
    signing = in_process(c1_staff, applicant_user, version, desk)
    svc.dossier_handover(actor=c1_staff.specialist, dossier=signing, at=T0 + dt.timedelta(hours=2))
    signing.refresh_from_db()  # now needs an agency leader
    before = snapshot(examining, signing)
    mfa_login(client, c1_staff.unit_leader)
    response = post(client, [examining, signing], c1_staff.specialist)
    assert response.status_code == 409
    alert = response.content.decode().split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert examining.code in alert and signing.code in alert
    assert snapshot(examining, signing) == before


@pytest.mark.parametrize(
    ("data", "status"),
    [({"can-bo": "c1-specialist"}, 400), ({"ho-so": ["x"], "can-bo": ""}, 400)],
)
def test_nothing_selected_or_nobody_chosen(
    client, c1_staff, applicant_user, version, desk, data, status
):
    d = in_process(c1_staff, applicant_user, version, desk)
    before = snapshot(d)
    mfa_login(client, c1_staff.unit_leader)
    response = client.post(POST, data)
    assert response.status_code == status
    assert 'role="alert"' in response.content.decode()
    assert snapshot(d) == before


def test_only_post(client, c1_staff):
    mfa_login(client, c1_staff.unit_leader)
    assert client.get(POST).status_code == 405


def test_a_dossier_not_yet_received_cannot_be_slipped_in(
    client, c1_staff, applicant_user, version, desk
):
    ready = in_process(c1_staff, applicant_user, version, desk)
    waiting = submitted(applicant_user, version, desk)  # no step yet
    mfa_login(client, c1_staff.unit_leader)
    response = client.post(
        POST, {"ho-so": [ready.code, waiting.code], "can-bo": c1_staff.specialist.username}
    )
    assert response.status_code == 409
    ready.refresh_from_db()
    assert ready.current_step.assignee_id is None


def test_the_cost_grows_by_a_fixed_amount_per_dossier(
    client, c1_staff, applicant_user, version, desk
):
    mfa_login(client, c1_staff.unit_leader)

    def cost(n: int) -> int:
        batch = [in_process(c1_staff, applicant_user, version, desk) for _ in range(n)]
        with CaptureQueriesContext(connection) as queries:
            assert post(client, batch, c1_staff.specialist).status_code == 302
        return len(queries.captured_queries)

    cost(1)  # warm the per-process caches
    one, two, four = cost(1), cost(2), cost(4)
    per_dossier = two - one
    assert four - two == 2 * per_dossier
    assert per_dossier <= 12, per_dossier  # the assign service's own work, nothing per page


# -- in a browser: no JavaScript, keyboard only, no accessibility violation ----------------------

browser = browser_base.browser


def _browser_test(function):
    for mark in reversed(browser_base.pytestmark):
        function = mark(function)
    return function


def _session_cookie(live_server, user) -> dict:
    from django.conf import settings as django_settings
    from django.test import Client

    signed_in = Client()
    mfa_login(signed_in, user)
    return {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": signed_in.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


@pytest.fixture
def office(live_server, settings, c1_staff, applicant_user, version, desk):
    from pathlib import Path

    from django.conf import settings as django_settings

    static_dir = Path(django_settings.BASE_DIR) / "static"
    if static_dir not in [Path(d) for d in settings.STATICFILES_DIRS]:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static_dir]
    dossiers = [in_process(c1_staff, applicant_user, version, desk) for _ in range(2)]
    return {
        "url": live_server.url,
        "cookie": _session_cookie(live_server, c1_staff.unit_leader),
        "dossiers": dossiers,
    }


@_browser_test
def test_bulk_assignment_with_the_keyboard_and_no_javascript(browser, office, c1_staff):
    context = browser.new_context(
        viewport=browser_base.PHONE, locale=browser_base.VI, java_script_enabled=False
    )
    context.add_cookies([office["cookie"]])
    page = context.new_page()
    try:
        page.goto(office["url"] + QUEUE)
        for index in (1, 2):
            page.focus(f"#pick-{index}")
            page.keyboard.press("Space")
            assert page.is_checked(f"#pick-{index}")
        page.focus("#bulk-assignee")
        page.select_option("#bulk-assignee", c1_staff.specialist.username)
        page.focus(".bulk-assign button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith(QUEUE)
    finally:
        context.close()
    for d in office["dossiers"]:
        d.refresh_from_db()
        assert d.current_step.assignee == c1_staff.specialist


@_browser_test
@pytest.mark.parametrize("viewport", [browser_base.PHONE, {"width": 1280, "height": 900}])
def test_the_bulk_form_has_no_axe_violations(browser, office, viewport):
    context = browser.new_context(viewport=viewport, locale=browser_base.VI)
    context.add_cookies([office["cookie"]])
    page = context.new_page()
    try:
        assert page.goto(office["url"] + QUEUE).status == 200
        assert page.locator("#pick-1").count() == 1
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
        results = browser_base._axe()().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
