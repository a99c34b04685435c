"""Dossier endpoints: submission and counter intake, the actor's scoped list, detail, one
endpoint per transition, the event log, printable forms, and public tracking by code and phone.

Officials and API clients authenticate with a bearer token (``motcua token create <user>``);
browsers with their session (unsafe methods then need the CSRF token).
"""

import datetime as dt
import json
from typing import Any

import pydantic
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from motcua.accounts.security import trusted_session
from motcua.accounts.tokens import token_authenticate
from motcua.catalog.choices import Channel
from motcua.core import ratelimit
from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.dossiers import actions, schemas, selectors
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.services.files import upload_allowance_require
from motcua.dossiers.tracking import public_track

# -- authentication -------------------------------------------------------------------------


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    http_status = 401


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer mc_…`` (see ``accounts.tokens``)."""

    def authenticate(self, request: HttpRequest, token: str):
        return token_authenticate(token)


class SessionCsrfAuth(APIKeyCookie):
    """The Django session. Unlike Ninja's ``django_auth`` it answers an anonymous request with
    401 (not a CSRF 403) and checks CSRF only for a signed-in user's unsafe requests.

    An official's session counts only if it was confirmed with a second factor and is not idle
    (``accounts.security.trusted_session``, the back office's own rules); otherwise it is
    answered as if there were no session at all (issue 5). Bearer tokens are not affected."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not trusted_session(request):
            raise NotAuthenticated(
                gettext_lazy("Sign in, or send a valid bearer token."), code="not_authenticated"
            )
        exempt = not self.csrf or getattr(request, "_ninja_csrf_exempt", False)
        if not exempt and check_csrf(request) is not None:
            raise PermissionDenied(
                gettext_lazy("The CSRF token is missing or wrong; reload the page."),
                code="csrf_failed",
            )
        return user

    def authenticate(self, request: HttpRequest, key: str | None):  # pragma: no cover
        return None


router = Router(tags=["dossiers"], auth=[BearerTokenAuth(), SessionCsrfAuth()])


# -- input resolution -----------------------------------------------------------------------


def _dossier_in(payload: schemas.DossierCreateIn) -> svc.DossierIn:
    version = selectors.procedure_version_in_force(payload.procedure)
    person, proxy = payload.applicant, payload.representative
    return svc.DossierIn(
        version=version,
        variant=selectors.procedure_variant(version, payload.variant),
        receiving_agency=selectors.agency_by_code(payload.receiving_agency),
        applicant=svc.Applicant(
            name=person.name,
            applicant_type=person.applicant_type,
            id_number=person.id_number,
            phone=person.phone,
            email=person.email,
            address=person.address,
            province=selectors.agency_by_code(person.province) if person.province else None,
            commune=selectors.agency_by_code(person.commune) if person.commune else None,
            representative_name=proxy.name if proxy else "",
            representative_id_number=proxy.id_number if proxy else "",
            representative_phone=proxy.phone if proxy else "",
            representative_email=proxy.email if proxy else "",
        ),
        channel=payload.channel if payload.channel is not None else Channel.ONLINE,
        summary=payload.summary,
        form_data=payload.form_data,
        components=actions.components(version, payload.components),
        sets=payload.sets,
        language=payload.language or translation.get_language() or "",
    )


def _action_input(request: HttpRequest, action: str) -> schemas.InputSchema:
    """The body parsed with the action's own schema; a 422 naming the fields otherwise."""
    schema = schemas.ACTION_INPUTS[action]
    try:
        raw = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NinjaValidationError(
            [{"loc": ("body",), "msg": "the body is not valid JSON", "type": "json_invalid"}]
        ) from None
    try:
        return schema.model_validate(raw if raw is not None else {})
    except pydantic.ValidationError as error:
        raise NinjaValidationError(
            [
                {"loc": ("body", *e["loc"]), "msg": e["msg"], "type": e["type"]}
                for e in error.errors(include_url=False, include_input=False)
            ]
        ) from None


# -- submission, list, detail ---------------------------------------------------------------


@router.post(
    "/dossiers",
    response={201: schemas.DossierDetailOut},
    summary="Submit a dossier (citizen) or record a counter intake (reception officer)",
)
def dossier_create(request, payload: schemas.DossierCreateIn):
    """An official with the reception role at `receiving_agency` records an intake (received
    at once unless `receive` is false); anyone else submits as the applicant (online)."""
    actor = request.auth
    upload_allowance_require(
        actor=actor, count=sum(1 for c in payload.components if c.content_base64 is not None)
    )
    data = _dossier_in(payload)
    dossier = svc.dossier_create(actor=actor, data=data, receive=payload.receive)
    return Status(201, selectors.dossier_detail(actor, dossier.code))


@router.get("/dossiers", response=list[schemas.DossierOut], summary="Dossiers I may see")
@paginate(LimitOffsetPagination)
def dossier_list(request, filters: Query[schemas.DossierFilter]):
    return selectors.dossier_list(
        request.auth,
        states=filters.status,
        agency=filters.agency,
        procedure=filters.procedure,
        due_before=filters.due_before,
        overdue=filters.overdue,
        q=filters.q,
    )


@router.get("/dossiers/{code}", response=schemas.DossierDetailOut, summary="One dossier")
def dossier_detail(request, code: str):
    return selectors.dossier_detail(request.auth, code)


@router.get(
    "/dossiers/{code}/events", response=list[schemas.EventOut], summary="A dossier's event log"
)
def dossier_events(request, code: str):
    return selectors.dossier_events(request.auth, code)


# -- actions --------------------------------------------------------------------------------


def _field_doc(name: str, field) -> str:
    return f"`{name}`" if field.is_required() else f"`{name}`?"


def _actions_doc() -> str:
    lines = [
        "Take one step of the dossier's lifecycle. The body depends on the action "
        "(`?` = optional; unknown fields are refused with 422):",
        "",
    ]
    for action, schema in schemas.ACTION_INPUTS.items():
        fields = ", ".join(_field_doc(n, f) for n, f in schema.model_fields.items()) or "none"
        lines.append(f"- `{action}` ({schema.__name__}): {fields}")
    lines += [
        "",
        "Who may take each action follows the roles at the receiving or handling agency; "
        "`actions` in the dossier detail lists those open to you now. A wrong state gives 409, "
        "a missing role 403, a dossier outside your scope 404.",
    ]
    return "\n".join(lines)


def _actions_body_schema() -> dict[str, Any]:
    """One of the action inputs; nested schemas refer to the document's components."""
    bodies = []
    for schema in dict.fromkeys(schemas.ACTION_INPUTS.values()):
        body = schema.model_json_schema(ref_template="#/components/schemas/{model}")
        body.pop("$defs", None)
        bodies.append(body)
    return {"required": False, "content": {"application/json": {"schema": {"oneOf": bodies}}}}


@router.post(
    "/dossiers/{code}/actions/{action}",
    response=schemas.DossierDetailOut,
    summary="Take an action on a dossier",
    description=_actions_doc(),
    openapi_extra={"requestBody": _actions_body_schema()},
)
def dossier_action(request, code: str, action: schemas.ActionName):
    data = _action_input(request, action)
    dossier = selectors.dossier_get(request.auth, code)
    actions.perform(request.auth, dossier, action, data)
    return selectors.dossier_detail(request.auth, code)


# -- forms ----------------------------------------------------------------------------------


def _form_kind(dossier: Dossier, form: str) -> str:
    """``form`` is a kind (``receipt``) or the form's number in the dossier's regime (``01``);
    shared with the back office (``documents.form_kind``)."""
    from motcua.dossiers.documents import form_kind

    return form_kind(dossier, form)


@router.get(
    "/dossiers/{code}/forms/{form}.pdf",
    summary="A form of the dossier as PDF",
    openapi_extra={
        "responses": {
            200: {
                "description": "The form (inline PDF).",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def dossier_form(request, code: str, form: str):
    """`form` is a kind (receipt, completion_request, refusal, apology, stop_notice,
    control_sheet) or its number in the dossier's form set (e.g. `01`); `forms` in the detail
    lists those available."""
    from motcua.dossiers import documents

    dossier = selectors.dossier_get(request.auth, code)
    kind = _form_kind(dossier, form)
    pdf = documents.render_dossier_form(dossier=dossier, kind=kind)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-{kind}.pdf"'
    return response


@router.get(
    "/dossiers/{code}/result.pdf",
    summary="The electronic result of the dossier",
    openapi_extra={
        "responses": {
            200: {
                "description": "The result document (PDF, as an attachment).",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def dossier_result(request, code: str):
    """Officials over the dossier may download it once resolved; the applicant once it has been
    returned online. Otherwise 404."""
    from motcua.dossiers.downloads import result_response

    dossier = selectors.dossier_get(request.auth, code)
    return result_response(request.auth, dossier)


class RegisterQuery(Schema):
    agency: str = Field(..., description="Code of the receiving agency (its units included).")
    start: dt.date = Field(..., description="First reception date (inclusive).")
    end: dt.date = Field(..., description="Last reception date (inclusive).")


_REGISTER_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get(
    "/dossier-register.{fmt}",
    summary="Sổ theo dõi hồ sơ of an agency for a period, as PDF or XLSX",
    openapi_extra={
        "responses": {
            200: {
                "description": "The register (form 06 under TT 01/2018, form 07 under TT 03/2025).",
                "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in _REGISTER_TYPES.values()
                },
            }
        }
    },
)
def dossier_register(request, fmt: str, params: Query[RegisterQuery]):
    """Dossiers received by the agency (or a unit under it) in the period that the caller may
    see, in reception order. `fmt` is `pdf` or `xlsx`. At most one year."""
    from motcua.dossiers import documents

    if fmt not in _REGISTER_TYPES:
        raise NotFound(gettext_lazy("Choose pdf or xlsx."), code="format_not_available")
    agency, dossiers = selectors.dossier_register(
        request.auth, agency_code=params.agency, start=params.start, end=params.end
    )
    render = documents.render_register_pdf if fmt == "pdf" else documents.render_register_xlsx
    content = render(agency=agency, start=params.start, end=params.end, dossiers=dossiers)
    response = HttpResponse(content, content_type=_REGISTER_TYPES[fmt])
    name = f"so-theo-doi-{agency.code}-{params.start:%Y%m%d}-{params.end:%Y%m%d}.{fmt}"
    disposition = "inline" if fmt == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


# -- public tracking ------------------------------------------------------------------------


class PublicLookupQuery(Schema):
    phone_last4: str = Field(
        ..., pattern=r"^[0-9]{4}$", description="The last four digits of the applicant's phone."
    )


@router.get(
    "/public/dossiers/{code}",
    auth=None,
    tags=["public tracking"],
    response={
        200: schemas.PublicDossierOut,
        404: schemas.DossierErrorOut,
        429: schemas.RateLimitedOut,
    },
    summary="Follow a dossier with its code and the phone's last four digits",
)
def public_dossier(request, code: str, params: Query[PublicLookupQuery], response: HttpResponse):
    """No sign-in. Shows the status, appointment and steps, never personal data. A wrong phone
    looks exactly like an unknown code. Limited per client address; failed lookups have a
    tighter limit of their own."""
    result = public_track(
        client=ratelimit.client_ip(request), code=code, phone_last4=params.phone_last4
    )
    if result.limited:
        response["Retry-After"] = str(result.retry_after)
        return Status(
            429,
            {
                "code": "rate_limited",
                "message": _("Too many requests. Please try again in %(seconds)s seconds.")
                % {"seconds": result.retry_after},
                "retry_after": result.retry_after,
            },
        )
    if result.dossier is None:
        raise selectors.dossier_not_found()
    dossier = result.dossier
    response["Cache-Control"] = "private, no-store"
    return Status(200, dossier)
