"""Response helpers shared by the back-office views."""

from __future__ import annotations

from django.http import HttpResponse


def no_store(response: HttpResponse) -> HttpResponse:
    """Back-office pages hold personal data: never kept by the browser or a proxy."""
    response["Cache-Control"] = "private, no-store"
    return response
