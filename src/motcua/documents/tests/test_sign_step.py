"""The leader's step (issue 7 §2, SPEC.md §1.4 step 5): the keys configured for a leader and for
the committee's seal (``MOTCUA_SIGNING_KEYS``, secrets from the environment or typed), and the
signing that numbers the result, signs it twice and resolves the dossier in one transaction —
or, refused, changes nothing."""

from __future__ import annotations

import json

import pytest

from motcua.accounts.tests.mfa import mfa_login
from motcua.core.errors import NotFound, PermissionDenied, ValidationFailed
from motcua.documents import keys as signing_keys
from motcua.documents import pki
from motcua.documents.models import OutgoingDocument, RegisterCounter
from motcua.documents.services.results import dossier_result_sign, issuing_agency
from motcua.documents.tests.samples import needs_pdfsig, pdfsig
from motcua.documents.tests.test_results import VALUES
from motcua.documents.verification import verify_registered
from motcua.dossiers.choices import Action, DossierState
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import dossier_in, vn


@pytest.fixture
def ready(tree, catalogue, c1_staff):
    """A marital-status dossier at its last step, waiting for the result."""
    d = svc.dossier_intake(
        actor=c1_staff.reception,
        data=dossier_in(catalogue["1.004873"], tree.c1_units["pvhcc"]),
        at=vn(2026, 3, 9, 8),
    )
    svc.dossier_handover(actor=c1_staff.reception, dossier=d, at=vn(2026, 3, 9, 9))
    svc.dossier_handover(actor=c1_staff.specialist, dossier=d, at=vn(2026, 3, 9, 10))
    d.refresh_from_db()
    return d


@pytest.fixture
def configured(keys, tmp_path, settings, monkeypatch, tree, c1_staff):
    """``MOTCUA_SIGNING_KEYS`` with the leader's PKCS#12 (passphrase from the environment) and
    the commune's seal; no development PKI."""
    root, leader, seal = keys
    (tmp_path / "root.pem").write_bytes(root.certificate_pem())
    settings.MOTCUA_TRUST_ROOTS = [str(tmp_path / "root.pem")]
    (tmp_path / "leader.p12").write_bytes(leader.pkcs12("leader"))
    (tmp_path / "seal.p12").write_bytes(seal.pkcs12("seal"))
    config = {
        "people": {
            c1_staff.agency_leader.username: {
                "pkcs12": str(tmp_path / "leader.p12"),
                "passphrase_env": "TEST_LEADER_P12",
            }
        },
        "seals": {
            tree.c1.code: {"pkcs12": str(tmp_path / "seal.p12"), "passphrase_env": "TEST_SEAL"}
        },
    }
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(config))
    settings.MOTCUA_SIGNING_KEYS = str(path)
    settings.DATA_DIR = tmp_path / "data"
    monkeypatch.setenv("TEST_LEADER_P12", pki.DEV_PASSPHRASE)
    monkeypatch.setenv("TEST_SEAL", pki.DEV_PASSPHRASE)
    return config, path


def _rewrite(path, config):
    path.write_text(json.dumps(config))


def sign(actor, dossier, **extra):
    values = {
        "actor": actor,
        "dossier": dossier,
        "values": VALUES,
        "competence": "chairman",
        "at": vn(2026, 3, 10, 10),
    } | extra
    return dossier_result_sign(**values)


# -- the keys' configuration -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_configured_pkcs12_key_opens_with_the_passphrase_from_the_environment(
    configured, c1_staff, monkeypatch
):
    source = signing_keys.personal_key(c1_staff.agency_leader)
    assert source is not None and source.kind == "pkcs12" and not source.ask
    with source.open() as signer:
        assert "Hoàng" in signer.signing_cert.subject.human_friendly
    monkeypatch.setenv("TEST_LEADER_P12", "sai mật khẩu")
    with pytest.raises(signing_keys.WrongSecret), source.open():
        pass
    monkeypatch.delenv("TEST_LEADER_P12")
    unset = pytest.raises(signing_keys.KeyConfigError, match="TEST_LEADER_P12 is not set")
    with unset, source.open():
        pass


