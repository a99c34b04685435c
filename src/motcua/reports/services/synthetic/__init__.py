"""Synthetic dossiers: a realistic province for benchmarks and demo history (issue 6).

``synthetic_generate(province=…, dossiers=N)`` writes N received dossiers at one province's
one-stop desks, as ``motcua bench generate`` does; ``synthetic_delete(province=…)`` removes
them again. They are recognised by their code, ``SYN-<province code>-<number>``, and
``other_code = "synthetic"``.

What is generated, per dossier (shares are of all dossiers; every draw comes from a
``random.Random`` seeded by the seed, the province and the dossier's number, so a dossier is the
same whether the province is made in one run or grown run after run, and the same seed gives the
same province):

- **Where**: one of the province's communes (its People's Committees in the agency tree), each
  with its own size (log-normal weights), received at the commune's public administrative
  service centre (or the commune itself when it has none); or, for a fifth, at the province's
  service centre (or the province itself), handled by the department that implements the
  procedure.
- **What**: a published procedure of the catalogue at the desk's level (commune-level procedures
  at communes, province-level at the province), Zipf-weighted (``1/rank``) in a seeded order
  where quick procedures tend to come first, so that a few dominate; the default case three
  times in four.
- **Channel**: about 45 % online, the rest at the counter and by post (50 : 5) among the
  channels a case offers; online is weighted up where a case offers it, to make up for the
  cases that do not.
- **When**: received on a working day of the province's calendar, within working hours, over
  ``months`` months ending on ``end`` (default today, and never after now). The appointment is
  computed by the real clock (``dossiers.clock.appointment``) with the receiving desk's calendar
  (``org.services.calendar.calendar_for``) and the case's time rule (``time_rule``), as at
  reception. The whole range uses today's agency tree and the latest published version of
  each procedure, even before they were in force, so that years of history exist to measure.
- **Story** (one per dossier): resolved (75 %: drawn 70 % early, 27 % on time and 3 % late
  against the statutory appointment where it allows — a same-day procedure cannot finish
  early; 90 % of results returned, an electronic result for most online ones); still open
  (8 %: procedures of a day or more, most received within their processing time before
  ``end``, some long overdue); one supplementation (6 %: the clock paused 1–10 working days,
  the appointment moved by exactly the paused working time as ``dossier_supply`` does,
  ``SupplementRequest.original_due_before`` kept); two supplementations (1 %); an extension
  (3 %: an ``Extension`` row, ``due_at`` moved, ``original_due_at`` unchanged, so mostly late);
  stopped or withdrawn (3 %); a payment requested and paid (4 %, some online). On top, 5 % go
  to a province department for a slice of the time left and come back (a ``Transfer`` row, liên
  thông), and 95 % were accepted by the national portal (``dvcqg_synced_at``). A step that
  would happen after ``end`` does not happen: the dossier stays where it was (received recently
  and still in process, waiting for the applicant, resolved and not yet returned, …).

The dossiers' fields are filled as the import of historical dossiers fills them (state, clock
fields, timeliness by ``dossier_convention()`` through ``clock.classify``, counters, flags,
result and return), with an applicant drawn from common Vietnamese names. A third of the
returned dossiers are rated (``DossierRating``: 92 % "like", the two Likert answers of SPEC.md
§6.1, on the portal for online dossiers, at the desk otherwise). No steps, components or fees
are written. **By default no events are written**: the benchmarks measure the
reports, which read the rollups, not the events. With ``events=True`` each dossier gets its
minimal hash-chained history through ``events_bulk_append``, the importer's helper.

Writing is done in batches, each in its own transaction, with ``core.bulk.bulk_insert``
(``COPY`` on PostgreSQL). Each batch's facts and rollups are projected from the rows just
written, in memory (``rollups.rollup_add_new``), so they equal what a rebuild computes (tested).
``jobs`` > 1 writes from several processes.

The package: ``common`` (the shares and constants, errors, how synthetic dossiers are found),
``province`` (the desks, procedures, cases and calendars), ``life`` (one dossier's life step by
step), ``draw`` (drawing a dossier and its applicant) and ``run`` (writing and removing).
"""

from motcua.reports.services.synthetic.common import (
    BATCH,
    MARK,
    GenerateReport,
    Progress,
    ProgressCallback,
    SyntheticError,
    code_prefix,
    province_for,
    synthetic_dossiers,
)
from motcua.reports.services.synthetic.run import synthetic_delete, synthetic_generate

__all__ = [
    "BATCH",
    "MARK",
    "GenerateReport",
    "Progress",
    "ProgressCallback",
    "SyntheticError",
    "code_prefix",
    "province_for",
    "synthetic_delete",
    "synthetic_dossiers",
    "synthetic_generate",
]
