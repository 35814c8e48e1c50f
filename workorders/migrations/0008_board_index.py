"""The dispatch board's index (bench "dispatch board"; bench/README.md has the figures).

wo_board_due: the active orders by deadline (nulls — orders on hold — last) and then newest first, the
board's order. PostgreSQL walks it for a page of 50 instead of joining every active order to its category,
room, district, crew and worker and sorting them all (12,888 active orders at 1M: 40 ms → 1.3 ms).

Built CONCURRENTLY on PostgreSQL so intake is not blocked while a million-row table is indexed; a plain
CREATE INDEX elsewhere (SQLite, the embedded mode)."""

from django.db import migrations, models

from config.db_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("workorders", "0007_report_indexes")]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="workorder",
            index=models.Index(
                condition=models.Q(
                    ("status__in", frozenset(["accepted", "assigned", "dispatched", "on_hold", "on_site", "received"]))
                ),
                fields=["due_at", "-created_at"],
                name="wo_board_due",
            ),
        ),
    ]
