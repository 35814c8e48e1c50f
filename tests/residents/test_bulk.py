"""residents.bulk: rows from plain tuples (COPY on PostgreSQL, bulk_create elsewhere) come back as written."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from residents.bulk import insert_audits, insert_rows
from residents.models import AuditEntry, Resident

pytestmark = pytest.mark.django_db

FIELDS = ("name", "phone", "alt_phone", "notes")


def test_rows_keep_backslashes_tabs_line_breaks_and_get_their_ids_in_order(manager):
    odd = ["a\\b", "tab\there", "two\nlines\r", "\\N", ""]
    rows = [(f"名{i}", f"1380013800{i}", "", notes) for i, notes in enumerate(odd)]
    ids = insert_rows(Resident, FIELDS, rows, {"created_at": timezone.now()})
    assert [Resident.objects.get(pk=pk).notes for pk in ids] == odd
    changes = {"notes": [None, odd[0]], "n": [1, None]}
    insert_audits(manager, [("residents.resident", ids[0], "名0", "add", changes)])
    entry = AuditEntry.objects.get(object_id=str(ids[0]))
    assert (entry.actor, entry.action, entry.object_repr, entry.changes) == (manager, "add", "名0", changes)


@pytest.mark.postgres  # SQLite does not check a varchar's length
def test_a_value_too_long_fails_as_a_database_error():
    with pytest.raises(DatabaseError), transaction.atomic():
        insert_rows(Resident, FIELDS, [("名" * 41, "13800138000", "", "")], {"created_at": timezone.now()})
