"""Keeping the rollups equal to the sum of every dossier's projection (ADR 0004).

- ``rollup_refresh(dossier)`` is called by the dossier services, inside their transaction,
  after every change that can move a report number: it projects the dossier again, adds the
  difference with its stored fact to the rollups and stores the new fact. A service that rolls
  back takes its rollup change with it.
- ``rollup_rebuild()`` recomputes facts and rollups from the dossiers (``motcua reports
  rebuild``); ``rollup_differences()`` compares the stored rollups with a recomputation without
  writing anything (``--check``).

Writes are one ``INSERT … ON CONFLICT DO UPDATE SET m = m + excluded.m`` per batch (PostgreSQL,
and SQLite 3.24 or later), with the keys sorted so that two transactions touching the same rows
lock them in the same order.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery, Sum

from motcua.catalog.choices import Channel, OnlineLevel
from motcua.core.bulk import bulk_insert
from motcua.dossiers.choices import Action, DossierState, ReturnMethod, SupplementPhase
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierFee,
    PaymentRequest,
    SupplementRequest,
)
from motcua.feedback.models import DossierRating
from motcua.reports.models import DossierFact, Grain, Rollup, grain_start
from motcua.reports.projection import (
    MEASURES,
    Contribution,
    Snapshot,
    Wait,
    class_06,
    class_766,
    local_day,
    project,
)

# The dossier actions that cannot move a report number: they change neither reception, the
# statutory appointment, the waits, the finish nor a 766 flag (an extension keeps the original
# appointment for statistics, SPEC.md §3.4).
UNCHANGED_BY = frozenset(
    {
        Action.SUBMIT,
        Action.REQUEST_COMPLETION,
        Action.RESUBMIT,
        Action.REFUSE,
        Action.ASSIGN,
        Action.HANDOVER,
        Action.TRANSFER,
        Action.TRANSFER_BACK,
        Action.EXTEND,
        Action.REQUEST_WITHDRAWAL,
        # The rating is stored after its event: ``feedback.services.dossier_rate`` refreshes.
        Action.RATE,
    }
)

Key = tuple[int, int, int]  # agency, sector, procedure
RowKey = tuple[int, str, dt.date, int, int]  # agency, grain, day, sector, procedure
BATCH = 500


# -- the snapshot of a dossier ---------------------------------------------------------------


def with_flag_data(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """The dossiers annotated with what their 766 flags need beyond their own columns."""
    components = DossierComponent.objects.filter(dossier=OuterRef("pk"))
    fees = (
        DossierFee.objects.filter(dossier=OuterRef("pk"))
        .order_by()
        .values("dossier")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return queryset.annotate(
        _reused=Exists(components.filter(reused=True)),
        _from_store=Exists(components.filter(from_national_store=True)),
        _fees=Subquery(fees[:1]),
        _charged=Exists(PaymentRequest.objects.filter(dossier=OuterRef("pk"), amount__gt=0)),
        _disliked=Exists(DossierRating.objects.filter(dossier=OuterRef("pk"), liked=False)),
    )


FLAG_DATA = ("_reused", "_from_store", "_fees", "_charged", "_disliked")


def flags_of(dossier: Dossier, data: dict | None = None) -> frozenset[str]:
    """The 766 flags of a dossier annotated by ``with_flag_data``, or of a dossier and its
    annotations read apart (``data``, keyed by ``FLAG_DATA``). ``projection.FLAGS`` says which
    component each flag serves; the definitions not in SPEC.md are ADR 0004's."""
    if data is None:
        data = {name: getattr(dossier, name, None) for name in FLAG_DATA}
    version = dossier.procedure_version
    online = dossier.channel == Channel.ONLINE
    document = version.result_is_document
    e_result = dossier.result_file_id is not None
    full_eligible = version.online_level == OnlineLevel.FULL
    flags = {
        "synced": dossier.dvcqg_synced_at is not None,
        "full_eligible": full_eligible,
        "full_done": full_eligible
        and online
        and dossier.return_method in (ReturnMethod.ONLINE, ReturnMethod.POST),
        "online_ok": online and (e_result or not document),
        "fee_bearing": (data["_fees"] or 0) > 0 or bool(data["_charged"]),
        "paid_online": dossier.paid_online,
        "doc_result": document,
        "e_result": document and e_result,
        "digitised_ok": dossier.digitised and (e_result or not document),
        "reused": data["_reused"],
        "from_store": data["_from_store"],
        "disliked": data["_disliked"],
        "rated": dossier.rated,
    }
    return frozenset(name for name, value in flags.items() if value)


