"""The back office's permission matrix (issue 5; STYLE.md rule 18): every page and every action
of the dossier desk, for every kind of actor — anonymous, a citizen, an official of another
commune, an official in scope without the role, an official with it. A refusal changes nothing:
the dossier's state, its events and the outbox stay as they were.

Also the second factor wherever officials act (issue 5): the Django admin and the API's session
authentication, like the back office, only trust a session confirmed with a code."""

from __future__ import annotations

import time

import pytest
from django.urls import URLPattern, reverse
from django.urls.converters import IntConverter

from motcua.accounts.security import SEEN_KEY
from motcua.backoffice import urls as backoffice_urls
from motcua.backoffice.forms import FORMS
from motcua.backoffice.models import LoginEvent
from motcua.backoffice.tests.conftest import mfa_login, with_totp
from motcua.catalog.choices import Channel
from motcua.dossiers.choices import DossierState
from motcua.dossiers.queues import Queue
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import dossier_in
from motcua.notifications.models import OutboxMessage
from motcua.org.tests.factories import UserFactory

LOGIN = "/tai-khoan/login/"
PASSWORD = "Mot-cua-quan-tri-2026"


@pytest.fixture
def online(catalogue, desk, applicant_user):
    """Submitted online by the citizen at commune c1's desk: awaiting reception."""
    return svc.dossier_submit(
        actor=applicant_user, data=dossier_in(catalogue["1.004873"], desk, channel=Channel.ONLINE)
    )


@pytest.fixture
def in_process(online, c1_staff):
    """Received and handed over: its open step waits for a specialist of a unit of c1."""
    svc.dossier_receive(actor=c1_staff.reception, dossier=online)
    svc.dossier_handover(actor=c1_staff.reception, dossier=online)
    online.refresh_from_db()
    return online


def snapshot(dossier) -> tuple:
    dossier.refresh_from_db()
    return (
        dossier.state,
        dossier.event_count,
        dossier.events.count(),
        OutboxMessage.objects.count(),
    )


def sign_in(client, who: str, applicant_user, c1_staff, c2_staff, role: str) -> None:
    """``who``: anonymous, citizen (the applicant themself), other_commune (c2's official
    holding ``role``), in_scope (c1's official holding ``role``)."""
    if who == "citizen":
        client.force_login(applicant_user)
    elif who == "other_commune":
        mfa_login(client, getattr(c2_staff, role))
    elif who == "in_scope":
        mfa_login(client, getattr(c1_staff, role))


def act(client, dossier, action: str, body: dict):
    data = {f"{action}-{name}": value for name, value in body.items()}
    return client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/{action}/", data)


def offered(client, dossier, action: str) -> bool:
    page = client.get(f"/can-bo/ho-so/{dossier.code}/")
    assert page.status_code == 200
    return f'id="action-{action}"' in page.content.decode()


# -- pages ----------------------------------------------------------------------------------

# every page of the back office, found in its URL configuration; arguments: these, else a
# number or the dossier's code
SAMPLE = {"queue": Queue.UNIT.value, "action": "receive", "form": "receipt"}


@pytest.mark.parametrize("pattern", backoffice_urls.urlpatterns, ids=lambda p: p.name)
def test_every_back_office_url_is_closed_to_anonymous_visitors_and_citizens(
    client, online, applicant_user, pattern
):
    """Whatever page is added to ``backoffice.urls``, the middleware guards it: an anonymous
    visitor is sent to sign in, a citizen — even the dossier's own applicant — gets 404."""
    assert isinstance(pattern, URLPattern)
    kwargs = {
        key: SAMPLE.get(key, 1 if isinstance(converter, IntConverter) else online.code)
        for key, converter in pattern.pattern.converters.items()
    }
    path = reverse(f"backoffice:{pattern.name}", kwargs=kwargs)
    before = snapshot(online)
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    client.force_login(applicant_user)
    for method in (client.get, client.post):
        assert method(path).status_code == 404
    assert snapshot(online) == before


LISTS = ["/can-bo/"] + [f"/can-bo/hang-doi/{queue.value}/" for queue in Queue]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("who", ["anonymous", "citizen", "other_commune", "in_scope"])
def test_the_home_and_every_queue(client, online, applicant_user, c1_staff, c2_staff, path, who):
    """Lists start from the official's scope: another commune's official gets their own,
    empty, queues — never a dossier of c1."""
    sign_in(client, who, applicant_user, c1_staff, c2_staff, "reception")
    response = client.get(path)
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next={path.replace('/', '%2F')}"
        return
    if who == "citizen":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    if who == "other_commune":
        assert online.code not in response.content.decode()
        if path == "/can-bo/":
            assert all(card["count"] == 0 for card in response.context["cards"])
        else:
            assert response.context["page"].paginator.count == 0


