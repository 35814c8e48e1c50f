import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F

from crews.models import Crew, DutyShift, Worker
from hotline.models import Call
from operations.models import Hazard, Round, RoundTemplate
from residents.models import Building, District, Facility, Residency, Resident, Room, Unit
from workorders.models import Incident, WorkOrder

MODELS = (District, Building, Unit, Room, Resident, Residency, Crew, Worker, DutyShift, Call)


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS} | {"User": get_user_model().objects.count()}


def _snapshot():
    return (
        list(Resident.objects.order_by("id").values_list("name", "phone")[:50]),
        list(Worker.objects.order_by("id").values_list("name", "user__username")),
    )


@pytest.mark.django_db
def test_seed_demo_small_is_idempotent(capsys):
    call_command("seed_demo", scale="small", seed=7)
    first = _counts()
    assert first["Room"] == 2 * 4 * 2 * 3 * 2
    assert first["Crew"] == 4
    call_command("seed_demo", scale="small", seed=7)
    assert _counts() == first
    assert "already present" in capsys.readouterr().out


@pytest.mark.django_db
def test_seed_demo_is_deterministic_for_a_seed(django_db_blocker):
    call_command("seed_demo", scale="small", seed=11)
    counts, snap = _counts(), _snapshot()
    Call.objects.all().delete()  # calls protect the dispatchers who took them
    WorkOrder.objects.all().delete()  # orders protect their rooms and crews
    Incident.objects.all().delete()  # outages protect their districts
    for model in (Hazard, Round, RoundTemplate):  # hazards and round checks protect their places
        model.objects.all().delete()
    for model in (DutyShift, Residency, Resident, Worker, Room, Unit, Building, Facility, District, Crew):
        model.objects.all().delete()
    get_user_model().objects.all().delete()
    call_command("seed_demo", scale="small", seed=11)
    assert _counts() == counts
    assert _snapshot() == snap


@pytest.mark.django_db
def test_demo_logins_can_log_in_with_their_roles(client):
    call_command("seed_demo", scale="small")
    expected = {
        "dispatcher": "dispatcher",
        "leader_water": "crew_leader",
        "worker_water": "worker",
        "manager": "manager",
    }
    for username, group in expected.items():
        user = get_user_model().objects.get(username=username)
        assert user.check_password("demo-10196")
        assert list(user.groups.values_list("name", flat=True)) == [group]
    assert get_user_model().objects.get(username="admin").is_superuser
    leader = Worker.objects.get(user__username="leader_water")
    assert leader.crew.kind == "water" and leader.role == "leader"


@pytest.mark.django_db
def test_seed_demo_adds_orders_with_timelines_once():
    from workorders.models import OrderNumberCounter, WorkOrderEvent

    call_command("seed_demo", scale="small", seed=7)
    orders = WorkOrder.objects.count()
    assert 55 <= orders <= 60
    assert WorkOrder.objects.values("number").distinct().count() == orders
    statuses = set(WorkOrder.objects.values_list("status", flat=True))
    assert {"closed", "completed"} <= statuses and len(statuses) >= 4
    assert not WorkOrder.objects.filter(events__isnull=True).exists()
    # Every timeline starts with its creation and ends in the order's state.
    for order in WorkOrder.objects.all():
        last = order.events.order_by("at", "id").last()
        assert order.events.order_by("at", "id").first().kind == "create"
        assert last.to_status == order.status
    events = WorkOrderEvent.objects.count()
    call_command("seed_demo", scale="small", seed=7)
    assert (WorkOrder.objects.count(), WorkOrderEvent.objects.count()) == (orders, events)
    # Live intake continues each day's sequence.
    last_day = OrderNumberCounter.objects.order_by("-day").first()
    assert WorkOrder.objects.filter(number=f"{last_day.day:%Y%m%d}-{last_day.last:04d}").exists()


@pytest.mark.django_db
def test_seed_demo_gives_the_workbench_and_reports_follow_ups_once():
    from feedback.models import FollowUp, FollowUpAttempt

    call_command("seed_demo", scale="small", seed=3, quiet_logins=True)
    done = FollowUp.objects.filter(status="done").count()
    assert done > 0 and FollowUpAttempt.objects.count() == done
    assert FollowUp.objects.filter(status__in=["due", "scheduled"]).exists()
    before = FollowUp.objects.count()
    call_command("seed_demo", scale="small", seed=3, quiet_logins=True)
    assert FollowUp.objects.count() == before


@pytest.mark.django_db
def test_demo_follow_ups_carry_their_answers_ratings():
    """The satisfaction report reads the 五心 from the follow-ups: the demo's must have them, as _finish writes."""
    from feedback.models import FollowUp, FollowUpAttempt

    call_command("seed_demo", scale="small")
    reached = FollowUp.objects.filter(outcome="reached")
    assert reached.exists() and not reached.filter(rating_care__isnull=True).exists()
    for follow_up in reached[:20]:
        attempt = FollowUpAttempt.objects.get(follow_up=follow_up, outcome="reached")
        assert (follow_up.rating_care, follow_up.rating_comfort) == (
            attempt.rating_care,
            attempt.rating_comfort,
        )


@pytest.mark.django_db
def test_demo_phone_orders_have_their_calls_and_the_desk_has_intake_times():
    """The call log, a caller's history and the dashboard's intake times are not empty on the demo (once)."""
    from datetime import timedelta

    from django.utils import timezone

    from hotline.selectors import intake_times

    call_command("seed_demo", scale="small", quiet_logins=True)
    phone_orders = WorkOrder.objects.filter(channel="phone")
    repairs = Call.objects.filter(call_type="repair")
    assert repairs.count() == phone_orders.count() > 0
    assert not phone_orders.exclude(calls__call_type="repair").exists()
    assert not repairs.exclude(ended_at__gt=F("started_at")).exists()
    assert Call.objects.filter(call_type="inquiry", closed_at__isnull=False).exists()
    now = timezone.now()
    rows = intake_times(start=now - timedelta(days=90), end=now, by="taken_by")
    assert rows and all(40 <= row.median_seconds <= 240 for row in rows)
    before = Call.objects.count()
    call_command("seed_demo", scale="small", quiet_logins=True)
    assert Call.objects.count() == before
