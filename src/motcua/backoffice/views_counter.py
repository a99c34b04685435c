"""Counter intake for walk-in applicants (issue 5, item 2), in three screens that work without
JavaScript and by keyboard alone:

1. ``start`` — find the applicant again (identity number, enterprise code or phone) or type
   their details; choose the procedure and case;
2. ``checklist`` — tick the components handed in (original or copy, how many), attach each
   scan (marked digitised), fill the tờ khai on the applicant's behalf, and decide: receive,
   request completion or refuse;
3. ``done`` — the code, the appointment and the form to print (Mẫu 01, 02 or 03).

Between screens 1 and 2 the details wait in the session under a token, so an officer may keep
several intakes open in tabs. Only ``counter.counter_intake`` writes anything.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.backoffice.forms_counter import ChecklistForm, StartForm
from motcua.backoffice.http import no_store
from motcua.catalog import eforms
from motcua.catalog.choices import ApplicantType, Channel
from motcua.catalog.models import Component, ProcedureVariant
from motcua.core.errors import DomainError, NotFound, ValidationFailed
from motcua.dossiers import selectors
from motcua.dossiers.services import counter
from motcua.dossiers.services._common import Applicant, ComponentIn, DossierIn
from motcua.dossiers.services.drafts import appointment_preview, eform_as_component
from motcua.dossiers.services.files import stored_file_check
from motcua.org.models import Agency

SESSION_KEY = "motcua_counter"
KEEP = 10  # intakes kept open per session


def _desks(request: HttpRequest) -> list[Agency]:
    desks = counter.counter_desks(request.user)
    if not desks:
        raise Http404  # only reception officers have a counter
    return desks


def _pending(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(SESSION_KEY) or {})


def _keep(request: HttpRequest, token: str, entry: dict[str, Any]) -> None:
    pending = _pending(request)
    pending[token] = entry | {"at": timezone.now().timestamp()}
    newest = sorted(pending.items(), key=lambda kv: kv[1].get("at", 0), reverse=True)[:KEEP]
    request.session[SESSION_KEY] = dict(newest)


def _forget(request: HttpRequest, token: str) -> None:
    pending = _pending(request)
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending


# -- screen 1 ---------------------------------------------------------------------------------

_APPLICANT_FIELDS = (
    "applicant_type",
    "name",
    "id_number",
    "phone",
    "email",
    "address",
    "representative_name",
    "representative_id_number",
    "representative_phone",
)


def start(request: HttpRequest) -> HttpResponse:
    desks = _desks(request)
    by_pk = {d.pk: d for d in desks}
    query = request.GET.get("tim", "").strip()[:40]
    found = counter.applicant_lookup(actor=request.user, query=query) if query else []
    initial: dict[str, Any] = {"desk": desks[0].pk}
    editing = request.GET.get("sua", "")
    if editing in _pending(request):
        entry = _pending(request)[editing]
        initial |= dict(entry["applicant"]) | {"desk": entry["desk"], "case": entry["variant"]}
    chosen = next((f for f in found if f.key == request.GET.get("chon")), None)
    if chosen is not None:
        initial |= chosen.as_applicant()
    desk_pk = request.POST.get("desk") or initial["desk"]
    try:
        desk = by_pk[int(desk_pk)]
    except (KeyError, ValueError):
        desk = desks[0]
    sectors = counter.counter_cases(desk)
    form = StartForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        desks=desks,
        sectors=sectors,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        desk = by_pk[data["desk"]]
        applicant = {name: data.get(name) or "" for name in _APPLICANT_FIELDS}
        applicant["applicant_type"] = data["applicant_type"]
        try:
            variant = counter.counter_case(desk, data["case"])
        except ValidationFailed as exc:
            form.add_error("case", str(exc.message))
        else:
            if not form.errors:
                token = editing if editing in _pending(request) else secrets.token_urlsafe(6)
                _keep(
                    request,
                    token,
                    {"desk": desk.pk, "variant": variant.pk, "applicant": applicant},
                )
                return redirect("backoffice:counter_checklist", token=token)
    context = {
        "form": form,
        "query": query,
        "lookup_invalid": bool(query) and not counter.lookup_key(query),
        "found": found,
        "chosen": chosen,
        "editing": editing if editing in _pending(request) else "",
        "step": 1,
    }
    status = 400 if request.method == "POST" else 200
    return no_store(render(request, "backoffice/counter_start.html", context, status=status))


def _applicant(values: dict[str, Any]) -> Applicant:
    return Applicant(
        name=values.get("name", ""),
        applicant_type=int(values.get("applicant_type") or ApplicantType.CITIZEN),
        id_number=values.get("id_number", ""),
        phone=values.get("phone", ""),
        email=values.get("email", ""),
        address=values.get("address", ""),
        representative_name=values.get("representative_name", ""),
        representative_id_number=values.get("representative_id_number", ""),
        representative_phone=values.get("representative_phone", ""),
    )


# -- screen 2 ---------------------------------------------------------------------------------


def _form_component(variant: ProcedureVariant, components: list[Component]) -> Component | None:
    if not variant.form_schema:
        return None
    ui = variant.form_ui or {}
    return next((c for c in components if eforms.is_form_component(ui, c.name)), None)


def checklist(request: HttpRequest, token: str) -> HttpResponse:
    desks = _desks(request)
    entry = _pending(request).get(token)
    if entry is None:
        messages.info(request, _("This intake is no longer open. Please enter it again."))
        return redirect("backoffice:counter")
    desk = next((d for d in desks if d.pk == entry["desk"]), None)
    if desk is None:
        raise Http404
    try:
        variant = counter.counter_case(desk, entry["variant"])
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
        return redirect(f"{reverse('backoffice:counter')}?sua={token}")
    applicant = _applicant(entry["applicant"])
    components = counter.case_components(variant)
    filled = _form_component(variant, components)
    schema, ui = variant.form_schema or {}, variant.form_ui or {}
    if request.method != "POST":
        answers = eforms.prefill(schema, ui, _profile(applicant)) if schema else {}
        sheet = ChecklistForm(components, form_component=filled)
        return _render_checklist(request, token, desk, variant, applicant, sheet, answers, {})
    sheet = ChecklistForm(components, form_component=filled, data=request.POST, files=request.FILES)
    answers, form_errors = eforms.clean(schema, request.POST, ui=ui) if schema else ({}, {})
    form_row = next((row for row in sheet.rows if row.is_form), None)
    paper_form = form_row is not None and form_row.present
    form_filled = bool(schema) and not form_errors
    if paper_form or sheet.decision != counter.Decision.RECEIVE:
        form_errors = {}  # a paper tờ khai was handed in, or the dossier is not received now
    items: list[ComponentIn] = []
    for row in sheet.rows:
        if row.is_form and not paper_form:
            continue
        if not row.present:
            continue
        content = b""
        if row.file is not None:
            content = row.file.read()
            try:
                stored_file_check(content=content, name=row.file.name or "")
            except ValidationFailed as exc:
                row.error = str(exc.message)
        items.append(
            ComponentIn(
                component=row.component,
                name=row.component.name,
                is_original=row.is_original,
                quantity=row.quantity,
                content=content or None,
                file_name=(row.file.name or "")[:255] if row.file is not None else "",
                digitised=row.file is not None,
            )
        )
    missing = sheet.missing_mandatory(form_filled=form_filled)
    if sheet.decision == counter.Decision.RECEIVE and missing:
        sheet.errors.append(
            _(
                "Not every required component is there: %(names)s. Tick what was handed in, or "
                "request completion."
            )
            % {"names": "; ".join(c.name for c in missing)}
        )
    if sheet.decision == counter.Decision.REFUSE and not sheet.reason:
        sheet.errors.append(_("Give the reasons for refusing the dossier."))
    missing_items = [c.name for c in missing] + sheet.extra_missing()
    if sheet.decision == counter.Decision.COMPLETE and not missing_items:
        sheet.errors.append(_("List every document that must be supplemented or completed."))
    if sheet.errors or sheet.row_errors() or form_errors:
        return _render_checklist(
            request, token, desk, variant, applicant, sheet, answers, form_errors, status=400
        )
    now = timezone.now()
    if form_filled and not paper_form and filled is not None:
        items.insert(
            0,
            eform_as_component(
                variant=variant,
                component=filled,
                answers=answers,
                recipient=desk,
                place=desk,
                declarant=applicant,
                actor=request.user,
                at=now,
                at_counter=True,
            ),
        )
    data = DossierIn(
        version=variant.version,
        variant=variant,
        receiving_agency=desk,
        applicant=applicant,
        channel=Channel.COUNTER,
        form_data=answers if form_filled else {},
        components=items,
        language="vi",
    )
    try:
        dossier = counter.counter_intake(
            actor=request.user,
            data=data,
            decision=sheet.decision,
            reason=sheet.reason,
            missing=missing_items,
            at=now,
        )
    except DomainError as exc:
        sheet.errors.append(str(exc.message))
        return _render_checklist(
            request,
            token,
            desk,
            variant,
            applicant,
            sheet,
            answers,
            form_errors,
            status=exc.http_status,
        )
    _forget(request, token)
    return redirect("backoffice:counter_done", code=dossier.code)


def _profile(applicant: Applicant) -> dict[str, Any]:
    return {
        "full_name": applicant.representative_name or applicant.name,
        "id_number": applicant.representative_id_number or applicant.id_number,
        "phone": applicant.representative_phone or applicant.phone,
        "email": applicant.email,
        "address": applicant.address,
    }


def _render_checklist(
    request: HttpRequest,
    token: str,
    desk: Agency,
    variant: ProcedureVariant,
    applicant: Applicant,
    sheet: ChecklistForm,
    answers: dict[str, Any],
    form_errors: dict[str, str],
    *,
    status: int = 200,
) -> HttpResponse:
    schema, ui = variant.form_schema or {}, variant.form_ui or {}
    eform = (
        eforms.template_context(eforms.form_fields(schema, ui, data=answers, errors=form_errors))
        if schema
        else None
    )
    appointment = appointment_preview(variant=variant, agency=desk, channel=Channel.COUNTER)
    context = {
        "token": token,
        "desk": desk,
        "variant": variant,
        "version": variant.version,
        "applicant": applicant,
        "sheet": sheet,
        "eform": eform,
        "appointment": appointment,
        "had_files": sheet.bound and any(row.file is not None for row in sheet.rows),
        "decisions": counter.Decision,
        "step": 2,
    }
    return no_store(render(request, "backoffice/counter_checklist.html", context, status=status))


# -- screen 3 ---------------------------------------------------------------------------------


def done(request: HttpRequest, code: str) -> HttpResponse:
    _desks(request)
    try:
        dossier = selectors.dossier_detail(request.user, code)
    except NotFound as exc:
        raise Http404 from exc
    return no_store(
        render(
            request,
            "backoffice/counter_done.html",
            {"dossier": dossier, "forms": _form_links(dossier), "step": 3},
        )
    )


def _form_links(dossier) -> list[dict[str, str]]:
    """The forms to print now (Mẫu 01 after reception, 02 after a completion request, 03 after
    a refusal, …), numbered and titled as in the dossier's form regime."""
    from motcua.dossiers.documents.regimes import dossier_regime, form_spec

    regime = dossier_regime(dossier)
    links = []
    for kind in dossier.available_forms:
        spec = form_spec(regime, kind)
        if spec is None:
            continue
        links.append(
            {
                "label": _("Print Mẫu %(number)s: %(title)s")
                % {"number": spec.number, "title": spec.title},
                "url": reverse("backoffice:form_pdf", args=[dossier.code, kind]),
            }
        )
    return links
