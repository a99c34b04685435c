"""``GET /api/v1/reports/form-06`` and ``GET /api/v1/reports/index-766`` (issue 6, item 5):
the numbers of the crafted March, who may read them, the files, bad input."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from motcua.accounts.tokens import token_create
from motcua.reports.tests.crafted import crafted

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def get(client: Client, user, path: str, **params):
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token_create(user=user, name='test')}"
    return client.get(f"/api/v1/reports/{path}", params, **headers)


@pytest.mark.django_db
def test_form06_json(client, ctx):
    crafted(ctx)
    response = get(client, ctx.staff.agency_leader, "form-06", agency=ctx.tree.c1.code, **MARCH)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["from"], body["to"], body["as_of"]) == ("2026-03-01", "2026-03-31", "2026-03-31")
    assert [c["number"] for c in body["columns"]] == list(range(3, 14))
    # The hand-computed March of test_form06 (SPEC.md §7.1).
    assert body["total"] == {
        "received": 10,
        "online": 2,
        "counter": 7,
        "carried_over": 1,
        "finished": 7,
        "early": 1,
        "on_time": 3,
        "late": 3,
        "open": 3,
        "open_in_time": 2,
        "open_overdue": 1,
    }
    [group] = body["groups"]
    assert group["level"] == "commune"
    assert group["rows"][0]["sector_code"] == "HOTICH"


@pytest.mark.django_db
def test_form06_as_a_spreadsheet(client, ctx):
    crafted(ctx)
    response = get(
        client, ctx.staff.agency_leader, "form-06", agency=ctx.tree.c1.code, format="xlsx", **MARCH
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "bieu-06_" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert 10 in values  # the total received


@pytest.mark.django_db
def test_index766_json(client, ctx):
    crafted(ctx)
    response = get(client, ctx.staff.agency_leader, "index-766", agency=ctx.tree.c1.code, **MARCH)
    assert response.status_code == 200, response.content
    body = response.json()
    components = {c["code"]: c for c in body["components"]}
    assert (components["2.1"]["numerator"], components["2.1"]["denominator"]) == (4, 10)
    assert components["2.1"]["ratio"] == "40.00" or float(components["2.1"]["ratio"]) == 40.0
    assert components["1.1"]["status"] == "not_measurable" and components["1.1"]["note"]
    assert len(body["groups"]) == 6
    assert float(body["total"]) == pytest.approx(sum(float(g["points"]) for g in body["groups"]))


@pytest.mark.django_db
def test_who_may_read(client, ctx, c2_staff, applicant_user):
    crafted(ctx)
    code = ctx.tree.c1.code
    # No credentials: 401.
    assert get(client, None, "form-06", agency=code, **MARCH).status_code == 401
    # A specialist is not a leader, a citizen is nobody, another commune's leader is out of
    # scope: the agency does not exist for them.
    for user in (ctx.staff.specialist, applicant_user, c2_staff.agency_leader):
        for path in ("form-06", "index-766"):
            response = get(client, user, path, agency=code, **MARCH)
            assert response.status_code == 404, (user, path)
            assert response.json()["code"] == "agency_not_found"
    # A head of unit may read, as the agency's leader does.
    assert get(client, ctx.staff.unit_leader, "form-06", agency=code, **MARCH).status_code == 200


@pytest.mark.django_db
def test_bad_input(client, ctx):
    leader, code = ctx.staff.agency_leader, ctx.tree.c1.code
    reversed_ = get(
        client, leader, "form-06", agency=code, **{"from": "2026-03-31", "to": "2026-03-01"}
    )
    assert reversed_.status_code == 422 and reversed_.json()["code"] == "period_reversed"
    too_long = get(
        client, leader, "form-06", agency=code, **{"from": "2020-01-01", "to": "2026-03-01"}
    )
    assert too_long.json()["code"] == "period_too_long"
    future = get(
        client, leader, "index-766", agency=code, **{"from": "2099-01-01", "to": "2099-01-31"}
    )
    assert future.json()["code"] == "period_in_future"
    assert get(client, leader, "form-06", agency=code, format="doc", **MARCH).status_code == 404
    missing = get(client, leader, "form-06", agency=code, **{"from": "2026-03-01"})
    assert missing.status_code == 422
