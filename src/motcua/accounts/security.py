"""What makes an official's browser session trustworthy (issue 5): a second factor confirmed at
sign-in, and activity within ``MOTCUA_STAFF_IDLE_MINUTES``. Shared by the back office and the
admin (``middleware.OfficialSecurityMiddleware``) and by the API's session authentication
(``dossiers.api.SessionCsrfAuth``), so the three cannot drift apart."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest

# when this session last made a request the rules below apply to (seconds since the epoch)
SEEN_KEY = "motcua_backoffice_seen"


def is_official(user) -> bool:
    """An active official (``org.Staff``) or a superuser: the people the back office is for."""
    staff = getattr(user, "staff", None) if user.is_authenticated else None
    return bool(user.is_authenticated and (user.is_superuser or (staff and staff.is_active)))


def needs_second_factor(user) -> bool:
    """Everyone with more power than a citizen: officials, superusers and the admin's staff."""
    return is_official(user) or bool(user.is_authenticated and user.is_staff)


# the authenticators that are a second factor on their own: an app's TOTP codes, or a security key
# (WebAuthn). Recovery codes only stand in for one of them, so they are not counted here.
SECOND_FACTORS = ("totp", "webauthn")
# what allauth records as the ``type`` of an "mfa" sign-in step that confirms a session
CONFIRMING_TYPES = ("totp", "webauthn", "recovery_codes")


def has_second_factor(user) -> bool:
    """A TOTP authenticator or at least one security key."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def _confirms(record: dict) -> bool:
    # a passwordless passkey sign-in is not a second factor (and passkey login is off anyway)
    return (
        record.get("method") == "mfa"
        and record.get("type") in CONFIRMING_TYPES
        and not record.get("passwordless")
    )


def signed_in_with_mfa(request: HttpRequest) -> bool:
    """Whether this session was confirmed with a second factor: a TOTP code, a security key or a
    recovery code (allauth records, per session, the methods used to sign in: ``{"method":
    "password"}``, ``{"method": "mfa", "type": "totp" | "webauthn" | "recovery_codes"}``, …; they
    belong to the user who signed in)."""
    from allauth.account.internal.flows.login import get_authentication_records

    return any(_confirms(r) for r in get_authentication_records(request, request.user))


def idle_seconds() -> int:
    return int(getattr(settings, "MOTCUA_STAFF_IDLE_MINUTES", 30)) * 60


def is_idle(request: HttpRequest, now: float) -> bool:
    """Longer than the idle limit since the last protected request of this session."""
    seen = request.session.get(SEEN_KEY)
    return seen is not None and now - float(seen) > idle_seconds()


def mark_seen(request: HttpRequest, now: float) -> None:
    request.session[SEEN_KEY] = now


def trusted_session(request: HttpRequest) -> bool:
    """For the API: a session that may act for its user. A citizen's always may; an official's
    only if it was confirmed with a second factor and has not been idle too long (it then
    counts as activity)."""
    user = request.user
    if not needs_second_factor(user):
        return True
    now = time.time()
    if is_idle(request, now) or not signed_in_with_mfa(request):
        return False
    mark_seen(request, now)
    return True
