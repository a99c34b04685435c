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


def scope_paths(user, role: Role | str | None = None) -> list[str]:
    """Paths of the agencies on which ``user`` holds ``role`` (any role when None) today."""
    if user is None or not user.is_authenticated:
        return []
    qs = _current(
        RoleAssignment.objects.filter(staff__user=user, staff__is_active=True),
        timezone.localdate(),
    )
    if role is not None:
        qs = qs.filter(role=role)
    return list(qs.values_list("agency__path", flat=True).distinct())


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
