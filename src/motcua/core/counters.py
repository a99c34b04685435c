"""Gapless counters: the next number of a series, taken inside the caller's transaction.

    counter_next(model, key, start=1) -> int

``model`` has a ``last_value`` column and a unique constraint on the columns of ``key``. One
``INSERT … ON CONFLICT (key) DO UPDATE SET last_value = last_value + 1 … RETURNING`` takes the
number: concurrent transactions queue on the row (PostgreSQL) or on the write lock (SQLite,
BEGIN IMMEDIATE), and a transaction that rolls back gives its number back, so a series has no
gaps and no duplicates. Used by dossier codes (SPEC.md §2.1) and the outgoing register
(Nghị định 30/2020).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models


def counter_next(model: type[models.Model], key: dict[str, Any], start: int = 1) -> int:
    if not connection.in_atomic_block:
        raise RuntimeError("numbers are taken inside the transaction that uses them")
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = [model._meta.get_field(name) for name in key]
    columns = [quote(f.column) for f in fields if isinstance(f, models.Field)]
    values = [v.pk if isinstance(v, models.Model) else v for v in key.values()]
    # Table and column names come from the model, never from input; values are parameters.
    placeholders = ", ".join(["%s"] * (len(columns) + 1))
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}, last_value) "  # noqa: S608
        f"VALUES ({placeholders}) ON CONFLICT ({', '.join(columns)}) "
        f"DO UPDATE SET last_value = {table}.last_value + 1 RETURNING last_value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, start])
        return int(cursor.fetchone()[0])
