from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: a citizen, an organisation's representative or an official.

    Officials additionally have a ``org.Staff`` record that ties them to an agency and roles.
    """

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(
        _("phone number"), max_length=20, blank=True, help_text=_("In E.164, e.g. +84912345678.")
    )
    phone_verified = models.BooleanField(_("phone number verified"), default=False)
    # Profile (changed only through accounts.services.user_profile_update).
    id_number = models.CharField(
        _("personal identification number"),
        max_length=12,
        blank=True,
        help_text=_("Số định danh cá nhân: the 12 digits on the citizen identity card (CCCD)."),
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # Set when the name, identification number and date of birth come from an identity provider
    # (VNeID-style OpenID Connect): they are then shown read-only on the profile.
    identity_verified_by = models.CharField(_("identity verified by"), max_length=100, blank=True)
    identity_verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    province = models.ForeignKey(
        "org.Agency",
        verbose_name=_("province or city"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    commune = models.ForeignKey(
        "org.Agency",
        verbose_name=_("commune, ward or special zone"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="user_id_number_unique"
            ),
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(phone_verified=True),
                name="user_verified_phone_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()


class ApiToken(models.Model):
    """A bearer token for an official or an API client (``Authorization: Bearer mc_…``).

    Only the SHA-256 of the token is stored; the token itself is shown once, when it is made
    (``accounts.tokens.token_create``). ``prefix`` identifies it in lists and logs."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=8, unique=True)
    digest = models.CharField(_("SHA-256 of the token"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})" if self.name else self.prefix

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class OrganisationKind(models.IntegerChoices):
    """The applicant types of SPEC.md §0 an organisation can be (catalog ApplicantType)."""

    BUSINESS = 2, _("Business")
    ORGANISATION = 4, _("Other organisation")


class Organisation(models.Model):
    """A business or other organisation that submits dossiers through the people who act for
    it: its legal representative and the persons it authorises (accounts.services.organisations).
    The national business register cannot be reached from here, so what the representative
    declares is kept as declared and the authorisation letter travels with each dossier."""

    kind = models.PositiveSmallIntegerField(
        _("kind"), choices=OrganisationKind.choices, default=OrganisationKind.BUSINESS
    )
    name = models.CharField(_("name"), max_length=255)
    tax_code = models.CharField(
        _("enterprise or tax code"),
        max_length=14,
        unique=True,
        help_text=_(
            "The enterprise code, which is also the tax code: 10 digits, or 10-3 for a branch."
        ),
    )
    address = models.CharField(_("head office address"), max_length=255, blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.tax_code})"


class MemberRole(models.TextChoices):
    REPRESENTATIVE = "representative", _("Legal representative")
    AUTHORISED = "authorised", _("Authorised person")


class OrganisationMember(models.Model):
    """A person acting for an organisation, from ``created_at`` until revoked or expired."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)
    authorisation_file = models.ForeignKey(
        "dossiers.StoredFile",
        verbose_name=_("authorisation letter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    authorisation_name = models.CharField(max_length=255, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    added_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(revoked_at__isnull=True),
                name="organisation_member_active_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation}"
