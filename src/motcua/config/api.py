"""The HTTP API, version 1 (``/api/v1/``). Errors are JSON with a machine ``code`` and a human
``message`` in the request's language."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

import motcua
from motcua.catalog.api import router as catalog_router
from motcua.core.api import router as core_router
from motcua.core.errors import DomainError
from motcua.org.api import router as org_router

logger = logging.getLogger("motcua.api")


class UTF8JSONRenderer(JSONRenderer):
    """Vietnamese text as UTF-8 rather than \\u escapes: a third fewer bytes on slow links."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=UTF8JSONRenderer(),
    title="motcua API",
    version="1",
    description=(
        "Public and official API of motcua: agencies, the procedure catalogue, the working-day "
        "calendar. Errors are JSON objects with `code` (stable, machine-readable) and `message` "
        "(in the language of the `Accept-Language` header: Vietnamese by default)."
    ),
    urls_namespace="api-1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", core_router)
api.add_router("", org_router)
api.add_router("", catalog_router)
api.add_router("", "motcua.dossiers.api.router")
api.add_router("", "motcua.reports.api.router")
api.add_router("", "motcua.documents.api.router")
api.add_router("", "motcua.documents.api.signing_router")


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    problems = []
    for error in exc.errors:
        where = ".".join(
            str(part) for part in error.get("loc", []) if part not in ("query", "body", "path")
        )
        problems.append({"field": where, "problem": error.get("msg", "")})
    fields = ", ".join(p["field"] for p in problems if p["field"])
    return api.create_response(
        request,
        {
            "code": "invalid",
            "message": _("Some parameters are missing or invalid: %(fields)s.")
            % {"fields": fields},
            "errors": problems,
        },
        status=422,
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(
        request, {"code": "not_found", "message": _("Not found.")}, status=404
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return api.create_response(
        request,
        {"code": "too_large", "message": _("The request is too large. Send smaller files.")},
        status=413,
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(
        request, {"code": "http_error", "message": str(exc)}, status=exc.status_code
    )


@api.exception_handler(Exception)
def _unexpected(request, exc: Exception):
    logger.exception("unhandled API error", exc_info=exc)
    return api.create_response(
        request,
        {
            "code": "server_error",
            "message": _("Something went wrong on our side. Please try again."),
        },
        status=500,
    )


__all__ = ["api", "motcua"]