def snapshot_of(
    dossier: Dossier,
    supplements: Iterable[SupplementRequest] | None = None,
    payments: Iterable[PaymentRequest] | None = None,
    flags: frozenset[str] | None = None,
) -> Snapshot | None:
    """What the projection needs; ``None`` for a dossier that was never received (SPEC.md §7.1
    excludes statuses 1 and 3)."""
    if dossier.received_at is None:
        return None
    if supplements is None:
        supplements = dossier.supplements.filter(phase=SupplementPhase.PROCESSING)
    if payments is None:
        payments = dossier.payments.all()
    if flags is None:
        # Only the annotations are read: the dossier in hand is saved and current, and a
        # whole row with its version costs the hook more than everything else it does.
        data = with_flag_data(Dossier.objects.filter(pk=dossier.pk)).values(*FLAG_DATA).get()
        flags = flags_of(dossier, data)
    return Snapshot(
        received_at=dossier.received_at,
        channel=dossier.channel,
        due_at=dossier.original_due_at,
        finished_at=dossier.finished_at,
        stopped=dossier.state == DossierState.STOPPED,
        supplements=tuple(
            Wait(
                request.requested_at,
                request.supplied_at,
                # Rows written before the field existed: the appointment then in force.
                request.original_due_before or request.due_before,
            )
            for request in supplements
            if request.phase == SupplementPhase.PROCESSING
        ),
        payments=tuple(Wait(payment.requested_at, payment.paid_at) for payment in payments),
        flags=flags,
    )


def dossier_key(dossier: Dossier) -> Key:
    version = dossier.procedure_version
    return (dossier.receiving_agency_id, version.sector_id, version.procedure_id)


def _fact(dossier: Dossier, snapshot: Snapshot, counts: Contribution) -> DossierFact:
    agency, sector, procedure = dossier_key(dossier)
    received = local_day(snapshot.received_at)
    return DossierFact(
        dossier_id=dossier.pk,
        agency_id=agency,
        sector_id=sector,
        procedure_id=procedure,
        online=snapshot.channel == Channel.ONLINE,
        received_day=received,
        finished_day=(
            max(local_day(snapshot.finished_at), received) if snapshot.finished_at else None
        ),
        class06=class_06(snapshot) or "",
        class766=class_766(snapshot) or "",
        contribution=DossierFact.encode(counts),
    )


# -- live maintenance ------------------------------------------------------------------------


def rollup_refresh(dossier: Dossier, action: str | None = None) -> None:
    """Bring the rollups up to date with ``dossier`` (called inside the service's transaction,
    after its change is saved)."""
    if action in UNCHANGED_BY:
        return
    snapshot = snapshot_of(dossier)
    counts = project(snapshot)
    fact = DossierFact.objects.filter(pk=dossier.pk).first()
    deltas: dict[tuple[Key, dt.date], Counter[str]] = defaultdict(Counter)
    if fact is not None:
        for (day, measure), value in fact.counts().items():
            deltas[(fact.key, day)][measure] -= value
    if snapshot is not None:
        key = dossier_key(dossier)
        for (day, measure), value in counts.items():
            deltas[(key, day)][measure] += value
    rollup_add(deltas)
    if snapshot is None:
        if fact is not None:
            fact.delete()
        return
    new = _fact(dossier, snapshot, counts)
    if fact is None:
        new.save(force_insert=True)
    elif fact.contribution != new.contribution or fact.key != new.key:
        new.save(force_update=True)


def rollup_add(deltas: dict[tuple[Key, dt.date], Counter[str]]) -> None:
    """Add signed counts per (key, day) to the day, month and year rows."""
    rows: dict[RowKey, Counter[str]] = defaultdict(Counter)
    for ((agency, sector, procedure), day), values in deltas.items():
        for grain in (Grain.DAY, Grain.MONTH, Grain.YEAR):
            rows[(agency, str(grain), grain_start(grain, day), sector, procedure)].update(values)
    changed = sorted((key, values) for key, values in rows.items() if any(values.values()))
    _upsert(changed)