@pytest.mark.django_db
def test_a_secret_written_in_the_file_is_refused(configured, c1_staff):
    config, path = configured
    entry = config["people"][c1_staff.agency_leader.username]
    entry["passphrase"] = pki.DEV_PASSPHRASE
    _rewrite(path, config)
    source = signing_keys.personal_key(c1_staff.agency_leader)
    with pytest.raises(signing_keys.KeyConfigError, match="passphrase_env"), source.open():
        pass


@pytest.mark.django_db
def test_an_entry_needs_exactly_one_kind_of_key(configured, c1_staff):
    config, path = configured
    config["people"][c1_staff.agency_leader.username]["pkcs11"] = {"module": "x"}
    _rewrite(path, config)
    with pytest.raises(signing_keys.KeyConfigError, match="exactly one"):
        signing_keys.personal_key(c1_staff.agency_leader)


@pytest.mark.django_db
def test_the_development_pki_signs_only_outside_production(c1_staff, tmp_path, settings, keys):
    _root, leader, _seal = keys
    settings.MOTCUA_SIGNING_KEYS = ""
    settings.DATA_DIR = tmp_path
    user = c1_staff.agency_leader
    assert signing_keys.personal_key(user) is None  # no file yet
    people = tmp_path / "pki" / "people"
    people.mkdir(parents=True)
    (people / f"{user.username}.p12").write_bytes(leader.pkcs12("x"))
    source = signing_keys.personal_key(user)
    assert source is not None and source.kind == "development"
    with source.open() as signer:
        assert signer.signing_cert is not None
    settings.PRODUCTION = True
    assert signing_keys.personal_key(user) is None


def keys_personal(user):
    return signing_keys.personal_key(user)


@pytest.mark.django_db
def test_a_remote_provider_is_built_by_its_factory(configured, c1_staff):
    config, path = configured
    config["people"][c1_staff.agency_leader.username] = {
        "remote": {
            "provider": "motcua.documents.tests.test_sign_step:remote_factory",
            "options": {"label": "hsm-1"},
        }
    }
    _rewrite(path, config)
    source = signing_keys.personal_key(c1_staff.agency_leader)
    assert source.kind == "remote" and source.description == "Ký số từ xa"
    with source.open() as signer:
        assert signer.provider.label == "hsm-1"


def remote_factory(label: str):
    from motcua.documents.remote import LocalSigningProvider

    root = pki.make_root()
    issued = pki.issue(root, pki.Subject(common_name="Remote", organisation="HSM"))
    provider = LocalSigningProvider(issued.key, issued.certificate, (root.certificate,))
    provider.label = label  # type: ignore[attr-defined]
    return provider


# -- signing the result ----------------------------------------------------------------------


@pytest.mark.django_db
@needs_pdfsig
def test_the_leader_signs_and_the_dossier_is_resolved_with_the_signed_result(
    ready, configured, c1_staff, keys, tmp_path
):
    document = sign(c1_staff.agency_leader, ready)
    ready.refresh_from_db()
    assert ready.state == DossierState.RESOLVED
    assert ready.result_file_id == document.file_id
    assert ready.result_number == document.notation == "01/XNTTHN-UBND"
    assert ready.result_signer.startswith("Chủ tịch ")
    event = ready.events.order_by("-seq").first()
    assert event.action == Action.RESOLVE
    assert event.payload["result_document"] == str(document.public_id)
    assert event.payload["result_sha256"] == document.file.sha256
    check = verify_registered(document)
    assert check.genuine and len(check.signatures) == 2
    root, _leader, _seal = keys
    check_dir = tmp_path / "pdfsig"
    check_dir.mkdir()
    with document.file.file.open("rb") as handle:
        out = pdfsig(handle.read(), root.certificate_pem(), check_dir)
    assert out.count("Signature Validation: Signature is Valid.") == 2