def test_the_reception_queue_lists_the_dossier_in_scope(client, online, c1_staff):
    mfa_login(client, c1_staff.reception)
    response = client.get(f"/can-bo/hang-doi/{Queue.RECEPTION.value}/")
    assert online.code in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("citizen", 404), ("other_commune", 404), ("in_scope", 200)],
)
def test_the_dossier_desk(client, online, applicant_user, c1_staff, c2_staff, who, status):
    """Out of scope looks exactly like missing (STYLE.md rule 16)."""
    sign_in(client, who, applicant_user, c1_staff, c2_staff, "reception")
    response = client.get(f"/can-bo/ho-so/{online.code}/")
    assert response.status_code == status
    if who == "in_scope":
        assert online.code in response.content.decode()


# -- actions --------------------------------------------------------------------------------

# A valid form for every action of the desk ("{specialist}" and "{partner}" are filled in), and
# an official of c1 who lacks the role for it (dossiers.policies.RULES; hand-over belongs to
# the open step's handler, policies.require_step_actor).
ACTIONS: dict[str, tuple[dict[str, str], str]] = {
    "receive": ({}, "specialist"),
    "request_completion": ({"reason": "Thiếu giấy tờ", "items": "Bản sao CCCD"}, "specialist"),
    "refuse": ({"reason": "Không thuộc thẩm quyền"}, "specialist"),
    "assign": ({"assignee": "{specialist}"}, "reception"),
    "handover": ({"note": "Đủ hồ sơ"}, "reception"),
    "transfer": ({"to_agency": "{partner}", "hours": "8"}, "reception"),
    "transfer_back": ({"note": ""}, "reception"),
    "request_supplement": ({"reason": "Bản sao mờ", "items": "Bản sao CCCD"}, "accountant"),
    "supply": ({"note": "Nộp tại quầy"}, "specialist"),
    "request_payment": ({"amount": "50000"}, "reception"),
    "confirm_payment": ({"method": "cash"}, "specialist"),
    "extend": (
        {"new_due_date": "31/12/2026", "new_due_time": "16:30", "reason": "Cần xác minh"},
        "unit_leader",
    ),
    "request_withdrawal": ({"reason": "Công dân xin rút"}, "specialist"),
    "confirm_withdrawal": ({"note": ""}, "specialist"),
    "stop": ({"reason": "Có tranh chấp"}, "unit_leader"),
    "resolve": ({"result_kind": "approval", "result_number": "9/GXN"}, "specialist"),
    "return_result": ({"method": "counter"}, "clerk"),
}


def test_the_matrix_covers_every_action_of_the_desk():
    assert set(ACTIONS) == set(FORMS)


def _body(action: str, c1_staff, tree) -> dict[str, str]:
    fill = {"specialist": c1_staff.specialist.username, "partner": tree.p1.code}
    return {name: value.format(**fill) for name, value in ACTIONS[action][0].items()}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("who", ["anonymous", "citizen", "other_commune", "without_role"])
def test_who_may_not_take_an_action_changes_nothing(
    client, in_process, applicant_user, c1_staff, c2_staff, tree, action, who
):
    """- anonymous: sent to sign in (the middleware, before any view);
    - a citizen, even the applicant: 404, the back office does not exist for them;
    - another commune's official, even with the role: 404, the dossier is out of their scope;
    - an official of c1 without the role: the form is valid, so the service decides, and
      ``policies.require`` (or ``require_step_actor`` for a hand-over) refuses with 403 before
      it looks at the state; the desk does not offer the action to them either."""
    lacking = ACTIONS[action][1]
    before = snapshot(in_process)
    if who == "without_role":
        mfa_login(client, getattr(c1_staff, lacking))
        assert not offered(client, in_process, action)
    else:
        sign_in(client, who, applicant_user, c1_staff, c2_staff, "agency_leader")
    response = act(client, in_process, action, _body(action, c1_staff, tree))
    expected = {"anonymous": 302, "citizen": 404, "other_commune": 404, "without_role": 403}
    assert response.status_code == expected[who], response.content.decode()[:2000]
    if who == "anonymous":
        assert response["Location"].startswith(LOGIN)
    assert snapshot(in_process) == before


ALLOWED = [
    # action, the dossier, who, the state after
    ("receive", "online", "reception", DossierState.RECEIVED),
    ("refuse", "online", "reception", DossierState.REJECTED),
    ("request_completion", "online", "reception", DossierState.RETURNED_FOR_COMPLETION),
    ("assign", "in_process", "unit_leader", DossierState.IN_PROCESS),
    ("handover", "in_process", "specialist", DossierState.IN_PROCESS),
    ("request_supplement", "in_process", "specialist", DossierState.SUPPLEMENT_REQUESTED),
]


@pytest.mark.parametrize(("action", "fixture", "role", "after"), ALLOWED)
def test_an_official_with_the_role_takes_the_action(
    client, request, c1_staff, tree, action, fixture, role, after
):
    dossier = request.getfixturevalue(fixture)
    events = snapshot(dossier)[1]
    mfa_login(client, getattr(c1_staff, role))
    assert offered(client, dossier, action)
    response = act(client, dossier, action, _body(action, c1_staff, tree))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/can-bo/ho-so/{dossier.code}/"
    state, event_count, _, _ = snapshot(dossier)
    assert state == after and event_count == events + 1
    if action == "assign":
        assert dossier.current_step.assignee == c1_staff.specialist


