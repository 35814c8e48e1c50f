"""followup_due_answers replaces followup_due_covering: the same key (due_at) and columns plus the five ratings
(0007), so the satisfaction report's counts and 五心 averages are one index-only scan. Created before the old
one is dropped; CONCURRENTLY on PostgreSQL, plain elsewhere (as in 0006)."""

from importlib import import_module

from django.db import migrations, models

_m0006 = import_module("feedback.migrations.0006_report_covering_indexes")
AddIndexConcurrentlyOnPostgres = _m0006.AddIndexConcurrentlyOnPostgres
RemoveIndexConcurrentlyOnPostgres = _m0006.RemoveIndexConcurrentlyOnPostgres
RATINGS = _m0006.RATINGS


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
