"""agency_merge keeps history: the 2025 reform will not be the last (SPEC.md §10)."""

import datetime as dt

import pytest

from motcua.core.errors import ValidationFailed
from motcua.org.choices import AgencyChangeKind, Role
from motcua.org.models import Agency, AgencyChange, RoleAssignment
from motcua.org.policies import has_role
from motcua.org.services.agencies import agency_merge, current_successor
from motcua.org.tests.factories import official

pytestmark = pytest.mark.django_db
EFFECTIVE = dt.date(2027, 1, 1)


def test_merging_two_communes(tree):
    officer = official("tn2", home=tree.c2_units["pvhcc"], role=Role.RECEPTION, scope=tree.c2)
    agency_merge(sources=[tree.c2], into=tree.c1, effective=EFFECTIVE, note="NQ xx/2026")

    c2 = Agency.objects.get(pk=tree.c2.pk)
    assert c2.valid_to == dt.date(2026, 12, 31)
    assert c2.successor == tree.c1
    # Its service centre closes into the surviving commune's centre (same unit key).
    old_centre = Agency.objects.get(code="14800-pvhcc")
    assert old_centre.valid_to == dt.date(2026, 12, 31)
    assert old_centre.successor.code == "14797-pvhcc"
    assert current_successor(old_centre).code == "14797-pvhcc"
    # The official now works at the surviving centre; the old grant is closed, a new one given.
    officer.refresh_from_db()
    assert officer.agency.code == "14797-pvhcc"
    grants = RoleAssignment.objects.filter(staff=officer).order_by("id")
    assert [(g.agency.code, g.valid_to) for g in grants] == [
        ("14800", dt.date(2026, 12, 31)),
        ("14797", None),
    ]
    assert AgencyChange.objects.filter(agency=c2, kind=AgencyChangeKind.MERGED).exists()
    assert AgencyChange.objects.filter(agency=tree.c1, kind=AgencyChangeKind.ABSORBED).exists()
    # History stays: on the day before the merger it was active, not after.
    assert Agency.objects.active_on(dt.date(2026, 12, 31)).filter(pk=c2.pk).exists()
    assert not Agency.objects.active_on(EFFECTIVE).filter(pk=c2.pk).exists()


def test_merging_provinces_moves_their_communes(tree):
    agency_merge(sources=[tree.p2], into=tree.p1, effective=EFFECTIVE)
    c3 = Agency.objects.get(pk=tree.c3.pk)
    assert c3.parent == tree.p1
    assert c3.path == "38/00070/"
    assert Agency.objects.get(code="00070-pvhcc").path == "38/00070/00070-pvhcc/"
    moved = AgencyChange.objects.get(agency=c3, kind=AgencyChangeKind.MOVED)
    assert moved.old_parent == tree.p2
    # A provincial role now covers the moved commune.
    admin = official("qt", home=tree.p1, role=Role.ADMINISTRATOR)
    assert has_role(admin.user, Role.ADMINISTRATOR, c3)


def test_an_agency_cannot_be_merged_into_itself_or_its_child(tree):
    with pytest.raises(ValidationFailed):
        agency_merge(sources=[tree.c1], into=tree.c1, effective=EFFECTIVE)
    with pytest.raises(ValidationFailed):
        agency_merge(sources=[tree.c1], into=tree.c1_units["pvhcc"], effective=EFFECTIVE)
    assert Agency.objects.get(pk=tree.c1.pk).valid_to is None


def test_a_closed_agency_cannot_be_merged_again(tree):
    agency_merge(sources=[tree.c2], into=tree.c1, effective=EFFECTIVE)
    with pytest.raises(ValidationFailed):
        agency_merge(sources=[tree.c2], into=tree.c3, effective=dt.date(2027, 6, 1))
    assert Agency.objects.get(pk=tree.c2.pk).successor == tree.c1
