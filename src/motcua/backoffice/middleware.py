"""Officials on the back office (issue 5, item 1): signed in with a second factor, and signed
out after a while without activity. Applies to every path under ``/can-bo/``."""

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

PREFIX = "/can-bo/"
SEEN_KEY = "motcua_backoffice_seen"


def is_official(user) -> bool:
    staff = getattr(user, "staff", None) if user.is_authenticated else None
    return bool(user.is_authenticated and (user.is_superuser or (staff and staff.is_active)))


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def signed_in_with_mfa(request) -> bool:
    # allauth keeps the methods used in this session (password, mfa, …)
    from allauth.account.internal.flows.login import get_authentication_records

    return any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user))


def _to_login(request):
    login = reverse(settings.LOGIN_URL)
    return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")


class OfficialSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(PREFIX):
            refused = self._check(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request):
        user = request.user
        if not user.is_authenticated:
            return _to_login(request)
        if not is_official(user):
            raise Http404  # the back office does not exist for citizens
        now = time.time()
        idle = int(getattr(settings, "MOTCUA_STAFF_IDLE_MINUTES", 30)) * 60
        seen = request.session.get(SEEN_KEY)
        if seen is not None and now - float(seen) > idle:
            request._motcua_logout_kind = "timeout"
            logout(request)
            messages.info(
                request,
                _("You were signed out after %(minutes)s minutes without activity.")
                % {"minutes": idle // 60},
            )
            return _to_login(request)
        if not has_totp(user):
            messages.warning(
                request,
                _("Officials sign in with two-step verification. Set it up to continue."),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.path})}")
        if not signed_in_with_mfa(request):
            logout(request)
            messages.info(request, _("Sign in again with your verification code to continue."))
            return _to_login(request)
        request.session[SEEN_KEY] = now
        return None
