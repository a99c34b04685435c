"""The event log is append-only and hash-chained; ``motcua verify-events`` finds tampering
(issue 3 §3 and "Must show")."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command

from motcua.dossiers.models import DossierEvent, ImmutableError
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import dossier_in, vn


@pytest.fixture
def dossier(tree, catalogue, c1_staff):
    d = svc.dossier_intake(
        actor=c1_staff.reception,
        data=dossier_in(catalogue["1.004873"], tree.c1_units["pvhcc"]),
        at=vn(2026, 3, 9, 8),
    )
    svc.dossier_handover(actor=c1_staff.reception, dossier=d, at=vn(2026, 3, 9, 9))
    svc.dossier_handover(actor=c1_staff.specialist, dossier=d, at=vn(2026, 3, 9, 10))
    svc.dossier_resolve(actor=c1_staff.clerk, dossier=d, at=vn(2026, 3, 9, 11))
    d.refresh_from_db()
    return d


def _verify(capsys=None):
    call_command("verify_events")


def test_intact_chain_passes(dossier, capsys):
    call_command("verify_events")
    assert "every event log is intact" in capsys.readouterr().out
    events = list(dossier.events.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert dossier.last_event_hash == events[-1].hash


def test_events_cannot_be_changed_through_the_orm(dossier):
    event = dossier.events.first()
    event.reason = "sửa"
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()


def test_altered_event_is_detected(dossier, capsys):
    DossierEvent.objects.filter(dossier=dossier, seq=2).update(reason="đã sửa lén")
    with pytest.raises(CommandError):
        call_command("verify_events")
    assert f"{dossier.code}#2" in capsys.readouterr().err


def test_altered_time_is_detected(dossier):
    event = dossier.events.get(seq=3)
    DossierEvent.objects.filter(pk=event.pk).update(at=vn(2026, 3, 9, 9, 59))
    with pytest.raises(CommandError):
        call_command("verify_events", dossier.code)


def test_removed_event_is_detected(dossier):
    DossierEvent.objects.filter(dossier=dossier, seq=2).delete()  # queryset delete bypasses model
    with pytest.raises(CommandError):
        call_command("verify_events")


def test_removed_last_event_is_detected(dossier):
    DossierEvent.objects.filter(dossier=dossier, seq=4).delete()
    with pytest.raises(CommandError):
        call_command("verify_events")


def test_reordered_events_are_detected(dossier):
    a, b = dossier.events.get(seq=2), dossier.events.get(seq=3)
    DossierEvent.objects.filter(pk=a.pk).update(seq=99)
    DossierEvent.objects.filter(pk=b.pk).update(seq=2)
    DossierEvent.objects.filter(pk=a.pk).update(seq=3)
    with pytest.raises(CommandError):
        call_command("verify_events")
