"""The dossier API over HTTP: who may see and do what (STYLE.md rule 18), every transition
through ``/actions/{action}``, validation in the caller's language, forms, and list query counts.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from motcua.accounts.tests.mfa import mfa_login
from motcua.accounts.tokens import token_create
from motcua.dossiers.choices import Action, DossierState
from motcua.dossiers.models import Dossier
from motcua.dossiers.schemas import ACTION_INPUTS, ActionName
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import citizen, dossier_in
from motcua.dossiers.transitions import TRANSITIONS
from motcua.notifications.models import OutboxMessage

PDF = b"%PDF-1.4\n% test\n"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


class Api:
    """A test client that speaks JSON and carries one bearer token per user."""

    def __init__(self, client: Client):
        self.client = client
        self._tokens: dict[int, str] = {}

    def headers(self, user, **extra) -> dict:
        if user is None:
            return extra
        if user.pk not in self._tokens:
            self._tokens[user.pk] = token_create(user=user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {self._tokens[user.pk]}", **extra}

    def get(self, path: str, user=None, data=None, **extra):
        return self.client.get(f"/api/v1{path}", data or {}, **self.headers(user, **extra))

    def post(self, path: str, user=None, body=None, **extra):
        raw = body if isinstance(body, (str, bytes)) else json.dumps(body or {})
        return self.client.post(
            f"/api/v1{path}", raw, content_type="application/json", **self.headers(user, **extra)
        )

    def act(self, code: str, action: str, user, body=None, **extra):
        return self.post(f"/dossiers/{code}/actions/{action}", user, body, **extra)


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.fixture
def desk(tree):
    """The one-stop desk of commune c1, where c1's dossiers are received."""
    return tree.c1_units["pvhcc"]


@pytest.fixture
def received(catalogue, desk, c1_staff) -> Dossier:
    """A dossier recorded and received at the c1 desk (no citizen account)."""
    return svc.dossier_intake(
        actor=c1_staff.reception, data=dossier_in(catalogue["1.004873"], desk)
    )


@pytest.fixture
def submitted(catalogue, desk, applicant_user) -> Dossier:
    """A dossier submitted online by ``applicant_user``, waiting for the desk."""
    from motcua.catalog.choices import Channel

    return svc.dossier_submit(
        actor=applicant_user,
        data=dossier_in(catalogue["1.004873"], desk, channel=Channel.ONLINE),
    )


def _create_body(version, agency_code: str, **extra) -> dict:
    body = {
        "procedure": version.procedure.code,
        "receiving_agency": agency_code,
        "applicant": {
            "name": "Nguyễn Văn An",
            "id_number": "038090001234",
            "phone": "0912 345 678",
            "email": "an@example.vn",
            "address": "Số 5 đường Lê Lợi",
        },
        "summary": "Xin cấp giấy xác nhận tình trạng hôn nhân",
        "components": [
            {"component_id": c.pk, "is_original": True}
            for c in version.components.filter(mandatory=True)
        ],
    }
    body.update(extra)
    return body


def _snapshot(dossier: Dossier) -> tuple:
    dossier.refresh_from_db()
    return dossier.state, dossier.event_count, OutboxMessage.objects.count()


# -- the action vocabulary ------------------------------------------------------------------


def test_every_transition_has_a_route_and_an_input_schema():
    routed = {a.value for a in ActionName}
    assert routed == {a.value for a in TRANSITIONS if a != Action.SUBMIT}
    assert set(ACTION_INPUTS) == routed


