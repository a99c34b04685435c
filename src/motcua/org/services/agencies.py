"""Changes to the agency tree. The reform of 1 July 2025 merged provinces and communes; the next
one will too, so a merge is a service that keeps history instead of an edit that erases it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed
from motcua.core.text import search_key
from motcua.org.choices import AgencyChangeKind, AgencyKind, AgencyLevel
from motcua.org.models import Agency, AgencyChange, RoleAssignment, Staff


def agency_create(
    *,
    code: str,
    name: str,
    kind: AgencyKind | str,
    level: AgencyLevel | str,
    parent: Agency | None,
    actor=None,
    valid_from: dt.date | None = None,
    **fields,
) -> Agency:
    if Agency.objects.filter(code=code).exists():
        raise ValidationFailed(_("An agency with code %(code)s already exists.") % {"code": code})
    agency = Agency(code=code, name=name, kind=kind, level=level, parent=parent, **fields)
    agency.valid_from = valid_from
    agency_refresh_derived(agency)
    agency.full_clean()
    with transaction.atomic():
        agency.save()
        AgencyChange.objects.create(
            agency=agency,
            kind=AgencyChangeKind.CREATED,
            effective=valid_from or dt.date.today(),
            actor=actor,
        )
    return agency


def agency_refresh_derived(agency: Agency) -> None:
    """Recompute the tree position and search key from the editable fields."""
    agency.path = Agency.path_for(agency.code, agency.parent)
    agency.depth = agency.path.count("/") - 1
    agency.search_text = search_key(
        f"{agency.name} {agency.short_name} {agency.code} {agency.code_dvcqg or ''}"
    )


def _move(agency: Agency, new_parent: Agency) -> None:
    """Re-parent ``agency`` and rewrite the paths of its whole subtree."""
    old_path = agency.path
    agency.parent = new_parent
    agency_refresh_derived(agency)
    agency.save(update_fields=["parent", "path", "depth", "search_text", "updated_at"])
    descendants = list(Agency.objects.filter(path__startswith=old_path).exclude(pk=agency.pk))
    for node in descendants:
        node.path = agency.path + node.path[len(old_path) :]
        node.depth = node.path.count("/") - 1
    Agency.objects.bulk_update(descendants, ["path", "depth"], batch_size=500)


def _close(agency: Agency, *, successor: Agency, last_day: dt.date) -> None:
    agency.valid_to = last_day
    agency.successor = successor
    agency.save(update_fields=["valid_to", "successor", "updated_at"])
    # Officials follow their unit; their roles move to the successor, the old grant is kept closed.
    Staff.objects.filter(agency=agency).update(agency=successor)
    for grant in RoleAssignment.objects.filter(agency=agency, valid_to__isnull=True):
        grant.valid_to = last_day
        grant.save(update_fields=["valid_to"])
        RoleAssignment.objects.get_or_create(
            staff=grant.staff,
            role=grant.role,
            agency=successor,
            valid_to=None,
            defaults={"valid_from": last_day + dt.timedelta(days=1)},
        )


@transaction.atomic
def agency_merge(
    *,
    sources: Sequence[Agency],
    into: Agency,
    effective: dt.date,
    actor=None,
    note: str = "",
) -> Agency:
    """Merge ``sources`` into ``into`` from ``effective`` on.

    Each source closes on the day before ``effective`` with ``into`` as its successor. Its active
    sub-units that ``into`` already has (same unit key, e.g. each commune's service centre) close
    too, succeeded by ``into``'s unit; the others (e.g. the communes of a merged province) move
    under ``into``. Officials and their roles follow. Every step is recorded in ``AgencyChange``;
    dossiers and statistics keep pointing at the historical agencies.
    """
    if not sources:
        raise ValidationFailed(_("Choose at least one agency to merge."))
    locked = {
        a.pk: a
        for a in Agency.objects.select_for_update().filter(
            pk__in=[s.pk for s in sources] + [into.pk]
        )
    }
    into = locked[into.pk]
    sources = [locked[s.pk] for s in sources]
    if any(s.pk == into.pk for s in sources):
        raise ValidationFailed(_("An agency cannot be merged into itself."))
    for source in sources:
        if into.path.startswith(source.path):
            raise ValidationFailed(
                _("%(into)s lies inside %(source)s and cannot absorb it.")
                % {"into": into.display_name, "source": source.display_name}
            )
        if not source.is_active_on(effective):
            raise ValidationFailed(
                _("%(name)s is not active on %(day)s.")
                % {"name": source.display_name, "day": effective.strftime("%d/%m/%Y")}
            )
    if not into.is_active_on(effective):
        raise ValidationFailed(
            _("%(name)s is not active on %(day)s.")
            % {"name": into.display_name, "day": effective.strftime("%d/%m/%Y")}
        )

    last_day = effective - dt.timedelta(days=1)
    for source in sources:
        own_units = {u.unit_key: u for u in into.children.active_on(effective).exclude(unit_key="")}
        for child in list(source.children.active_on(effective)):
            twin = own_units.get(child.unit_key) if child.unit_key else None
            if twin is not None:
                _close(child, successor=twin, last_day=last_day)
                AgencyChange.objects.create(
                    agency=child,
                    kind=AgencyChangeKind.MERGED,
                    effective=effective,
                    related=twin,
                    actor=actor,
                    note=note,
                )
            else:
                old_parent = child.parent
                _move(child, into)
                AgencyChange.objects.create(
                    agency=child,
                    kind=AgencyChangeKind.MOVED,
                    effective=effective,
                    related=into,
                    old_parent=old_parent,
                    actor=actor,
                    note=note,
                )
        _close(source, successor=into, last_day=last_day)
        AgencyChange.objects.create(
            agency=source,
            kind=AgencyChangeKind.MERGED,
            effective=effective,
            related=into,
            actor=actor,
            note=note,
        )
        AgencyChange.objects.create(
            agency=into,
            kind=AgencyChangeKind.ABSORBED,
            effective=effective,
            related=source,
            actor=actor,
            note=note,
        )
    return into


def current_successor(agency: Agency) -> Agency:
    """Follow successor links to the agency that carries ``agency``'s work today."""
    seen = {agency.pk}
    while agency.successor_id is not None and agency.successor_id not in seen:
        seen.add(agency.successor_id)
        successor = agency.successor
        assert successor is not None  # successor_id is set
        agency = successor
    return agency
