"""round-templates/, rounds/ (+ start/record/finish) and hazards/ (+ moves) as API.md says: roles, scoping
(another crew's round or hazard is 404), 409s and 403s, flat query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from operations.actions import hazards as h
from operations.actions import rounds as r
from operations.models import Hazard, Round
from tests import factories as f
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

TEMPLATE = {
    "name": "泵房日检",
    "items": [
        {"label": "出水压力", "kind": "reading", "unit": "MPa", "low": "0.2", "high": "0.4"},
        {"label": "泵体无渗漏", "kind": "pass_fail"},
    ],
    "frequency": "daily",
    "due_time": "11:00",
}


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(getattr(user, "user", user))
    return client


@pytest.fixture
def round_(area, crew, manager, worker, now):
    body = {**TEMPLATE, "crew": crew.pk, "facilities": [area["pump"].pk]}
    response = api(manager).post("/api/v1/round-templates/", body, format="json")
    assert response.status_code == 201, response.json()
    f.DutyShiftFactory(worker=worker, kind="water", starts_at=now, ends_at=now + timedelta(hours=8))
    r.generate_due_rounds(now=now)
    return Round.objects.get()


@pytest.mark.parametrize("who", ["leader", "worker", "dispatcher"])
def test_only_managers_define_templates(area, crew, who, request):
    user = request.getfixturevalue(who)
    response = api(user).post("/api/v1/round-templates/", {**TEMPLATE, "crew": crew.pk}, format="json")
    assert response.status_code == 403


def test_template_with_bad_items_is_a_400(area, crew, manager):
    body = {
        **TEMPLATE,
        "crew": crew.pk,
        "facilities": [area["pump"].pk],
        "items": [{"label": "x", "kind": "smell"}],
    }
    assert api(manager).post("/api/v1/round-templates/", body, format="json").status_code == 400


def test_worker_walks_the_round_and_an_out_of_range_reading_is_a_hazard(round_, worker):
    client = api(worker)
    listed = client.get("/api/v1/rounds/?status=due&crew=").json()
    assert [x["id"] for x in listed["results"]] == [round_.pk]
    pressure, leak = listed["results"][0]["items"]
    assert pressure["kind"] == "reading" and pressure["low"] == "0.200"
    assert client.post(f"/api/v1/rounds/{round_.pk}/start/").json()["status"] == "in_progress"
    out = client.post(
        f"/api/v1/rounds/{round_.pk}/record/", {"item": pressure["id"], "value": "0.45"}, format="json"
    )
    assert out.status_code == 201 and out.json()["hazard"] == Hazard.objects.get().pk
    ok = client.post(
        f"/api/v1/rounds/{round_.pk}/record/", {"item": leak["id"], "passed": True}, format="json"
    )
    assert ok.status_code == 201 and ok.json()["hazard"] is None
    assert client.post(f"/api/v1/rounds/{round_.pk}/finish/").json()["status"] == "done"
    late = client.post(
        f"/api/v1/rounds/{round_.pk}/record/", {"item": leak["id"], "passed": False}, format="json"
    )
    assert late.status_code == 409


def test_another_crews_round_and_hazard_are_404(round_, worker, other_leader, area):
    assert api(other_leader).get(f"/api/v1/rounds/{round_.pk}/").status_code == 404
    assert api(other_leader).post(f"/api/v1/rounds/{round_.pk}/start/").status_code == 404
    hazard = h.report_hazard(
        actor=worker.user, severity="minor", description="井盖松动", facility=area["pump"]
    )
    assert api(other_leader).get(f"/api/v1/hazards/{hazard.pk}/").status_code == 404
    assert api(other_leader).get("/api/v1/hazards/").json()["count"] == 0
    assert api(worker).get("/api/v1/hazards/").json()["count"] == 1


def test_hazard_moves_verify_by_the_fixer_is_403_and_illegal_moves_409(area, worker, leader, dispatcher):
    created = api(dispatcher).post(
        "/api/v1/hazards/",
        {"system": "water", "severity": "major", "facility": area["pump"].pk, "description": "泵房漏水"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["status"] == "found"
    hid = created.json()["id"]
    assert Hazard.objects.get().crew.kind == "water"
    assert api(worker).post(f"/api/v1/hazards/{hid}/mark-rectified/").status_code == 409
    assert api(worker).post(f"/api/v1/hazards/{hid}/start-rectifying/").json()["status"] == "rectifying"
    assert api(leader).post(f"/api/v1/hazards/{hid}/mark-rectified/").json()["status"] == "rectified"
    assert api(leader).post(f"/api/v1/hazards/{hid}/verify/").status_code == 403
    assert api(worker).post(f"/api/v1/hazards/{hid}/verify/").status_code == 403  # a worker does not verify
    assert api(dispatcher).post(f"/api/v1/hazards/{hid}/verify/").status_code == 403


def test_to_work_order_is_201_with_the_order(area, leader, worker, manager):
    hazard = h.report_hazard(
        actor=worker.user, severity="critical", description="阀门井井盖缺失", facility=area["pump"]
    )
    response = api(leader).post(f"/api/v1/hazards/{hazard.pk}/to-work-order/")
    assert response.status_code == 201
    hazard.refresh_from_db()
    assert response.json()["work_order"] == {"id": hazard.work_order_id, "number": hazard.work_order.number}
    assert hazard.status == "rectifying"
    again = api(leader).post(f"/api/v1/hazards/{hazard.pk}/to-work-order/")  # a repeat: the same order
    assert again.status_code == 201 and again.json() == response.json()
    assert api(manager).post(f"/api/v1/hazards/{hazard.pk}/to-work-order/").status_code == 409
    assert WorkOrder.objects.count() == 1


def test_hazard_list_query_count_is_flat(area, worker, manager, django_assert_num_queries):
    def add(n):
        for i in range(n):
            h.report_hazard(
                actor=worker.user, severity="minor", description=f"隐患{i}", facility=area["pump"]
            )

    add(2)
    client = api(manager)
    # session, user+roles, count, page (with place, district and crew joined)
    with django_assert_num_queries(4):
        assert client.get("/api/v1/hazards/?severity=minor&status=found").json()["count"] == 2
    add(20)
    with django_assert_num_queries(4):
        assert len(client.get("/api/v1/hazards/?severity=&system=").json()["results"]) == 22
    assert client.get("/api/v1/hazards/?severity=huge").status_code == 400


def test_round_list_query_count_is_flat(round_, manager, django_assert_num_queries, now):
    client = api(manager)
    # session, user+roles, count, page, items
    with django_assert_num_queries(5):
        client.get("/api/v1/rounds/")
    r.generate_due_rounds(now=now + timedelta(days=1))
    r.generate_due_rounds(now=now + timedelta(days=2))
    with django_assert_num_queries(5):
        assert client.get("/api/v1/rounds/").json()["count"] == 3
