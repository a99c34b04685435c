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
