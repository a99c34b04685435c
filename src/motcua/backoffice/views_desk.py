"""The dossier desk (issue 5, item 4): everything about one dossier on one page, and only the
actions this official may take now, each a small form with its required inputs. Posting one
calls ``dossiers.actions.perform`` (the API's path); a refusal shows on that form and changes
nothing. The submitted documents open in place (``component``) and the forms as PDF
(``form_pdf``), both inside the same scope as the desk."""

from __future__ import annotations

import pydantic
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.backoffice.forms import FORMS, ActionForm
from motcua.backoffice.http import no_store
from motcua.core.errors import DomainError, NotFound
from motcua.documents.selectors import signed_result_of
from motcua.documents.services.results import may_sign_result
from motcua.dossiers import actions, schemas, selectors
from motcua.dossiers.choices import Action
from motcua.dossiers.models import Dossier
from motcua.org.selectors import officials_with_role


def _assignees(dossier: Dossier) -> list:
    step = dossier.current_step
    if step is None:
        return []
    return list(officials_with_role(step.role, step.agency))


def _forms(dossier: Dossier, bound: ActionForm | None, bound_action: str) -> list[dict]:
    """A form for each action the official may take now (rating is entered on its own page)."""
    found = []
    for action in dossier.available_actions:  # type: ignore[attr-defined]
        form_class = FORMS.get(action)
        if form_class is None:
            continue
        if bound is not None and action == bound_action:
            form = bound
        else:
            extra = {"assignees": _assignees(dossier)} if action == Action.ASSIGN else {}
            form = form_class(prefix=action, dossier=dossier, **extra)
        found.append({"action": action, "label": Action(action).label, "form": form})
    return found


def render_desk(
    request: HttpRequest,
    dossier: Dossier,
    *,
    bound: ActionForm | None = None,
    bound_action: str = "",
    status: int = 200,
) -> HttpResponse:
    events = list(dossier.events.select_related("actor", "agency").order_by("seq"))
    desk = selectors.dossier_desk(dossier)
    context = {
        "dossier": dossier,
        "desk": desk,
        "clock": desk.clock,
        "events": events,
        "actions": _forms(dossier, bound, bound_action),
        "open_action": bound_action,
        "may_sign": may_sign_result(request.user, dossier),
        "result_document": signed_result_of(dossier),
    }
    return no_store(render(request, "backoffice/dossier.html", context, status=status))


def _detail(request: HttpRequest, code: str) -> Dossier:
    try:
        return selectors.dossier_detail(request.user, code)
    except NotFound as exc:
        raise Http404 from exc


@require_GET
def component(request: HttpRequest, code: str, component_id: int) -> HttpResponse:
    """A submitted document shown in place (PDF, JPEG, PNG) for the officials who see the
    dossier; 404 when the dossier is out of scope or the document is not one of its own."""
    from motcua.dossiers.downloads import stored_file_response

    try:
        found = selectors.dossier_component(request.user, code, component_id)
    except NotFound as exc:
        raise Http404 from exc
    assert found.file is not None  # the selector only returns components with a file
    if request.GET.get("ban") == "sao-dien-tu":  # the sealed electronic copy
        if found.e_copy is None:
            raise Http404
        name = f"{code}-{found.pk}-ban-sao-dien-tu.pdf"
        return no_store(stored_file_response(found.e_copy, filename=name, inline=True))
    extension = found.file.content_type.rpartition("/")[2].replace("jpeg", "jpg")
    name = found.file_name or f"{code}-{found.pk}.{extension}"
    return no_store(stored_file_response(found.file, filename=name, inline=True))


@require_GET
def form_pdf(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """A form of the dossier as PDF (as ``GET /api/v1/dossiers/{code}/forms/{form}.pdf``):
    ``form`` is a kind (``receipt``) or its number in the dossier's form set (``01``)."""
    from motcua.dossiers import documents
    from motcua.dossiers.downloads import seal

    dossier = _detail(request, code)
    try:
        kind = documents.form_kind(dossier, form)
        pdf = documents.render_dossier_form(dossier=dossier, kind=kind)
    except NotFound as exc:
        raise Http404 from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-{kind}.pdf"'
    return no_store(seal(response, content_type="application/pdf", inline=True))


@require_GET
def result_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The dossier's electronic result, for the officials who see the dossier."""
    from motcua.dossiers.downloads import result_response

    return no_store(result_response(request.user, _detail(request, code)))


@require_POST
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    dossier = _detail(request, code)
    form_class = FORMS.get(action)
    if form_class is None:
        raise Http404
    extra = {"assignees": _assignees(dossier)} if action == Action.ASSIGN else {}
    form = form_class(request.POST, request.FILES, prefix=action, dossier=dossier, **extra)
    if not form.is_valid():
        return render_desk(request, dossier, bound=form, bound_action=action, status=400)
    try:
        data = schemas.ACTION_INPUTS[action].model_validate(form.payload())
        actions.perform(request.user, dossier, action, data)
    except pydantic.ValidationError:
        form.add_error(None, _("Check the values entered."))
        return render_desk(request, dossier, bound=form, bound_action=action, status=400)
    except DomainError as exc:
        form.add_error(None, str(exc.message))
        fresh = _detail(request, code)
        if action not in fresh.available_actions:  # type: ignore[attr-defined]
            # the form is not shown (the action is not offered): say why at the top instead
            messages.error(request, str(exc.message))
        return render_desk(request, fresh, bound=form, bound_action=action, status=exc.http_status)
    messages.success(
        request, _("Done: %(action)s.") % {"action": str(Action(action).label).lower()}
    )
    return redirect("backoffice:dossier", code=code)
