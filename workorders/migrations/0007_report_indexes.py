"""An index for the manager reports at 1M orders (bench "manager dashboard"; bench/README.md has the figures).

wo_live_created_covering: the live (not cancelled) orders by creation time, with the columns the reports
group or join them by. The repeat-failure hotspots count the orders of the last 90/180 days per room or
building and system, and the assessment's first-time fix anti-joins the month's completed orders to the
orders created in the month and 30 days after; both read the window from the index alone.

Built CONCURRENTLY on PostgreSQL so intake is not blocked while a million-row table is indexed; a plain
CREATE INDEX elsewhere (SQLite, the embedded mode)."""

from django.db import migrations, models

from config.db_operations import AddIndexConcurrentlyOnPostgres


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
