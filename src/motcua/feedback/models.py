"""Citizen ratings of how their dossier was handled (SPEC.md §6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.feedback.choices import RatingChannel, Satisfaction


class DossierRating(models.Model):
    """One applicant's rating of one dossier, after the result is returned: like/dislike (the
    national portal's per-dossier rating, which feeds 766 index 5.4) and the two Likert
    questions of SPEC.md §6.1 (10: convenience, 11: overall), with an optional comment."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="rating"
    )
    liked = models.BooleanField(_("satisfied with the handling (like)"))
    convenience = models.CharField(
        _("convenience of the service"), max_length=16, choices=Satisfaction.choices
    )
    overall = models.CharField(_("overall assessment"), max_length=16, choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=RatingChannel.choices)
    rated_at = models.DateTimeField(_("rated at"))
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dossier rating")
        verbose_name_plural = _("dossier ratings")
        ordering = ["-rated_at"]
        indexes = [models.Index(fields=["rated_at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {'+' if self.liked else '-'}"
