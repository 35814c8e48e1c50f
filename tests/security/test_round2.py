"""Issue 17 (security and robustness, second round): each finding of the outside tester, pinned.

Every test here failed on the code before its fix; they run on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from tests import factories as f
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- 5. A signed-in user without a role ---------------------------------------------------------------------


def test_a_roleless_user_gets_an_empty_order_list_not_a_500(make_order):
    make_order()
    roleless = f.UserFactory(username="t_new_staff")
    response = api(roleless).get("/api/v1/work-orders/")
    assert response.status_code == 200
    assert response.json()["count"] == 0 and response.json()["results"] == []


def test_a_leader_without_a_worker_record_gets_an_empty_order_list(make_order):
    make_order()
    leader = f.UserFactory(username="t_leader_no_worker", role="crew_leader")
    response = api(leader).get("/api/v1/work-orders/?status=received")
    assert response.status_code == 200 and response.json()["count"] == 0


def test_a_roleless_user_sees_an_explained_home_page(client):
    client.force_login(f.UserFactory(username="t_new_staff"))
    response = client.get("/")
    assert response.status_code == 200
    assert "尚未分配角色" in response.content.decode()


# --- 6. Nested JSON -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[" * 2048, '{"a":' * 1000 + "1" + "}" * 1000, "{bad json"])
def test_deep_or_malformed_json_is_a_400(dispatcher, room, body):
    response = api(dispatcher).post("/api/v1/work-orders/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not WorkOrder.objects.exists()


def test_json_as_deep_as_a_real_body_is_accepted(dispatcher, room):
    """The depth bound leaves room for real bodies (a completion's materials are three levels deep)."""
    nested = {"a": [[[[[[{"b": [1]}]]]]]]}
    response = api(dispatcher).post(
        "/api/v1/work-orders/",
        {"room": room.pk, "category": "water.leak_fitting", "description": "漏水", "extra": nested},
        format="json",
    )
    assert response.status_code == 201


# --- 7. Long numeric addresses ------------------------------------------------------------------------------

LONG_NUMBER = "5" * 5000


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/rooms/resolve/?address={LONG_NUMBER}",
        f"/api/v1/rooms/resolve/?address=5区{LONG_NUMBER}栋1单元302室",
        f"/api/v1/hotline/lookup/?address={LONG_NUMBER}",
        f"/api/v1/hotline/lookup/?phone={LONG_NUMBER}",
    ],
)
def test_a_long_numeric_address_is_a_400_in_the_api(dispatcher, room, url):
    response = api(dispatcher).get(url)
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        f"/desk/rooms/?address={LONG_NUMBER}",
        f"/desk/rooms/?address=5区{LONG_NUMBER}",
        f"/desk/lookup/?address={LONG_NUMBER}",
        f"/desk/intake/check/?address={LONG_NUMBER}&category=water.leak_fitting",
    ],
)
def test_a_long_numeric_address_is_not_a_500_on_the_desk(dispatcher_client, room, url):
    response = dispatcher_client.get(url)
    assert response.status_code in (200, 400)


