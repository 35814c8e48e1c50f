"""An index for the manager reports at 1M orders (bench "manager dashboard"; bench/README.md has the figures).

wo_live_created_covering: the live (not cancelled) orders by creation time, with the columns the reports
group or join them by. The repeat-failure hotspots count the orders of the last 90/180 days per room or
building and system, and the assessment's first-time fix anti-joins the month's completed orders to the
orders created in the month and 30 days after; both read the window from the index alone.

Built CONCURRENTLY on PostgreSQL so intake is not blocked while a million-row table is indexed; a plain
CREATE INDEX elsewhere (SQLite, the embedded mode)."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.migrations.operations import AddIndex


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("workorders", "0006_list_order_indexes")]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="workorder",
            index=models.Index(
                condition=~models.Q(status="cancelled"),
                fields=["created_at"],
                include=("id", "room", "facility", "building", "category"),
                name="wo_live_created_covering",
            ),
        ),
    ]
