"""How allauth stores and reaches our users (settings.ACCOUNT_ADAPTER).

- Usernames are generated (``u`` + random hex): citizens sign in with their e-mail address or
  phone number and never see or type one.
- The phone number is kept on ``User.phone`` in E.164 with ``User.phone_verified``; only a
  verified number signs in. Vietnamese ways of writing a number (``0912 345 678``) are accepted.
- Mail is sent at once through the mail server named by ``EMAIL_URL`` (the console in
  development): the person is waiting for the link or code.
- SMS has no gateway yet. A code is recorded in the outbox under the topic ``sms`` (no handler:
  it stays pending and is visible to administrators until a gateway is connected) and, outside
  production, also written to the log so a developer can finish the flow.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.fields import PhoneField
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.identity import normalize_vn_phone
from motcua.accounts.models import User
from motcua.notifications.services.email import mail_connection
from motcua.notifications.services.outbox import outbox_enqueue

logger = logging.getLogger("motcua.accounts")

SMS_TOPIC = "sms"


class VietnamesePhoneField(PhoneField):
    """A phone number as people write it in Vietnam, cleaned to E.164."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [])
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
        )
        kwargs.setdefault("label", _("Phone number"))
        kwargs.setdefault("help_text", _("A Vietnamese number, e.g. 0912 345 678."))
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        value = super(PhoneField, self).to_python(value)
        if not value:
            return value
        phone = normalize_vn_phone(value)
        if phone is None:
            raise forms.ValidationError(
                _("Enter a Vietnamese phone number, e.g. 0912 345 678."), code="invalid_phone"
            )
        return phone


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user) -> None:
        if not user.username:
            user.username = "u" + secrets.token_hex(6)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        message.connection = mail_connection()
        message.send()

    # --- Phone -----------------------------------------------------------------------------
    def phone_form_field(self, **kwargs: Any) -> Any:
        return VietnamesePhoneField(**kwargs)

    def get_phone(self, user) -> tuple[str, bool] | None:
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified = verified
        if user.pk:
            user.save(update_fields=["phone", "phone_verified"])

    def set_phone_verified(self, user, phone: str) -> None:
        self.set_phone(user, phone, True)

    def get_user_by_phone(self, phone: str) -> User | None:
        # The login form passes the number as typed ("0912 345 678"), not cleaned.
        phone = normalize_vn_phone(phone) or phone
        return User.objects.filter(phone=phone, phone_verified=True, is_active=True).first()

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs: Any) -> None:
        text = str(_("motcua: your verification code is %(code)s")) % {"code": code}
        with transaction.atomic():
            outbox_enqueue(
                topic=SMS_TOPIC,
                payload={"to": phone, "text": text},
                key=f"sms:{uuid.uuid4()}",
            )
        if not settings.PRODUCTION:
            logger.info("SMS to %s (no gateway, development only): %s", phone, text)


def _provider_name(sociallogin) -> str:
    try:
        return str(sociallogin.account.get_provider().name)
    except Exception:  # a provider no longer configured: its id is enough
        return sociallogin.account.provider


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Accounts made through the identity provider take the name, identification number, date
    of birth and phone it vouches for (``accounts.services.oidc``)."""

    def populate_user(self, request, sociallogin, data):
        from motcua.accounts.services.oidc import claims_of, user_identity_from_claims

        user = super().populate_user(request, sociallogin, data)
        user_identity_from_claims(
            user=user,
            claims=claims_of(sociallogin.account.extra_data),
            provider=_provider_name(sociallogin),
        )
        return user


def on_social_account_updated(sender, request, sociallogin, **kwargs) -> None:
    """A later sign-in through the provider refreshes what it vouches for."""
    from motcua.accounts.services.oidc import social_login_sync

    social_login_sync(
        user=sociallogin.user,
        extra_data=sociallogin.account.extra_data,
        provider=_provider_name(sociallogin),
    )
