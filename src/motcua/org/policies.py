"""Who may act where: roles are granted on an agency and cover its subtree (SPEC.md §1.2).

Every list and detail of scoped data starts from ``agencies_in_scope``; an agency outside the
actor's scope looks exactly like a missing one.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound, PermissionDenied
from motcua.org.choices import Role
from motcua.org.models import Agency, RoleAssignment


def _current(qs: QuerySet[RoleAssignment], day: dt.date) -> QuerySet[RoleAssignment]:
    return qs.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def _assignments(user) -> list[tuple[str, str]]:
    """(role, agency path) of the user's current role assignments, read once per user object
    and day: a request asks many permission questions about the same person."""
    today = timezone.localdate()
    cached = getattr(user, "_motcua_assignments", None)
    if cached is not None and cached[0] == today:
        return cached[1]
    rows = list(
        _current(
            RoleAssignment.objects.filter(staff__user=user, staff__is_active=True), today
        ).values_list("role", "agency__path")
    )
    user._motcua_assignments = (today, rows)
    return rows


def forget_assignments(user) -> None:
    """Drop the memo of ``user``'s roles (after granting or revoking one)."""
    user.__dict__.pop("_motcua_assignments", None)
    user.__dict__.pop("_motcua_history_paths", None)


def scope_paths(user, role: Role | str | None = None) -> list[str]:
    """Paths of the agencies on which ``user`` holds ``role`` (any role when None) today."""
    if user is None or not user.is_authenticated:
        return []
    paths = [path for r, path in _assignments(user) if role is None or r == role]
    return list(dict.fromkeys(paths))


def held_roles(user) -> set[str]:
    """The roles ``user`` holds today, on any agency."""
    if user is None or not user.is_authenticated:
        return set()
    return {role for role, _path in _assignments(user)}


def predecessor_paths(paths: list[str]) -> list[str]:
    """Paths of agencies that were merged into an agency under one of ``paths`` (directly or
    through later merges). Their history — dossiers above all — belongs to their successor's
    officials: an agency closed by a reorganisation keeps its rows, its successor carries its
    work (ADR 0001)."""
    found: list[str] = []
    frontier = list(paths)
    for _round in range(8):  # merges of merges; a cycle cannot loop
        if not frontier:
            break
        condition = reduce(or_, (Q(successor__path__startswith=p) for p in frontier))
        new = [
            path
            for path in Agency.objects.filter(condition).values_list("path", flat=True)
            if not any(path.startswith(known) for known in (*paths, *found))
        ]
        found.extend(new)
        frontier = new
    return found


def history_paths(user) -> list[str]:
    """Scope paths of ``user`` plus those of the agencies merged into them (memoised like the
    roles)."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, "_motcua_history_paths", None)
    today = timezone.localdate()
    if cached is not None and cached[0] == today:
        return cached[1]
    paths = scope_paths(user)
    result = paths + predecessor_paths(paths) if paths else []
    user._motcua_history_paths = (today, result)
    return result


def agencies_in_scope(user, role: Role | str | None = None) -> QuerySet[Agency]:
    if user is not None and user.is_authenticated and user.is_superuser:
        return Agency.objects.all()
    paths = scope_paths(user, role)
    if not paths:
        return Agency.objects.none()
    return Agency.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))


def has_role(user, role: Role | str, agency: Agency) -> bool:
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    return any(agency.path.startswith(path) for path in scope_paths(user, role))


def require_role(user, role: Role | str, agency: Agency) -> None:
    """Raise unless ``user`` holds ``role`` over ``agency``. An agency outside every scope of the
    user is reported as not found, so that scope cannot be probed."""
    if has_role(user, role, agency):
        return
    if not any(agency.path.startswith(path) for path in scope_paths(user)):
        raise NotFound(_("Agency not found."), code="agency_not_found")
    raise PermissionDenied(
        _("You do not have the role “%(role)s” at %(agency)s.")
        % {"role": Role(role).label, "agency": agency.display_name},
        code="role_required",
    )
