from decimal import Decimal

from django.db import migrations
from django.db.models import OuterRef, Subquery

# Default weights of the monthly score (sum 100); a manager edits them on the weights page.
WEIGHTS = [
    ("on_time_accept", "10"),
    ("on_time_arrive", "10"),
    ("on_time_complete", "10"),
    ("first_fix", "10"),
    ("rework", "10"),
    ("follow_up", "5"),
    ("satisfaction", "20"),
    ("valid_complaints", "10"),
    ("checklist", "5"),
    ("inspection", "10"),
]


def forward(apps, schema_editor):
    FollowUp = apps.get_model("feedback", "FollowUp")
    WorkOrder = apps.get_model("workorders", "WorkOrder")
    # Follow-ups made before the crew/worker stamp: the best we know is the order's current crew and worker.
    order = WorkOrder.objects.filter(pk=OuterRef("work_order_id"))
    FollowUp.objects.filter(crew__isnull=True).update(
        crew_id=Subquery(order.values("crew_id")[:1]), worker_id=Subquery(order.values("worker_id")[:1])
    )
    AssessmentWeight = apps.get_model("feedback", "AssessmentWeight")
    for kpi, weight in WEIGHTS:
        AssessmentWeight.objects.get_or_create(kpi=kpi, defaults={"weight": Decimal(weight)})


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_reports"), ("workorders", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
