"""The real hierarchy after the 2025 reform: 34 provinces, 3,321 communes (SPEC.md §0, §10)."""

from collections import Counter

import pytest

from motcua.org.choices import AgencyKind, DivisionType
from motcua.org.models import Agency
from motcua.org.services.reference import load_administrative_units

pytestmark = pytest.mark.django_db


def test_loads_the_real_hierarchy_idempotently():
    first = load_administrative_units()
    assert first.provinces == 34
    assert first.communes == 3321
    provinces = Agency.objects.filter(kind=AgencyKind.PROVINCE)
    # 28 provinces + 6 centrally-run cities (Nghị quyết 202/2025/QH15).
    assert Counter(provinces.values_list("division_type", flat=True)) == {
        DivisionType.PROVINCE: 28,
        DivisionType.CITY: 6,
    }
    # 2,621 xã + 687 phường + 13 đặc khu.
    assert Counter(Agency.objects.communes().values_list("division_type", flat=True)) == {
        DivisionType.COMMUNE: 2621,
        DivisionType.WARD: 687,
        DivisionType.SPECIAL_ZONE: 13,
    }
    # Every province has its service centre and departments; every commune its one-stop desk.
    assert Agency.objects.filter(kind=AgencyKind.SERVICE_CENTRE, level="province").count() == 34
    assert Agency.objects.filter(kind=AgencyKind.SERVICE_CENTRE, level="commune").count() == 3321
    assert Agency.objects.filter(unit_key="tu-phap", parent__kind=AgencyKind.PROVINCE).count() == 34

    thanh_hoa = Agency.objects.get(code="38")
    assert thanh_hoa.name == "Ủy ban nhân dân tỉnh Thanh Hóa"
    hac_thanh = Agency.objects.get(code="14797")
    assert hac_thanh.parent == thanh_hoa
    assert hac_thanh.short_name == "Phường Hạc Thành"
    assert Agency.objects.get(code="14797-pvhcc").path == "38/14797/14797-pvhcc/"
    hanoi = Agency.objects.get(code="01")
    assert hanoi.name == "Ủy ban nhân dân thành phố Hà Nội"

    total = Agency.objects.count()
    second = load_administrative_units()
    assert second.created == 0
    assert Agency.objects.count() == total


def test_reload_leaves_administrators_edits_alone():
    load_administrative_units()
    Agency.objects.filter(code="14797").update(phone="0237 3852 000", short_name="P. Hạc Thành")
    load_administrative_units()
    agency = Agency.objects.get(code="14797")
    assert agency.phone == "0237 3852 000"
    assert agency.short_name == "P. Hạc Thành"
