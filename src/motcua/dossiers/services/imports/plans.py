"""The plan of one dossier: a row's parsed values, and what will be written for it (the
dossier's fields, its supplementation requests, extension, payment request and events)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from motcua.catalog.choices import Channel
from motcua.dossiers.choices import Action, DossierState, ResultKind, ReturnMethod
from motcua.dossiers.services.imports.reading import _Moment
from motcua.org.models import Agency


@dataclass
class _Values:
    """One row's cells, parsed."""

    code: str
    procedure_code: str
    variant_code: str
    receiving: Agency | None
    handling: Agency | None
    channel: Channel | None
    state: DossierState | None
    applicant_type: int
    name: str
    id_number: str
    phone: str
    email: str
    address: str
    summary: str
    recipient: str
    extension_reason: str
    reason: str
    result_kind: ResultKind | None
    return_method: ReturnMethod | None
    paid: bool
    digitised: bool
    moments: dict[str, _Moment | None]
    intervals: list[tuple[dt.datetime, dt.datetime | None]]
    submitted: dt.datetime | None = None


@dataclass
class _SupplementPlan:
    phase: str
    requested_at: dt.datetime
    supplied_at: dt.datetime | None
    due_before: dt.datetime | None = None
    original_due_before: dt.datetime | None = None
    due_after: dt.datetime | None = None
    paused_seconds: int = 0


@dataclass
class _EventPlan:
    action: Action
    at: dt.datetime
    order: int
    reason: str = ""
    supplement: int | None = None  # index in _Plan.supplements
    from_state: str = ""
    to_state: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Plan:
    row: int
    legacy_code: str
    fingerprint: str
    source: dict[str, str]
    receiving: Agency
    reception_day: dt.date
    fields: dict[str, Any]
    supplements: list[_SupplementPlan]
    extension: dict[str, Any] | None
    payment: dict[str, Any] | None
    events: list[_EventPlan]
    code: str = ""