# -- permission matrix (STYLE.md rule 18) ---------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("get", "/events"), ("post", "/actions/receive")],
)
def test_anonymous_gets_401(api, submitted, method, suffix):
    before = _snapshot(submitted)
    response = getattr(api, method)(f"/dossiers/{submitted.code}{suffix}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert _snapshot(submitted) == before


def test_anonymous_list_and_create_get_401(api, catalogue, desk):
    assert api.get("/dossiers").status_code == 401
    body = _create_body(catalogue["1.004873"], desk.code)
    assert api.post("/dossiers", None, body).status_code == 401
    assert Dossier.objects.count() == 0


def test_a_wrong_token_is_401(api, submitted):
    response = api.client.get(
        f"/api/v1/dossiers/{submitted.code}", HTTP_AUTHORIZATION="Bearer mc_00000000_nope"
    )
    assert response.status_code == 401


def test_the_owner_sees_their_dossier(api, submitted, applicant_user):
    listed = api.get("/dossiers", applicant_user).json()
    assert [d["code"] for d in listed["items"]] == [submitted.code]
    assert listed["count"] == 1
    detail = api.get(f"/dossiers/{submitted.code}", applicant_user).json()
    assert detail["state"] == "submitted"
    assert detail["applicant"]["phone"] == "0912345678"
    # The applicant may withdraw; receiving is for the desk.
    assert "request_withdrawal" in detail["actions"]
    assert "receive" not in detail["actions"]
    events = api.get(f"/dossiers/{submitted.code}/events", applicant_user).json()
    assert [e["action"] for e in events] == ["submit"]


@pytest.mark.parametrize("who", ["other_citizen", "c2_official"])
def test_outsiders_get_the_same_404_as_for_an_unknown_code(api, submitted, c2_staff, who):
    user = citizen("binh") if who == "other_citizen" else c2_staff.reception
    before = _snapshot(submitted)
    unknown = api.get("/dossiers/NO-SUCH-CODE", user)
    assert unknown.status_code == 404
    for response in (
        api.get(f"/dossiers/{submitted.code}", user),
        api.get(f"/dossiers/{submitted.code}/events", user),
        api.act(submitted.code, "receive", user),
        api.act(submitted.code, "refuse", user, {"reason": "Không thuộc thẩm quyền"}),
    ):
        assert response.status_code == 404
        assert response.content == unknown.content
    assert api.get("/dossiers", user).json() == {"items": [], "count": 0}
    assert _snapshot(submitted) == before


def test_an_official_in_scope_without_the_role_gets_403_and_nothing_changes(
    api, submitted, c1_staff
):
    before = _snapshot(submitted)
    # The accountant of c1 sees the dossier but may not refuse it (SPEC.md §1.2).
    assert api.get(f"/dossiers/{submitted.code}", c1_staff.accountant).status_code == 200
    response = api.act(submitted.code, "refuse", c1_staff.accountant, {"reason": "Thiếu giấy tờ"})
    assert response.status_code == 403
    assert response.json()["code"] == "action_forbidden"
    response = api.act(submitted.code, "receive", c1_staff.accountant)
    assert response.status_code == 403
    assert _snapshot(submitted) == before


def test_an_official_in_scope_with_the_role_acts(api, submitted, c1_staff):
    before_outbox = OutboxMessage.objects.count()
    detail = api.get(f"/dossiers/{submitted.code}", c1_staff.reception).json()
    assert {"receive", "request_completion", "refuse"} <= set(detail["actions"])
    response = api.act(submitted.code, "receive", c1_staff.reception)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "received"
    assert body["dvcqg_status"] == 2
    assert body["due_at"] is not None and body["due_at"].endswith("+07:00")
    submitted.refresh_from_db()
    assert submitted.event_count == 2
    assert OutboxMessage.objects.count() > before_outbox


def test_a_wrong_state_is_409(api, received, c1_staff):
    response = api.act(received.code, "receive", c1_staff.reception)
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"


# -- creating dossiers ----------------------------------------------------------------------


def test_reception_records_a_counter_intake(api, catalogue, desk, c1_staff):
    version = catalogue["1.004873"]
    response = api.post("/dossiers", c1_staff.reception, _create_body(version, desk.code))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "received"
    assert body["channel"] == 1
    assert body["procedure"] == {"code": "1.004873", "name": version.name}
    assert body["receiving_agency"]["code"] == desk.code
    assert [s["order"] for s in body["steps"]] == [1]
    assert body["forms"][:1] == ["receipt"]
    dossier = Dossier.objects.get(code=body["code"])
    assert dossier.owner is None
    assert dossier.applicant_phone == "0912345678"


def test_intake_without_receiving_waits_for_the_desk(api, catalogue, desk, c1_staff):
    body = _create_body(catalogue["1.004873"], desk.code, receive=False)
    response = api.post("/dossiers", c1_staff.reception, body)
    assert response.status_code == 201
    assert response.json()["state"] == "submitted"


def test_a_citizen_submits_online_with_a_file(api, catalogue, desk, applicant_user):
    version = catalogue["1.004873"]
    body = _create_body(version, desk.code, channel=1)
    body["components"].append(
        {
            "name": "Ảnh chụp căn cước",
            "file_name": "cccd.pdf",
            "content_base64": base64.b64encode(PDF).decode(),
        }
    )
    response = api.post("/dossiers", applicant_user, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "submitted"
    assert data["channel"] == 2  # a citizen submits online whatever was asked
    assert data["components"][-1]["sha256"] is not None
    assert Dossier.objects.get(code=data["code"]).owner == applicant_user


def test_a_citizens_uploads_through_the_api_count_against_the_allowance(
    api, catalogue, desk, applicant_user, settings
):
    settings.MOTCUA_UPLOAD_RATE = "1/h"
    body = _create_body(catalogue["1.004873"], desk.code, channel=2)
    body["components"].append(
        {"name": "Ảnh", "file_name": "a.pdf", "content_base64": base64.b64encode(PDF).decode()}
    )
    assert api.post("/dossiers", applicant_user, body).status_code == 201
    refused = api.post("/dossiers", applicant_user, body)
    assert refused.status_code == 429
    assert refused.json()["code"] == "upload_rate"
    assert Dossier.objects.count() == 1


def test_an_official_of_another_commune_submits_as_an_applicant(api, catalogue, desk, c2_staff):
    # Not a reception officer at c1's desk: the dossier is filed like a citizen's.
    body = _create_body(catalogue["1.004873"], desk.code)
    response = api.post("/dossiers", c2_staff.reception, body)
    assert response.status_code == 201
    assert response.json()["state"] == "submitted"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"procedure": "9.999999"}, "procedure_unknown"),
        ({"variant": "no-such-case"}, "variant_mismatch"),
        ({"receiving_agency": "NOPE"}, "agency_unknown"),
        ({"components": [{"component_id": 999999}]}, "component_unknown"),
        ({"components": []}, "component_missing"),
    ],
)
def test_create_refuses_bad_references(api, catalogue, desk, c1_staff, change, code):
    body = _create_body(catalogue["1.004873"], desk.code, **change)
    response = api.post("/dossiers", c1_staff.reception, body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == code
    assert Dossier.objects.count() == 0


def test_create_refuses_a_procedure_not_offered_online(api, catalogue, desk, applicant_user):
    body = _create_body(catalogue["2.000815"], desk.code)
    response = api.post("/dossiers", applicant_user, body)
    assert response.status_code == 422
    assert response.json()["code"] == "channel_not_offered"


def test_create_with_a_body_of_the_wrong_shape_lists_the_fields(api, catalogue, c1_staff):
    body = {"procedure": "1.004873", "applicant": {"phone": "0912345678"}, "colour": "blue"}
    response = api.post("/dossiers", c1_staff.reception, body)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"payload.receiving_agency", "payload.applicant.name", "payload.colour"} <= fields


