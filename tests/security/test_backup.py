"""Backup and restore (README "Backup and restore"): `make backup` dumps the database with pg_dump, `make restore`
loads it into an empty database, and every order, event and follow-up is there."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from feedback.models import FollowUp
from workorders.models import WorkOrder, WorkOrderEvent

# Transactional so pg_dump (another session) sees the rows; serialized_rollback restores the seeded categories.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def _rows(cursor, table: str) -> set[int]:
    cursor.execute(f"SELECT id FROM {table}")
    return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(
    shutil.which("pg_dump") is None or shutil.which("make") is None, reason="needs pg_dump and make"
)
def test_a_dump_restored_into_an_empty_database_has_every_order_event_and_follow_up(
    make_order, django_capture_on_commit_callbacks, tmp_path
):
    with django_capture_on_commit_callbacks(execute=True):
        orders = [make_order("completed", description=f"漏水{i}") for i in range(3)]
    orders.append(make_order("accepted", description="断电"))
    expected = {
        "workorders_workorder": set(WorkOrder.objects.values_list("id", flat=True)),
        "workorders_workorderevent": set(WorkOrderEvent.objects.values_list("id", flat=True)),
        "feedback_followup": set(FollowUp.objects.values_list("id", flat=True)),
    }
    assert len(expected["feedback_followup"]) == 3 and len(expected["workorders_workorderevent"]) > 10

    dump = tmp_path / "bst.dump"
    base = str(settings.BASE_DIR)
    env = {**os.environ, "DATABASE_URL": _url(connection.settings_dict["NAME"])}
    subprocess.run(
        ["make", "-s", "backup", f"BACKUP={dump}"], cwd=base, env=env, check=True, capture_output=True
    )
    assert dump.stat().st_size > 1000

    target = f"bst_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(_url("postgres"))
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{target}"')
    try:
        env = {**os.environ, "DATABASE_URL": _url(target)}
        subprocess.run(
            ["make", "-s", "restore", f"BACKUP={dump}"], cwd=base, env=env, check=True, capture_output=True
        )
        restored = psycopg2.connect(_url(target))
        try:
            with restored.cursor() as cursor:
                for table, ids in expected.items():
                    assert _rows(cursor, table) == ids, table
                cursor.execute(
                    "SELECT status, number FROM workorders_workorder WHERE id = %s", [orders[-1].id]
                )
                assert cursor.fetchone() == ("accepted", orders[-1].number)
        finally:
            restored.close()
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()
