"""The public tracking page (tra cứu hồ sơ): code + last four phone digits, no account, no
personal data shown, the same answer for a wrong phone and an unknown code, rate-limited."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import dossier_in
from motcua.org.choices import Role
from motcua.org.tests.factories import official
from motcua.portal.tests.conftest import BIRTH

URL = "/tra-cuu/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dossier(portal):
    from motcua.catalog.models import ProcedureVersion

    clerk = official("tn-hac-thanh", home=portal["hac_thanh"], role=Role.RECEPTION).user
    version = ProcedureVersion.objects.get(procedure__code=BIRTH)
    return svc.dossier_intake(actor=clerk, data=dossier_in(version, portal["hac_thanh"]))


def test_the_form_is_there_and_the_receipt_qr_prefills_the_code(client, dossier):
    page = client.get(URL, {"ma": dossier.code}).content.decode()
    assert f'value="{dossier.code}"' in page
    assert 'inputmode="numeric"' in page
    assert "No dossier found" not in page and "Không tìm thấy" not in page


def test_right_digits_show_the_status_without_personal_data(client, dossier):
    response = client.get(URL, {"ma": dossier.code, "so": "5678"})
    page = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert dossier.code in page and "Đã tiếp nhận" in page
    for private in ("Nguyễn Văn An", "0912345678", "038090001234", "an@example.vn", "Lê Lợi"):
        assert private not in page


def test_wrong_digits_look_like_an_unknown_code(client, dossier):
    wrong = client.get(URL, {"ma": dossier.code, "so": "0000"}).content.decode()
    unknown = client.get(URL, {"ma": "H56-000000-0001", "so": "5678"}).content.decode()
    assert "Không tìm thấy hồ sơ" in wrong

    def result(page: str) -> str:  # the answer, without the echoed form and CSRF tokens
        return page.split('class="tracking-result"')[1].split("</section>")[0]

    assert result(wrong) == result(unknown)


def test_bad_digits_get_an_error_summary_linked_to_the_field(client, dossier):
    page = client.get(URL, {"ma": dossier.code, "so": "12a"}).content.decode()
    assert 'class="error-summary"' in page
    assert 'href="#id_so"' in page
    assert 'aria-invalid="true"' in page


def test_failed_lookups_are_rate_limited(client, dossier, settings):
    settings.MOTCUA_PUBLIC_LOOKUP_FAIL_RATE = "3/m"
    for _ in range(3):
        assert client.get(URL, {"ma": dossier.code, "so": "0000"}).status_code == 200
    limited = client.get(URL, {"ma": dossier.code, "so": "5678"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert dossier.code not in limited.content.decode().split("tracking-result")[-1]
