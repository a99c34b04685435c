"""Organisations acting through people (issue 4, item 1).

Whoever registers an organisation declares their role: its legal representative, or a person
it authorised — who must then attach the authorisation letter (giấy ủy quyền). A legal
representative adds and revokes authorised persons; an authorisation may end on a date. Every
dossier submitted for the organisation is visible to all its active members and names the
person who submitted it as the representative of the applicant.

The enterprise code (mã số doanh nghiệp, which is also the tax code) is checked for its form:
10 digits, or 10 digits, a hyphen and 3 digits for a dependent unit (Luật Doanh nghiệp 2020,
Điều 29; Thông tư 86/2024/TT-BTC). Its check digit is not verified (the algorithm is
UNCONFIRMED here), nor is the register consulted: it cannot be reached from motcua."""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import (
    MemberRole,
    Organisation,
    OrganisationKind,
    OrganisationMember,
    User,
)
from motcua.core.errors import NotFound, PermissionDenied, ValidationFailed

TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")


def _invalid(message, *, code: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, field=field)


def active_memberships(user, *, today: dt.date | None = None) -> QuerySet[OrganisationMember]:
    """The memberships through which ``user`` may act today."""
    if user is None or not user.is_authenticated:
        return OrganisationMember.objects.none()
    today = today or timezone.localdate()
    return OrganisationMember.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        user=user,
        revoked_at__isnull=True,
    )


def organisations_of(user) -> QuerySet[Organisation]:
    """The organisations ``user`` may act for today."""
    return Organisation.objects.filter(
        pk__in=active_memberships(user).values("organisation_id")
    ).order_by("name")


def organisation_for(user, pk: int) -> Organisation:
    """One of ``user``'s organisations; any other looks missing."""
    found = organisations_of(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Organisation not found."), code="organisation_not_found")
    return found


def membership_of(user, organisation: Organisation) -> OrganisationMember | None:
    return active_memberships(user).filter(organisation=organisation).first()


def _authorisation(content: bytes | None, name: str, role: str, valid_until, today):
    from motcua.dossiers.services.files import stored_file_put

    if role == MemberRole.AUTHORISED and not content:
        raise _invalid(
            _("Attach the authorisation letter signed by the legal representative."),
            code="authorisation_missing",
            field="authorisation",
        )
    if valid_until is not None and valid_until < today:
        raise _invalid(
            _("The authorisation has already ended."),
            code="authorisation_ended",
            field="valid_until",
        )
    return stored_file_put(content=content, name=name) if content else None


@transaction.atomic
def organisation_register(
    *,
    actor: User,
    name: str,
    tax_code: str,
    kind: int = OrganisationKind.BUSINESS,
    address: str = "",
    phone: str = "",
    email: str = "",
    role: str = MemberRole.REPRESENTATIVE,
    authorisation: bytes | None = None,
    authorisation_name: str = "",
    valid_until: dt.date | None = None,
) -> Organisation:
    today = timezone.localdate()
    name, tax_code = name.strip(), tax_code.strip().replace(" ", "")
    if not name:
        raise _invalid(_("Enter the organisation's name."), code="name_missing", field="name")
    if not TAX_CODE.match(tax_code):
        raise _invalid(
            _(
                "The enterprise code has 10 digits, or 10 digits, a hyphen and 3 digits for "
                "a branch."
            ),
            code="tax_code_format",
            field="tax_code",
        )
    if kind not in OrganisationKind.values:
        raise _invalid(_("Choose the kind of organisation."), code="kind", field="kind")
    if role not in MemberRole.values:
        raise _invalid(_("Choose your role."), code="role", field="role")
    if Organisation.objects.filter(tax_code=tax_code).exists():
        raise _invalid(
            _(
                "This organisation is already registered. Ask its legal representative to add "
                "you as an authorised person."
            ),
            code="tax_code_taken",
            field="tax_code",
        )
    stored = _authorisation(authorisation, authorisation_name, role, valid_until, today)
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                kind=kind,
                name=name[:255],
                tax_code=tax_code,
                address=address.strip()[:255],
                phone=phone.strip()[:20],
                email=email.strip(),
                created_by=actor,
            )
    except IntegrityError:  # registered at the same moment by someone else
        raise _invalid(
            _("This organisation is already registered."), code="tax_code_taken", field="tax_code"
        ) from None
    OrganisationMember.objects.create(
        organisation=organisation,
        user=actor,
        role=role,
        authorisation_file=stored,
        authorisation_name=authorisation_name[:255],
        valid_until=valid_until,
        added_by=actor,
    )
    return organisation


def _require_representative(actor, organisation: Organisation) -> None:
    membership = membership_of(actor, organisation)
    if membership is None:
        raise NotFound(_("Organisation not found."), code="organisation_not_found")
    if membership.role != MemberRole.REPRESENTATIVE:
        raise PermissionDenied(
            _("Only the legal representative can change who acts for the organisation."),
            code="not_representative",
        )


@transaction.atomic
def organisation_member_add(
    *,
    actor: User,
    organisation: Organisation,
    email: str,
    authorisation: bytes | None,
    authorisation_name: str = "",
    valid_until: dt.date | None = None,
) -> OrganisationMember:
    """The legal representative authorises the holder of a verified e-mail address."""
    _require_representative(actor, organisation)
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(email__iexact=email.strip(), verified=True).first()
    if address is None:
        raise _invalid(
            _("No account with this verified e-mail address. Ask the person to sign up first."),
            code="member_unknown",
            field="email",
        )
    if membership_of(address.user, organisation) is not None:
        raise _invalid(
            _("This person already acts for the organisation."), code="member_exists", field="email"
        )
    stored = _authorisation(
        authorisation, authorisation_name, MemberRole.AUTHORISED, valid_until, timezone.localdate()
    )
    # a revoked or expired membership of the same person is closed for good first
    OrganisationMember.objects.filter(
        organisation=organisation, user=address.user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now(), revoked_by=actor)
    return OrganisationMember.objects.create(
        organisation=organisation,
        user=address.user,
        role=MemberRole.AUTHORISED,
        authorisation_file=stored,
        authorisation_name=authorisation_name[:255],
        valid_until=valid_until,
        added_by=actor,
    )


@transaction.atomic
def organisation_member_revoke(*, actor: User, member: OrganisationMember) -> OrganisationMember:
    _require_representative(actor, member.organisation)
    member = OrganisationMember.objects.select_for_update().get(pk=member.pk)
    if member.revoked_at is not None:
        return member
    if member.role == MemberRole.REPRESENTATIVE:
        raise _invalid(
            _("The legal representative cannot be removed here."),
            code="representative_kept",
            field="member",
        )
    member.revoked_at, member.revoked_by = timezone.now(), actor
    member.save(update_fields=["revoked_at", "revoked_by"])
    return member
