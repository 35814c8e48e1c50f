"""Privacy: full phone numbers only where needed, every view of one logged (residents.PhoneAccessLog, one INSERT
per request), the log browsable read-only by managers; a crew never sees a complainant."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from feedback.actions.complaints import register_complaint
from residents.models import PhoneAccessLog
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def same_phone_family(resident, room):
    """A second resident sharing the first one's number as their other phone (a family line)."""
    spouse = f.ResidentFactory(name="王大爷", phone="13911112222", alt_phone="13800138000")
    f.ResidencyFactory(resident=spouse, room=room)
    return [resident, spouse]


def _inserts(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("INSERT") and "phoneaccesslog" in q["sql"]]


def test_lookup_api_logs_every_full_number_shown_in_one_insert(dispatcher, same_phone_family):
    client = APIClient()
    client.force_authenticate(dispatcher)
    with CaptureQueriesContext(connection) as ctx:
        data = client.get("/api/v1/hotline/lookup/?phone=13800138000").json()
    assert {r["phone"] for r in data["residents"]} == {"13800138000", "13911112222"}
    assert len(_inserts(ctx.captured_queries)) == 1
    rows = list(PhoneAccessLog.objects.order_by("resident_id"))
    assert [(r.user, r.resident, r.where) for r in rows] == [
        (dispatcher, same_phone_family[0], "hotline.lookup_api"),
        (dispatcher, same_phone_family[1], "hotline.lookup_api"),
    ]
    assert rows[0].path == "/api/v1/hotline/lookup/" and rows[0].at is not None


def test_caller_panel_logs_views_with_a_flat_query_count(dispatcher_client, same_phone_family, make_order):
    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = dispatcher_client.get("/desk/lookup/?phone=13800138000", HTTP_HX_REQUEST="true")
        assert page.status_code == 200 and "13911112222" in page.content.decode()
        assert len(_inserts(ctx.captured_queries)) == 1
        return len(ctx.captured_queries)

    first = measure()
    for _ in range(5):
        make_order("received")
    assert measure() == first
    assert PhoneAccessLog.objects.filter(where="hotline.panel").count() == 4


def test_unknown_number_and_bad_input_log_nothing(dispatcher_client):
    assert dispatcher_client.get("/desk/lookup/?phone=13912345678", HTTP_HX_REQUEST="true").status_code == 200
    assert dispatcher_client.get("/desk/lookup/?phone=abc", HTTP_HX_REQUEST="true").status_code == 200
    assert not PhoneAccessLog.objects.exists()


def test_resident_api_list_detail_and_register_are_logged(dispatcher_client, dispatcher, resident, room):
    assert dispatcher_client.get("/api/v1/residents/").status_code == 200
    assert dispatcher_client.get(f"/api/v1/residents/{resident.pk}/").status_code == 200
    created = dispatcher_client.post(
        "/api/v1/residents/",
        {"name": "李师傅", "phone": "13912345678", "room": room.pk},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["phone"] == "13912345678"
    logged = list(PhoneAccessLog.objects.order_by("id").values_list("resident_id", "where", "user_id"))
    assert logged == [
        (resident.pk, "residents.api", dispatcher.pk),
        (resident.pk, "residents.api", dispatcher.pk),
        (created.json()["id"], "residents.api", dispatcher.pk),
    ]


def test_resident_api_list_logs_a_page_in_one_insert(dispatcher_client, room):
    for i in range(7):
        f.ResidencyFactory(resident=f.ResidentFactory(phone=f"1370000000{i}"), room=room)
    with CaptureQueriesContext(connection) as ctx:
        assert len(dispatcher_client.get("/api/v1/residents/").json()["results"]) == 7
    assert len(_inserts(ctx.captured_queries)) == 1
    assert PhoneAccessLog.objects.count() == 7


def test_crews_are_refused_residents_and_nothing_is_logged(worker_client, leader_client, resident):
    assert worker_client.get("/api/v1/residents/").status_code == 403
    assert leader_client.get(f"/api/v1/residents/{resident.pk}/").status_code == 403
    assert not PhoneAccessLog.objects.exists()


def test_worker_sees_the_full_number_only_on_an_active_order_assigned_to_them(
    make_order, worker_client, other_worker_client, leader_client, django_capture_on_commit_callbacks
):
    order = make_order("accepted")
    html = worker_client.get(f"/orders/{order.pk}/").content.decode()
    assert "tel:13800138000" in html
    assert worker_client.get(f"/api/v1/work-orders/{order.pk}/").json()["reporter_phone"] == "13800138000"
    leader_html = leader_client.get(f"/orders/{order.pk}/").content.decode()
    assert "13800138000" not in leader_html and "138****8000" in leader_html
    assert leader_client.get(f"/api/v1/work-orders/{order.pk}/").json()["reporter_phone"] == "138****8000"
    assert other_worker_client.get(f"/orders/{order.pk}/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        done = make_order("completed", description="卫生间漏水")
    html = worker_client.get(f"/orders/{done.pk}/").content.decode()
    assert "13800138000" not in html and "138****8000" in html
    assert worker_client.get(f"/api/v1/work-orders/{done.pk}/").json()["reporter_phone"] == "138****8000"


def test_a_crew_never_sees_the_complainant(make_order, dispatcher, leader_client, dispatcher_client, crew):
    order = make_order("on_site")
    complaint = register_complaint(
        actor=dispatcher,
        source="call",
        phone="13966667777",
        name="赵女士",
        summary="师傅迟到",
        work_order=order,
    )
    for url in (f"/feedback/complaints/{complaint.pk}/", "/feedback/complaints/"):
        page = leader_client.get(url)
        assert page.status_code == 200
        assert "13966667777" not in page.content.decode() and "赵女士" not in page.content.decode()
    for url in (f"/api/v1/complaints/{complaint.pk}/", "/api/v1/complaints/"):
        body = leader_client.get(url).content.decode()
        assert "13966667777" not in body and "赵女士" not in body and "6666" not in body
    assert "13966667777" in dispatcher_client.get(f"/feedback/complaints/{complaint.pk}/").content.decode()


def test_managers_browse_the_phone_log_read_only_and_crews_cannot(manager, leader, dispatcher, resident):
    from django.test import Client

    from residents.services import log_phone_views

    log_phone_views(user=dispatcher, residents=[resident], where="hotline.panel")
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(manager)
    page = client.get("/admin/residents/phoneaccesslog/")
    assert page.status_code == 200 and "王大妈" in page.content.decode()
    entry = PhoneAccessLog.objects.get()
    assert client.get(f"/admin/residents/phoneaccesslog/{entry.pk}/change/").status_code == 200
    assert (
        client.post(f"/admin/residents/phoneaccesslog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert client.get("/admin/residents/phoneaccesslog/add/").status_code == 403
    assert PhoneAccessLog.objects.count() == 1
    leader.user.is_staff = True
    leader.user.save(update_fields=["is_staff"])
    crew_client = Client()
    crew_client.force_login(leader.user)
    assert crew_client.get("/admin/residents/phoneaccesslog/").status_code == 403
