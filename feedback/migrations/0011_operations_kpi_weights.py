from decimal import Decimal

from django.db import migrations

# The default weights of the two KPIs of the systems in operation (issue 16): rounds done on time and hazards
# rectified on time. Added beside the existing weights (the score is a weighted mean, so the others keep their
# proportions); a manager edits them on the weights page. A weight a manager already set is kept.
WEIGHTS = [("rounds_on_time", "5"), ("hazards_on_time", "5")]


def forward(apps, schema_editor):
    AssessmentWeight = apps.get_model("feedback", "AssessmentWeight")
    for kpi, weight in WEIGHTS:
        AssessmentWeight.objects.get_or_create(kpi=kpi, defaults={"weight": Decimal(weight)})


def backward(apps, schema_editor):
    AssessmentWeight = apps.get_model("feedback", "AssessmentWeight")
    AssessmentWeight.objects.filter(kpi__in=[kpi for kpi, _weight in WEIGHTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0010_text_lengths")]
    operations = [migrations.RunPython(forward, backward)]
