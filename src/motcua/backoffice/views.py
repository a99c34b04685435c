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

from motcua.catalog.choices import Channel
from motcua.core.errors import NotFound
from motcua.dossiers import queues, selectors
from motcua.dossiers.choices import DossierState
from motcua.org.choices import Role
from motcua.org.policies import held_roles


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def home(request: HttpRequest) -> HttpResponse:
    counts = queues.queue_counts(request.user)
    ordered = queues.queues_for(request.user)
    roles = sorted((Role(role).label for role in held_roles(request.user)), key=str)
    cards = [{"queue": q, "count": counts[q]} for q in ordered]
    return _no_store(render(request, "backoffice/home.html", {"cards": cards, "roles": roles}))


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
    }
    return _no_store(render(request, "backoffice/queue.html", context))


def dossier(request: HttpRequest, code: str) -> HttpResponse:
    from motcua.backoffice.views_desk import render_desk

    try:
        found = selectors.dossier_detail(request.user, code)
    except NotFound as exc:
        raise Http404 from exc
    return render_desk(request, found)
