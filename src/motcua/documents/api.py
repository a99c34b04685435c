"""The verification API (issue 7 §4), public like its page ``/xac-thuc/``:

- ``GET /api/v1/documents/verify?id=<uuid>``: a registered document (the id of its QR code):
  the register's entry and the checks of the file the agency issued;
- ``POST /api/v1/documents/verify`` with a PDF (multipart, field ``file``): the checks of that
  file.

The summary of a registered document is never returned: it names a person. Each client
address has ``MOTCUA_VERIFY_RATE`` checks.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from motcua.core import ratelimit
from motcua.core.errors import NotFound, ValidationFailed
from motcua.documents.models import OutgoingDocument
from motcua.documents.verification import (
    MAX_BYTES,
    NotAPdf,
    Verification,
    check_allowance,
    verify_pdf,
    verify_registered,
)
from motcua.dossiers.api import BearerTokenAuth, SessionCsrfAuth

router = Router(tags=["document verification"])


class SignatureOut(Schema):
    field: str
    signer: str
    subject: str
    issuer: str
    serial: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    signed_at: dt.datetime | None
    timestamped: bool
    intact: bool
    trusted: bool
    unchanged_since: bool
    whole_file: bool
    revocation_checked: bool
    revoked: bool
    revoked_at: dt.datetime | None


class VerificationOut(Schema):
    genuine: bool
    problems: list[str]
    signatures: list[SignatureOut]


class DocumentOut(Schema):
    issuer: str
    notation: str
    issued_on: dt.date
    place: str
    type: str
    signer_name: str
    signer_position: str
    verification: VerificationOut | None


class ErrorOut(Schema):
    code: str
    message: str


class RateLimitedOut(ErrorOut):
    retry_after: int


def _report(result: Verification) -> dict:
    return {
        "genuine": result.genuine,
        "problems": result.problems(),
        "signatures": result.signatures,
    }


def _limited(request, response: HttpResponse):
    wait = check_allowance(ratelimit.client_ip(request))
    if not wait:
        return None
    response["Retry-After"] = str(wait)
    return Status(
        429,
        {
            "code": "rate_limited",
            "message": _("Too many requests. Please try again in %(seconds)s seconds.")
            % {"seconds": wait},
            "retry_after": wait,
        },
    )


@router.get(
    "/documents/verify",
    auth=None,
    response={200: DocumentOut, 404: ErrorOut, 429: RateLimitedOut},
    summary="A registered document, by the id of its QR code, and the checks of its file",
)
def verify_registered_document(request, id: uuid.UUID, response: HttpResponse):
    document = (
        OutgoingDocument.objects.select_related("book__agency", "file").filter(public_id=id).first()
    )
    if document is None:
        raise NotFound(_("No document has this id."), code="document_not_found")
    refused = _limited(request, response)
    if refused is not None:
        return refused
    checks = verify_registered(document)
    response["Cache-Control"] = "private, no-store"
    return Status(
        200,
        {
            "issuer": document.book.agency.name,
            "notation": document.notation,
            "issued_on": document.issued_on,
            "place": document.place,
            "type": document.type_name,
            "signer_name": document.signer_name,
            "signer_position": document.signer_position,
            "verification": _report(checks) if checks is not None else None,
        },
    )


@router.post(
    "/documents/verify",
    auth=None,
    response={200: VerificationOut, 422: ErrorOut, 429: RateLimitedOut},
    summary="Check the digital signatures of an uploaded PDF",
)
def verify_uploaded_document(request, response: HttpResponse, file: File[UploadedFile]):
    """Intact, trusted (the configured trust list), unchanged since; the problems in the
    language of the request. Nothing is kept."""
    if file.size is not None and file.size > MAX_BYTES:
        raise ValidationFailed(_("This file is larger than 20 MB."), code="too_large")
    refused = _limited(request, response)
    if refused is not None:
        return refused
    try:
        result = verify_pdf(file.read())
    except NotAPdf as error:
        raise ValidationFailed(str(error), code="not_a_pdf") from error
    response["Cache-Control"] = "private, no-store"
    return Status(200, _report(result))


# -- the leader's signing step (officials) ----------------------------------------------------

signing_router = Router(tags=["signed results"], auth=[BearerTokenAuth(), SessionCsrfAuth()])


class SignResultIn(Schema):
    values: dict[str, str] = Field(
        ..., description="The result template's values by name (e.g. `full_name`, `purpose`)."
    )
    competence: Literal["chairman", "vice", "delegated"] = Field(
        ..., description="How the leader signs: TM. (chairman), KT. (vice), TL. (delegated)."
    )
    pin: str = Field(
        "", max_length=128, description="The key's PIN, when the key is configured with `ask`."
    )


class SignedResultOut(Schema):
    id: uuid.UUID
    notation: str
    issued_on: dt.date
    type_name: str
    sha256: str
    verify_url: str


@signing_router.post(
    "/dossiers/{code}/result/sign",
    response={201: SignedResultOut},
    summary="Sign and issue a dossier's result (a leader of the issuing committee)",
)
def dossier_result_sign_api(request, code: str, payload: SignResultIn):
    """Numbers the result in the committee's register, signs it with the leader's key and the
    committee's seal, and resolves the dossier with it — or refuses (422) and changes nothing."""
    from motcua.documents.services.results import dossier_result_sign, verify_url
    from motcua.dossiers import selectors

    dossier = selectors.dossier_get(request.auth, code)
    document = dossier_result_sign(
        actor=request.auth,
        dossier=dossier,
        values=payload.values,
        competence=payload.competence,
        secret=payload.pin,
    )
    assert document.file is not None
    return Status(
        201,
        SignedResultOut(
            id=document.public_id,
            notation=document.notation,
            issued_on=document.issued_on,
            type_name=document.type_name,
            sha256=document.file.sha256,
            verify_url=verify_url(document),
        ),
    )