@pytest.mark.django_db
def test_a_typed_pin_that_is_wrong_changes_nothing(ready, configured, c1_staff):
    config, path = configured
    entry = config["people"][c1_staff.agency_leader.username]
    del entry["passphrase_env"]
    entry["ask"] = True
    _rewrite(path, config)
    events = ready.event_count
    with pytest.raises(ValidationFailed) as refused:
        sign(c1_staff.agency_leader, ready, secret="000000")
    assert refused.value.code == "wrong_pin"
    assert "PIN" in str(refused.value.message)
    ready.refresh_from_db()
    assert (ready.state, ready.event_count, ready.result_file_id) == (
        DossierState.IN_PROCESS,
        events,
        None,
    )
    assert not OutgoingDocument.objects.exists() and not RegisterCounter.objects.exists()
    # typed right, it signs, and the register starts at 01 (the refused number came back)
    document = sign(c1_staff.agency_leader, ready, secret=pki.DEV_PASSPHRASE)
    assert document.number == 1


@pytest.mark.django_db
def test_without_a_seal_key_nothing_is_issued(ready, configured, c1_staff, tree):
    config, path = configured
    del config["seals"][tree.c1.code]
    _rewrite(path, config)
    with pytest.raises(ValidationFailed) as refused:
        sign(c1_staff.agency_leader, ready)
    assert refused.value.code == "no_seal_key"
    ready.refresh_from_db()
    assert ready.state == DossierState.IN_PROCESS
    assert not OutgoingDocument.objects.exists()


@pytest.mark.django_db
def test_missing_values_and_other_roles_are_refused(ready, configured, c1_staff):
    with pytest.raises(ValidationFailed) as refused:
        sign(c1_staff.agency_leader, ready, values=VALUES | {"purpose": " "})
    assert refused.value.code == "result_values_missing"
    with pytest.raises((NotFound, PermissionDenied)):
        sign(c1_staff.specialist, ready)
    ready.refresh_from_db()
    assert ready.state == DossierState.IN_PROCESS and not OutgoingDocument.objects.exists()


# -- the page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_signing_page_fills_in_the_dossier_and_signs(client, ready, configured, c1_staff):
    url = f"/can-bo/ho-so/{ready.code}/ky-ket-qua/"
    mfa_login(client, c1_staff.specialist)
    assert client.get(url).status_code == 404
    assert "ky-ket-qua" not in client.get(f"/can-bo/ho-so/{ready.code}/").content.decode()

    mfa_login(client, c1_staff.agency_leader)
    assert url in client.get(f"/can-bo/ho-so/{ready.code}/").content.decode()
    page = client.get(url).content.decode()
    assert ready.applicant_name in page  # the name is filled in from the dossier
    assert "Giấy xác nhận tình trạng hôn nhân" in page
    data = {f"v_{k}": v for k, v in VALUES.items()} | {"competence": "vice"}
    refused = client.post(url, data | {"v_purpose": ""})
    assert refused.status_code == 400 and "Mục đích sử dụng" in refused.content.decode()
    ready.refresh_from_db()
    assert ready.state == DossierState.IN_PROCESS

    done = client.post(url, data)
    assert done.status_code == 302
    desk = client.get(done["Location"]).content.decode()
    assert "01/XNTTHN-UBND" in desk
    document = OutgoingDocument.objects.get(dossier=ready)
    assert f"/xac-thuc/{document.public_id}/" in desk  # the desk links its verification page
    pdf = client.get(f"/can-bo/ho-so/{ready.code}/ket-qua.pdf")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    ready.refresh_from_db()
    assert ready.state == DossierState.RESOLVED
    assert ready.result_signer.startswith("Phó chủ tịch")
    assert client.get(url).status_code == 404  # resolved: nothing left to sign