# -- the admin (issue 5: the second factor everywhere officials act) ------------------------


@pytest.mark.parametrize(
    ("path", "back"),
    [
        ("/admin/", "/admin/"),
        ("/admin/dossiers/dossier/", "/admin/dossiers/dossier/"),
        ("/admin/login/?next=/admin/org/agency/", "/admin/org/agency/"),
        ("/admin/login/", "/admin/"),
    ],
)
def test_the_admin_sends_visitors_to_the_site_login(client, db, path, back):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={back.replace('/', '%2F')}"


def test_the_admins_own_login_form_signs_nobody_in(client, db):
    """It checks a password alone, outside allauth: no second factor, no rate limit."""
    user = UserFactory(username="quantri", is_superuser=True, is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "quantri", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    assert not LoginEvent.objects.exists()


@pytest.fixture(params=["superuser", "staff_flag", "official_with_staff_flag"])
def admin_user_kind(request, tree):
    if request.param == "superuser":
        return UserFactory(username="root", is_superuser=True, is_staff=True)
    if request.param == "staff_flag":
        return UserFactory(username="nhan-vien", is_staff=True)
    from motcua.org.choices import Role
    from motcua.org.tests.factories import official

    user = official("qt-c1", home=tree.c1, role=Role.ADMINISTRATOR).user
    user.is_staff = True
    user.save()
    return user


def test_the_admin_needs_a_second_factor(client, admin_user_kind):
    user = admin_user_kind
    client.force_login(user)  # no authenticator yet
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/2fa/totp/activate/")
    with_totp(user)
    client.force_login(user)  # as after a password only
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    mfa_login(client, user)
    assert client.get("/admin/").status_code == 200


def test_an_idle_admin_session_ends(client, db, settings):
    settings.MOTCUA_STAFF_IDLE_MINUTES = 30
    user = UserFactory(username="root", is_superuser=True, is_staff=True)
    mfa_login(client, user)
    assert client.get("/admin/").status_code == 200
    session = client.session
    session[SEEN_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert LoginEvent.objects.filter(kind=LoginEvent.Kind.TIMEOUT, user=user).exists()


def test_a_citizen_meets_djangos_own_refusal_in_the_admin(client, applicant_user):
    """Nothing more than before: sent to the admin's login page, which says this account may
    not enter; no word of second factors; their session stays theirs."""
    client.force_login(applicant_user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/login/?next=/admin/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert not list(page.context["messages"])
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    root.set_password(PASSWORD)
    root.save()
    client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(applicant_user.pk)


# -- the API's session (issue 5) ------------------------------------------------------------


def api_act(client, dossier, action: str, body: str = "{}"):
    return client.post(
        f"/api/v1/dossiers/{dossier.code}/actions/{action}", body, content_type="application/json"
    )


@pytest.mark.parametrize("session", ["no_authenticator", "password_only", "idle"])
def test_an_officials_session_without_the_code_cannot_act_through_the_api(
    client, online, c1_staff, settings, session
):
    """Answered as if there were no session at all: 401, and nothing changes."""
    user = c1_staff.reception
    if session == "no_authenticator":
        client.force_login(user)
    elif session == "password_only":
        with_totp(user)
        client.force_login(user)
    else:
        settings.MOTCUA_STAFF_IDLE_MINUTES = 30
        mfa_login(client, user)
        stored = client.session
        stored[SEEN_KEY] = time.time() - 31 * 60
        stored.save()
    before = snapshot(online)
    response = api_act(client, online, "receive")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert client.get(f"/api/v1/dossiers/{online.code}").status_code == 401
    assert snapshot(online) == before


def test_an_officials_session_with_the_code_acts_through_the_api(client, online, c1_staff):
    mfa_login(client, c1_staff.reception)
    response = api_act(client, online, "receive")
    assert response.status_code == 200, response.content
    assert snapshot(online)[0] == DossierState.RECEIVED
    assert SEEN_KEY in client.session  # API requests count as activity


def test_a_citizens_session_still_works_in_the_api(client, online, applicant_user):
    client.force_login(applicant_user)
    assert client.get(f"/api/v1/dossiers/{online.code}").status_code == 200
    response = api_act(client, online, "request_withdrawal", '{"reason": "Không cần nữa"}')
    assert response.status_code == 200, response.content
    assert snapshot(online)[0] == DossierState.WITHDRAWAL_REQUESTED


def test_bearer_tokens_are_machine_credentials_and_unaffected(client, online, c1_staff):
    """Issued by an administrator on the command line (``motcua token create``), for a
    system rather than a browser: no second factor is asked of them (docs/backoffice.md)."""
    from motcua.accounts.tokens import token_create

    token = token_create(user=c1_staff.reception, name="test")
    response = client.post(
        f"/api/v1/dossiers/{online.code}/actions/receive",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
