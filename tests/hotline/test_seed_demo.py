import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from crews.models import Crew, DutyShift, Worker
from residents.models import Building, District, Facility, Residency, Resident, Room, Unit

MODELS = (District, Building, Unit, Room, Resident, Residency, Crew, Worker, DutyShift)


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
