"""/api/v1/outages/: plan (201 with state and affected homes), roles, extend/end (409, 400), notices."""

from __future__ import annotations

from datetime import timedelta

import pytest

from operations import sms
from operations.models import OutageNoticeRun
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/outages/"


def body(area, now, **extra):
    starts = now + timedelta(hours=2)
    return {
        "title": "更换阀门",
        "system": "water",
        "kind": "planned",
        "district": area["b37"].district_id,
        "buildings": [area["b37"].pk],
        "description": "主管阀门更换",
        "starts_at": starts.isoformat(),
        "expected_end_at": (starts + timedelta(hours=4)).isoformat(),
        "notice_lead_minutes": 180,
        **extra,
    }


def test_leader_plans_an_outage(area, leader_client, now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(URL, body(area, now), content_type="application/json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "upcoming" and data["affected_homes"] == 2
    assert data["buildings"] == [area["b37"].pk] and data["facilities"] == []
    assert len(sms.outbox) == 4  # the lead time (3 h) has come: told at once


@pytest.mark.parametrize("client_name", ["worker_client", "dispatcher_client", "other_leader_client"])
def test_others_get_403_and_nothing_is_created(area, now, client_name, request):
    client = request.getfixturevalue(client_name)
    response = client.post(URL, body(area, now), content_type="application/json")
    assert response.status_code == 403
    assert "detail" in response.json()
    assert not OutageNoticeRun.objects.exists()


def test_anonymous_gets_401(area, anon_client, now):
    assert anon_client.get(URL).status_code in (401, 403)


def test_bad_end_is_a_400_in_chinese(area, leader_client, now):
    response = leader_client.post(
        URL,
        body(area, now, expected_end_at=(now + timedelta(hours=1)).isoformat()),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "expected_end_at" in response.json()["errors"]


def test_extend_end_and_notices(area, leader_client, now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        oid = leader_client.post(URL, body(area, now), content_type="application/json").json()["id"]
    early = leader_client.post(
        f"{URL}{oid}/extend/", {"expected_end_at": now.isoformat()}, content_type="application/json"
    )
    assert early.status_code == 400
    new_end = (now + timedelta(hours=9)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        ok = leader_client.post(
            f"{URL}{oid}/extend/",
            {"expected_end_at": new_end, "note": "管件未到"},
            content_type="application/json",
        )
    assert ok.status_code == 200 and ok.json()["expected_end_at"].startswith("2026-12-01T19:00")
    with django_capture_on_commit_callbacks(execute=True):
        assert leader_client.post(f"{URL}{oid}/end/", {}, content_type="application/json").status_code == 200
        again = leader_client.post(f"{URL}{oid}/end/", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["detail"]
    late = leader_client.post(
        f"{URL}{oid}/extend/", {"expected_end_at": new_end}, content_type="application/json"
    )
    assert late.status_code == 409
    progress = leader_client.get(f"{URL}{oid}/notices/").json()
    assert progress == {
        "phones": 4,
        "by_event": {
            "advance": {"queued": 0, "sent": 4, "failed": 0},
            "reminder": {"queued": 0, "sent": 0, "failed": 0},
            "extended": {"queued": 0, "sent": 4, "failed": 0},
            "restored": {"queued": 0, "sent": 4, "failed": 0},
        },
    }
    assert OutageNoticeRun.objects.filter(event="restored").count() == 1


def test_list_filters_by_state_and_counts_queries_flat(
    area, dispatcher_client, manager, now, django_assert_num_queries
):
    from operations.services import plan_outage

    def add(n):
        for i in range(n):
            starts = now + timedelta(hours=3 + i)
            o = plan_outage(
                actor=manager,
                title=f"停电{i}",
                system="power",
                district=area["b37"].district,
                starts_at=starts,
                expected_end_at=starts + timedelta(hours=1),
                units=[area["u37"]],
                facilities=[area["pump"]],
            )
        return o

    add(2)
    # session, user+roles, count, page, buildings, units, facilities
    with django_assert_num_queries(7):
        assert dispatcher_client.get(URL + "?state=upcoming&system=power").json()["count"] == 2
    add(5)
    with django_assert_num_queries(7):
        data = dispatcher_client.get(URL + "?state=upcoming&system=power").json()
    assert data["count"] == 7
    assert dispatcher_client.get(URL + "?state=ended").json()["count"] == 0
    assert dispatcher_client.get(URL + "?state=").json()["count"] == 7  # empty means any


def test_other_district_scope_is_a_400(area, leader_client, now):
    other = f.BuildingFactory(district=f.DistrictFactory(number=6), number=1, label="6区1栋")
    response = leader_client.post(URL, body(area, now, buildings=[other.pk]), content_type="application/json")
    assert response.status_code == 400
