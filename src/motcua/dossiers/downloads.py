"""Serving stored files to people: as a download, or inline for officials' previews (PDF, JPEG
and PNG only); never rendered by the browser as anything but what its sniffed content type says
(STYLE.md rule 25), never able to run anything, and never cached."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import add_never_cache_headers

from motcua.dossiers import policies
from motcua.dossiers.models import Dossier, StoredFile

# Types a browser may show in place (the only ones ``services.files`` stores).
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


def stored_file_response(
    stored: StoredFile, *, filename: str, inline: bool = False
) -> HttpResponse:
    """``stored`` with its sniffed type: as an attachment, or with ``inline`` shown in the
    browser when it is a PDF, JPEG or PNG (anything else is still an attachment)."""
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=not (inline and stored.content_type in INLINE_TYPES),
        filename=filename,
        content_type=stored.content_type,
    )
    seal(response, content_type=stored.content_type, inline=inline)
    add_never_cache_headers(response)
    return response


def seal(response: HttpResponse, *, content_type: str, inline: bool) -> HttpResponse:
    """Headers for a file opened directly: its own type only, and nothing in it may run even
    if a browser misjudges it (``sandbox``). A PDF shown in place is the exception: Chromium's
    PDF viewer does not open in a sandboxed document or under ``object-src 'none'``, so an inline
    PDF (checked by its signature when stored, and shown by the viewer, which runs nothing of
    the page's origin) may only be framed by our own pages."""
    response["X-Content-Type-Options"] = "nosniff"
    if inline and content_type == "application/pdf":
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
    else:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def result_response(actor, dossier: Dossier) -> HttpResponse:
    """The electronic result of ``dossier`` for ``actor``, or 404 (policies.may_download_result)."""
    if not policies.may_download_result(actor, dossier):
        raise Http404
    assert dossier.result_file is not None
    return stored_file_response(
        dossier.result_file, filename=dossier.result_file_name or f"{dossier.code}.pdf"
    )
