"""The agency directory: provinces, a province's units and communes, merged agencies."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from motcua.org.choices import AgencyKind, AgencyLevel, DivisionType
from motcua.org.services.agencies import agency_create

pytestmark = pytest.mark.django_db

LIST = reverse("portal:agencies")


def _detail(code: str) -> str:
    return reverse("portal:agency", args=[code])


def _links(html: str) -> list[str]:
    return re.findall(r'href="/co-quan/([^/"]+)/"', html)


def _row(html: str, province: str) -> tuple[str, str]:
    """The DVCQG code and commune count in the directory row of ``province``."""
    cells = r"</a></th>\s*<td>(.*?)</td>\s*<td class=\"num\">(\d+)</td>"
    match = re.search(re.escape(province) + cells, html)
    assert match is not None, province
    return match.group(1), match.group(2)


def test_directory_lists_provinces_with_codes_and_commune_counts(client, portal):
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "<caption" in html
    # Thanh Hóa: two communes in force (the merged ward no longer counts), DVCQG code H56
    assert _row(html, "Tỉnh Thanh Hóa") == ("H56", "2")
    assert _row(html, "Thành phố Hà Nội") == ("—", "1")
    assert _links(html) == ["01", "38"]  # provinces only, by name


def test_directory_is_one_query(client, portal, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get(LIST)


def test_directory_query_count_does_not_grow_with_provinces(
    client, portal, django_assert_num_queries
):
    for code in ("02", "04", "06"):
        province = agency_create(
            code=code,
            name=f"Ủy ban nhân dân tỉnh {code}",
            short_name=f"Tỉnh {code}",
            kind=AgencyKind.PROVINCE,
            level=AgencyLevel.PROVINCE,
            parent=None,
            division_type=DivisionType.PROVINCE,
            division_code=code,
        )
        agency_create(
            code=f"{code}001",
            name=f"Ủy ban nhân dân xã {code}",
            short_name=f"Xã {code}",
            kind=AgencyKind.COMMUNE,
            level=AgencyLevel.COMMUNE,
            parent=province,
        )
    with django_assert_num_queries(1):
        response = client.get(LIST)
    assert len(_links(response.content.decode())) == 5


def test_province_page_shows_units_and_communes(client, portal):
    response = client.get(_detail("38"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Ủy ban nhân dân tỉnh Thanh Hóa</h1>" in html
    assert "H56" in html
    links = _links(html)
    # the service centre comes before the departments
    assert links.index("38-pvhcc") < links.index("38-tu-phap")
    assert "Trung tâm Phục vụ hành chính công" in html
    assert "14848" in links and "15853" in links
    assert "14849" not in links  # merged on 1 July 2025
    assert "2 xã, phường, đặc khu" in html
    assert '<label for="id_q">' in html


@pytest.mark.parametrize(
    ("q", "expected"),
    [("dong son", ["15853"]), ("ĐÔNG", ["15853"]), ("hac thanh", ["14848"]), ("phuong", ["14848"])],
)
def test_province_commune_filter_is_accent_insensitive(client, portal, q, expected):
    html = client.get(_detail("38"), {"q": q}).content.decode()
    communes = [code for code in _links(html) if code.isdigit() and len(code) == 5]
    assert communes == expected


def test_province_commune_filter_without_match(client, portal):
    html = client.get(_detail("38"), {"q": "khong co"}).content.decode()
    assert "Không có xã, phường, đặc khu nào phù hợp với “khong co”" in html


def test_province_page_query_budget(client, portal, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get(_detail("38"), {"q": "dong"})


def test_commune_page_shows_parent_province(client, portal):
    html = client.get(_detail("14848")).content.decode()
    assert "<h1>Ủy ban nhân dân phường Hạc Thành</h1>" in html
    assert '<a href="/co-quan/38/">Ủy ban nhân dân tỉnh Thanh Hóa</a>' in html
    assert 'name="q"' not in html  # no commune list under a commune


def test_unit_page_links_to_its_parent(client, portal):
    html = client.get(_detail("38-tu-phap")).content.decode()
    assert "Cơ quan chuyên môn (sở, ngành)" in html
    assert '<a href="/co-quan/38/">Ủy ban nhân dân tỉnh Thanh Hóa</a>' in html
    assert "25 Hạc Thành, Thanh Hóa" in html


def test_merged_agency_shows_its_successor(client, portal):
    response = client.get(_detail("14849"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cơ quan này đã chấm dứt hoạt động sau ngày 30/06/2025." in html
    assert '<a href="/co-quan/14848/">Ủy ban nhân dân phường Hạc Thành</a>' in html


def test_unknown_agency_is_404(client, portal):
    assert client.get(_detail("99999")).status_code == 404