@pytest.mark.django_db
def test_the_page_says_when_no_key_is_configured(client, ready, configured, c1_staff, tree):
    config, path = configured
    config["people"] = {}
    _rewrite(path, config)
    mfa_login(client, c1_staff.agency_leader)
    page = client.get(f"/can-bo/ho-so/{ready.code}/ky-ket-qua/").content.decode()
    assert "Chưa có khóa ký số nào được cấu hình cho bạn" in page
    assert 'name="competence"' not in page
    assert issuing_agency(ready) == tree.c1


# -- the API ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_signs_or_refuses_with_nothing_changed(client, ready, configured, c1_staff):
    from motcua.dossiers.tests.test_api import Api

    api = Api(client)
    path = f"/dossiers/{ready.code}/result/sign"
    body = {"values": VALUES, "competence": "chairman"}
    hidden = api.post(path, c1_staff.specialist, body)
    assert hidden.status_code in (403, 404)
    missing = api.post(path, c1_staff.agency_leader, body | {"values": {"full_name": "A"}})
    assert missing.status_code == 422 and missing.json()["code"] == "result_values_missing"
    ready.refresh_from_db()
    assert ready.state == DossierState.IN_PROCESS

    done = api.post(path, c1_staff.agency_leader, body)
    assert done.status_code == 201, done.content
    out = done.json()
    assert out["notation"] == "01/XNTTHN-UBND"
    assert out["verify_url"].endswith(f"/xac-thuc/{out['id']}/")
    ready.refresh_from_db()
    assert ready.state == DossierState.RESOLVED and ready.result_file.sha256 == out["sha256"]
    again = api.post(path, c1_staff.agency_leader, body)
    assert again.status_code == 409


@pytest.mark.django_db
def test_a_broken_key_configuration_is_a_refusal_not_an_error(client, ready, configured, c1_staff):
    from motcua.dossiers.tests.test_api import Api

    _config, path = configured
    path.write_text("{ not json")
    response = Api(client).post(
        f"/dossiers/{ready.code}/result/sign",
        c1_staff.agency_leader,
        {"values": VALUES, "competence": "chairman"},
    )
    assert response.status_code == 422 and response.json()["code"] == "signing_failed"
    ready.refresh_from_db()
    assert ready.state == DossierState.IN_PROCESS


@pytest.mark.django_db
def test_a_configured_signature_image_is_drawn_in_the_stamp(
    ready, configured, c1_staff, tree, tmp_path
):
    """Issue 7 §2: "the signature image where one is configured" — the leader's handwritten
    signature and the committee's red seal, each in its own stamp; both signatures stay valid."""
    import io

    from PIL import Image, ImageDraw

    def picture(colour) -> bytes:
        image = Image.new("RGBA", (240, 120), (255, 255, 255, 0))
        ImageDraw.Draw(image).ellipse((10, 10, 110, 110), outline=colour, width=6)
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()

    config, path = configured
    (tmp_path / "chu-ky.png").write_bytes(picture((20, 30, 140, 255)))
    (tmp_path / "con-dau.png").write_bytes(picture((200, 20, 20, 255)))
    config["people"][c1_staff.agency_leader.username]["image"] = str(tmp_path / "chu-ky.png")
    config["seals"][tree.c1.code]["image"] = str(tmp_path / "missing.png")
    _rewrite(path, config)
    with pytest.raises(ValidationFailed) as refused:  # a missing picture: nothing is issued
        sign(c1_staff.agency_leader, ready)
    assert refused.value.code == "signing_failed"
    assert not OutgoingDocument.objects.exists()

    config["seals"][tree.c1.code]["image"] = str(tmp_path / "con-dau.png")
    _rewrite(path, config)
    document = sign(c1_staff.agency_leader, ready)
    with document.file.file.open("rb") as handle:
        pdf = handle.read()
    assert pdf.count(b"/Subtype /Image") >= 2  # one picture in each stamp
    check = verify_registered(document)
    assert check.genuine and len(check.signatures) == 2
