"""The public catalogue: search, filters, paging and the procedure page."""

from __future__ import annotations

import copy
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.catalog.services.transfer import import_catalog
from motcua.portal.tests.conftest import BIRTH, CATALOG, CERTIFY, CRIMINAL_RECORD

pytestmark = pytest.mark.django_db

LIST = reverse("portal:procedures")


def _detail(code: str) -> str:
    return reverse("portal:procedure", args=[code])


def _listed(response) -> list[str]:
    """National codes of the procedures on a result page, in order."""
    return re.findall(r'href="/thu-tuc/([\d.]+)/"', response.content.decode())


# --- home -----------------------------------------------------------------------------------
def test_home_offers_search_levels_directory_and_common_procedures(client, portal):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{LIST}"' in html
    assert 'name="q"' in html
    assert f'href="{LIST}?level=commune"' in html
    assert f'href="{LIST}?level=province"' in html
    assert f'href="{reverse("portal:agencies")}"' in html
    assert "Thủ tục cấp xã" in html
    assert "Thủ tục cấp tỉnh" in html
    # The most requested procedures come first, in the order of the national list.
    assert _listed(response)[:2] == [BIRTH, CERTIFY]
    assert html.count("<h1") == 1


def test_home_without_catalogue_still_renders(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "Thủ tục được tìm nhiều nhất" not in response.content.decode()


# --- catalogue --------------------------------------------------------------------------------
def test_catalogue_lists_procedures_in_force_with_their_details(client, portal):
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tìm thấy 3 thủ tục" in html
    assert sorted(_listed(response)) == sorted([BIRTH, CERTIFY, CRIMINAL_RECORD])
    # each row: name, code, sector, level, online level badge, time text
    assert "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" in html
    assert "Lý lịch tư pháp" in html
    assert "Cấp tỉnh" in html
    assert '<span class="badge badge--partial">Dịch vụ công trực tuyến một phần</span>' in html
    assert "Không quá 10 ngày làm việc." in html


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("chung thuc", [CERTIFY]),  # accent-insensitive
        ("CHỨNG THỰC", [CERTIFY]),
        ("dang ky khai sinh", [BIRTH]),
        ("Đăng ký khai sinh", [BIRTH]),
        ("dang", [BIRTH]),  # d matches đ
        ("ly lich", [CRIMINAL_RECORD]),
        ("2.001417", [CRIMINAL_RECORD]),  # by national code
        ("ho tich", [BIRTH]),  # by sector
    ],
)
def test_search_is_accent_insensitive(client, portal, q, expected):
    response = client.get(LIST, {"q": q})
    assert response.status_code == 200
    assert _listed(response) == expected
    assert f'value="{q}"' in response.content.decode()


def test_search_finds_nothing_shows_helpful_empty_state(client, portal):
    response = client.get(LIST, {"q": "giay phep lai tau vu tru"})
    html = response.content.decode()
    assert "Tìm thấy 0 thủ tục" in html
    assert "Không có thủ tục nào phù hợp" in html
    assert reverse("portal:agencies") in html  # points to the agency directory
    assert _listed(response) == []


def test_empty_state_with_filters_offers_to_clear_them(client, portal):
    response = client.get(LIST, {"sector": "LLTP", "level": "commune"})
    html = response.content.decode()
    assert _listed(response) == []
    assert "Bỏ bớt bộ lọc" in html
    assert f'href="{LIST}"' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sector": "CT"}, [CERTIFY]),
        ({"level": "province"}, [CRIMINAL_RECORD]),
        ({"level": "commune"}, [CERTIFY, BIRTH]),
        ({"online": "full"}, [BIRTH]),
        ({"online": "partial"}, [CRIMINAL_RECORD]),
        ({"online": "none"}, [CERTIFY]),
        ({"level": "commune", "online": "full", "q": "khai sinh"}, [BIRTH]),
    ],
)
def test_filters(client, portal, params, expected):
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert _listed(response) == expected


