"""Xác thực văn bản: is a signed result genuine? (issue 7 §4). Public, no account.

- ``/xac-thuc/``: upload a PDF (a form that works without JavaScript); the report lists every
  signature with its signer, issuer, validity and time, and the three checks
  (``documents.verification``).
- ``/xac-thuc/<id>/``: the page a result's QR code opens: the register's entry (issuer, number,
  date, type, signer) and the checks of the file the agency issued. The id is random; an unknown
  one is not found.

Checking a file costs real CPU, so each client address has ``MOTCUA_VERIFY_RATE`` checks.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.core import ratelimit
from motcua.documents.models import OutgoingDocument
from motcua.documents.verification import (
    NotAPdf,
    check_allowance,
    verify_pdf,
    verify_registered,
)
from motcua.portal.forms import VerifyForm


def _limited(request: HttpRequest) -> int:
    return check_allowance(ratelimit.client_ip(request))


def _respond(request: HttpRequest, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "private, no-store"
    if context.get("retry_after"):
        response["Retry-After"] = str(context["retry_after"])
    return response


def verify_upload(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        wait = _limited(request)
        if wait:
            context["retry_after"] = wait
            status = 429
        else:
            try:
                context["verification"] = verify_pdf(form.cleaned_data["tep"].read())
            except NotAPdf as error:
                form.add_error("tep", str(error))
                status = 400
    elif request.method == "POST":
        status = 400
    return _respond(request, "portal/verify.html", context, status)


def verify_document(request: HttpRequest, public_id) -> HttpResponse:
    document = (
        OutgoingDocument.objects.select_related("book__agency", "file")
        .filter(public_id=public_id)
        .first()
    )
    if document is None:
        raise Http404
    context: dict = {"document": document}
    wait = _limited(request)
    if wait:
        context["retry_after"] = wait
        return _respond(request, "portal/verify_document.html", context, 429)
    context["verification"] = verify_registered(document)
    return _respond(request, "portal/verify_document.html", context)
