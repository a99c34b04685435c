"""Officials on the back office and the admin (issue 5, item 1): signed in with a second factor,
and signed out after a while without activity. Applies to every path under ``/can-bo/`` and
``/admin/``; the rules themselves are in ``accounts.security`` (the API uses them too).

- The back office does not exist for anyone but an official (404).
- The admin keeps Django's own refusal for accounts without the staff flag (a citizen sees
  exactly what they saw before), but its login form is closed: it checks a password alone,
  outside allauth (no second factor, no rate limit), so every sign-in goes through the site's
  login page, which then asks for the code."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.accounts.security import (
    SEEN_KEY,
    has_second_factor,
    idle_seconds,
    is_idle,
    is_official,
    mark_seen,
    needs_second_factor,
    signed_in_with_mfa,
)

__all__ = ["SEEN_KEY", "OfficialSecurityMiddleware"]

BACK_OFFICE = "/can-bo/"
ADMIN = "/admin/"
ADMIN_LOGIN = f"{ADMIN}login/"
PROTECTED = (BACK_OFFICE, ADMIN)


def _next(request) -> str:
    """Where to come back after signing in: the page asked for; for the admin's login page, the
    page the admin meant to show (its own ``next``)."""
    if request.path_info == ADMIN_LOGIN:
        return request.GET.get("next") or ADMIN
    return request.get_full_path()


def _to_login(request):
    login = reverse(settings.LOGIN_URL)
    return redirect(f"{login}?{urlencode({'next': _next(request)})}")


def _admin_sign_in(request) -> bool:
    return request.path_info == ADMIN_LOGIN and request.method == "POST"


class OfficialSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(PROTECTED):
            refused = self._check(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request):
        user = request.user
        if not user.is_authenticated or _admin_sign_in(request):
            return _to_login(request)
        if request.path_info.startswith(ADMIN):
            if not needs_second_factor(user):
                return None  # Django's admin refuses an account without the staff flag
        elif not is_official(user):
            raise Http404  # the back office does not exist for citizens
        now = time.time()
        if is_idle(request, now):
            request._motcua_logout_kind = "timeout"
            logout(request)
            messages.info(
                request,
                _("You were signed out after %(minutes)s minutes without activity.")
                % {"minutes": idle_seconds() // 60},
            )
            return _to_login(request)
        if not has_second_factor(user):
            messages.warning(
                request,
                _("Officials sign in with two-step verification. Set it up to continue."),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': _next(request)})}")
        if not signed_in_with_mfa(request):
            logout(request)
            messages.info(
                request,
                _("Sign in again with your verification code or security key to continue."),
            )
            return _to_login(request)
        mark_seen(request, now)
        return None
