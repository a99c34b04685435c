"""Ratings after the result is returned (SPEC.md §6.1; 766 index 5.4 counts dislikes)."""

from __future__ import annotations

import pytest

from motcua.catalog.choices import Channel
from motcua.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import citizen, dossier_in, vn
from motcua.feedback.models import DossierRating
from motcua.feedback.services import dossier_rate


@pytest.fixture
def returned(tree, catalogue, c1_staff, applicant_user) -> Dossier:
    desk = tree.c1_units["pvhcc"]
    d = svc.dossier_submit(
        actor=applicant_user,
        data=dossier_in(catalogue["1.004873"], desk, channel=Channel.ONLINE),
        at=vn(2026, 3, 9, 8),
    )
    svc.dossier_receive(actor=c1_staff.reception, dossier=d, at=vn(2026, 3, 9, 8, 30))
    svc.dossier_resolve(
        actor=c1_staff.clerk, dossier=d, result_content=b"%PDF-1.7\n%%EOF\n", at=vn(2026, 3, 10, 9)
    )
    svc.dossier_return_result(
        actor=c1_staff.reception, dossier=d, method="online", at=vn(2026, 3, 10, 10)
    )
    d.refresh_from_db()
    return d


def _rate(actor, dossier, **extra):
    data = {
        "liked": False,
        "convenience": "satisfied",
        "overall": "dissatisfied",
        "comment": "Chờ lâu",
    }
    data.update(extra)
    return dossier_rate(actor=actor, dossier=dossier, **data)


def test_the_applicant_rates_once(returned, applicant_user):
    rating = _rate(applicant_user, returned)
    returned.refresh_from_db()
    assert returned.rated and rating.channel == "portal" and rating.liked is False
    event = returned.events.order_by("-seq").first()
    assert event.action == "rate" and event.payload["overall"] == "dissatisfied"
    with pytest.raises(Conflict):
        _rate(applicant_user, returned)
    assert DossierRating.objects.count() == 1


def test_the_desk_enters_a_paper_rating(returned, c1_staff):
    rating = _rate(c1_staff.reception, returned, liked=True)
    assert rating.channel == "desk" and rating.rated_by == c1_staff.reception


def test_only_after_the_result_is_returned(tree, catalogue, c1_staff, applicant_user):
    d = svc.dossier_submit(
        actor=applicant_user,
        data=dossier_in(catalogue["1.004873"], tree.c1_units["pvhcc"], channel=Channel.ONLINE),
        at=vn(2026, 3, 9, 8),
    )
    with pytest.raises(Conflict):
        _rate(applicant_user, d)
    assert DossierRating.objects.count() == 0


def test_strangers_and_bad_answers_change_nothing(returned, c1_staff, c2_staff):
    before = returned.event_count
    with pytest.raises(NotFound):
        _rate(citizen("nguoi-la"), returned, convenience="không rõ")  # scope before input
    with pytest.raises(NotFound):
        _rate(c2_staff.reception, returned)
    with pytest.raises(PermissionDenied):
        _rate(c1_staff.specialist, returned)
    owner = returned.owner
    with pytest.raises(ValidationFailed):
        _rate(owner, returned, convenience="so-so")
    with pytest.raises(ValidationFailed):
        _rate(owner, returned, comment="x" * 2001)
    returned.refresh_from_db()
    assert returned.event_count == before and not returned.rated
    assert DossierRating.objects.count() == 0
