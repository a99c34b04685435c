"""Rating a dossier after its result is returned (SPEC.md §6.1, 766 index 5.4)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed
from motcua.dossiers import policies
from motcua.dossiers.choices import Action
from motcua.dossiers.models import Dossier
from motcua.dossiers.services.lifecycle import dossier_note_rating
from motcua.feedback.choices import RatingChannel, Satisfaction
from motcua.feedback.models import DossierRating
from motcua.reports.services.rollups import rollup_refresh

COMMENT_LIMIT = 2000


def _satisfaction(value: str, label) -> Satisfaction:
    try:
        return Satisfaction(value)
    except ValueError:
        raise ValidationFailed(
            _("Choose an answer for “%(question)s”.") % {"question": label},
            code="satisfaction",
        ) from None


@transaction.atomic
def dossier_rate(
    *,
    actor,
    dossier: Dossier,
    liked: bool,
    convenience: str,
    overall: str,
    comment: str = "",
    at: dt.datetime | None = None,
) -> DossierRating:
    """The applicant rates online; a reception officer may enter a rating given at the desk.
    Once per dossier, only after the result is returned."""
    at = at or timezone.now()
    # Who may rate is checked before the input, so that a stranger learns nothing.
    policies.require(actor, Action.RATE, dossier)
    convenience_answer = _satisfaction(convenience, _("Convenience of the service"))
    overall_answer = _satisfaction(overall, _("Overall assessment"))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LIMIT:
        raise ValidationFailed(
            _("The comment is limited to %(limit)s characters.") % {"limit": COMMENT_LIMIT},
            code="comment_too_long",
        )
    channel = RatingChannel.PORTAL if dossier.owner_id == actor.pk else RatingChannel.DESK
    dossier = dossier_note_rating(
        actor=actor,
        dossier=dossier,
        at=at,
        payload={
            "liked": bool(liked),
            "convenience": convenience_answer.value,
            "overall": overall_answer.value,
            "channel": channel.value,
        },
    )
    rating = DossierRating.objects.create(
        dossier=dossier,
        liked=bool(liked),
        convenience=convenience_answer,
        overall=overall_answer,
        comment=comment,
        channel=channel,
        rated_at=at,
        rated_by=actor,
    )
    rollup_refresh(dossier)  # the 766 index counts dislikes (5.4); ADR 0004
    return rating
