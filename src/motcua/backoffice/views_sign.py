"""The leader signs a dossier's result (issue 7, SPEC.md §1.4 step 5): a page with the
result's values and the way the leader signs; posting it numbers, signs (the leader's key, then
the committee's seal) and resolves the dossier in one transaction
(``documents.services.results.dossier_result_sign``). A refusal — a missing value, a wrong PIN,
a key that cannot sign — shows on the form and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.backoffice.forms_sign import SignResultForm, initial_values
from motcua.backoffice.http import no_store
from motcua.core.errors import DomainError, NotFound
from motcua.documents import keys
from motcua.documents.services import results
from motcua.dossiers import selectors


@require_http_methods(["GET", "POST"])
def sign_result(request: HttpRequest, code: str) -> HttpResponse:
    try:
        dossier = selectors.dossier_detail(request.user, code)
    except NotFound as exc:
        raise Http404 from exc
    if not results.may_sign_result(request.user, dossier):
        raise Http404
    kind = results.result_kind_of(dossier)
    issuer = results.issuing_agency(dossier)
    problem = ""
    try:
        personal = keys.personal_key(request.user)
        seal = keys.seal_key(issuer)
    except keys.KeyConfigError as error:
        personal = seal = None
        problem = _("The signing keys are misconfigured: %(reason)s.") % {"reason": str(error)}
    if not problem and personal is None:
        problem = _("No signing key is configured for you: ask the administrator.")
    elif not problem and seal is None:
        problem = _("No seal key is configured for %(agency)s: ask the administrator.") % {
            "agency": issuer.name
        }
    form = SignResultForm(
        request.POST if request.method == "POST" else None,
        kind=kind,
        ask_secret=bool(personal and personal.ask),
        competence=results.competence_guess(request.user),
        initial={f"v_{k}": v for k, v in initial_values(kind, dossier).items()},
    )
    status = 200
    if request.method == "POST" and not problem:
        if form.is_valid():
            try:
                document = results.dossier_result_sign(
                    actor=request.user,
                    dossier=dossier,
                    values=form.values(),
                    competence=form.cleaned_data["competence"],
                    secret=form.cleaned_data.get("secret", ""),
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request,
                    _("Signed and issued: %(type)s No. %(notation)s.")
                    % {"type": document.type_name, "notation": document.notation},
                )
                return redirect("backoffice:dossier", code=dossier.code)
        status = 400
    context = {
        "dossier": dossier,
        "kind": kind,
        "issuer": issuer,
        "form": form,
        "problem": problem,
        "key": personal,
        "position": results.position_of(request.user),
    }
    return no_store(render(request, "backoffice/sign_result.html", context, status=status))
