"""Public tracking without sign-in: ``GET /api/v1/public/dossiers/{code}?phone_last4=NNNN``.

The code and the last four digits of the applicant's phone are both needed; a wrong phone looks
exactly like an unknown code; no personal data is shown; lookups are rate-limited per client
(STYLE.md rule 16: citizen-facing lookups use unguessable codes)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from motcua.core import ratelimit
from motcua.dossiers.selectors import public_dossier_lookup
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import applicant, dossier_in

URL = "/api/v1/public/dossiers/{code}"
PERSONAL_KEYS = {
    "applicant",
    "applicant_name",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "applicant_id_number",
    "phone",
    "email",
    "address",
    "id_number",
    "actor",
    "actor_name",
    "reason",
    "assignee",
    "representative_name",
    "recipient",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dossier(catalogue, tree, c1_staff):
    """Received at the c1 desk, handed over once; applicant phone 0912345678."""
    d = svc.dossier_intake(
        actor=c1_staff.reception, data=dossier_in(catalogue["1.004873"], tree.c1_units["pvhcc"])
    )
    return svc.dossier_handover(actor=c1_staff.reception, dossier=d, note="Chuyển thẩm định")


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_the_right_phone_shows_the_status_and_no_personal_data(client, dossier):
    response = client.get(URL.format(code=dossier.code), {"phone_last4": "5678"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["code"] == dossier.code
    assert data["state"] == "in_process"
    assert data["dvcqg_status"] == 4
    assert data["procedure"] == "Cấp Giấy xác nhận tình trạng hôn nhân"
    assert data["receiving_agency"] == "Trung tâm Phục vụ hành chính công"
    assert data["due_at"].endswith("+07:00")
    assert [s["name"] for s in data["steps"]] == ["Tiếp nhận", "Thẩm định"]
    assert data["steps"][0]["finished_at"] is not None
    assert [c["action"] for c in data["changes"]] == ["intake", "handover"]
    assert _keys(data) & PERSONAL_KEYS == set()
    text = response.content.decode()
    for secret in ("Nguyễn Văn An", "0912345678", "038090001234", "Lê Lợi", "an@example.vn"):
        assert secret not in text
    assert "c1-reception" not in text  # no actor
    assert "Chuyển thẩm định" not in text  # no note or reason
    assert response["Cache-Control"] == "private, no-store"


def test_the_state_label_follows_the_language(client, dossier):
    params = {"phone_last4": "5678"}
    en = client.get(URL.format(code=dossier.code), params, HTTP_ACCEPT_LANGUAGE="en").json()
    assert en["state_label"] == "In process"
    assert en["changes"][0]["label"] == "Recorded at the counter"


def test_a_wrong_phone_looks_exactly_like_an_unknown_code(client, dossier):
    wrong = client.get(URL.format(code=dossier.code), {"phone_last4": "0000"})
    unknown = client.get(URL.format(code=dossier.code + "9"), {"phone_last4": "5678"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.content == unknown.content
    assert wrong.json()["code"] == "dossier_not_found"


def test_a_dossier_without_a_phone_cannot_be_looked_up(catalogue, tree, c1_staff):
    data = dossier_in(catalogue["1.004873"], tree.c1_units["pvhcc"])
    data.applicant = applicant(phone="")
    d = svc.dossier_intake(actor=c1_staff.reception, data=data)
    assert public_dossier_lookup(d.code, "0000") is None
    assert public_dossier_lookup(d.code, "----") is None
    assert public_dossier_lookup("", "5678") is None


@pytest.mark.parametrize("value", ["567", "56789", "12a4", "", "５６７８"])
def test_a_malformed_phone_is_422(client, dossier, value):
    response = client.get(URL.format(code=dossier.code), {"phone_last4": value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "phone_last4"


def test_the_phone_is_required(client, dossier):
    assert client.get(URL.format(code=dossier.code)).status_code == 422


def test_lookups_are_rate_limited_per_client(client, dossier, settings):
    settings.MOTCUA_PUBLIC_LOOKUP_RATE = "3/d"
    url = URL.format(code=dossier.code)
    for _ in range(3):
        assert client.get(url, {"phone_last4": "5678"}).status_code == 200
    response = client.get(url, {"phone_last4": "5678"})
    assert response.status_code == 429
    data = response.json()
    assert data["code"] == "rate_limited"
    assert data["message"]
    assert data["retry_after"] > 0
    assert response["Retry-After"] == str(data["retry_after"])
    english = client.get(url, {"phone_last4": "5678"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["message"].startswith("Too many requests")
    # Another client is not affected.
    other = client.get(url, {"phone_last4": "5678"}, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200


def test_failed_lookups_have_a_tighter_limit(client, dossier, settings):
    """Four digits are only 10 000 guesses: after a few misses even the right phone waits."""
    settings.MOTCUA_PUBLIC_LOOKUP_RATE = "100/d"
    settings.MOTCUA_PUBLIC_LOOKUP_FAIL_RATE = "2/d"
    url = URL.format(code=dossier.code)
    assert client.get(url, {"phone_last4": "0001"}).status_code == 404
    assert client.get(url, {"phone_last4": "0002"}).status_code == 404
    assert client.get(url, {"phone_last4": "5678"}).status_code == 429
    assert client.get(url, {"phone_last4": "0003"}).status_code == 429


def test_forwarded_for_is_honoured_only_from_a_trusted_proxy(settings):
    factory = RequestFactory()
    forwarded = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "198.51.100.7, 10.0.0.9"}
    settings.MOTCUA_TRUSTED_PROXIES = []
    assert ratelimit.client_ip(factory.get("/", **forwarded)) == "10.0.0.5"
    settings.MOTCUA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert ratelimit.client_ip(factory.get("/", **forwarded)) == "198.51.100.7"
    spoofed = {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert ratelimit.client_ip(factory.get("/", **spoofed)) == "192.0.2.1"


def test_the_proxy_rule_applies_to_the_lookup(client, dossier, settings):
    settings.MOTCUA_PUBLIC_LOOKUP_RATE = "1/d"
    settings.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1"]
    url = URL.format(code=dossier.code)
    params = {"phone_last4": "5678"}
    assert client.get(url, params, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert client.get(url, params, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
    assert client.get(url, params, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


@pytest.mark.parametrize(
    ("text", "limit", "seconds"),
    [
        ("30/m", 30, 60),
        ("10/min", 10, 60),
        ("100/h", 100, 3600),
        ("5/10s", 5, 10),
        ("1/d", 1, 86400),
    ],
)
def test_rates_are_parsed(text, limit, seconds):
    assert ratelimit.parse_rate(text) == ratelimit.Rate(limit, seconds)


@pytest.mark.parametrize("text", ["", "30", "x/m", "30/w", "3/0s"])
def test_bad_rates_are_refused(text):
    with pytest.raises(ValueError, match="invalid rate"):
        ratelimit.parse_rate(text)


def test_the_window_resets():
    rate = ratelimit.Rate(limit=2, seconds=60)
    assert ratelimit.hit("k", rate, now=120.0).allowed
    assert ratelimit.hit("k", rate, now=150.0).allowed
    blocked = ratelimit.hit("k", rate, now=179.5)
    assert not blocked.allowed
    assert blocked.retry_after == 1
    assert not ratelimit.peek("k", rate, now=179.9).allowed
    assert ratelimit.hit("k", rate, now=180.0).allowed
