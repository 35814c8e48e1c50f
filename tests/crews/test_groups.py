import pytest
from django.contrib.auth.models import Group

from crews.services import sync_role_groups


@pytest.mark.django_db
def test_the_four_role_groups_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "dispatcher",
        "crew_leader",
        "worker",
        "manager",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "group, granted, denied",
    [
        ("dispatcher", ["add_resident", "view_full_phone", "view_room"], ["add_crew", "change_worker"]),
        ("crew_leader", ["view_worker", "change_dutyshift"], ["view_full_phone", "add_resident"]),
        ("worker", ["view_room"], ["view_full_phone", "change_dutyshift"]),
        ("manager", ["add_worker", "change_crew", "view_full_phone"], []),
    ],
)
def test_groups_hold_the_permissions_their_role_needs(group, granted, denied):
    codenames = set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))
    assert set(granted) <= codenames
    assert not set(denied) & codenames


@pytest.mark.django_db
def test_sync_is_idempotent():
    before = {g.name: g.permissions.count() for g in Group.objects.all()}
    sync_role_groups()
    sync_role_groups()
    assert {g.name: g.permissions.count() for g in Group.objects.all()} == before