def test_filter_selects_have_labels_and_keep_the_choice(client, portal):
    html = client.get(LIST, {"sector": "HT", "online": "full"}).content.decode()
    for name in ("q", "sector", "level", "online"):
        assert f'<label for="id_{name}">' in html
    assert '<option value="HT" selected>Hộ tịch</option>' in html
    assert '<option value="full" selected>Dịch vụ công trực tuyến toàn trình</option>' in html
    assert '<option value="commune">Cấp xã</option>' in html


def test_invalid_filter_values_are_ignored(client, portal):
    response = client.get(LIST, {"sector": "NO-SUCH", "level": "moon", "page": "x"})
    assert response.status_code == 200
    assert len(_listed(response)) == 3


def test_pagination(client, portal, settings):
    settings.MOTCUA_PAGE_SIZE = 2
    first = client.get(LIST)
    assert len(_listed(first)) == 2
    html = first.content.decode()
    assert "Trang 1/2" in html
    assert 'href="?page=2"' in html
    second = client.get(LIST, {"page": 2})
    assert len(_listed(second)) == 1
    assert 'href="?page=1"' in second.content.decode()
    assert set(_listed(first) + _listed(second)) == {BIRTH, CERTIFY, CRIMINAL_RECORD}
    # the filters travel with the page links
    filtered = client.get(LIST, {"level": "commune", "page": 1}).content.decode()
    assert "Trang 1/1" not in filtered  # one page: no pager at all
    assert "?level=commune&amp;page=2" not in filtered


def _more_procedures(count: int) -> dict:
    """``count`` extra procedures like the birth registration, under new codes."""
    doc = {"format": CATALOG["format"], "sectors": CATALOG["sectors"], "procedures": []}
    for i in range(count):
        p = copy.deepcopy(CATALOG["procedures"][0])
        p["code"] = f"9.{i:06d}"
        p["name"] = f"Thủ tục thử nghiệm số {i}"
        doc["procedures"].append(p)
    return doc


def test_catalogue_query_count_does_not_grow_with_rows(client, portal):
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    import_catalog(_more_procedures(12))
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(_listed(response)) == 15
    assert len(many) == len(few)


def test_catalogue_query_budget(client, portal, django_assert_max_num_queries):
    # sectors for the select, the count, the page of rows
    with django_assert_max_num_queries(3):
        client.get(LIST, {"q": "khai sinh", "level": "commune"})


