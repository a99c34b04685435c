"""Nộp hồ sơ trực tuyến: the online submission flow in the GOV.UK pattern (start → where → one
page per topic of the e-form → documents → check your answers → declaration → confirmation).

Every step saves the draft through ``dossiers.services.drafts``; the views only parse, fetch
and render. Everything works without JavaScript: plain GET and POST forms."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.catalog import eforms
from motcua.catalog import selectors as catalog
from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Dossier, SubmissionDraft
from motcua.dossiers.services import drafts
from motcua.dossiers.services.files import max_upload_bytes, upload_quota, upload_refusal
from motcua.org import selectors as org
from motcua.portal.forms import LocationForm
from motcua.portal.forms_submit import DeclarationForm


# --- access helpers ------------------------------------------------------------------------
def _version(code: str) -> ProcedureVersion:
    try:
        version = catalog.procedure_detail(code)
    except ProcedureVersion.DoesNotExist as exc:
        raise Http404 from exc
    if not version.offers_online:
        raise Http404
    return version


def _draft(request: HttpRequest, code: str, draft: Any) -> SubmissionDraft:
    try:
        found = drafts.draft_get(actor=request.user, uuid=draft)
    except SubmissionDraft.DoesNotExist as exc:
        raise Http404 from exc
    if found.procedure_version.procedure.code != code:
        raise Http404
    return found


def _url(name: str, draft: SubmissionDraft, *args: Any, back_to_check: bool = False) -> str:
    url = reverse(
        f"portal:{name}", args=[draft.procedure_version.procedure.code, draft.uuid, *args]
    )
    return url + "?from=check" if back_to_check else url


def _pages(draft: SubmissionDraft) -> list[eforms.Page]:
    schema = draft.variant.form_schema
    return eforms.pages(schema, draft.variant.form_ui) if schema else []


def _eligible(draft: SubmissionDraft) -> list[Any]:
    if not hasattr(draft, "_eligible"):
        draft._eligible = drafts.organisations_eligible(  # type: ignore[attr-defined]
            actor=draft.owner, version=draft.procedure_version
        )
    return draft._eligible  # type: ignore[attr-defined]


def _cases(draft: SubmissionDraft) -> list[Any]:
    if not hasattr(draft, "_cases"):
        draft._cases = drafts.online_cases(draft.procedure_version)  # type: ignore[attr-defined]
    return draft._cases  # type: ignore[attr-defined]


def _steps(draft: SubmissionDraft) -> list[str]:
    """Step URLs in order: where, which case (when several can be submitted online), for whom
    (only for people acting for an organisation the procedure accepts), each page, documents,
    check, declaration."""
    return [
        _url("submit_where", draft),
        *([_url("submit_case", draft)] if len(_cases(draft)) > 1 else []),
        *([_url("submit_applicant", draft)] if _eligible(draft) else []),
        *[_url("submit_page", draft, n) for n in range(1, len(_pages(draft)) + 1)],
        _url("submit_documents", draft),
        _url("submit_check", draft),
        _url("submit_declare", draft),
    ]


def _render(
    request: HttpRequest,
    template: str,
    draft: SubmissionDraft,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    context |= {
        "draft": draft,
        "version": draft.procedure_version,
        "expires_soon": drafts.draft_expires_soon(draft),
    }
    response = render(request, f"portal/submit/{template}", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _after(request: HttpRequest, draft: SubmissionDraft, current: str) -> HttpResponse:
    """Next step, or back to "check your answers" when the person came to change an answer."""
    if request.GET.get("from") == "check":
        return redirect(_url("submit_check", draft))
    steps = _steps(draft)
    return redirect(steps[steps.index(current) + 1])


def _back(draft: SubmissionDraft, current: str) -> str:
    steps = _steps(draft)
    index = steps.index(current)
    return (
        steps[index - 1]
        if index
        else reverse("portal:submit_start", args=[draft.procedure_version.procedure.code])
    )


# --- pages ---------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, code: str) -> HttpResponse:
    version = _version(code)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}")
        draft = drafts.draft_start(actor=request.user, version=version)
        if draft.receiving_agency_id is None:
            return redirect(_url("submit_where", draft))
        return redirect(_url("submit_check", draft))
    variant = next((v for v in version.variants.all() if v.is_default), version.variants.first())
    components = [
        c for c in version.components.all() if c.variant_id in (None, getattr(variant, "pk", None))
    ]
    fees = [f for f in version.fees.all() if f.variant_id in (None, getattr(variant, "pk", None))]
    return render(
        request,
        "portal/submit/start.html",
        {"version": version, "variant": variant, "components": components, "fees": fees},
    )


@login_required
@require_http_methods(["GET", "POST"])
def where(request: HttpRequest, code: str, draft: Any) -> HttpResponse:
    found = _draft(request, code, draft)
    here = _url("submit_where", found)
    provinces = list(org.provinces())
    chosen = found.commune.parent.code if found.commune and found.commune.parent else ""
    province_code = request.POST.get("province") or request.GET.get("province") or chosen
    province_code = province_code or settings.MOTCUA_DEFAULT_PROVINCE
    province = next((p for p in provinces if p.code == province_code), None)
    communes = list(org.communes_of(province)) if province else []
    error = ""
    if request.method == "POST":
        commune = next((c for c in communes if c.code == request.POST.get("commune")), None)
        if commune is None:
            error = str(_("Choose your commune, ward or special zone."))
        else:
            commune.parent = province
            try:
                drafts.draft_choose_where(actor=request.user, draft=found, commune=commune)
            except ValidationFailed as exc:
                error = str(exc.message)
            else:
                return _after(request, found, here)
    selected = request.POST.get("commune") or (found.commune.code if found.commune else "")
    form = LocationForm(
        {"province": province.code if province else "", "commune": selected},
        provinces=provinces,
        communes=communes,
    )
    return _render(
        request,
        "where.html",
        found,
        {
            "form": form,
            "province": province,
            "error": error,
            "back": _back(found, here),
            "from_check": request.GET.get("from") == "check",
        },
        status=422 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, code: str, draft: Any) -> HttpResponse:
    """Which case (trường hợp) of the procedure applies: it sets the time limit, the documents
    and the fees."""
    found = _draft(request, code, draft)
    here = _url("submit_case", found)
    cases = _cases(found)
    if len(cases) < 2:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            drafts.draft_choose_case(
                actor=request.user, draft=found, variant_id=int(request.POST.get("case", ""))
            )
        except (ValidationFailed, ValueError):
            error = _("Choose the case that applies to you.")
        else:
            return _after(request, found, here)
    return _render(
        request,
        "case.html",
        found,
        {
            "cases": cases,
            "error": error,
            "back": _back(found, here),
        },
        status=422 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def applicant(request: HttpRequest, code: str, draft: Any) -> HttpResponse:
    """Who the dossier is for: the person, or an organisation they act for."""
    found = _draft(request, code, draft)
    here = _url("submit_applicant", found)
    eligible = _eligible(found)
    if not eligible:
        raise Http404
    error = ""
    if request.method == "POST":
        choice = request.POST.get("applicant", "")
        if not choice:
            error = _("Choose who the dossier is for.")
        else:
            try:
                drafts.draft_choose_applicant(
                    actor=request.user,
                    draft=found,
                    organisation_id=None if choice == "self" else int(choice),
                )
            except (ValidationFailed, ValueError):
                error = _("Choose who the dossier is for.")
            else:
                return _after(request, found, here)
    current = (
        (str(found.organisation_id) if found.organisation_id else "self")
        if found.applicant_chosen
        else ""
    )
    return _render(
        request,
        "applicant.html",
        found,
        {
            "organisations": eligible,
            "current": current,
            "error": error,
            "back": _back(found, here),
            "from_check": request.GET.get("from") == "check",
        },
        status=422 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, code: str, draft: Any, number: int) -> HttpResponse:
    found = _draft(request, code, draft)
    form_pages = _pages(found)
    if not 1 <= number <= len(form_pages):
        raise Http404
    here = _url("submit_page", found, number)
    current = form_pages[number - 1]
    schema, ui = found.variant.form_schema, found.variant.form_ui
    data: dict[str, Any] = found.answers
    errors: dict[str, str] = {}
    if request.method == "POST":
        data, errors = drafts.draft_save_answers(
            actor=request.user, draft=found, page=number - 1, raw=request.POST
        )
        if not errors:
            return _after(request, found, here)
    fields = eforms.form_fields(schema, ui, data=data, errors=errors, paths=current.paths)
    return _render(
        request,
        "page.html",
        found,
        {
            "page": current,
            "number": number,
            "count": len(form_pages),
            "back": _back(found, here),
            **eforms.template_context(fields),
        },
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest, code: str, draft: Any) -> HttpResponse:
    found = _draft(request, code, draft)
    here = _url("submit_documents", found)
    errors: dict[int, str] = {}
    status = 422
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            component_id = int(request.POST.get("component", "0"))
        except ValueError:
            component_id = 0
        try:
            if action == "upload":
                uploaded = request.FILES.getlist("files")
                retry_after = upload_quota(actor=request.user, count=len(uploaded))
                if retry_after:
                    status = 429
                    raise upload_refusal(retry_after)
                files = [(f.name, f.read()) for f in uploaded]
                drafts.draft_attach(
                    actor=request.user, draft=found, component_id=component_id, files=files
                )
            elif action == "reuse":
                drafts.draft_reuse(
                    actor=request.user,
                    draft=found,
                    component_id=component_id,
                    stored_file_id=int(request.POST.get("file", "0") or 0),
                )
            elif action == "remove":
                drafts.draft_detach(
                    actor=request.user,
                    draft=found,
                    component_id=component_id,
                    index=int(request.POST.get("index", "-1") or -1),
                )
            elif action == "continue":
                missing = drafts.draft_problems(found).get("components", [])
                if not missing:
                    return _after(request, found, here)
                for component in missing:
                    errors[component.pk] = str(_("Upload “%(name)s”.") % {"name": component.name})
        except (ValidationFailed, ValueError) as exc:
            errors[component_id] = str(getattr(exc, "message", exc))
        if not errors:
            return redirect(here + (f"#files-{component_id}" if component_id else ""))
    rows = []
    for component in drafts.draft_components(found):
        attached = found.uploads.get(str(component.pk), [])
        used = {entry["file"] for entry in attached}
        reusable = [
            r
            for r in drafts.reusable_files(actor=request.user, component=component)
            if r.file_id not in used
        ]
        rows.append(
            {
                "component": component,
                "attached": attached,
                "reusable": reusable,
                "error": errors.get(component.pk, ""),
            }
        )
    return _render(
        request,
        "documents.html",
        found,
        {
            "rows": rows,
            "errored": [r for r in rows if r["error"]],
            "max_mb": max_upload_bytes() // (1024 * 1024),
            "back": _back(found, here),
        },
        status=status if errors else 200,
    )


@login_required
@require_http_methods(["GET"])
def check(request: HttpRequest, code: str, draft: Any) -> HttpResponse:
    found = _draft(request, code, draft)
    here = _url("submit_check", found)
    schema, ui = found.variant.form_schema, found.variant.form_ui
    rows = eforms.summary(schema, ui, found.answers) if schema else []
    sections = []
    for number, form_page in enumerate(_pages(found), start=1):
        paths = {f.path for f in eforms.form_fields(schema, ui, paths=form_page.paths)}
        sections.append(
            {
                "title": form_page.title,
                "rows": [r for r in rows if r[2] in paths],
                "change": _url("submit_page", found, number, back_to_check=True),
            }
        )
    problems = drafts.draft_problems(found)
    documents = [
        {"component": c, "attached": found.uploads.get(str(c.pk), [])}
        for c in drafts.draft_components(found)
    ]
    return _render(
        request,
        "check.html",
        found,
        {
            "sections": sections,
            "documents": documents,
            "problems": problems,
            "problem_pages": [
                (sections[i]["title"], sections[i]["change"]) for i in problems.get("pages", {})
            ],
            "where_change": _url("submit_where", found, back_to_check=True),
            "case_change": _url("submit_case", found, back_to_check=True)
            if len(_cases(found)) > 1
            else "",
            "applicant_change": _url("submit_applicant", found, back_to_check=True)
            if _eligible(found)
            else "",
            "documents_change": _url("submit_documents", found, back_to_check=True),
            "next": _url("submit_declare", found),
            "back": _back(found, here),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest, code: str, draft: Any) -> HttpResponse:
    found = _draft(request, code, draft)
    here = _url("submit_declare", found)
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            dossier = drafts.draft_submit(actor=request.user, draft=found)
        except ValidationFailed as exc:
            problem = str(exc.message)
        else:
            return redirect("portal:submit_done", code, dossier.code)
    return _render(
        request,
        "declare.html",
        found,
        {
            "form": form,
            "problem": problem,
            "check_url": _url("submit_check", found),
            "back": _back(found, here),
        },
        status=422 if form.errors or problem else 200,
    )


@login_required
def done(request: HttpRequest, code: str, dossier: str) -> HttpResponse:
    try:
        found = Dossier.objects.select_related(
            "procedure_version__procedure", "variant", "receiving_agency"
        ).get(code=dossier, owner=request.user, procedure_version__procedure__code=code)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc
    preview = drafts.appointment_preview(
        variant=found.variant, agency=found.receiving_agency, now=timezone.now()
    )
    response = render(request, "portal/submit/done.html", {"dossier": found, "preview": preview})
    response["Cache-Control"] = "private, no-store"
    return response
