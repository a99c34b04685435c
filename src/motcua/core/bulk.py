"""Writing many new rows at once, for the bulk paths (the synthetic generator of ``motcua bench
generate`` and the rollups of what it writes), never for a service's own changes.

``bulk_insert`` is ``bulk_create`` on SQLite and, on PostgreSQL, ``COPY … FROM STDIN``: several
times faster for wide rows, because no SQL is built for thousands of rows × dozens of
placeholders (docs/performance.md, "Reports at scale"). Like ``bulk_create`` it sends no signal
and calls no ``save()``; unlike it, the auto-increment ids are drawn from the table's sequence
first, so the objects have their primary keys afterwards on every engine.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.utils import timezone

M = TypeVar("M", bound=models.Model)


def _encoder(field: models.Field) -> Callable[[Any], Any]:
    """How a value of ``field`` goes into COPY: JSON as text, choices as their values, the rest
    as psycopg adapts it."""
    if field.get_internal_type() == "JSONField":
        return lambda value: None if value is None else json.dumps(value, ensure_ascii=False)

    def plain(value: Any) -> Any:
        return value.value if isinstance(value, enum.Enum) else value

    return plain


def bulk_insert(model: type[M], objects: Sequence[M]) -> Sequence[M]:
    """Insert ``objects`` (new, unsaved instances of ``model``) and return them, saved, with
    their primary keys. ``auto_now``/``auto_now_add`` fields are set to one instant, as
    ``bulk_create`` sets them."""
    if connection.vendor != "postgresql" or not objects:
        return model._default_manager.bulk_create(objects, batch_size=1000)
    meta = model._meta
    fields = meta.concrete_fields
    now = timezone.now()
    stamped = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    with connection.cursor() as cursor:
        if isinstance(meta.pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(objects)],
            )
            for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
                obj.pk = pk
        for obj in objects:
            for attname in stamped:
                setattr(obj, attname, now)
        # Table and column names come from the model, never from input.
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        encoders = [_encoder(f) for f in fields]
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for obj in objects:
                copy.write_row(
                    [
                        encode(getattr(obj, f.attname))
                        for f, encode in zip(fields, encoders, strict=True)
                    ]
                )
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects
