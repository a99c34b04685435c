"""Role scoping: a role covers its agency's subtree and nothing else (SPEC.md §1.2)."""

import pytest

from motcua.core.errors import NotFound, PermissionDenied
from motcua.org.choices import Role
from motcua.org.policies import agencies_in_scope, has_role, require_role
from motcua.org.tests.factories import official

pytestmark = pytest.mark.django_db


def test_an_official_of_one_commune_cannot_act_in_another(tree):
    staff = official("tn1", home=tree.c1_units["pvhcc"], role=Role.RECEPTION, scope=tree.c1)
    user = staff.user
    assert has_role(user, Role.RECEPTION, tree.c1)
    assert has_role(user, Role.RECEPTION, tree.c1_units["pvhcc"])
    assert not has_role(user, Role.RECEPTION, tree.c2)
    with pytest.raises(NotFound):  # out of scope looks like missing
        require_role(user, Role.RECEPTION, tree.c2)
    with pytest.raises(NotFound):
        require_role(user, Role.RECEPTION, tree.c3)


def test_in_scope_without_the_role_is_forbidden(tree):
    user = official(
        "cv1", home=tree.c1_units["van-phong"], role=Role.SPECIALIST, scope=tree.c1
    ).user
    with pytest.raises(PermissionDenied) as excinfo:
        require_role(user, Role.AGENCY_LEADER, tree.c1)
    assert excinfo.value.code == "role_required"


def test_a_unit_leader_is_scoped_to_the_unit(tree):
    unit = tree.c1_units["van-phong"]
    user = official("ldp", home=unit, role=Role.UNIT_LEADER).user
    assert has_role(user, Role.UNIT_LEADER, unit)
    assert not has_role(user, Role.UNIT_LEADER, tree.c1)
    assert set(agencies_in_scope(user).values_list("code", flat=True)) == {unit.code}


def test_a_provincial_role_covers_every_commune_of_the_province(tree):
    user = official("qt", home=tree.p1_units["pvhcc"], role=Role.ADMINISTRATOR, scope=tree.p1).user
    codes = set(agencies_in_scope(user, Role.ADMINISTRATOR).values_list("code", flat=True))
    assert {tree.p1.code, tree.c1.code, tree.c2.code, tree.c1_units["pvhcc"].code} <= codes
    assert tree.c3.code not in codes
    assert tree.p2.code not in codes


def test_expired_and_inactive_grants_do_not_count(tree):
    import datetime as dt

    staff = official("old", home=tree.c1, role=Role.RECEPTION)
    grant = staff.roles.get()
    grant.valid_to = dt.date(2025, 6, 30)
    grant.save()
    assert not has_role(staff.user, Role.RECEPTION, tree.c1)
    staff2 = official("off", home=tree.c1, role=Role.RECEPTION)
    staff2.is_active = False
    staff2.save()
    assert not has_role(staff2.user, Role.RECEPTION, tree.c1)


def test_anonymous_has_no_scope(tree):
    from django.contrib.auth.models import AnonymousUser

    assert not agencies_in_scope(AnonymousUser()).exists()
    assert not has_role(AnonymousUser(), Role.RECEPTION, tree.c1)
