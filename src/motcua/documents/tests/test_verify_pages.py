"""Xác thực văn bản, the public pages (issue 7 §4): anyone uploads a PDF and learns whether it
is genuine; a registered document's QR code opens its entry and the checks of the file the
agency issued. No account; out-of-range ids are not found; each address has a number of checks."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.documents.services.register import outgoing_register, register_book_for
from motcua.dossiers.services.files import stored_file_put

URL = "/xac-thuc/"


@pytest.fixture
def trusted(keys, settings, tmp_path):
    root, _leader, _seal = keys
    (tmp_path / "root.pem").write_bytes(root.certificate_pem())
    settings.MOTCUA_TRUST_ROOTS = [str(tmp_path / "root.pem")]
    settings.DATA_DIR = tmp_path  # no development root but the test's
    cache.clear()
    return root


def upload(client, data: bytes, name: str = "ket-qua.pdf"):
    return client.post(URL, {"tep": SimpleUploadedFile(name, data, "application/pdf")})


@pytest.mark.django_db
def test_a_genuine_result(client, trusted, signed):
    assert client.get(URL).status_code == 200
    response = upload(client, signed)
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert "Văn bản xác thực." in page
    assert 'class="verdict verdict--ok"' in page
    assert "Hoàng Văn Em" in page and "Ủy ban nhân dân phường Hạc Thành" in page


@pytest.mark.django_db
def test_a_changed_file_and_bad_input(client, trusted, signed, document):
    changed = bytearray(signed)
    changed[len(document) // 2] ^= 0x01
    page = upload(client, bytes(changed)).content.decode()
    assert 'class="verdict verdict--bad"' in page and "bị thay đổi" in page
    response = upload(client, b"GIF89a not a pdf", "anh.gif")
    assert response.status_code == 400
    assert "không phải là tệp PDF" in response.content.decode()
    assert client.post(URL, {}).status_code == 400  # no file: the form says so


@pytest.mark.django_db
def test_each_address_has_a_number_of_checks(client, trusted, signed, settings):
    settings.MOTCUA_VERIFY_RATE = "2/m"
    assert upload(client, signed).status_code == 200
    assert upload(client, signed).status_code == 200
    refused = upload(client, signed)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


@pytest.mark.django_db
def test_the_page_of_a_registered_document(client, trusted, signed, tree):
    stored = stored_file_put(content=signed, name="ket-qua.pdf")
    document = outgoing_register(
        book=register_book_for(tree.c1),
        issued_on=dt.date(2026, 3, 9),
        type_name="Giấy xác nhận tình trạng hôn nhân",
        type_notation="XNTTHN",
        summary="Xác nhận tình trạng hôn nhân cho bà Nguyễn Thị Lan",
        signer_name="Hoàng Văn Em",
        signer_position="Chủ tịch",
        place="Hạc Thành",
        file=stored,
    )
    for path in (f"/xac-thuc/{document.public_id}/", f"/verify/{document.public_id}/"):
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code == 200
        assert "01/XNTTHN-UBND" in page and "09/03/2026" in page
        assert 'class="verdict verdict--ok"' in page
        assert "Nguyễn Thị Lan" not in page  # the summary names a person: not shown publicly
    assert client.get(f"/xac-thuc/{uuid.uuid4()}/").status_code == 404
    assert client.get("/xac-thuc/1/").status_code == 404

    # the stored file changed on disk: not intact, without trusting what it says
    with stored.file.open("wb") as handle:
        handle.write(signed[:-10] + b"%%EOF\n\n\n\n")
    page = client.get(f"/xac-thuc/{document.public_id}/").content.decode()
    assert 'class="verdict verdict--bad"' in page


# -- the same through the API ------------------------------------------------------------------

API = "/api/v1/documents/verify"


@pytest.mark.django_db
def test_the_api_checks_an_uploaded_file(client, trusted, signed, document):
    answer = client.post(API, {"file": SimpleUploadedFile("a.pdf", signed)})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["genuine"] is True and body["problems"] == []
    assert [s["signer"] for s in body["signatures"]] == [
        "Hoàng Văn Em",
        "Ủy ban nhân dân phường Hạc Thành",
    ]
    assert all(s["intact"] and s["trusted"] and s["unchanged_since"] for s in body["signatures"])
    changed = bytearray(signed)
    changed[len(document) // 2] ^= 0x01
    body = client.post(API, {"file": SimpleUploadedFile("b.pdf", bytes(changed))}).json()
    assert body["genuine"] is False and body["problems"]
    refused = client.post(API, {"file": SimpleUploadedFile("c.gif", b"GIF89a")})
    assert refused.status_code == 422 and refused.json()["code"] == "not_a_pdf"


@pytest.mark.django_db
def test_the_api_reads_a_registered_document(client, trusted, signed, tree, settings):
    document = outgoing_register(
        book=register_book_for(tree.c1),
        issued_on=dt.date(2026, 3, 9),
        type_name="Giấy xác nhận tình trạng hôn nhân",
        type_notation="XNTTHN",
        summary="Xác nhận tình trạng hôn nhân cho bà Nguyễn Thị Lan",
        signer_name="Hoàng Văn Em",
        signer_position="Chủ tịch",
        place="Hạc Thành",
        file=stored_file_put(content=signed, name="ket-qua.pdf"),
    )
    body = client.get(API, {"id": str(document.public_id)}).json()
    assert body["notation"] == "01/XNTTHN-UBND" and body["issued_on"] == "2026-03-09"
    assert body["verification"]["genuine"] is True
    assert "Nguyễn Thị Lan" not in str(body)
    assert client.get(API, {"id": str(uuid.uuid4())}).status_code == 404
    settings.MOTCUA_VERIFY_RATE = "1/m"
    cache.clear()
    assert client.get(API, {"id": str(document.public_id)}).status_code == 200
    limited = client.get(API, {"id": str(document.public_id)})
    assert limited.status_code == 429 and limited.json()["retry_after"] > 0
