"""A citizen's profile: name, identity number, date of birth and address.

The e-mail address, phone number and password are not changed here: they go through allauth's
own flows, which verify them (a code by SMS, a link by e-mail, the current password)."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.accounts.identity import IdNumberProblem, id_number_problem
from motcua.accounts.models import User
from motcua.core.errors import ValidationFailed
from motcua.org.choices import AgencyKind
from motcua.org.models import Agency

__all__ = ["ProfileData", "user_profile_update"]

PROFILE_FIELDS = ("full_name", "id_number", "date_of_birth", "address", "province", "commune")

ID_NUMBER_MESSAGES = {
    IdNumberProblem.FORMAT: _("The identification number must be exactly 12 digits."),
    IdNumberProblem.PROVINCE: _(
        "The first three digits of the identification number must be a province code from 001 "
        "to 096."
    ),
    IdNumberProblem.BIRTH_YEAR: _(
        "The identification number does not match the date of birth (digits 4 to 6 encode the "
        "century and year of birth)."
    ),
}


class ProfileData(TypedDict, total=False):
    full_name: str
    id_number: str
    date_of_birth: dt.date | None
    address: str
    province: Agency | None
    commune: Agency | None


def _invalid(message, *, code: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, field=field)


def user_profile_update(*, user: User, data: ProfileData) -> User:
    """Validate, then save the profile fields given in ``data`` (the others stay as they are).

    Raises ``ValidationFailed`` with ``params["field"]`` naming the field at fault; nothing is
    saved then."""
    full_name = data.get("full_name", user.full_name).strip()
    id_number = data.get("id_number", user.id_number).strip()
    date_of_birth = data.get("date_of_birth", user.date_of_birth)
    address = data.get("address", user.address).strip()
    province = data.get("province", user.province)
    commune = data.get("commune", user.commune)

    if user.identity_verified_by:
        for field, value in (
            ("full_name", full_name),
            ("id_number", id_number),
            ("date_of_birth", date_of_birth),
        ):
            if value != getattr(user, field):
                raise _invalid(
                    _("This comes from %(provider)s and cannot be changed here.")
                    % {"provider": user.identity_verified_by},
                    code="identity_verified",
                    field=field,
                )
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        raise _invalid(
            _("The date of birth cannot be in the future."),
            code="date_of_birth_future",
            field="date_of_birth",
        )
    if id_number:
        problem = id_number_problem(id_number, date_of_birth)
        if problem is not None:
            # Thông tư 59/2021/TT-BCA, Điều 7
            raise _invalid(ID_NUMBER_MESSAGES[problem], code=problem, field="id_number")
        if User.objects.filter(id_number=id_number).exclude(pk=user.pk).exists():
            raise _invalid(
                _("This identification number is already used by another account."),
                code="id_number_taken",
                field="id_number",
            )
    if province is not None and province.kind != AgencyKind.PROVINCE:
        raise _invalid(_("Choose a province or city."), code="not_a_province", field="province")
    if commune is not None:
        if commune.kind != AgencyKind.COMMUNE:
            raise _invalid(
                _("Choose a commune, ward or special zone."),
                code="not_a_commune",
                field="commune",
            )
        if province is None or commune.parent_id != province.pk:
            raise _invalid(
                _("The commune must be one of the chosen province's communes."),
                code="commune_not_in_province",
                field="commune",
            )

    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.full_name = full_name
        locked.id_number = id_number
        locked.date_of_birth = date_of_birth
        locked.address = address
        locked.province = province
        locked.commune = commune
        locked.save(update_fields=list(PROFILE_FIELDS))
    for name in PROFILE_FIELDS:
        setattr(user, name, getattr(locked, name))
    return user
