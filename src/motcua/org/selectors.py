"""Reads of the agency tree for pages and the API."""

from __future__ import annotations

from django.db.models import Case, Count, Q, QuerySet, Value, When

from motcua.core.text import search_key
from motcua.org.choices import AgencyKind
from motcua.org.models import Agency


def agency_list(
    *,
    parent: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    include_inactive: bool = False,
) -> QuerySet[Agency]:
    qs = Agency.objects.all() if include_inactive else Agency.objects.active()
    if parent:
        qs = qs.filter(parent__code=parent)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        for word in search_key(q).split():
            qs = qs.filter(search_text__contains=word)
    return qs.select_related("parent").order_by("path")


def agency_get(code: str) -> Agency:
    """An agency by code (raises Agency.DoesNotExist)."""
    return Agency.objects.select_related("parent", "successor").get(code=code)


def provinces() -> QuerySet[Agency]:
    return Agency.objects.active().filter(kind=AgencyKind.PROVINCE).order_by("short_name")


def communes_of(province: Agency) -> QuerySet[Agency]:
    return (
        Agency.objects.active()
        .filter(kind=AgencyKind.COMMUNE, parent=province)
        .order_by("short_name")
    )


def handling_agency(
    *, commune: Agency, implementing_kind: str, unit_key: str = ""
) -> Agency | None:
    """Which agency handles a procedure for a person of ``commune``: the commune's People's
    Committee for commune procedures, the province's (or its department's) otherwise."""
    if implementing_kind == AgencyKind.COMMUNE:
        return commune
    province = commune.parent
    while province is not None and province.kind != AgencyKind.PROVINCE:
        province = province.parent
    if province is None:
        return None
    if implementing_kind == AgencyKind.PROVINCE:
        return province
    if unit_key:
        return province.children.active().filter(unit_key=unit_key).first()
    return province


def _active_children_q(today) -> Q:
    return (Q(children__valid_from__isnull=True) | Q(children__valid_from__lte=today)) & (
        Q(children__valid_to__isnull=True) | Q(children__valid_to__gte=today)
    )


def provinces_with_commune_counts() -> QuerySet[Agency]:
    """The provinces in force, each with ``commune_count`` (its communes in force): one query."""
    from django.utils import timezone

    in_force = _active_children_q(timezone.localdate()) & Q(children__kind=AgencyKind.COMMUNE)
    return provinces().annotate(commune_count=Count("children", filter=in_force))


def province_communes(*, province: Agency, q: str | None = None) -> QuerySet[Agency]:
    """The communes in force of ``province`` by name; ``q`` is accent-insensitive."""
    qs = communes_of(province)
    if q:
        for word in search_key(q).split():
            qs = qs.filter(search_text__contains=word)
    return qs


def agency_units(*, agency: Agency) -> QuerySet[Agency]:
    """The units in force directly under ``agency`` other than communes: the public
    administrative service centre first, then departments and other units by name."""
    return (
        Agency.objects.active()
        .filter(parent=agency)
        .exclude(kind=AgencyKind.COMMUNE)
        .order_by(
            Case(When(kind=AgencyKind.SERVICE_CENTRE, then=Value(0)), default=Value(1)), "name"
        )
    )


def agency_current_successor(agency: Agency) -> Agency | None:
    """For an agency that no longer operates: the agency carrying its work today (following
    successor links through later merges); ``None`` when it has no successor."""
    current = agency.successor  # no query when there is no successor
    if current is None:
        return None
    seen = {agency.pk}
    while current.successor_id is not None and current.successor_id not in seen:
        seen.add(current.pk)
        current = Agency.objects.select_related("successor").get(pk=current.successor_id)
    return current


def officials_with_role(role: str, agency: Agency):
    """Active officials who hold ``role`` over ``agency`` today (granted on it or an ancestor),
    by name: who a step at ``agency`` can be assigned to."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from motcua.org.models import RoleAssignment

    parts = [p for p in agency.path.split("/") if p]
    prefixes = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    today: dt.date = timezone.localdate()
    granted = RoleAssignment.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        role=role,
        staff__is_active=True,
        agency__path__in=prefixes,
    ).values("staff__user_id")
    return get_user_model().objects.filter(pk__in=granted).order_by("full_name", "username")
