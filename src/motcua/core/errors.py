"""Domain errors: raised by services and policies, shown the same way by every interface.

Each error has a stable machine ``code`` (for API clients and logs) and a translatable
``message`` (for people). Interfaces never invent their own wording for a rule that a service
enforces: the portal, back office, API, admin and commands all show ``str(error.message)``.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    code: str = "domain_error"
    http_status: int = 400

    def __init__(self, message: str | Promise, *, code: str | None = None, **params: Any) -> None:
        self.message = message
        if code is not None:
            self.code = code
        self.params = params
        super().__init__(str(message))

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.params:
            data["details"] = {key: str(value) for key, value in self.params.items()}
        return data


class ValidationFailed(DomainError):
    code = "invalid"
    http_status = 422


class NotFound(DomainError):
    """Missing, or outside the actor's scope: the two must look the same."""

    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    http_status = 403


class Conflict(DomainError):
    """The action does not fit the object's current state (e.g. a dossier already returned)."""

    code = "conflict"
    http_status = 409


class TooManyRequests(ValidationFailed):
    """A limit on how often something may be done (uploads, look-ups) is reached."""

    code = "rate_limited"
    http_status = 429