def _upsert(rows: list[tuple[RowKey, Counter[str]]]) -> None:
    table = Rollup._meta.db_table
    columns = ("agency_id", "grain", "day", "sector_id", "procedure_id", *MEASURES)
    updates = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in MEASURES)
    # The table and column names are this module's constants; only values are parameters.
    head = f"INSERT INTO {table} ({', '.join(columns)}) "
    tail = f" ON CONFLICT ({', '.join(columns[:5])}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column: a fixed statement whatever the number of rows, where a
            # VALUES list of 500 rows × 30 placeholders costs psycopg more to bind than the
            # database to run (docs/performance.md, "Reports at scale", note 2).
            types = ("int", "text", "date", "int", "int", *(["int"] * len(MEASURES)))
            arrays = ", ".join(f"%s::{kind}[]" for kind in types)
            select = f"SELECT * FROM unnest({arrays}) ORDER BY 1, 2, 3, 4, 5"  # noqa: S608
            for start in range(0, len(rows), 5000):
                chunk = rows[start : start + 5000]
                params = [_array(key[i] for key, _values in chunk) for i in range(5)] + [
                    _array(values.get(m, 0) for _key, values in chunk) for m in MEASURES
                ]
                cursor.execute(head + select + tail, params)
            return
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(chunk))
            values_params: list = []
            for key, values in chunk:
                values_params.extend(key)
                values_params.extend(values.get(measure, 0) for measure in MEASURES)
            cursor.execute(head + "VALUES " + placeholders + tail, values_params)


def _array(values: Iterable[int | str | dt.date]) -> str:
    """A PostgreSQL array literal of integers, dates or the grain letters (none needs quoting):
    psycopg's list adapter inspects every element and costs more than the upsert itself."""
    return "{" + ",".join(map(str, values)) + "}"


# -- recomputation ---------------------------------------------------------------------------


def _received_dossiers(batch: int, ids: list[int] | None = None) -> Iterator[list[Dossier]]:
    """Every received dossier (of ``ids``) with what its projection needs, in primary-key
    batches."""
    queryset: QuerySet[Dossier] = Dossier.objects.exclude(received_at=None)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    queryset = (
        with_flag_data(queryset)
        .select_related("procedure_version")
        .only(
            "pk",
            "state",
            "channel",
            "received_at",
            "original_due_at",
            "finished_at",
            "receiving_agency_id",
            "dvcqg_synced_at",
            "return_method",
            "result_file_id",
            "paid_online",
            "digitised",
            "rated",
            "procedure_version__sector_id",
            "procedure_version__procedure_id",
            "procedure_version__online_level",
            "procedure_version__result_is_document",
        )
        .prefetch_related(
            Prefetch(
                "supplements",
                queryset=SupplementRequest.objects.filter(phase=SupplementPhase.PROCESSING).only(
                    "dossier_id",
                    "phase",
                    "requested_at",
                    "supplied_at",
                    "due_before",
                    "original_due_before",
                ),
            ),
            Prefetch(
                "payments",
                queryset=PaymentRequest.objects.only("dossier_id", "requested_at", "paid_at"),
            ),
        )
        .order_by("pk")
    )
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last)[:batch])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


Entry = tuple[Dossier, Iterable[SupplementRequest], Iterable[PaymentRequest]]


def _project(entries: Iterable[Entry]) -> tuple[list[DossierFact], dict]:
    """The facts and the summed rollup counts of received dossiers, each given with its
    supplementation requests and payment requests, its ``procedure_version`` and the
    ``with_flag_data`` annotations."""
    facts = []
    deltas: dict[tuple[Key, dt.date], Counter[str]] = defaultdict(Counter)
    for dossier, supplements, payments in entries:
        snapshot = snapshot_of(dossier, supplements, payments, flags_of(dossier))
        assert snapshot is not None
        counts = project(snapshot)
        key = dossier_key(dossier)
        for (day, measure), value in counts.items():
            deltas[(key, day)][measure] += value
        facts.append(_fact(dossier, snapshot, counts))
    return facts, deltas