def test_home_query_budget(client, portal, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get(reverse("portal:home"))


# --- procedure page ---------------------------------------------------------------------------
def test_unknown_procedure_is_404(client, portal):
    response = client.get(_detail("9.999999"))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_procedure_page_for_citizens(client, portal):
    response = client.get(_detail(CRIMINAL_RECORD))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "<h1>Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam</h1>" in html
    # who may apply
    assert "<li>Công dân</li>" in html
    # documents: every case, then the case-specific ones, with counts and mandatory flag
    assert "Giấy tờ phải nộp trong mọi trường hợp" in html
    assert "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp" in html
    assert "Giấy tờ nộp thêm trong trường hợp: Người đã cư trú ở nhiều nơi" in html
    assert "Nếu có" in html  # not mandatory
    # how long: each case in plain words, channels with their own time
    assert "10 ngày làm việc" in html
    assert "15 ngày làm việc" in html
    assert "12 ngày làm việc" in html  # by post
    assert "Qua dịch vụ bưu chính công ích" in html
    # how much: fixed amount formatted, exemptions verbatim
    assert "200.000 đ" in html
    assert "Trẻ em; người cao tuổi." in html
    # result, online level, and the start of the online submission
    assert "Phiếu lý lịch tư pháp" in html
    assert "Dịch vụ công trực tuyến một phần" in html
    assert "Nộp hồ sơ trực tuyến" in html
    assert 'href="/nop-ho-so/2.001417/"' in html
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html


def test_same_day_procedure_in_plain_words_with_legal_basis_and_steps(client, portal):
    html = client.get(_detail(BIRTH)).content.decode()
    assert "Trong ngày (nhận sau 15 giờ thì trả ngày làm việc tiếp theo)" in html
    assert "Trực tiếp" in html and "Trực tuyến" in html
    assert "Mẫu TP/HT-2020-KS.1" in html  # the form to fill in
    # sequence of steps keeps its line breaks
    assert "Bước 1: Nộp hồ sơ.<br>Bước 2:" in html
    assert "<strong>60/2014/QH13</strong> Luật Hộ tịch" in html
    assert "Quốc hội, 20/11/2014" in html
    assert "Miễn lệ phí đăng ký khai sinh đúng hạn." in html
    assert "Miễn phí" in html  # a zero charge
    assert "Dịch vụ công trực tuyến toàn trình" in html
    assert "Nộp hồ sơ trực tuyến" in html


def test_formula_fee_and_conditions_and_no_online_notice(client, portal):
    html = client.get(_detail(CERTIFY)).content.decode()
    # Thông tư 226/2016/TT-BTC: 2.000 đ/page for pages 1–2, 1.000 đ/page from page 3, cap 200.000 đ
    assert "2.000 đ/trang (trang 1–2); 1.000 đ/trang (từ trang 3); tối đa 200.000 đ" in html
    assert "Bản chính không bị tẩy xóa, sửa chữa." in html
    assert "Bản sao được chứng thực từ bản chính" in html
    assert "Chưa cung cấp trực tuyến" in html
    assert "Nộp hồ sơ trực tuyến" not in html


def test_procedure_page_query_budget(client, portal, django_assert_max_num_queries):
    # the version and its prefetches (8), provinces, communes of the chosen province, the unit
    with django_assert_max_num_queries(11):
        response = client.get(_detail(CRIMINAL_RECORD), {"province": "38", "commune": "14848"})
    assert response.status_code == 200


# --- where to submit: province -> commune -> handling agency --------------------------------
def test_picker_starts_with_the_installation_province(client, portal, settings):
    settings.MOTCUA_DEFAULT_PROVINCE = "38"
    html = client.get(_detail(BIRTH)).content.decode()
    assert '<label for="id_province">' in html
    assert '<option value="38" selected>Tỉnh Thanh Hóa</option>' in html
    assert '<label for="id_commune">' in html
    assert '<option value="14848">Phường Hạc Thành</option>' in html
    assert "Phường Điện Biên" not in html  # merged: no longer a choice
    assert "Phường Ba Đình" not in html  # another province
    assert 'class="answer"' not in html


def test_picker_choosing_another_province_lists_its_communes(client, portal):
    html = client.get(_detail(BIRTH), {"province": "01"}).content.decode()
    assert '<option value="01" selected>Thành phố Hà Nội</option>' in html
    assert '<option value="00004">Phường Ba Đình</option>' in html
    assert "Phường Hạc Thành" not in html


def test_picker_without_province_asks_for_one(client, portal):
    html = client.get(_detail(BIRTH), {"province": ""}).content.decode()
    assert 'name="province"' in html
    assert 'name="commune"' not in html
    assert "Xem danh sách xã" in html


def test_commune_procedure_is_handled_by_the_commune(client, portal):
    html = client.get(_detail(BIRTH), {"province": "38", "commune": "14848"}).content.decode()
    assert '<option value="14848" selected>Phường Hạc Thành</option>' in html
    assert "Hồ sơ của người dân Phường Hạc Thành do cơ quan sau giải quyết" in html
    assert '<a href="/co-quan/14848/">Ủy ban nhân dân phường Hạc Thành</a>' in html


def test_province_procedure_is_handled_by_the_department(client, portal):
    html = client.get(
        _detail(CRIMINAL_RECORD), {"province": "38", "commune": "15853"}
    ).content.decode()
    assert '<a href="/co-quan/38-tu-phap/">Sở Tư pháp tỉnh Thanh Hóa</a>' in html
    assert "25 Hạc Thành, Thanh Hóa" in html


def test_province_without_the_department_says_the_agency_is_unknown(client, portal):
    html = client.get(
        _detail(CRIMINAL_RECORD), {"province": "01", "commune": "00004"}
    ).content.decode()
    assert "Chưa xác định được cơ quan giải quyết cho địa bàn này" in html


def test_commune_of_another_province_is_ignored(client, portal):
    html = client.get(_detail(BIRTH), {"province": "01", "commune": "14848"}).content.decode()
    assert 'class="answer"' not in html
    assert '<option value="" selected>Chọn xã, phường, đặc khu</option>' in html
