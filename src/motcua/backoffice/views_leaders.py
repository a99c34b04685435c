"""The leaders' view (issue 5, item 6): how the dossiers of an agency subtree stand — by
status, overdue by unit, step and official, the on-time rate this month and last, what is due
today and the list to act on. For heads of units and agency leaders only; to anyone else, and
for an agency outside the leader's scope, the page does not exist (404)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.backoffice.http import no_store
from motcua.core.errors import NotFound
from motcua.dossiers import oversight, queues


def leaders(request: HttpRequest) -> HttpResponse:
    if not oversight.may_oversee(request.user):
        raise Http404
    code = request.GET.get("co-quan", "").strip()[:40]
    try:
        agency = oversight.oversight_agency(request.user, code) if code else None
    except NotFound as exc:
        raise Http404 from exc
    context = {
        "overview": oversight.leaders_overview(request.user, agency=agency),
        "agencies": oversight.oversight_agencies(request.user),
        "limit": oversight.TO_ACT_ON_LIMIT,
        "queues": queues.queues_for(request.user),
    }
    return no_store(render(request, "backoffice/leaders.html", context))
