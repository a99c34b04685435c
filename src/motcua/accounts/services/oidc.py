"""A person signing in through the identity provider (VNeID-style OpenID Connect): their
profile takes the name, identification number, date of birth and phone number that the
provider vouches for, on the first sign-in and again on every later one.

Claim names: ``name``, ``birthdate`` (YYYY-MM-DD), ``phone_number`` and
``phone_number_verified`` are standard OpenID Connect; the identification number has no
standard claim, so its name is configurable (``MOTCUA_OIDC_ID_NUMBER_CLAIM``; the national
provider's own claim names are not public — UNCONFIRMED, default ``citizen_id``)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.utils import timezone

from motcua.accounts.identity import id_number_problem, normalize_vn_phone
from motcua.accounts.models import User

logger = logging.getLogger("motcua.accounts")


def claims_of(extra_data: dict[str, Any]) -> dict[str, Any]:
    """allauth keeps ``{"userinfo": …, "id_token": …}``; userinfo wins where both say."""
    claims: dict[str, Any] = {}
    for part in ("id_token", "userinfo"):
        if isinstance(extra_data.get(part), dict):
            claims.update(extra_data[part])
    return claims or dict(extra_data)


def _birthdate(value: Any) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return None
    return day if day <= timezone.localdate() else None


def user_identity_from_claims(*, user: User, claims: dict[str, Any], provider: str) -> list[str]:
    """Copy what the provider vouches for onto ``user`` (not saved); returns the fields set.
    A claim that is malformed, or an identification number already held by another account,
    is left out and logged; the sign-in itself goes on."""
    changed: list[str] = []
    name = str(claims.get("name") or "").strip()[:200]
    if name and name != user.full_name:
        user.full_name = name
        changed.append("full_name")
    birth = _birthdate(claims.get("birthdate")) if claims.get("birthdate") else None
    if birth is not None and birth != user.date_of_birth:
        user.date_of_birth = birth
        changed.append("date_of_birth")
    claim = getattr(settings, "MOTCUA_OIDC_ID_NUMBER_CLAIM", "citizen_id")
    number = str(claims.get(claim) or "").strip()
    if number and number != user.id_number:
        taken = User.objects.filter(id_number=number).exclude(pk=user.pk).exists()
        if id_number_problem(number, user.date_of_birth) is not None:
            logger.warning("identity provider %s sent an invalid %s", provider, claim)
        elif taken:
            logger.warning(
                "identity provider %s: %s already held by another account", provider, claim
            )
        else:
            user.id_number = number
            changed.append("id_number")
    phone = normalize_vn_phone(str(claims.get("phone_number") or ""))
    vouched = claims.get("phone_number_verified") is True and phone != user.phone
    if (
        phone
        and vouched
        and not (User.objects.filter(phone=phone, phone_verified=True).exclude(pk=user.pk).exists())
    ):
        user.phone, user.phone_verified = phone, True
        changed += ["phone", "phone_verified"]
    if name or number:
        user.identity_verified_by = provider[:100]
        user.identity_verified_at = timezone.now()
        changed += ["identity_verified_by", "identity_verified_at"]
    return changed


def social_login_sync(*, user: User, extra_data: dict[str, Any], provider: str) -> None:
    """Save the provider's claims on an existing account (signals of a later sign-in)."""
    changed = user_identity_from_claims(user=user, claims=claims_of(extra_data), provider=provider)
    if changed and user.pk:
        user.save(update_fields=sorted(set(changed)))
