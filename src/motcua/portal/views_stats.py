"""Public transparency pages (issue 6, item 3): how a province and each of its communes handle
administrative procedures over the last twelve months — on time, online, how long per
procedure, how satisfied. Aggregates only (``reports.public``); anyone may read them."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from motcua.org.choices import AgencyKind
from motcua.reports import public


@require_safe
def provinces(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "rows": public.provinces_figures(today),
        "period": public.last_months(today),
    }
    return render(request, "portal/stats_list.html", context)


@require_safe
def agency(request: HttpRequest, code: str) -> HttpResponse:
    found = public.public_agency(code)
    if found is None:
        raise Http404
    figures = public.public_figures(found)
    context = {
        "agency": found,
        "figures": figures,
        "is_province": found.kind == AgencyKind.PROVINCE,
    }
    return render(request, "portal/stats_detail.html", context)
