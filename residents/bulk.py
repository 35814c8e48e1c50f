"""Bulk writes for the register imports: many rows of one table from plain tuples, without a model instance
per row, and their master-data audit rows the same way.

A whole base is 240,000 rows (rooms, residents, residencies and an audit row per change); Django's
`bulk_create` spends most of an import building and preparing an instance per row, and PostgreSQL parses a
multi-row INSERT more slowly than COPY. On PostgreSQL the ids come from the table's sequence first (one
statement), then the rows go in by one COPY per table and batch, whatever the row count; elsewhere (SQLite in
tests) `bulk_create` does the same work. Django's query log (DEBUG, tests) lists a COPY; its execute
wrappers do not see one.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from .models import AuditEntry


def insert_rows(
    model: type[Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
) -> list[int]:
    """INSERT `rows` (tuples of database values in the order of `fields`, attnames such as "room_id"; a JSON
    field takes the Python value) with the same `constants` on every row; returns the new ids in row order."""
    constants = dict(constants or {})
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [model(**constants, **dict(zip(fields, row, strict=True))) for row in rows]
        model.objects.bulk_create(objs, batch_size=2000)
        return [obj.pk for obj in objs]
    meta = model._meta
    fixed = [_copy_text(_prepared(meta.get_field(name), value)) for name, value in constants.items()]
    encoders = [
        _json_text if meta.get_field(n).get_internal_type() == "JSONField" else _copy_text for n in fields
    ]
    columns = [meta.pk.column, *(meta.get_field(n).column for n in (*fields, *constants))]
    with connection.cursor() as cursor:
        # The sequence is named once, as a constant: pg_get_serial_sequence per row made nextval 10× slower.
        cursor.execute(
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
            "SELECT array_agg(nextval(s.seq)) FROM s, generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = sorted(cursor.fetchone()[0])
        buffer = io.StringIO()
        for pk, row in zip(ids, rows, strict=True):
            buffer.write(
                "\t".join([str(pk), *[encode(v) for encode, v in zip(encoders, row, strict=True)], *fixed])
            )
            buffer.write("\n")
        buffer.seek(0)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.wrap_database_errors:  # a DataError (too long a value) is Django's, as an INSERT's
            table = connection.ops.quote_name(meta.db_table)
            cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer, 1 << 20)  # 1 MB reads
    return ids


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
INTEGER_FIELDS = ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField")


def _encoder(field):
    """How a column's values become COPY text: a JSON document, a whole number (never NULL) as is, or text."""
    kind = (field.target_field if field.is_relation else field).get_internal_type()  # a key's: its target's
    if kind == "JSONField":
        return _json_text
    if kind in INTEGER_FIELDS and not field.null:
        return str
    return _copy_text


def _copy_text(value: Any) -> str:
    """A value in COPY's text format: \\N for NULL, backslash, tab and line breaks escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_ESCAPES)
        return value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def _json_text(value: Any) -> str:
    return _copy_text(json.dumps(value, ensure_ascii=False))


def _prepared(field, value: Any) -> Any:
    if field.get_internal_type() == "JSONField":
        return json.dumps(value, ensure_ascii=False)
    return field.get_db_prep_save(value, connection)


def insert_audits(actor, entries: Iterable[tuple[str, Any, str, str, dict]]) -> int:
    """Audit rows (model label, object id, object text, action, {field: [before, after]}) by one actor at one
    time, written with `insert_rows`: the same rows `residents.services.record_audits` writes, cheaply."""
    rows = [(model, str(pk), text[:200], action, changes) for model, pk, text, action, changes in entries]
    who = actor.pk if getattr(actor, "is_authenticated", False) else None
    insert_rows(
        AuditEntry,
        ("model", "object_id", "object_repr", "action", "changes"),
        rows,
        {"actor_id": who, "at": timezone.now()},
    )
    return len(rows)
