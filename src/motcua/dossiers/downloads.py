"""Serving stored files to people: always as a download, never rendered inline by the browser
as anything but what its sniffed content type says (STYLE.md rule 25), and never cached."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import add_never_cache_headers

from motcua.dossiers import policies
from motcua.dossiers.models import Dossier, StoredFile


def stored_file_response(stored: StoredFile, *, filename: str) -> HttpResponse:
    """``stored`` as an attachment with its sniffed type (PDF, JPEG or PNG only)."""
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A file opened directly must not run anything even if a browser misjudges it.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    add_never_cache_headers(response)
    return response


def result_response(actor, dossier: Dossier) -> HttpResponse:
    """The electronic result of ``dossier`` for ``actor``, or 404 (policies.may_download_result)."""
    if not policies.may_download_result(actor, dossier):
        raise Http404
    assert dossier.result_file is not None
    return stored_file_response(
        dossier.result_file, filename=dossier.result_file_name or f"{dossier.code}.pdf"
    )
