"""Public pages: parse the request, read through the selectors, render. No rules live here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from motcua.catalog import selectors as catalog
from motcua.catalog.choices import ImplementationLevel, OnlineLevel
from motcua.catalog.models import ProcedureVersion
from motcua.core import ratelimit
from motcua.dossiers.choices import DossierState
from motcua.dossiers.tracking import public_track
from motcua.org import selectors as org
from motcua.org.choices import AgencyKind
from motcua.org.models import Agency
from motcua.portal.forms import (
    CommuneFilterForm,
    LocationForm,
    ProcedureSearchForm,
    TrackingForm,
)


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "form": ProcedureSearchForm(),
            "common": catalog.procedures_common(limit=6),
            "levels": ImplementationLevel,
        },
    )


def procedures(request: HttpRequest) -> HttpResponse:
    form = ProcedureSearchForm(request.GET or None, sectors=catalog.sectors_in_use())
    criteria = form.criteria() if form.is_bound else {}
    page = Paginator(catalog.procedure_search(**criteria), settings.MOTCUA_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/procedure_list.html",
        {"form": form, "page": page, "filtered": any(criteria.values())},
    )


def procedure(request: HttpRequest, code: str) -> HttpResponse:
    try:
        version = catalog.procedure_detail(code)
    except ProcedureVersion.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "portal/procedure_detail.html",
        {
            "version": version,
            "cases": _cases(version),
            "general_components": [c for c in version.components.all() if c.variant_id is None],
            "general_fees": [f for f in version.fees.all() if f.variant_id is None],
            "online": version.online_level in (OnlineLevel.PARTIAL, OnlineLevel.FULL),
            "where": _where(request, version),
        },
    )


def agencies(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/agency_list.html",
        {"provinces": org.provinces_with_commune_counts()},
    )


def agency(request: HttpRequest, code: str) -> HttpResponse:
    try:
        found = org.agency_get(code)
    except Agency.DoesNotExist as exc:
        raise Http404 from exc
    context: dict[str, Any] = {
        "agency": found,
        "successor": org.agency_current_successor(found),
        "units": org.agency_units(agency=found),
    }
    if found.kind == AgencyKind.PROVINCE:
        form = CommuneFilterForm(request.GET)
        q = form.cleaned_data["q"] if form.is_valid() else ""
        context |= {"commune_form": form, "q": q}
        context["communes"] = org.province_communes(province=found, q=q)
    return render(request, "portal/agency_detail.html", context)


# --- helpers that only arrange what the selectors return for display ------------------------
def _cases(version: ProcedureVersion) -> list[dict[str, Any]]:
    """Each case (trường hợp) with the components and fees that apply to it alone."""
    components = list(version.components.all())
    fees = list(version.fees.all())
    return [
        {
            "variant": variant,
            "components": [c for c in components if c.variant_id == variant.pk],
            "fees": [f for f in fees if f.variant_id == variant.pk],
        }
        for variant in version.variants.all()
    ]


def _where(request: HttpRequest, version: ProcedureVersion) -> dict[str, Any]:
    """The province → commune picker and, once a commune is chosen, the handling agency."""
    provinces = list(org.provinces())
    province_code = request.GET.get("province", settings.MOTCUA_DEFAULT_PROVINCE)
    province = next((p for p in provinces if p.code == province_code), None)
    communes = list(org.communes_of(province)) if province else []
    commune = next((c for c in communes if c.code == request.GET.get("commune")), None)
    handler = None
    if commune is not None:
        commune.parent = province
        handler = org.handling_agency(
            commune=commune,
            implementing_kind=version.implementing_kind,
            unit_key=version.implementing_unit_key,
        )
    form = LocationForm(
        {"province": province.code if province else "", "commune": commune.code if commune else ""},
        provinces=provinces,
        communes=communes,
    )
    return {"form": form, "province": province, "commune": commune, "handler": handler}


# What happens next, in plain words, for each status a citizen can see (SPEC.md §1.7).
NEXT_STEP = {
    DossierState.SUBMITTED: _(
        "The one-stop desk will check your dossier. You will be told if anything is missing."
    ),
    DossierState.RETURNED_FOR_COMPLETION: _(
        "Your dossier is not complete yet. Supplement the documents listed in the request, then "
        "submit it again."
    ),
    DossierState.REJECTED: _("Your dossier was not received. The reasons are in form 03."),
    DossierState.RECEIVED: _("Your dossier was received and is waiting to be processed."),
    DossierState.IN_PROCESS: _("Your dossier is being processed."),
    DossierState.SUPPLEMENT_REQUESTED: _(
        "The agency needs more documents. Until you supply them the processing time is paused."
    ),
    DossierState.PAYMENT_REQUESTED: _(
        "Fees or charges must be paid before the processing can go on."
    ),
    DossierState.WITHDRAWAL_REQUESTED: _(
        "You asked to withdraw the dossier. The one-stop desk will confirm it."
    ),
    DossierState.STOPPED: _("The processing of this dossier has stopped."),
    DossierState.RESOLVED: _(
        "The result is ready. Collect it as you chose when you submitted the dossier."
    ),
    DossierState.RETURNED: _("The result has been handed over."),
}


def track(request: HttpRequest) -> HttpResponse:
    """Tra cứu hồ sơ: follow a dossier without an account (a GET form; works without JS)."""
    form = TrackingForm(request.GET if "so" in request.GET else None)
    if form.is_bound is False and request.GET.get("ma"):
        form = TrackingForm(initial={"ma": request.GET["ma"][:64]})
    context: dict[str, Any] = {"form": form, "searched": False}
    status = 200
    if form.is_bound and form.is_valid():
        result = public_track(
            client=ratelimit.client_ip(request),
            code=form.cleaned_data["ma"],
            phone_last4=form.cleaned_data["so"],
        )
        context.update(searched=True, retry_after=result.retry_after, dossier=result.dossier)
        if result.limited:
            status = 429
        elif result.dossier is not None:
            context["next_step"] = NEXT_STEP.get(DossierState(result.dossier.state), "")
    response = render(request, "portal/track.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    if context.get("retry_after"):
        response["Retry-After"] = str(context["retry_after"])
    return response