# -- validation in the caller's language ----------------------------------------------------


def test_a_bad_action_body_is_422_in_vietnamese_by_default(api, submitted, c1_staff):
    before = _snapshot(submitted)
    response = api.act(submitted.code, "refuse", c1_staff.reception, {"reasons": "x"})
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "invalid"
    assert data["message"] == "Thiếu hoặc sai tham số: reason, reasons."
    assert {e["field"] for e in data["errors"]} == {"reason", "reasons"}
    assert _snapshot(submitted) == before


def test_a_bad_action_body_is_422_in_english_when_asked(api, received, c1_staff):
    response = api.act(
        received.code,
        "extend",
        c1_staff.agency_leader,
        {"new_due": "not a date"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert response.json()["message"] == (
        "Some parameters are missing or invalid: new_due, reason."
    )


def test_a_body_that_is_not_json_is_422(api, submitted, c1_staff):
    response = api.act(submitted.code, "refuse", c1_staff.reception, "{not json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["problem"] == "the body is not valid JSON"


def test_an_unknown_action_is_422(api, submitted, c1_staff):
    response = api.act(submitted.code, "approve_everything", c1_staff.reception)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "action"


def test_a_rule_of_the_service_is_reported_in_the_callers_language(api, submitted, c1_staff):
    vi = api.act(submitted.code, "refuse", c1_staff.reception, {"reason": "  "})
    en = api.act(
        submitted.code, "refuse", c1_staff.reception, {"reason": "  "}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert vi.status_code == en.status_code == 422
    assert vi.json()["code"] == en.json()["code"] == "required"
    assert en.json()["message"] == "The reason for refusal is required."


# -- every action through HTTP --------------------------------------------------------------


def test_full_path_intake_handover_resolve_return(api, catalogue, desk, c1_staff):
    """Counter intake → three hand-overs along the 4-step process → result → returned."""
    created = api.post(
        "/dossiers", c1_staff.reception, _create_body(catalogue["1.004873"], desk.code)
    )
    code = created.json()["code"]
    for who, next_step in (
        (c1_staff.reception, 2),
        (c1_staff.specialist, 3),
        (c1_staff.agency_leader, 4),
    ):
        response = api.act(code, "handover", who, {"note": "Đã xử lý"})
        assert response.status_code == 200, response.content
        assert response.json()["current_step"] == next_step
    detail = api.get(f"/dossiers/{code}", c1_staff.clerk).json()
    assert "resolve" in detail["actions"]
    response = api.act(
        code,
        "resolve",
        c1_staff.clerk,
        {"result_kind": "approval", "result_number": "123/GXN", "signer": "Lê Văn Cường"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "resolved"
    assert response.json()["result"]["number"] == "123/GXN"
    response = api.act(
        code, "return_result", c1_staff.reception, {"method": "counter", "recipient": "An"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "returned"
    assert body["dvcqg_status"] == 10
    assert body["returned_at"] is not None
    assert body["actions"] == ["rate"]  # the desk may enter a rating given on paper (SPEC.md §6)
    events = api.get(f"/dossiers/{code}/events", c1_staff.reception).json()
    assert [e["action"] for e in events] == [
        "intake",
        "handover",
        "handover",
        "handover",
        "resolve",
        "return_result",
    ]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5, 6]
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(events))
    with translation.override("vi"):
        assert events[-1]["action_label"] == str(Action.RETURN_RESULT.label)


def test_the_electronic_result_is_uploaded_with_resolve_and_downloaded(
    api, submitted, c1_staff, c2_staff, applicant_user
):
    """Officials over the dossier download it once resolved; the applicant only once returned
    online; everyone else gets the 404 of an unknown dossier."""
    code = submitted.code
    svc.dossier_receive(actor=c1_staff.reception, dossier=submitted)
    svc.dossier_handover(actor=c1_staff.reception, dossier=submitted)
    result = b"%PDF-1.7\n% ket qua\n%%EOF\n"
    body = {
        "result_number": "7/GCN",
        "result_file_name": "ket-qua.pdf",
        "result_content_base64": base64.b64encode(result).decode(),
    }
    response = api.act(code, "resolve", c1_staff.clerk, body)
    assert response.status_code == 200, response.content
    assert response.json()["result"]["file_name"] == "ket-qua.pdf"
    assert response.json()["result"]["file_sha256"] is not None
    download = api.get(f"/dossiers/{code}/result.pdf", c1_staff.reception)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == result
    assert download["Content-Disposition"].startswith("attachment;")
    assert api.get(f"/dossiers/{code}/result.pdf", applicant_user).status_code == 404
    assert api.get(f"/dossiers/{code}/result.pdf", c2_staff.reception).status_code == 404
    returned = api.act(code, "return_result", c1_staff.reception, {"method": "online"})
    assert returned.status_code == 200, returned.content
    assert api.get(f"/dossiers/{code}/result.pdf", applicant_user).status_code == 200


def test_a_result_that_is_not_a_pdf_is_422_and_changes_nothing(api, received, c1_staff):
    svc.dossier_handover(actor=c1_staff.reception, dossier=received)
    before = Dossier.objects.get(pk=received.pk).event_count
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + b"0" * 20).decode()
    response = api.act(received.code, "resolve", c1_staff.clerk, {"result_content_base64": jpeg})
    assert response.status_code == 422
    assert response.json()["code"] == "result_file_type"
    assert Dossier.objects.get(pk=received.pk).event_count == before


def test_assign_the_current_step(api, received, c1_staff):
    api.act(received.code, "handover", c1_staff.reception)
    response = api.act(
        received.code, "assign", c1_staff.unit_leader, {"assignee": c1_staff.specialist.username}
    )
    assert response.status_code == 200, response.content
    step = response.json()["steps"][-1]
    assert step["assignee"] == c1_staff.specialist.username
    response = api.act(received.code, "assign", c1_staff.unit_leader, {"assignee": "nobody"})
    assert response.status_code == 422
    assert response.json()["code"] == "assignee_not_eligible"


def test_completion_before_reception_then_resubmit_then_receive(
    api, submitted, applicant_user, c1_staff
):
    response = api.act(
        submitted.code,
        "request_completion",
        c1_staff.reception,
        {"reason": "Thiếu giấy tờ", "items": ["Bản sao căn cước"]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "returned_for_completion"
    assert response.json()["supplements"][0]["items"] == ["Bản sao căn cước"]
    response = api.act(
        submitted.code,
        "resubmit",
        applicant_user,
        {
            "components": [
                {
                    "name": "Bản sao căn cước",
                    "file_name": "cccd.pdf",
                    "content_base64": base64.b64encode(PDF).decode(),
                }
            ],
            "note": "Đã bổ sung",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
    assert response.json()["components"][-1]["by_supplement"] is True
    response = api.act(submitted.code, "receive", c1_staff.reception)
    assert response.json()["state"] == "received"


def test_refuse(api, submitted, c1_staff):
    response = api.act(
        submitted.code, "refuse", c1_staff.reception, {"reason": "Không thuộc thẩm quyền"}
    )
    assert response.status_code == 200
    assert response.json()["state"] == "rejected"
    assert "refusal" in response.json()["forms"]


def test_supplement_and_supply(api, received, c1_staff):
    response = api.act(
        received.code,
        "request_supplement",
        c1_staff.specialist,
        {"reason": "Cần xác minh", "items": ["Giấy xác nhận cư trú"], "respond_by": "2099-01-05"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "supplement_requested"
    assert response.json()["supplements"][0]["respond_by"] == "2099-01-05"
    response = api.act(received.code, "supply", c1_staff.reception, {"note": "Đã nộp"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "in_process"


def test_payment(api, received, c1_staff):
    response = api.act(
        received.code,
        "request_payment",
        c1_staff.accountant,
        {"amount": "50000", "description": "Lệ phí"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "payment_requested"
    response = api.act(
        received.code,
        "confirm_payment",
        c1_staff.accountant,
        {"method": "bank", "receipt_number": "BL-01"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "in_process"
    assert body["flags"]["paid"] is True
    assert body["payments"][0]["receipt_number"] == "BL-01"


def test_extend(api, received, c1_staff):
    new_due = (received.due_at + dt.timedelta(days=7)).isoformat()
    response = api.act(
        received.code,
        "extend",
        c1_staff.agency_leader,
        {"new_due": new_due, "reason": "Cần xác minh thêm"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["flags"]["apology_issued"] is True
    assert body["extensions"][0]["reason"] == "Cần xác minh thêm"
    assert body["original_due_at"] != body["due_at"]
    # SPEC.md §1.4: one extension only.
    again = api.act(
        received.code, "extend", c1_staff.agency_leader, {"new_due": new_due, "reason": "Lần 2"}
    )
    assert again.status_code == 409


def test_withdrawal(api, received, c1_staff):
    response = api.act(
        received.code, "request_withdrawal", c1_staff.reception, {"reason": "Công dân xin rút"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "withdrawal_requested"
    response = api.act(received.code, "confirm_withdrawal", c1_staff.reception, {"note": "Đồng ý"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "stopped"


def test_stop(api, received, c1_staff):
    response = api.act(received.code, "stop", c1_staff.agency_leader, {"reason": "Hết căn cứ"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "stopped"


def test_transfer_and_transfer_back(api, tree, received, c1_staff, p1_staff):
    partner = tree.p1_units["tu-phap"]
    response = api.act(
        received.code,
        "transfer",
        c1_staff.specialist,
        {"to_agency": partner.code, "hours": "8", "reason": "Xác minh hộ tịch"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["handling_agency"]["code"] == partner.code
    assert body["transfers"][0]["to_agency"]["code"] == partner.code
    # The partner agency now sees it and sends it back.
    assert api.get(f"/dossiers/{received.code}", p1_staff.specialist).status_code == 200
    response = api.act(received.code, "transfer_back", p1_staff.specialist, {"note": "Đã xác minh"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["handling_agency"]["code"] == tree.c1.code
    assert body["transfers"][0]["returned_at"] is not None


def test_transfer_to_an_unknown_agency_is_422(api, received, c1_staff):
    response = api.act(
        received.code, "transfer", c1_staff.specialist, {"to_agency": "NOPE", "hours": 8}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "agency_unknown"


# -- session authentication -----------------------------------------------------------------


def test_a_session_works_and_unsafe_methods_need_the_csrf_token(submitted, c1_staff):
    browser = Client(enforce_csrf_checks=True)
    mfa_login(browser, c1_staff.reception)  # an official's session needs the second factor
    assert browser.get(f"/api/v1/dossiers/{submitted.code}").status_code == 200
    before = _snapshot(submitted)
    response = browser.post(
        f"/api/v1/dossiers/{submitted.code}/actions/receive", "{}", content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert _snapshot(submitted) == before
    browser.get("/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        f"/api/v1/dossiers/{submitted.code}/actions/receive",
        "{}",
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200, response.content


# -- list: filters, pagination, query count -------------------------------------------------


def _many(catalogue, desk, reception, n: int) -> list[Dossier]:
    return [
        svc.dossier_intake(actor=reception, data=dossier_in(catalogue["1.004873"], desk))
        for _ in range(n)
    ]


def test_list_filters_and_pagination(api, catalogue, desk, tree, c1_staff, c2_staff, submitted):
    mine = _many(catalogue, desk, c1_staff.reception, 3)
    other = svc.dossier_intake(
        actor=c2_staff.reception,
        data=dossier_in(catalogue["1.001193"], tree.c2_units["pvhcc"]),
    )
    user = c1_staff.reception

    def codes(**params):
        response = api.get("/dossiers", user, params)
        assert response.status_code == 200, response.content
        return [d["code"] for d in response.json()["items"]]

    # Newest reception first; dossiers still waiting for the desk come before them.
    assert codes() == [submitted.code, *[d.code for d in reversed(mine)]]
    assert other.code not in codes()
    assert codes(status="submitted") == [submitted.code]
    assert set(codes(status=["received", "submitted"])) == {submitted.code, *(d.code for d in mine)}
    assert codes(procedure="1.001193") == []
    assert len(codes(agency=tree.c1.code)) == 4
    assert codes(agency=tree.c2.code) == []
    assert codes(agency="NOPE") == []
    assert codes(q=mine[0].code) == [mine[0].code]
    assert codes(overdue="true") == []
    Dossier.objects.filter(pk=mine[0].pk).update(is_overdue=True)
    assert codes(overdue="true") == [mine[0].code]
    assert mine[0].code not in codes(overdue="false")
    far = (mine[0].due_at + dt.timedelta(days=1)).isoformat()
    assert len(codes(due_before=far)) == 3
    page = api.get("/dossiers", user, {"limit": 2, "offset": 1}).json()
    assert page["count"] == 4
    assert len(page["items"]) == 2
    bad = api.get("/dossiers", user, {"status": "nonsense"})
    assert bad.status_code == 422


@pytest.mark.parametrize("size", [2, 12])
def test_the_list_costs_the_same_number_of_queries_whatever_its_size(
    api, catalogue, desk, c1_staff, size, django_assert_max_num_queries
):
    _many(catalogue, desk, c1_staff.reception, size)
    api.get("/dossiers", c1_staff.reception)  # mint the token and touch it once
    # token + scope + agencies merged into the scope + count + page
    with django_assert_max_num_queries(5):
        response = api.get("/dossiers", c1_staff.reception)
    assert len(response.json()["items"]) == size


# -- forms ----------------------------------------------------------------------------------


def test_forms_as_pdf(api, received, c1_staff, applicant_user):
    pytest.importorskip("motcua.dossiers.documents")
    response = api.get(f"/dossiers/{received.code}/forms/receipt.pdf", c1_staff.reception)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{received.code}-receipt.pdf"'
    assert response.content.startswith(b"%PDF")
    by_number = api.get(f"/dossiers/{received.code}/forms/01.pdf", c1_staff.reception)
    assert by_number.status_code == 200
    assert by_number["Content-Disposition"].endswith('-receipt.pdf"')
    # Not applicable, unknown, out of scope.
    refusal = api.get(f"/dossiers/{received.code}/forms/refusal.pdf", c1_staff.reception)
    assert refusal.status_code == 404
    assert refusal.json()["code"] == "form_not_available"
    assert api.get(f"/dossiers/{received.code}/forms/99.pdf", c1_staff.reception).status_code == 404
    hidden = api.get(f"/dossiers/{received.code}/forms/receipt.pdf", applicant_user)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "dossier_not_found"


def test_state_labels_follow_the_language(api, received, c1_staff):
    vi = api.get(f"/dossiers/{received.code}", c1_staff.reception).json()
    en = api.get(f"/dossiers/{received.code}", c1_staff.reception, HTTP_ACCEPT_LANGUAGE="en").json()
    assert en["state_label"] == DossierState.RECEIVED.label
    assert en["state_label"] == "Received"
    assert vi["state"] == en["state"] == "received"


def test_the_detail_does_not_grow_with_steps_and_components(
    api, received, c1_staff, django_assert_max_num_queries
):
    for who in (c1_staff.reception, c1_staff.specialist):
        api.act(received.code, "handover", who)
    api.get(f"/dossiers/{received.code}", c1_staff.agency_leader)
    # token, scope, dossier, 7 prefetches; the rest is one role check per action the state
    # allows (policies.may), which does not depend on the dossier's size.
    with django_assert_max_num_queries(30):
        response = api.get(f"/dossiers/{received.code}", c1_staff.agency_leader)
    assert len(response.json()["steps"]) == 3


def test_a_body_over_the_limit_is_413(api, catalogue, desk, applicant_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = _create_body(catalogue["1.004873"], desk.code, summary="x" * 2000)
    response = api.post("/dossiers", applicant_user, body)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert Dossier.objects.count() == 0


def test_register_of_an_agency_for_a_period(api, catalogue, desk, c1_staff, c2_staff):
    # SPEC.md §1.8: Sổ theo dõi hồ sơ (form 06 / TT 03 form 07), also as XLSX.
    import io

    import openpyxl

    from motcua.dossiers.services import lifecycle as svc
    from motcua.dossiers.tests.factories import dossier_in, vn

    for day in (9, 10, 11):
        svc.dossier_intake(
            actor=c1_staff.reception,
            data=dossier_in(catalogue["1.004873"], desk),
            at=vn(2026, 3, day, 9),
        )
    query = {"agency": "14797", "start": "2026-03-09", "end": "2026-03-10"}
    pdf = api.get("/dossier-register.pdf", c1_staff.supervisor, query)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = api.get("/dossier-register.xlsx", c1_staff.reception, query)
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    text = "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "14797-260309-0001" in text and "14797-260310-0001" in text
    assert "14797-260311-0001" not in text  # outside the period
    # another commune's official: the agency does not exist for them
    assert api.get("/dossier-register.pdf", c2_staff.reception, query).status_code == 404
    bad = api.get("/dossier-register.pdf", c1_staff.reception, {**query, "end": "2026-03-01"})
    assert bad.status_code == 422
    assert api.get("/dossier-register.csv", c1_staff.reception, query).status_code == 404


def test_the_applicant_is_written_to_in_the_language_of_the_submission(
    api, catalogue, desk, applicant_user
):
    """Dossier.language: the language of the request unless given; notices use it."""
    body = _create_body(catalogue["1.004873"], desk.code)
    body["channel"] = 2
    body["applicant"]["email"] = "an@example.vn"
    created = api.post("/dossiers", applicant_user, body, HTTP_ACCEPT_LANGUAGE="en")
    assert created.status_code in (200, 201), created.content
    dossier = Dossier.objects.get(code=created.json()["code"])
    assert dossier.language == "en"
    mail = OutboxMessage.objects.get(dossier_id=dossier.pk, topic="email")
    assert mail.payload["subject"].startswith(f"Dossier {dossier.code}:")
    assert "Your dossier" in mail.payload["body"]
    body["language"] = "vi"
    created = api.post("/dossiers", applicant_user, body, HTTP_ACCEPT_LANGUAGE="en")
    dossier = Dossier.objects.get(code=created.json()["code"])
    mail = OutboxMessage.objects.get(dossier_id=dossier.pk, topic="email")
    assert mail.payload["subject"].startswith(f"Hồ sơ {dossier.code}:")
