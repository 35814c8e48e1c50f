"""followup_due_answers replaces followup_due_covering: the same key (due_at) and columns plus the five ratings
(0007), so the satisfaction report's counts and 五心 averages are one index-only scan. Created before the old
one is dropped; CONCURRENTLY on PostgreSQL, plain elsewhere (config.db_operations)."""

from django.db import migrations, models

from config.db_operations import AddIndexConcurrentlyOnPostgres, RemoveIndexConcurrentlyOnPostgres

RATINGS = ("rating_care", "rating_workmanship", "rating_safety", "rating_quality", "rating_comfort")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("feedback", "0007_followup_ratings")]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="followup",
            index=models.Index(
                fields=["due_at"],
                include=("id", "crew", "worker", "outcome", "verdict", *RATINGS),
                name="followup_due_answers",
            ),
        ),
        RemoveIndexConcurrentlyOnPostgres(model_name="followup", name="followup_due_covering"),
    ]
