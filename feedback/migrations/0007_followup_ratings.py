"""The reached answer's 五心 ratings on the follow-up itself (copied from its attempt, like the verdict), and the
due-date covering index extended with them: the satisfaction report over twelve months reads one index instead
of joining a year of follow-ups to their attempts (bench at 1M orders: 384 → see bench/README.md).

Fields and backfill in one transaction; the index built CONCURRENTLY on PostgreSQL (0008)."""

from django.db import migrations, models

RATINGS = ("rating_care", "rating_workmanship", "rating_safety", "rating_quality", "rating_comfort")


def backfill(apps, schema_editor):
    """Each done follow-up takes the ratings of its reached attempt (at most one: reaching ends the follow-up)."""
    table, attempts = "feedback_followup", "feedback_followupattempt"
    qn = schema_editor.connection.ops.quote_name
    if schema_editor.connection.vendor == "postgresql":
        sets = ", ".join(f"{qn(r)} = a.{qn(r)}" for r in RATINGS)
        schema_editor.execute(
            f"UPDATE {table} f SET {sets} FROM {attempts} a "
            f"WHERE a.follow_up_id = f.id AND a.outcome = 'reached'"
        )
        return
    sets = ", ".join(
        f"{qn(r)} = (SELECT a.{qn(r)} FROM {attempts} a WHERE a.follow_up_id = {table}.id "
        f"AND a.outcome = 'reached' ORDER BY a.id DESC LIMIT 1)"
        for r in RATINGS
    )
    schema_editor.execute(f"UPDATE {table} SET {sets} WHERE outcome = 'reached'")


class Migration(migrations.Migration):
    dependencies = [("feedback", "0006_report_covering_indexes")]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="rating_care",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="care"),
        ),
        migrations.AddField(
            model_name="followup",
            name="rating_workmanship",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="workmanship"),
        ),
        migrations.AddField(
            model_name="followup",
            name="rating_safety",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="safety"),
        ),
        migrations.AddField(
            model_name="followup",
            name="rating_quality",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="quality"),
        ),
        migrations.AddField(
            model_name="followup",
            name="rating_comfort",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="comfort"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
