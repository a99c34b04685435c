"""Vocabulary of citizen ratings (SPEC.md §6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Satisfaction(models.TextChoices):
    """The answers to questions 10 (convenience) and 11 (overall) of SPEC.md §6.1."""

    VERY_SATISFIED = "very_satisfied", _("Very satisfied")  # Rất hài lòng
    SATISFIED = "satisfied", _("Satisfied")  # Hài lòng
    DISSATISFIED = "dissatisfied", _("Dissatisfied")  # Không hài lòng


class RatingChannel(models.TextChoices):
    """How the rating was collected (SPEC.md §6.1 "collection channels")."""

    PORTAL = "portal", _("Online, by the applicant")
    DESK = "desk", _("At the one-stop desk, entered by an officer")
