"""Tổ chức: the organisations a person acts for (accounts.services.organisations). Another
organisation's page looks missing (404); refusals show on the form and change nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.forms import MemberForm, OrganisationForm
from motcua.accounts.models import MemberRole, OrganisationMember
from motcua.accounts.services import organisations as svc
from motcua.core.errors import DomainError, NotFound


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _upload(form, field: str) -> tuple[bytes | None, str]:
    upload = form.cleaned_data.get(field)
    return (upload.read(), upload.name or "") if upload else (None, "")


def _error_field(form, exc: DomainError, default: str) -> str | None:
    field = (getattr(exc, "params", None) or {}).get("field")
    if field in form.fields:
        return field
    return default if default in form.fields else None


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            content, name = _upload(form, "authorisation")
            data = form.cleaned_data
            try:
                organisation = svc.organisation_register(
                    actor=request.user,
                    kind=data["kind"],
                    name=data["name"],
                    tax_code=data["tax_code"],
                    address=data["address"],
                    role=data["role"],
                    authorisation=content,
                    authorisation_name=name,
                    valid_until=data["valid_until"],
                )
            except DomainError as exc:
                form.add_error(_error_field(form, exc, "authorisation"), str(exc.message))
            else:
                messages.success(
                    request,
                    _("%(name)s was registered. You can now submit dossiers for it.")
                    % {"name": organisation.name},
                )
                return redirect("accounts:organisation", pk=organisation.pk)
        status = 400
    memberships = svc.active_memberships(request.user).select_related("organisation").order_by("pk")
    return _no_store(
        render(
            request,
            "accounts/organisations.html",
            {"memberships": memberships, "form": form},
            status=status,
        )
    )


def _detail(request, organisation, form=None, status=200) -> HttpResponse:
    mine = svc.membership_of(request.user, organisation)
    members = (
        OrganisationMember.objects.filter(organisation=organisation, revoked_at__isnull=True)
        .select_related("user")
        .order_by("role", "pk")
    )
    representative = mine is not None and mine.role == MemberRole.REPRESENTATIVE
    context = {
        "organisation": organisation,
        "members": members,
        "mine": mine,
        "representative": representative,
        "form": (form or MemberForm()) if representative else None,
    }
    return _no_store(render(request, "accounts/organisation.html", context, status=status))


def _organisation(request, pk: int):
    try:
        return svc.organisation_for(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    if request.method != "POST":
        return _detail(request, organisation)
    form = MemberForm(request.POST, request.FILES)
    if form.is_valid():
        content, name = _upload(form, "authorisation")
        try:
            member = svc.organisation_member_add(
                actor=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                authorisation=content,
                authorisation_name=name,
                valid_until=form.cleaned_data["valid_until"],
            )
        except DomainError as exc:
            form.add_error(_error_field(form, exc, "email"), str(exc.message))
        else:
            messages.success(
                request,
                _("%(person)s can now act for the organisation.") % {"person": member.user},
            )
            return redirect("accounts:organisation", pk=organisation.pk)
    return _detail(request, organisation, form=form, status=400)


@login_required
@require_POST
def organisation_member_revoke(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    found = OrganisationMember.objects.filter(
        organisation=organisation, pk=member, revoked_at__isnull=True
    ).first()
    if found is None:
        raise Http404
    try:
        svc.organisation_member_revoke(actor=request.user, member=found)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("%(person)s no longer acts for the organisation.") % {"person": found.user}
        )
    return redirect("accounts:organisation", pk=organisation.pk)
