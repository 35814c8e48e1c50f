"""Covering indexes for the satisfaction figures at 1M orders (bench "manager dashboard"; bench/README.md).

- followup_due_covering replaces followup_due_at: the same key (due_at) plus the columns the satisfaction
  counts, the 12-month trend and the assessment read, so their scans of a month or a year of follow-ups are
  index-only. Created before the old one is dropped: there is always an index on due_at.
- attempt_reached_ratings: the reached attempt of a follow-up with its five ratings (五心); the report joins
  the period's follow-ups to it by id from the index alone instead of reading all 1.2M attempts.

CONCURRENTLY on PostgreSQL (no write lock on the live tables); plain CREATE/DROP INDEX elsewhere (SQLite)."""

from django.db import migrations, models

from config.db_operations import AddIndexConcurrentlyOnPostgres, RemoveIndexConcurrentlyOnPostgres

RATINGS = ("rating_care", "rating_workmanship", "rating_safety", "rating_quality", "rating_comfort")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("feedback", "0005_report_and_caller_indexes")]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="followup",
            index=models.Index(
                fields=["due_at"],
                include=("id", "crew", "worker", "outcome", "verdict"),
                name="followup_due_covering",
            ),
        ),
        RemoveIndexConcurrentlyOnPostgres(model_name="followup", name="followup_due_at"),
        AddIndexConcurrentlyOnPostgres(
            model_name="followupattempt",
            index=models.Index(
                condition=models.Q(outcome="reached"),
                fields=["follow_up"],
                include=("id", *RATINGS),
                name="attempt_reached_ratings",
            ),
        ),
    ]
