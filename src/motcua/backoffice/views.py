"""The back office (issue 5): the official's home with their work queues, each queue, and the
dossier desk (read-only in this first increment: the actions come next). Reaching these pages
already passed ``OfficialSecurityMiddleware`` (official, second factor, not idle); every list and
detail starts from ``policies.visible_dossiers``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from motcua.backoffice.http import no_store
from motcua.catalog.choices import Channel
from motcua.core.errors import NotFound
from motcua.dossiers import oversight, queues, selectors
from motcua.dossiers.choices import DossierState
from motcua.org.choices import Role
from motcua.org.policies import held_roles


def home(request: HttpRequest) -> HttpResponse:
    counts = queues.queue_counts(request.user)
    ordered = queues.queues_for(request.user)
    roles = sorted((Role(role).label for role in held_roles(request.user)), key=str)
    cards = [{"queue": q, "count": counts[q]} for q in ordered]
    context = {
        "cards": cards,
        "roles": roles,
        "is_reception": Role.RECEPTION in held_roles(request.user),
        "may_oversee": oversight.may_oversee(request.user),
    }
    return no_store(render(request, "backoffice/home.html", context))


def _date(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%d/%m/%Y").date() if value else None
    except ValueError:
        return None


def queue(request: HttpRequest, queue: str) -> HttpResponse:
    try:
        which = queues.Queue(queue)
    except ValueError:
        raise Http404 from None
    return render_queue(request, which)


def render_queue(
    request: HttpRequest,
    which: queues.Queue,
    *,
    bulk_error: str = "",
    selected: frozenset[str] = frozenset(),
    chosen: str = "",
    status: int = 200,
) -> HttpResponse:
    """A queue page; on the unassigned queue a unit's leader also gets the bulk assignment
    form (``views_bulk``), re-shown with ``bulk_error`` and the choices made when refused."""
    get = request.GET
    try:
        channel = int(get.get("kenh", "") or 0) or None
    except ValueError:
        channel = None
    filters = queues.Filters(
        procedure=get.get("thu-tuc", "").strip()[:40],
        state=get.get("trang-thai", "") if get.get("trang-thai") in DossierState.values else "",
        channel=channel,
        received_from=_date(get.get("tu-ngay", "")),
        received_to=_date(get.get("den-ngay", "")),
    )
    now = timezone.now()
    ids = queues.queue_dossiers(request.user, which, now=now, filters=filters).values_list(
        "pk", flat=True
    )
    page = Paginator(ids, settings.MOTCUA_PAGE_SIZE).get_page(get.get("page"))
    page.object_list = queues.queue_rows(list(page.object_list))
    bulk = None
    if which == queues.Queue.UNASSIGNED and page.object_list and _may_assign(request.user):
        bulk = {
            "groups": selectors.assignment_groups(page.object_list),
            "selected": selected,
            "chosen": chosen,
        }
    context = {
        "queue": which,
        "page": page,
        "now": now,
        "filters": filters,
        "values": {
            "procedure": get.get("thu-tuc", "")[:40],
            "from": get.get("tu-ngay", "")[:10],
            "to": get.get("den-ngay", "")[:10],
        },
        "states": DossierState.choices,
        "channels": Channel.choices,
        "queues": queues.queues_for(request.user),
        "bulk": bulk,
        "bulk_error": bulk_error,
    }
    return no_store(render(request, "backoffice/queue.html", context, status=status))


def _may_assign(user) -> bool:
    """Whether to offer bulk assignment: the user heads a unit or an agency somewhere (the
    assign service still checks each dossier, ``policies.RULES[Action.ASSIGN]``)."""
    return user.is_superuser or bool(
        held_roles(user) & {Role.UNIT_LEADER.value, Role.AGENCY_LEADER.value}
    )


def dossier(request: HttpRequest, code: str) -> HttpResponse:
    from motcua.backoffice.views_desk import render_desk

    try:
        found = selectors.dossier_detail(request.user, code)
    except NotFound as exc:
        raise Http404 from exc
    return render_desk(request, found)