def recompute(
    batch: int = 5000, ids: list[int] | None = None
) -> Iterator[tuple[list[DossierFact], dict]]:
    """The facts and the rollup sums of every received dossier (of ``ids``), batch by batch."""
    for chunk in _received_dossiers(batch, ids):
        yield _project((d, d.supplements.all(), d.payments.all()) for d in chunk)


def rollup_add_new(entries: Iterable[Entry]) -> int:
    """The facts and rollups of received dossiers just written in bulk, which have none yet,
    projected from the objects in memory rather than read back (the synthetic generator: it
    knows every row it wrote). Each dossier must carry what ``_received_dossiers`` would have
    loaded: its ``procedure_version`` and, where true, the ``with_flag_data`` annotations
    (``_charged``, ``_fees``, ``_reused``, ``_from_store``, ``_disliked``). That the result
    equals a recomputation is tested (``rollup_differences() == []`` after generating)."""
    facts, deltas = _project(entries)
    bulk_insert(DossierFact, facts)
    rollup_add(deltas)
    return len(facts)


def rollup_refresh_many(ids: list[int]) -> None:
    """``rollup_refresh`` for many dossiers at once: the import of historical dossiers, which
    writes them in bulk without the services (``dossiers.services.imports``)."""
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        deltas: dict[tuple[Key, dt.date], Counter[str]] = defaultdict(Counter)
        old = list(DossierFact.objects.filter(pk__in=chunk))
        for fact in old:
            for (day, measure), value in fact.counts().items():
                deltas[(fact.key, day)][measure] -= value
        DossierFact.objects.filter(pk__in=[fact.pk for fact in old]).delete()
        for facts, new in recompute(ids=chunk):
            for key, values in new.items():
                deltas[key].update(values)
            bulk_insert(DossierFact, facts)
        rollup_add(deltas)


@transaction.atomic
def rollup_rebuild(batch: int = 5000) -> int:
    """Recompute every fact and rollup from the dossiers; the number of dossiers projected.
    Idempotent; the tables are locked so that no dossier change interleaves."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {Rollup._meta.db_table}, {DossierFact._meta.db_table} "
                "IN SHARE ROW EXCLUSIVE MODE"
            )
    Rollup.objects.all().delete()
    DossierFact.objects.all().delete()
    count = 0
    for facts, deltas in recompute(batch):
        bulk_insert(DossierFact, facts)
        rollup_add(deltas)
        count += len(facts)
    return count


def rollups_missing() -> bool:
    """Whether some received dossier has no fact: the rollups predate it (an upgrade from a
    version without reports, or rows written outside the services)."""
    received = Dossier.objects.exclude(received_at=None)
    return received.exclude(pk__in=DossierFact.objects.values("pk")).exists()


def _stored() -> dict[RowKey, tuple[int, ...]]:
    return {
        (row.agency_id, row.grain, row.day, row.sector_id, row.procedure_id): row.values()
        for row in Rollup.objects.iterator(chunk_size=10000)
        if any(row.values())
    }


def rollup_differences(batch: int = 5000) -> list[tuple[RowKey, tuple, tuple]]:
    """Rows where the stored rollups differ from a recomputation: (key, stored, recomputed).
    Writes nothing."""
    expected: dict[RowKey, Counter[str]] = defaultdict(Counter)
    for _facts, deltas in recompute(batch):
        for ((agency, sector, procedure), day), values in deltas.items():
            for grain in (Grain.DAY, Grain.MONTH, Grain.YEAR):
                expected[(agency, str(grain), grain_start(grain, day), sector, procedure)].update(
                    values
                )
    computed = {
        key: tuple(values.get(measure, 0) for measure in MEASURES)
        for key, values in expected.items()
        if any(values.values())
    }
    stored = _stored()
    zero = tuple(0 for _m in MEASURES)
    return sorted(
        (key, stored.get(key, zero), computed.get(key, zero))
        for key in stored.keys() | computed.keys()
        if stored.get(key, zero) != computed.get(key, zero)
    )
