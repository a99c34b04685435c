from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginEvent(models.Model):
    """The audit of sign-ins (issue 5, item 1): every success, failure and sign-out, with the
    address and browser; kept for officials and citizens alike, never edited."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        FAILED = "failed", _("Failed sign-in")
        LOGOUT = "logout", _("Signed out")
        TIMEOUT = "timeout", _("Session timed out")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    login = models.CharField(_("login given"), max_length=254, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    official = models.BooleanField(_("official"), default=False)

    class Meta:
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.login}"
