from __future__ import annotations

from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model

from motcua.core.text import search_key
from motcua.org.choices import AgencyKind, AgencyLevel, DivisionType, Role
from motcua.org.models import Agency, RoleAssignment, Staff


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.LazyAttribute(lambda o: f"Ủy ban nhân dân {o.code}")
    short_name = factory.LazyAttribute(lambda o: o.name)
    kind = AgencyKind.COMMUNE
    level = AgencyLevel.COMMUNE
    parent = None
    path = factory.LazyAttribute(lambda o: Agency.path_for(o.code, o.parent))
    depth = factory.LazyAttribute(lambda o: o.path.count("/") - 1)
    search_text = factory.LazyAttribute(lambda o: search_key(f"{o.name} {o.short_name} {o.code}"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="vi_VN")
    password = factory.django.Password("secret-pass-123")


def official(username: str, *, home: Agency, role: Role, scope: Agency | None = None) -> Staff:
    user = UserFactory(username=username)
    staff, _ = Staff.objects.get_or_create(user=user, defaults={"agency": home})
    RoleAssignment.objects.create(staff=staff, role=role, agency=scope or home)
    return staff


def _units(parent: Agency, keys: list[tuple[str, str, str]]) -> dict[str, Agency]:
    return {
        key: AgencyFactory(
            code=f"{parent.code}-{key}",
            name=f"{label} {parent.short_name}",
            short_name=label,
            kind=kind,
            level=parent.level,
            parent=parent,
            unit_key=key,
        )
        for key, kind, label in keys
    }


COMMUNE_UNITS = [
    ("pvhcc", AgencyKind.SERVICE_CENTRE, "Trung tâm Phục vụ hành chính công"),
    ("van-phong", AgencyKind.DEPARTMENT, "Văn phòng HĐND và UBND"),
]
PROVINCE_UNITS = [
    ("pvhcc", AgencyKind.SERVICE_CENTRE, "Trung tâm Phục vụ hành chính công"),
    ("tu-phap", AgencyKind.DEPARTMENT, "Sở Tư pháp"),
]


def build_tree() -> SimpleNamespace:
    p1 = AgencyFactory(
        code="38",
        name="Ủy ban nhân dân tỉnh Thanh Hóa",
        short_name="Tỉnh Thanh Hóa",
        kind=AgencyKind.PROVINCE,
        level=AgencyLevel.PROVINCE,
        division_type=DivisionType.PROVINCE,
        division_code="38",
        code_dvcqg="H56",
        code_legacy="000.00.00.H56",
    )
    c1 = AgencyFactory(
        code="14797",
        name="Ủy ban nhân dân phường Hạc Thành",
        short_name="Phường Hạc Thành",
        parent=p1,
        division_type=DivisionType.WARD,
        division_code="14797",
    )
    c2 = AgencyFactory(
        code="14800",
        name="Ủy ban nhân dân phường Đông Tiến",
        short_name="Phường Đông Tiến",
        parent=p1,
        division_type=DivisionType.WARD,
        division_code="14800",
    )
    p2 = AgencyFactory(
        code="01",
        name="Ủy ban nhân dân thành phố Hà Nội",
        short_name="Thành phố Hà Nội",
        kind=AgencyKind.PROVINCE,
        level=AgencyLevel.PROVINCE,
        division_type=DivisionType.CITY,
        division_code="01",
    )
    c3 = AgencyFactory(
        code="00070",
        name="Ủy ban nhân dân phường Hoàn Kiếm",
        short_name="Phường Hoàn Kiếm",
        parent=p2,
        division_type=DivisionType.WARD,
        division_code="00070",
    )
    return SimpleNamespace(
        p1=p1,
        c1=c1,
        c2=c2,
        p2=p2,
        c3=c3,
        p1_units=_units(p1, PROVINCE_UNITS),
        c1_units=_units(c1, COMMUNE_UNITS),
        c2_units=_units(c2, COMMUNE_UNITS),
        c3_units=_units(c3, COMMUNE_UNITS),
    )
