import pytest
from django.utils import timezone

from feedback.actions.complaints import register_complaint
from feedback.models import Complaint, FollowUp

pytestmark = pytest.mark.django_db

REACHED = {
    "outcome": "reached",
    "resolved": True,
    "verdict": "satisfied",
    "ratings": {"care": 5, "workmanship": 4, "safety": 5, "quality": 5, "comfort": 5},
    "seen": {"greeting": True, "shoe_covers": True, "cleaned": True, "note_left": False},
    "comment": "好",
}


def test_follow_ups_list_filters_by_status_and_order(dispatcher_client, complete):
    a, b = complete(), complete()
    FollowUp.objects.filter(work_order=a).update(status="due", due_at=timezone.now())
    data = dispatcher_client.get("/api/v1/follow-ups/?status=due").json()
    assert [r["work_order"] for r in data["results"]] == [a.id]
    data = dispatcher_client.get(f"/api/v1/follow-ups/?work_order={b.id}").json()
    assert data["count"] == 1 and data["results"][0]["status"] == "scheduled"
    assert dispatcher_client.get("/api/v1/follow-ups/?status=bogus").status_code == 400


def test_follow_ups_api_is_for_the_desk(leader_client, worker_client, anon_client, complete):
    complete()
    assert leader_client.get("/api/v1/follow-ups/").status_code == 403
    assert worker_client.get("/api/v1/follow-ups/").status_code == 403
    assert anon_client.get("/api/v1/follow-ups/").status_code in (401, 403)


def test_follow_up_list_query_count_is_flat(dispatcher_client, complete, django_assert_num_queries):
    complete()
    # 1 session, 2 user with groups (crews.auth), 3 COUNT, 4 page with order joined, 5 attempts prefetched.
    with django_assert_num_queries(5):
        assert dispatcher_client.get("/api/v1/follow-ups/").json()["count"] == 1
    for _ in range(3):
        complete()
    with django_assert_num_queries(5):
        assert dispatcher_client.get("/api/v1/follow-ups/").json()["count"] == 4


def test_post_attempt_reached_closes_the_order(dispatcher_client, follow_up):
    response = dispatcher_client.post(
        f"/api/v1/follow-ups/{follow_up.id}/attempts/", REACHED, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["ratings"]["workmanship"] == 4
    follow_up.work_order.refresh_from_db()
    assert follow_up.work_order.status == "closed"
    again = dispatcher_client.post(
        f"/api/v1/follow-ups/{follow_up.id}/attempts/",
        {"outcome": "no_answer"},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["detail"]


def test_post_attempt_bad_input_is_a_400_with_errors(dispatcher_client, follow_up):
    response = dispatcher_client.post(
        f"/api/v1/follow-ups/{follow_up.id}/attempts/",
        {**REACHED, "verdict": ""},
        content_type="application/json",
    )
    assert response.status_code == 400 and "verdict" in response.json()["errors"]
    response = dispatcher_client.post(
        f"/api/v1/follow-ups/{follow_up.id}/attempts/",
        {**REACHED, "ratings": {"care": 9}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not follow_up.attempts.exists()


@pytest.fixture
def complaint(dispatcher, make_order):
    return register_complaint(
        actor=dispatcher,
        source="call",
        phone="13912345678",
        name="赵先生",
        summary="态度差",
        work_order=make_order("completed"),
    )


def test_crew_leader_api_hides_the_complainant(leader_client, complaint):
    for url in ("/api/v1/complaints/", f"/api/v1/complaints/{complaint.id}/"):
        response = leader_client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert "13912345678" not in text and "赵先生" not in text and "complainant" not in text
        assert "态度差" in text


def test_desk_api_shows_the_complainant(dispatcher_client, complaint):
    row = dispatcher_client.get(f"/api/v1/complaints/{complaint.id}/").json()
    assert row["complainant_phone"] == "13912345678" and row["complainant_name"] == "赵先生"


def test_other_crew_gets_404_and_workers_403(other_leader_client, worker_client, complaint):
    assert other_leader_client.get(f"/api/v1/complaints/{complaint.id}/").status_code == 404
    assert worker_client.get("/api/v1/complaints/").status_code == 403


def test_create_and_run_a_complaint_over_the_api(dispatcher_client, manager_client, crew):
    response = dispatcher_client.post(
        "/api/v1/complaints/",
        {
            "source": "call",
            "phone": "13700000000",
            "name": "钱女士",
            "summary": "乱收费",
            "crew": crew.id,
            "type": "charges",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    cid = response.json()["id"]
    assert response.json()["status"] == "received" and response.json()["type"] == "charges"
    # The close step is not possible yet: 409, nothing changes.
    early = manager_client.post(
        f"/api/v1/complaints/{cid}/close/",
        {"callback_note": "x", "callback_satisfied": True},
        content_type="application/json",
    )
    assert early.status_code == 409
    assert (
        dispatcher_client.post(
            f"/api/v1/complaints/{cid}/investigate/", {}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        manager_client.post(
            f"/api/v1/complaints/{cid}/investigate/", {}, content_type="application/json"
        ).status_code
        == 200
    )
    resolved = manager_client.post(
        f"/api/v1/complaints/{cid}/resolve/",
        {
            "valid": True,
            "findings": "属实",
            "responsible_person": "李师傅",
            "accountability": "fine",
            "fine": "100",
            "rectification": "退费",
        },
        content_type="application/json",
    )
    assert resolved.status_code == 200 and resolved.json()["fine"] == "100.00"
    closed = manager_client.post(
        f"/api/v1/complaints/{cid}/close/",
        {"callback_note": "已回访", "callback_satisfied": True},
        content_type="application/json",
    )
    assert closed.json()["status"] == "closed"


def test_create_complaint_bad_input(dispatcher_client, leader_client):
    response = dispatcher_client.post(
        "/api/v1/complaints/", {"source": "call", "summary": ""}, content_type="application/json"
    )
    assert response.status_code == 400 and "summary" in response.json()["errors"]
    assert (
        leader_client.post(
            "/api/v1/complaints/", {"source": "call", "summary": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert not Complaint.objects.exists()


def test_complaint_api_query_count_is_flat(manager_client, dispatcher, complaint, django_assert_num_queries):
    # 1 session, 2 user with groups (crews.auth), 3 COUNT, 4 page joined with order, crew, worker, type.
    with django_assert_num_queries(4):
        manager_client.get("/api/v1/complaints/")
    for _ in range(4):
        register_complaint(
            actor=dispatcher, source="call", phone="", name="", summary="x", work_order=complaint.work_order
        )
    with django_assert_num_queries(4):
        assert manager_client.get("/api/v1/complaints/").json()["count"] == 5
