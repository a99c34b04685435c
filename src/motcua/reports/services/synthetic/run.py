"""Writing synthetic dossiers in batches (in several processes on PostgreSQL), and removing them."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from calendar import monthrange
from collections import Counter
from queue import Empty

from django.db import connection, connections, transaction
from django.utils import timezone

from motcua.core.bulk import bulk_insert
from motcua.dossiers import policies
from motcua.dossiers.choices import (
    SupplementPhase,
)
from motcua.dossiers.models import (
    Dossier,
    DossierEvent,
    Extension,
    PaymentRequest,
    SupplementRequest,
    Transfer,
)
from motcua.dossiers.services.events import events_bulk_append
from motcua.dossiers.services.files import stored_file_put
from motcua.feedback.models import DossierRating
from motcua.org.models import Agency
from motcua.reports.services.rollups import rollup_add_new, rollup_rebuild
from motcua.reports.services.synthetic.common import (
    BATCH,
    E_RESULT,
    GenerateReport,
    Progress,
    ProgressCallback,
    SyntheticError,
    code_prefix,
    synthetic_dossiers,
)
from motcua.reports.services.synthetic.draw import Generator
from motcua.reports.services.synthetic.life import Made


def _next_number(province: Agency) -> int:
    """After the highest number taken (codes are zero-padded, so their order is the numbers';
    the range lets PostgreSQL walk the code index back from its end)."""
    prefix = code_prefix(province)
    last = (
        synthetic_dossiers(province)
        .filter(code__gte=prefix, code__lt=prefix[:-1] + chr(ord(prefix[-1]) + 1))
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    tail = (last or "")[len(prefix) :]
    return int(tail) + 1 if tail.isdigit() else 0


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return dt.date(year, month, min(day.day, monthrange(year, month)[1]))


def synthetic_generate(
    *,
    province: Agency,
    dossiers: int,
    months: int = 36,
    end: dt.date | None = None,
    seed: int = 0,
    events: bool = False,
    batch: int = BATCH,
    jobs: int = 1,
    progress: ProgressCallback | None = None,
) -> GenerateReport:
    """Add ``dossiers`` synthetic received dossiers to ``province`` (numbered after those it
    already has), received over ``months`` months ending on ``end`` (default today).

    ``jobs`` > 1 (PostgreSQL, outside a transaction) writes batches from that many forked
    processes, each with its own connection and transactions; the dossiers are the same (each is
    drawn from its own number), only the order of their ids differs."""
    if dossiers < 0 or months < 1 or batch < 1 or jobs < 1:
        raise SyntheticError("dossiers ≥ 0, months ≥ 1, batch ≥ 1 and jobs ≥ 1 are required")
    now = timezone.now()
    end = end or timezone.localdate(now)
    start = _months_before(end, months) + dt.timedelta(days=1)
    zone = timezone.get_current_timezone()
    cutoff = min(dt.datetime.combine(end, dt.time(23, 59, 59), tzinfo=zone), now)
    generator = Generator(province, seed=seed, start=start, end=end, cutoff=cutoff)
    if dossiers:
        generator.ctx.e_result_id = stored_file_put(content=E_RESULT, name="result.pdf").pk
    first = _next_number(province)
    batches = [
        range(first + offset, first + min(dossiers, offset + batch))
        for offset in range(0, dossiers, batch)
    ]
    started = time.perf_counter()
    parallel = connection.vendor == "postgresql" and not connection.in_atomic_block
    if jobs > 1 and len(batches) > 1 and parallel:
        states, written = _in_processes(generator, batches, jobs, events, progress, started)
    else:
        states, written = Counter(), 0
        done = 0
        for numbers in batches:
            batch_states, batch_events = _batch(generator, numbers, events)
            states.update(batch_states)
            written += batch_events
            done += len(numbers)
            if progress is not None:
                progress(Progress(done, dossiers, time.perf_counter() - started))
    return GenerateReport(
        created=dossiers,
        first_number=first,
        seconds=time.perf_counter() - started,
        states=states,
        events=written,
    )


def _batch(generator: Generator, numbers: range, events: bool) -> tuple[Counter[str], int]:
    made = [generator.dossier(number) for number in numbers]
    with transaction.atomic():
        written = _write(made, events=events)
    return Counter(str(m.fields["state"]) for m in made), written


def _in_processes(
    generator: Generator,
    batches: list[range],
    jobs: int,
    events: bool,
    progress: ProgressCallback | None,
    started: float,
) -> tuple[Counter[str], int]:
    """Write the batches from ``jobs`` forked processes (the generator, with its calendars, is
    inherited). Two transactions may touch the same month and year rollup rows; the rollups
    lock their keys in sorted order, so one waits for the other, never a deadlock."""
    generator.ctx.warm()
    context = multiprocessing.get_context("fork")
    connections.close_all()  # each process opens its own
    queue = context.Queue()
    workers = [
        context.Process(target=_worker, args=(generator, batches[k::jobs], events, queue))
        for k in range(jobs)
    ]
    for worker in workers:
        worker.start()
    total = sum(len(numbers) for numbers in batches)
    states: Counter[str] = Counter()
    written = done = 0
    errors: list[str] = []
    running = len(workers)
    try:
        while running:
            try:
                kind, payload = queue.get(timeout=1)
            except Empty:
                if not any(worker.is_alive() for worker in workers):
                    break  # died without a word
                continue
            if kind == "batch":
                done += payload
                if progress is not None:
                    progress(Progress(done, total, time.perf_counter() - started))
            else:
                running -= 1
                if kind == "done":
                    states.update(payload[0])
                    written += payload[1]
                else:
                    errors.append(payload)
    finally:
        for worker in workers:
            worker.join()
    failed = [worker.exitcode for worker in workers if worker.exitcode]
    if errors or failed or running:
        raise SyntheticError(f"a generating process failed: {errors or failed}")
    return states, written


def _worker(generator: Generator, batches: list[range], events: bool, queue) -> None:
    try:
        states: Counter[str] = Counter()
        written = 0
        for numbers in batches:
            batch_states, batch_events = _batch(generator, numbers, events)
            states.update(batch_states)
            written += batch_events
            queue.put(("batch", len(numbers)))
        queue.put(("done", (dict(states), written)))
    except Exception as error:  # reported to the parent, which raises
        queue.put(("error", f"{type(error).__name__}: {error}"))
    finally:
        connections.close_all()


def _write(made: list[Made], *, events: bool) -> int:
    """Write a batch: the dossiers and their rows (``COPY`` on PostgreSQL), their events if
    asked, then their facts and rollups, projected from these objects (ADR 0004, as for an
    import; ``rollup_add_new`` says why that equals a recomputation)."""
    rows = bulk_insert(Dossier, [Dossier(**item.fields) for item in made])
    supplements: list[list[SupplementRequest]] = []
    payments: list[list[PaymentRequest]] = []
    for item, dossier in zip(made, rows, strict=True):
        dossier.procedure_version = item.version
        supplements.append(
            [
                SupplementRequest(
                    dossier=dossier,
                    phase=SupplementPhase.PROCESSING,
                    reason="Bổ sung giấy tờ còn thiếu",
                    items=["Giấy tờ còn thiếu"],
                    **request,
                )
                for request in item.supplements
            ]
        )
        payment = item.payment
        payments.append(
            []
            if payment is None
            else [PaymentRequest(dossier=dossier, description="Lệ phí", **payment)]
        )
        # What with_flag_data would annotate (no fee rows or components here).
        dossier._charged = payment is not None and payment["amount"] > 0  # type: ignore[attr-defined]
        dossier._disliked = item.rating is not None and not item.rating["liked"]  # type: ignore[attr-defined]
    bulk_insert(SupplementRequest, [row for rows_ in supplements for row in rows_])
    bulk_insert(PaymentRequest, [row for rows_ in payments for row in rows_])
    bulk_insert(
        Extension,
        [
            Extension(dossier=dossier, **item.extension)
            for item, dossier in zip(made, rows, strict=True)
            if item.extension is not None
        ],
    )
    bulk_insert(
        DossierRating,
        [
            DossierRating(dossier=dossier, **item.rating)
            for item, dossier in zip(made, rows, strict=True)
            if item.rating is not None
        ],
    )
    bulk_insert(
        Transfer,
        [
            Transfer(dossier=dossier, **item.transfer)
            for item, dossier in zip(made, rows, strict=True)
            if item.transfer is not None
        ],
    )
    written = 0
    if events:
        histories = []
        for item, dossier in zip(made, rows, strict=True):
            histories.append(
                (
                    dossier,
                    [
                        {
                            "action": action,
                            "at": at,
                            "agency": item.receiving
                            if policies.RULES.get(action, ("receiving",))[0] == "receiving"
                            else item.handling,
                            "from_state": from_state,
                            "to_state": to_state,
                            "payload": payload,
                        }
                        for action, at, from_state, to_state, payload in item.events
                    ],
                )
            )
        written = events_bulk_append(histories)
    rollup_add_new(
        (dossier, supplements[i], payments[i])
        for i, dossier in enumerate(rows)
        if dossier.received_at is not None
    )
    return written


def synthetic_delete(
    *, province: Agency, batch: int = BATCH, progress: ProgressCallback | None = None
) -> int:
    """Remove the synthetic dossiers of ``province`` with their rows (events, supplementation
    requests, payments, extensions, transfers, facts), then rebuild the rollups. Returns the
    number of dossiers removed."""
    total = synthetic_dossiers(province).count()
    started = time.perf_counter()
    removed = 0
    while True:
        ids = list(synthetic_dossiers(province).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        with transaction.atomic():
            # PROTECT: first
            DossierEvent.objects.filter(dossier_id__in=ids).delete()
            DossierRating.objects.filter(dossier_id__in=ids).delete()
            Dossier.objects.filter(pk__in=ids).only("pk").delete()
        removed += len(ids)
        if progress is not None:
            progress(Progress(removed, total, time.perf_counter() - started))
    rollup_rebuild()
    return removed