# --- 8. One phone rule ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["not-a-phone", "电话", "12", "1" * 40])
def test_a_garbage_reporter_phone_is_refused(dispatcher, room, phone):
    response = api(dispatcher).post(
        "/api/v1/work-orders/",
        {"room": room.pk, "category": "water.leak_fitting", "description": "漏水", "reporter_phone": phone},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reporter_phone"]
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("phone", ["+86 138-0013-8000", "１３８００１３８０００", "(0902) 1234567"])
def test_a_written_phone_number_is_read_as_its_digits(dispatcher, room, phone):
    response = api(dispatcher).post(
        "/api/v1/work-orders/",
        {"room": room.pk, "category": "water.leak_fitting", "description": "漏水", "reporter_phone": phone},
        format="json",
    )
    assert response.status_code == 201
    assert WorkOrder.objects.get().reporter_phone.isdigit()


@pytest.mark.parametrize("phone", ["not-a-phone", "电话", "12"])
def test_the_same_phone_is_refused_by_every_phone_field(dispatcher, manager, room, phone):
    calls = api(dispatcher).post(
        "/api/v1/calls/", {"phone": phone, "call_type": "inquiry", "answer": "好"}, format="json"
    )
    residents = api(dispatcher).post("/api/v1/residents/", {"name": "张三", "phone": phone}, format="json")
    assert calls.status_code == residents.status_code == 400


# --- 9. Length limits -----------------------------------------------------------------------------------------


def _complete(worker, order, **body):
    payload = {**f.COMPLETE_KWARGS, **body}
    return api(worker.user).post(f"/api/v1/work-orders/{order.pk}/complete/", payload, format="json")


def test_inspection_findings_have_a_length(make_order, worker):
    order = make_order("on_site")
    response = _complete(worker, order, inspection_findings="查" * 100_000)
    assert response.status_code == 400
    assert "inspection_findings" in response.json()["errors"]
    order.refresh_from_db()
    assert order.status == "on_site"


def test_a_completion_has_a_bounded_number_of_material_rows(make_order, worker):
    order = make_order("on_site")
    rows = [{"name": "胶带", "quantity": "1", "unit_price": "0"}] * 5000
    response = _complete(worker, order, materials=rows)
    assert response.status_code == 400
    assert "materials" in response.json()["errors"]
    order.refresh_from_db()
    assert order.status == "on_site" and not order.materials.exists()


def test_the_service_bounds_inspection_findings_and_materials_too(make_order, worker):
    """The model's rule holds whatever the caller (form, API, a command): the service refuses."""
    from django.core.exceptions import ValidationError

    from workorders.actions.field_work import complete_order

    order = make_order("on_site")
    kwargs = {**f.COMPLETE_KWARGS}
    with pytest.raises(ValidationError) as exc:
        complete_order(actor=worker.user, order_id=order.pk, **{**kwargs, "inspection_findings": "x" * 5000})
    assert "inspection_findings" in exc.value.message_dict
    rows = [{"name": "胶带", "quantity": "1"}] * 101
    with pytest.raises(ValidationError) as exc:
        complete_order(actor=worker.user, order_id=order.pk, **{**kwargs, "materials": rows})
    assert "materials" in exc.value.message_dict


# --- 10. Alert acknowledge ------------------------------------------------------------------------------------


def _alert():
    from feedback.models import Alert

    return Alert.objects.create(key="t", kind=Alert._meta.get_field("kind").choices[0][0], message="看一下")


@pytest.mark.parametrize(
    "target", ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_alert_ack_does_not_redirect_off_site(manager_client, target):
    alert = _alert()
    response = manager_client.post(f"/feedback/alerts/{alert.pk}/ack/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/feedback/complaints/"
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None


def test_alert_ack_follows_a_local_next(manager_client):
    alert = _alert()
    response = manager_client.post(f"/feedback/alerts/{alert.pk}/ack/", {"next": "/feedback/dashboard/"})
    assert response["Location"] == "/feedback/dashboard/"


def test_acknowledging_an_unknown_alert_is_a_404(manager_client):
    assert manager_client.post("/feedback/alerts/999999/ack/").status_code == 404


# --- 11. Staff phones -----------------------------------------------------------------------------------------


def test_a_worker_sees_other_staff_phones_masked(worker, other_worker, leader, other_leader):
    rows = {
        row["id"]: row for row in api(worker.user).get("/api/v1/workers/?page_size=200").json()["results"]
    }
    assert rows[other_worker.pk]["phone"] == other_worker.phone[:3] + "****" + other_worker.phone[-4:]
    assert rows[other_leader.pk]["phone"].count("*") == 4
    # Their own number, in full.
    assert rows[worker.pk]["phone"] == worker.phone


@pytest.mark.parametrize("who", ["leader", "dispatcher", "manager"])
def test_the_crew_leader_the_desk_and_managers_see_crew_phones(who, worker, leader, dispatcher, manager):
    user = {"leader": leader.user, "dispatcher": dispatcher, "manager": manager}[who]
    rows = {row["id"]: row for row in api(user).get("/api/v1/workers/?page_size=200").json()["results"]}
    assert rows[worker.pk]["phone"] == worker.phone


def test_a_leader_of_another_crew_sees_the_crew_phones_masked(worker, other_leader):
    rows = {row["id"]: row for row in api(other_leader.user).get("/api/v1/workers/").json()["results"]}
    assert "****" in rows[worker.pk]["phone"]


def test_a_worker_cannot_order_staff_by_phone(worker, other_worker, leader):
    """An ordering by a masked value reveals it one comparison at a time: the parameter is ignored."""
    by_phone = api(worker.user).get("/api/v1/workers/?ordering=-phone").json()["results"]
    assert [r["id"] for r in by_phone] == sorted(r["id"] for r in by_phone)


# --- 13. Duplicates through the API -------------------------------------------------------------------------


def test_a_repeated_repair_call_is_a_409_with_the_candidates(dispatcher, room):
    body = {"phone": "13800138000", "call_type": "repair", "summary": "漏水", "room": room.pk}
    body["category"] = "water.leak_fitting"
    first = api(dispatcher).post("/api/v1/calls/", body, format="json")
    assert first.status_code == 201
    second = api(dispatcher).post("/api/v1/calls/", body, format="json")
    assert second.status_code == 409
    assert [d["id"] for d in second.json()["duplicates"]] == [first.json()["work_order"]["id"]]
    assert WorkOrder.objects.count() == 1
    third = api(dispatcher).post("/api/v1/calls/", {**body, "allow_duplicate": True}, format="json")
    assert third.status_code == 201 and WorkOrder.objects.count() == 2


def test_a_repeated_order_is_a_409_with_the_candidates(dispatcher, room):
    body = {"room": room.pk, "category": "water.leak_fitting", "description": "漏水"}
    first = api(dispatcher).post("/api/v1/work-orders/", body, format="json")
    assert first.status_code == 201
    second = api(dispatcher).post("/api/v1/work-orders/", body, format="json")
    assert second.status_code == 409
    assert second.json()["detail"]
    assert [d["id"] for d in second.json()["duplicates"]] == [first.json()["id"]]
    assert WorkOrder.objects.count() == 1
    third = api(dispatcher).post("/api/v1/work-orders/", {**body, "allow_duplicate": True}, format="json")
    assert third.status_code == 201 and WorkOrder.objects.count() == 2


# --- 2. Attachments -------------------------------------------------------------------------------------------


@pytest.fixture
def photo(make_order, worker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workorders.actions.attachments import add_attachment

    order = make_order("accepted")
    upload = SimpleUploadedFile("IMG_20261130_kitchen.png", f.tiny_png(), content_type="image/png")
    return add_attachment(actor=worker.user, order=order, file=upload)


def test_the_api_gives_the_checked_photo_view_not_a_media_path(photo, dispatcher):
    body = api(dispatcher).get(f"/api/v1/work-orders/{photo.order_id}/").json()
    url = body["attachments"][0]["url"]
    assert url == f"http://testserver/orders/{photo.order_id}/photos/{photo.pk}/"
    assert "/media/" not in str(body)


def test_a_photo_is_stored_under_a_random_name(photo):
    assert re.fullmatch(r"orders/\d{4}/\d{2}/[0-9a-f]{32}\.png", photo.file.name)


def test_no_public_media_path_is_routed(photo, settings):
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve("/media/" + photo.file.name)


def test_anonymous_cannot_read_a_photo(photo, client):
    response = client.get(f"/orders/{photo.order_id}/photos/{photo.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("sent_by", "header", "value"),
    [("nginx", "X-Accel-Redirect", "/protected-media/orders/"), ("apache", "X-Sendfile", "/orders/")],
)
def test_in_production_the_web_server_sends_the_photo_after_the_check(
    photo, dispatcher_client, other_leader_client, settings, sent_by, header, value
):
    settings.FILES_SENT_BY = sent_by
    url = f"/orders/{photo.order_id}/photos/{photo.pk}/"
    response = dispatcher_client.get(url)
    assert response.status_code == 200 and value in response[header]
    assert response.content == b"" and response["Content-Type"] == "image/png"
    denied = other_leader_client.get(url)
    assert denied.status_code == 404 and header not in denied


# --- 3. Lock-out per account and address -------------------------------------------------------------------


@pytest.fixture
def axes_on(settings, monkeypatch):
    """Lock-out on; the per-address API throttle out of the way (these tests count sign-ins, not requests)."""
    from axes.utils import reset
    from django.core.cache import cache
    from rest_framework.throttling import AnonRateThrottle

    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/min", "user": "100000/min"})
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 12
    reset()
    yield settings
    reset()


def _token(username: str, password: str, ip: str):
    return APIClient(REMOTE_ADDR=ip).post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_typos_at_the_shared_desk_lock_only_that_account(axes_on, dispatcher):
    colleague = f.UserFactory(username="t_desk2", role="dispatcher")
    for _ in range(5):
        _token(dispatcher.username, "wrong", "10.0.0.5")
    assert _token(colleague.username, "pw", "10.0.0.5").status_code == 200  # the desk still works
    assert _token(dispatcher.username, "pw", "10.0.0.5").status_code == 429


def test_a_stranger_cannot_lock_a_named_account(axes_on, dispatcher):
    for _ in range(8):
        _token(dispatcher.username, "wrong", "203.0.113.9")
    answer = _token(dispatcher.username, "pw", "10.0.0.5")
    assert answer.status_code == 200, answer.json()


def test_one_address_guessing_many_accounts_is_stopped_at_the_higher_limit(axes_on, dispatcher):
    for n in range(12):
        _token(f"guess{n}", "wrong", "203.0.113.9")
    assert _token(dispatcher.username, "pw", "203.0.113.9").status_code == 429
    answer = _token(dispatcher.username, "pw", "10.0.0.5")
    assert answer.status_code == 200, answer.json()


def test_the_api_tells_a_locked_account_apart_from_wrong_credentials(axes_on, dispatcher):
    wrong = _token(dispatcher.username, "wrong", "10.0.0.5")
    assert wrong.status_code == 400
    for _ in range(5):
        _token(dispatcher.username, "wrong", "10.0.0.5")
    locked = _token(dispatcher.username, "pw", "10.0.0.5")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "锁定" in locked.json()["detail"] and locked.json()["detail"] != wrong.json()["detail"]
