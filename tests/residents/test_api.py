import pytest


@pytest.mark.django_db
def test_resolve_returns_the_room(dispatcher_client, room):
    response = dispatcher_client.get("/api/v1/rooms/resolve/", {"address": "5-37-1-302"})
    assert response.status_code == 200
    assert response.json() == {
        "id": room.id,
        "district": "5区",
        "building": 37,
        "unit": 1,
        "number": "302",
        "label": "5区37栋1单元302室",
    }


@pytest.mark.django_db
def test_resolve_bad_address_is_400_naming_the_part(dispatcher_client, room):
    response = dispatcher_client.get("/api/v1/rooms/resolve/", {"address": "5区99栋1单元302室"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"building"}
    assert "99" in response.json()["detail"]


@pytest.mark.django_db
def test_anonymous_gets_401_or_403(anon_client, room):
    assert anon_client.get("/api/v1/rooms/").status_code in (401, 403)


@pytest.mark.django_db
def test_crews_may_not_browse_residents_and_viewers_without_full_phone_see_masks(
    dispatcher_client, worker_client, leader_client, resident
):
    from django.contrib.auth.models import Permission
    from django.test import Client

    from tests.factories import UserFactory

    full = dispatcher_client.get("/api/v1/residents/", {"phone": "13800138000"}).json()["results"]
    assert full[0]["phone"] == "13800138000"
    # Crews see residents only on their orders: the directory is closed to them.
    assert worker_client.get("/api/v1/residents/").status_code == 403
    assert leader_client.get(f"/api/v1/residents/{resident.pk}/").status_code == 403
    # A reader without residents.view_full_phone gets masked numbers.
    reader = UserFactory(username="t_reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_resident"))
    client = Client()
    client.force_login(reader)
    masked = client.get("/api/v1/residents/", {"phone": "13800138000"}).json()["results"]
    assert masked[0]["phone"] == "138****8000"


@pytest.mark.django_db
def test_dispatcher_registers_a_caller_with_room(dispatcher_client, room):
    response = dispatcher_client.post(
        "/api/v1/residents/",
        {"name": "李师傅", "phone": "139 1234 5678", "room": room.id},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["phone"] == "13912345678"
    assert response.json()["residencies"][0]["room"] == room.id


@pytest.mark.django_db
def test_worker_may_not_register_residents(worker_client, room):
    response = worker_client.post(
        "/api/v1/residents/", {"name": "李师傅", "phone": "13912345678"}, content_type="application/json"
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_bad_phone_is_400_in_chinese(dispatcher_client):
    response = dispatcher_client.post(
        "/api/v1/residents/", {"name": "李师傅", "phone": "12"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "phone" in response.json()["errors"]
    assert "电话" in response.json()["detail"]


@pytest.mark.django_db
def test_resident_list_query_count_is_flat(dispatcher_client, room, django_assert_num_queries):
    from tests import factories as f

    def count_for(n):
        for _ in range(n):
            f.ResidencyFactory(room=room)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert dispatcher_client.get("/api/v1/residents/").status_code == 200
        return len(ctx)

    assert count_for(3) == count_for(30)
