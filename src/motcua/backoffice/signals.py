"""The login audit: Django's own signals, so every way of signing in is recorded."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from motcua.backoffice.models import LoginEvent


def _address(request) -> str | None:
    if request is None:
        return None
    from motcua.core import ratelimit

    return ratelimit.client_ip(request) or None


def _record(kind: str, request, user=None, login: str = "") -> None:
    LoginEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        login=(login or (getattr(user, "email", "") or getattr(user, "username", "")))[:254],
        address=_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:255],
        official=bool(user is not None and user.pk and hasattr(user, "staff")),
    )


@receiver(user_logged_in, dispatch_uid="motcua-audit-login")
def _logged_in(sender, request, user, **kwargs) -> None:
    _record(LoginEvent.Kind.LOGIN, request, user)


@receiver(user_logged_out, dispatch_uid="motcua-audit-logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        kind = getattr(request, "_motcua_logout_kind", LoginEvent.Kind.LOGOUT)
        _record(kind, request, user)


@receiver(user_login_failed, dispatch_uid="motcua-audit-failed")
def _failed(sender, credentials, request=None, **kwargs) -> None:
    login = str(credentials.get("username") or credentials.get("email") or "")
    _record(LoginEvent.Kind.FAILED, request, None, login)
