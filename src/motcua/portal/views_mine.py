"""Hồ sơ của tôi: the signed-in citizen's dossiers (issue 4, items 5–6).

Every view fetches through ``selectors.my_dossier`` (another person's code looks unknown: 404),
calls one service, and shows a refusal (``DomainError``) on the form without changing anything."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.core.errors import DomainError, NotFound
from motcua.documents.selectors import signed_result_of
from motcua.dossiers import policies, selectors, transitions
from motcua.dossiers.choices import Action, DossierState, ReturnMethod
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import drafts, lifecycle
from motcua.dossiers.services.files import upload_quota, upload_refusal
from motcua.feedback.services import dossier_rate
from motcua.portal.forms_mine import RatingForm, SupplyForm, WithdrawalForm
from motcua.portal.views import NEXT_STEP

SUPPLY_PREFIX, WITHDRAW_PREFIX, RATE_PREFIX = "bs", "rut", "dg"


def _mine(request: HttpRequest, code: str) -> Dossier:
    try:
        return selectors.my_dossier(request.user, code)
    except NotFound as exc:
        raise Http404 from exc


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_dossiers(request.user), settings.MOTCUA_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    unfinished = [(draft, _resume_url(draft)) for draft in drafts.my_drafts(actor=request.user)]
    return _no_store(render(request, "portal/mine/list.html", {"page": page, "drafts": unfinished}))


def _resume_url(draft) -> str:
    """Where a draft continues: the choice of place first, then "check your answers", which
    lists what is still missing with a link to each."""
    name = "submit_check" if draft.receiving_agency_id else "submit_where"
    return reverse(f"portal:{name}", args=[draft.procedure_version.procedure.code, draft.uuid])


def _rating(dossier: Dossier) -> Any:
    try:
        return dossier.rating  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None


def _supply_form(request: HttpRequest | None, dossier: Dossier) -> SupplyForm | None:
    request_ = dossier.open_supplement  # type: ignore[attr-defined]
    if dossier.state not in (
        DossierState.SUPPLEMENT_REQUESTED,
        DossierState.RETURNED_FOR_COMPLETION,
    ):
        return None
    items = list(request_.items) if request_ is not None else []
    if request is None:
        return SupplyForm(items=items, prefix=SUPPLY_PREFIX)
    return SupplyForm(request.POST, request.FILES, items=items, prefix=SUPPLY_PREFIX)


def _detail(
    request: HttpRequest, dossier: Dossier, *, bound: Any = None, status: int = 200
) -> HttpResponse:
    """The detail page; ``bound`` is the form just posted with its errors."""
    user = request.user
    state = DossierState(dossier.state)
    rating = _rating(dossier)
    may_withdraw = transitions.can(Action.REQUEST_WITHDRAWAL, state) and policies.may(
        user, Action.REQUEST_WITHDRAWAL, dossier
    )
    may_rate = (
        transitions.can(Action.RATE, state)
        and not dossier.rated
        and rating is None
        and policies.may(user, Action.RATE, dossier)
    )
    supply = bound if isinstance(bound, SupplyForm) else _supply_form(None, dossier)
    withdraw = (
        bound if isinstance(bound, WithdrawalForm) else WithdrawalForm(prefix=WITHDRAW_PREFIX)
    )
    rate = bound if isinstance(bound, RatingForm) else RatingForm(prefix=RATE_PREFIX)
    context = {
        "dossier": dossier,
        "next_step": NEXT_STEP.get(state, ""),
        "supply_form": supply,
        "resubmit": state == DossierState.RETURNED_FOR_COMPLETION,
        "withdraw_form": withdraw if may_withdraw else None,
        "rating_form": rate if may_rate else None,
        "rating": rating,
        "online_result": state == DossierState.RETURNED
        and dossier.return_method == ReturnMethod.ONLINE,
        "result_download": policies.may_download_result(request.user, dossier),
        "result_document": signed_result_of(dossier),
        "bound": bound,
    }
    return _no_store(render(request, "portal/mine/detail.html", context, status=status))


@login_required
def my_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _detail(request, _mine(request, code))


@login_required
def my_form_pdf(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    from motcua.dossiers import documents

    dossier = _mine(request, code)
    if kind not in dict(dossier.citizen_forms):  # type: ignore[attr-defined]
        raise Http404
    try:
        pdf = documents.render_dossier_form(dossier=dossier, kind=kind)
    except NotFound as exc:
        raise Http404 from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-{kind}.pdf"'
    return _no_store(response)


@login_required
def my_result(request: HttpRequest, code: str) -> HttpResponse:
    """The electronic result, once it has been returned online; 404 before then."""
    from motcua.dossiers.downloads import result_response

    dossier = (
        selectors.my_dossiers(request.user).select_related("result_file").filter(code=code).first()
    )
    if dossier is None:
        raise Http404
    return result_response(request.user, dossier)


def _back(dossier: Dossier, anchor: str = "") -> HttpResponse:
    url = reverse("portal:my_dossier", kwargs={"code": dossier.code})
    return redirect(url + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def my_supply(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _mine(request, code)
    form = _supply_form(request, dossier)
    if form is None:  # already sent (a second click), or nothing was requested
        return _back(dossier)
    if form.is_valid():
        count = len(form.components())
        retry_after = upload_quota(actor=request.user, count=count)
        if retry_after:
            message = str(upload_refusal(retry_after).message)
            form.add_error("file_0" if form.items else "note", message)
            return _detail(request, _mine(request, code), bound=form, status=429)
        resubmit = dossier.state == DossierState.RETURNED_FOR_COMPLETION
        service = lifecycle.dossier_resubmit if resubmit else lifecycle.dossier_supply
        try:
            service(
                actor=request.user,
                dossier=dossier,
                components=form.components(),
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            message = str(exc.message)
            form.add_error(form.field_for_file(message), message)
        else:
            messages.success(
                request,
                _("Your documents were sent. The dossier is back with the one-stop desk.")
                if resubmit
                else _("Your documents were sent. The processing of your dossier has resumed."),
            )
            return _back(dossier)
    return _detail(request, _mine(request, code), bound=form, status=400)


@login_required
@require_POST
def my_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _mine(request, code)
    form = WithdrawalForm(request.POST, prefix=WITHDRAW_PREFIX)
    if form.is_valid():
        try:
            lifecycle.dossier_request_withdrawal(
                actor=request.user, dossier=dossier, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error("reason", str(exc.message))
        else:
            messages.success(
                request,
                _("Your request to withdraw the dossier was sent to the one-stop desk."),
            )
            return _back(dossier)
    return _detail(request, _mine(request, code), bound=form, status=400)


@login_required
@require_POST
def my_rate(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _mine(request, code)
    form = RatingForm(request.POST, prefix=RATE_PREFIX)
    if form.is_valid():
        try:
            dossier_rate(
                actor=request.user,
                dossier=dossier,
                liked=form.cleaned_data["liked"] == "yes",
                convenience=form.cleaned_data["convenience"],
                overall=form.cleaned_data["overall"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            field = "comment" if exc.code == "comment_too_long" else None
            form.add_error(field, str(exc.message))
        else:
            messages.success(request, _("Thank you. Your rating was recorded."))
            return _back(dossier, "rating")
    return _detail(request, _mine(request, code), bound=form, status=400)
