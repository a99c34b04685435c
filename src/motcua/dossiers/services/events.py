"""The dossier event log: append-only, hash-chained per dossier (issue 3 §3).

Each event's ``hash`` is SHA-256 over the previous event's hash and the canonical JSON of this
event's content. The dossier stores the number of events and the last hash, so that removing,
altering or reordering any event — including the last one — breaks verification.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from motcua.dossiers.models import Dossier, DossierEvent

GENESIS = "0" * 64


def _plain(payload: dict[str, Any]) -> dict[str, Any]:
    """Payload as plain JSON types, exactly as it will read back from the database."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False))


def _instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_digest(*, dossier_uuid: str, prev_hash: str, event: DossierEvent) -> str:
    content = {
        "dossier": str(dossier_uuid),
        "seq": event.seq,
        "action": event.action,
        "at": _instant(event.at),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "agency": event.agency_id,
        "from": event.from_state,
        "to": event.to_state,
        "reason": event.reason,
        "payload": event.payload,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def event_new(
    *,
    dossier: Dossier,
    seq: int,
    prev_hash: str,
    action: str,
    at: dt.datetime,
    actor=None,
    agency=None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> DossierEvent:
    """An unsaved event with its place in the chain (``seq`` after ``prev_hash``) and its hash."""
    signed_in = actor is not None and actor.is_authenticated
    event = DossierEvent(
        dossier=dossier,
        seq=seq,
        action=action,
        at=at,
        actor=actor if signed_in else None,
        actor_name=(getattr(actor, "full_name", "") or getattr(actor, "username", ""))
        if signed_in
        else "",
        agency=agency,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=_plain(payload or {}),
        prev_hash=prev_hash,
    )
    event.hash = event_digest(dossier_uuid=str(dossier.uuid), prev_hash=prev_hash, event=event)
    return event


def event_append(*, dossier: Dossier, **content: Any) -> DossierEvent:
    """Append an event to ``dossier``'s chain. The caller holds the dossier row lock (or has
    just created it) inside the transaction of the state change. ``content``: the keyword
    arguments of ``event_new`` after ``prev_hash``."""
    if not connection.in_atomic_block:
        raise RuntimeError("events are written in the transaction of the change they record")
    event = event_new(
        dossier=dossier,
        seq=dossier.event_count + 1,
        prev_hash=dossier.last_event_hash or GENESIS,
        **content,
    )
    event.save(force_insert=True)
    dossier.event_count = event.seq
    dossier.last_event_hash = event.hash
    Dossier.objects.filter(pk=dossier.pk).update(
        event_count=dossier.event_count, last_event_hash=dossier.last_event_hash
    )
    return event


def events_bulk_append(histories: Iterable[tuple[Dossier, list[dict[str, Any]]]]) -> int:
    """Append whole histories at once (imports): one insert for all events and one update of
    the dossiers' chain heads, instead of two statements per event. Same chain, same hashes as
    appending one by one."""
    if not connection.in_atomic_block:
        raise RuntimeError("events are written in the transaction of the change they record")
    events: list[DossierEvent] = []
    touched: list[Dossier] = []
    for dossier, items in histories:
        for content in items:
            event = event_new(
                dossier=dossier,
                seq=dossier.event_count + 1,
                prev_hash=dossier.last_event_hash or GENESIS,
                **content,
            )
            events.append(event)
            dossier.event_count = event.seq
            dossier.last_event_hash = event.hash
        touched.append(dossier)
    DossierEvent.objects.bulk_create(events, batch_size=500)
    Dossier.objects.bulk_update(touched, ["event_count", "last_event_hash"], batch_size=500)
    return len(events)


@dataclass(frozen=True)
class ChainProblem:
    dossier_code: str
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"#{self.seq}" if self.seq is not None else ""
        return f"{self.dossier_code}{where}: {self.problem}"


def verify_dossier_chain(dossier: Dossier, events: Iterable[DossierEvent]) -> list[ChainProblem]:
    label = dossier.code or str(dossier.uuid)
    problems: list[ChainProblem] = []
    prev_hash = GENESIS
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            problems.append(
                ChainProblem(
                    label, event.seq, f"expected event #{expected_seq} here (missing or reordered)"
                )
            )
            expected_seq = event.seq
        if event.prev_hash != prev_hash:
            problems.append(ChainProblem(label, event.seq, "does not link to the previous event"))
        digest = event_digest(
            dossier_uuid=str(dossier.uuid), prev_hash=event.prev_hash, event=event
        )
        if digest != event.hash:
            problems.append(
                ChainProblem(label, event.seq, "content does not match its hash (altered)")
            )
        prev_hash = event.hash
        expected_seq += 1
    if expected_seq - 1 != dossier.event_count:
        problems.append(
            ChainProblem(
                label,
                None,
                f"{expected_seq - 1} events found, the dossier recorded {dossier.event_count}",
            )
        )
    elif dossier.event_count and prev_hash != dossier.last_event_hash:
        problems.append(
            ChainProblem(label, None, "the last event is not the one the dossier recorded")
        )
    return problems


def verify_events(dossiers=None, *, chunk: int = 500) -> Iterator[ChainProblem]:
    """Check every dossier's chain (or those of ``dossiers``); yields each problem found."""
    qs = dossiers if dossiers is not None else Dossier.objects.all()
    qs = qs.order_by("pk").only("pk", "uuid", "code", "event_count", "last_event_hash")
    last_pk = 0
    while True:
        batch = list(qs.filter(pk__gt=last_pk)[:chunk])
        if not batch:
            return
        by_dossier: dict[int, list[DossierEvent]] = {d.pk: [] for d in batch}
        for event in DossierEvent.objects.filter(dossier_id__in=by_dossier).order_by(
            "dossier_id", "seq", "pk"
        ):
            by_dossier[event.dossier_id].append(event)
        for dossier in batch:
            yield from verify_dossier_chain(dossier, by_dossier[dossier.pk])
        last_pk = batch[-1].pk
