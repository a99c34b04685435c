"""API v1: agencies, procedures, calendar; errors are JSON with a code and a message."""

import json
from pathlib import Path

import pytest

from motcua.catalog.services.transfer import import_catalog
from motcua.catalog.tests.documents import sample_document
from motcua.config.api import api

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[4]


@pytest.fixture
def catalog(tree):
    import_catalog(sample_document())
    return tree


def test_health(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_agency_list_filters_and_counts(client, tree):
    body = client.get("/api/v1/agencies", {"kind": "province"}).json()
    assert body["count"] == 2
    assert {a["code"] for a in body["items"]} == {"38", "01"}
    body = client.get("/api/v1/agencies", {"kind": "commune", "parent": "38"}).json()
    assert [a["code"] for a in body["items"]] == ["14797", "14800"]
    assert body["items"][0]["parent"] == "38"
    body = client.get("/api/v1/agencies", {"q": "hac thanh"}).json()
    assert {a["code"] for a in body["items"]} >= {"14797"}
    body = client.get("/api/v1/agencies", {"limit": 3, "offset": 0}).json()
    assert len(body["items"]) == 3 and body["count"] > 3


def test_agency_list_query_count_does_not_grow(client, tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get("/api/v1/agencies", {"limit": 100})


def test_agency_detail_and_404(client, tree):
    body = client.get("/api/v1/agencies/38").json()
    assert body["code_dvcqg"] == "H56"
    assert body["ancestors"] == ["38"]
    missing = client.get("/api/v1/agencies/99999")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert "99999" in missing.json()["message"]


def test_unknown_kind_is_422(client, tree):
    response = client.get("/api/v1/agencies", {"kind": "district"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_procedure_search(client, catalog):
    body = client.get("/api/v1/procedures", {"q": "chung thuc"}).json()
    assert body["count"] == 1
    assert body["items"][0]["code"] == "2.000815"
    body = client.get("/api/v1/procedures", {"level": "province"}).json()
    assert [p["code"] for p in body["items"]] == ["2.001417"]
    assert client.get("/api/v1/procedures", {"online": "level4"}).status_code == 422


def test_procedure_detail(client, catalog):
    body = client.get("/api/v1/procedures/2.000815").json()
    assert body["fees"][0]["formula"]["cap"] == 200000
    assert body["variants"][0]["time"] == {"amount": "1.00", "unit": "same_day"}
    assert len(body["variants"][0]["steps"]) == 4
    missing = client.get("/api/v1/procedures/9.999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def _due(client, **params):
    return client.get("/api/v1/calendar/due", params)


def test_due_three_working_days_from_friday_1530(client, tree):
    # SPEC.md §3.4: Friday 13/11/2026 15:30 + 3 working days → Wednesday 18/11/2026 15:30.
    response = _due(client, start="2026-11-13T15:30:00+07:00", amount="3", unit="working_days")
    assert response.status_code == 200
    assert response.json()["due"] == "2026-11-18T15:30:00+07:00"


def test_due_same_day_rule_and_utc_input(client, tree):
    # 15:30 in Vietnam is 08:30 UTC: after 15:00 → the next working day's end (SPEC.md §0).
    response = _due(client, start="2026-11-19T08:30:00Z", amount="1", unit="same_day")
    assert response.json()["due"] == "2026-11-20T17:00:00+07:00"


def test_due_accepts_an_unencoded_plus(client, tree):
    # "+07:00" typed in a URL arrives as " 07:00".
    response = _due(client, start="2026-11-13T15:30:00 07:00", amount="3", unit="working_days")
    assert response.json()["due"] == "2026-11-18T15:30:00+07:00"


def test_due_with_agency(client, tree):
    response = _due(
        client, start="2026-11-13T15:30:00+07:00", amount=1, unit="working_days", agency="14797"
    )
    assert response.json()["agency"] == "14797"
    assert (
        _due(
            client, start="2026-11-13T15:30:00+07:00", amount=1, unit="working_days", agency="nope"
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "13/11/2026", "amount": "3", "unit": "working_days"}, "invalid_start"),
        ({"start": "2026-11-13T15:30:00", "amount": "3", "unit": "working_days"}, "invalid_start"),
        (
            {"start": "2026-13-45T15:30:00+07:00", "amount": "3", "unit": "working_days"},
            "invalid_start",
        ),
        (
            {"start": "2026-11-13T15:30:00+07:00", "amount": "ba", "unit": "working_days"},
            "invalid_amount",
        ),
        (
            {"start": "2026-11-13T15:30:00+07:00", "amount": "-1", "unit": "working_days"},
            "invalid_amount",
        ),
        (
            {"start": "2026-11-13T15:30:00+07:00", "amount": "NaN", "unit": "working_days"},
            "invalid_amount",
        ),
        (
            {"start": "2026-11-13T15:30:00+07:00", "amount": "1e9", "unit": "working_days"},
            "invalid_amount",
        ),
        (
            {"start": "2026-11-13T15:30:00+07:00", "amount": "1.5", "unit": "calendar_days"},
            "invalid_amount",
        ),
        (
            {"start": "2026-11-13T15:30:00+07:00", "amount": "3", "unit": "fortnights"},
            "invalid_unit",
        ),
        ({"amount": "3", "unit": "working_days"}, "invalid"),
    ],
)
def test_due_bad_input_is_422_with_a_clear_message(client, tree, params, code):
    response = _due(client, **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code
    assert body["message"]


def test_error_messages_follow_the_language(client, tree):
    params = {"start": "x", "amount": "3", "unit": "working_days"}
    vi = client.get("/api/v1/calendar/due", params, HTTP_ACCEPT_LANGUAGE="vi").json()["message"]
    en = client.get("/api/v1/calendar/due", params, HTTP_ACCEPT_LANGUAGE="en").json()["message"]
    assert en.startswith("“start” must be")
    assert vi != en


def test_openapi_is_served_and_committed(client):
    served = client.get("/api/v1/openapi.json").json()
    assert served["info"]["title"] == "motcua API"
    committed = json.loads((REPO / "docs" / "api" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"))), (
        "docs/api/openapi.json is stale: run `motcua manage export_openapi`"
    )
