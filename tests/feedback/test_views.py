from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import sms
from feedback.actions.complaints import escalate_overdue_complaints, investigate_complaint, register_complaint
from feedback.actions.follow_ups import record_attempt
from feedback.models import Complaint, FollowUp, Praise, QualityInspection

from .conftest import MONDAY_10

pytestmark = pytest.mark.django_db

QUEUE = reverse("feedback:queue")


def _make_due(*follow_ups):
    FollowUp.objects.filter(pk__in=[fu.pk for fu in follow_ups]).update(
        status="due", due_at=timezone.now() - timedelta(hours=1)
    )


# --- The workbench queue ---------------------------------------------------------------------------


def test_queue_is_for_the_desk(dispatcher_client, manager_client, leader_client, worker_client, anon_client):
    assert dispatcher_client.get(QUEUE).status_code == 200
    assert manager_client.get(QUEUE).status_code == 200
    assert leader_client.get(QUEUE).status_code == 403
    assert worker_client.get(QUEUE).status_code == 403
    assert anon_client.get(QUEUE).status_code == 302


def test_queue_shows_emergencies_first_then_oldest(dispatcher_client, complete):
    normal_old = FollowUp.objects.get(
        work_order=complete(category="electrical.home_outage", urgency="normal")
    )
    normal_new = FollowUp.objects.get(
        work_order=complete(category="electrical.home_outage", urgency="normal")
    )
    emergency = FollowUp.objects.get(
        work_order=complete(category="electrical.home_outage", urgency="emergency")
    )
    scheduled = FollowUp.objects.get(work_order=complete(category="electrical.home_outage", urgency="normal"))
    now = timezone.now()
    FollowUp.objects.filter(pk=normal_old.pk).update(status="due", due_at=now - timedelta(hours=5))
    FollowUp.objects.filter(pk=normal_new.pk).update(status="due", due_at=now - timedelta(hours=2))
    FollowUp.objects.filter(pk=emergency.pk).update(status="due", due_at=now - timedelta(hours=1))
    FollowUp.objects.filter(pk=scheduled.pk).update(due_at=now + timedelta(days=1))
    html = dispatcher_client.get(QUEUE).content.decode()
    numbers = [fu.work_order.number for fu in (emergency, normal_old, normal_new)]
    positions = [html.index(n) for n in numbers]
    assert positions == sorted(positions)
    assert scheduled.work_order.number not in html


def test_a_follow_up_waiting_for_its_next_time_of_day_is_not_in_the_queue(dispatcher_client, follow_up):
    _make_due(follow_up)
    FollowUp.objects.filter(pk=follow_up.pk).update(next_attempt_after=timezone.now() + timedelta(hours=2))
    assert follow_up.work_order.number not in dispatcher_client.get(QUEUE).content.decode()


def test_queue_answers_htmx_with_its_fragment(dispatcher_client, follow_up):
    _make_due(follow_up)
    response = dispatcher_client.get(QUEUE, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert follow_up.work_order.number in body and "<html" not in body


def test_queue_query_count_is_flat_as_rows_grow(dispatcher_client, complete, django_assert_num_queries):
    _make_due(FollowUp.objects.get(work_order=complete()))

    def count():
        # 1 session, 2 user with their groups (role check; crews.auth), 3 COUNT for the paginator,
        # 4 the page of follow-ups joined with order, category (+parent), crew and worker.
        with django_assert_num_queries(4):
            response = dispatcher_client.get(QUEUE)
        return response.content.decode().count('class="button primary"')

    assert count() == 1
    for _ in range(4):
        _make_due(FollowUp.objects.get(work_order=complete()))
    assert count() == 5


# --- The call script and the attempt form ------------------------------------------------------------


def _post_reached(client, fu, **change):
    data = {
        "outcome": "reached",
        "resolved": "yes",
        "verdict": "satisfied",
        "rating_care": "5",
        "rating_workmanship": "5",
        "rating_safety": "4",
        "rating_quality": "5",
        "rating_comfort": "5",
        "seen_greeting": "yes",
        "seen_shoe_covers": "yes",
        "seen_cleaned": "no",
        "seen_note_left": "",
        "comment": "很满意",
    }
    data.update(change)
    return client.post(reverse("feedback:follow-up", args=[fu.pk]), data)


def test_call_script_shows_the_order_summary(dispatcher_client, follow_up):
    body = dispatcher_client.get(reverse("feedback:follow-up", args=[follow_up.pk])).content.decode()
    order = follow_up.work_order
    for text in (order.number, order.location_label, "13800138000", order.description, order.resolution):
        assert text in body


def test_recording_a_reached_call_closes_the_order(dispatcher_client, follow_up):
    response = _post_reached(dispatcher_client, follow_up)
    assert response.status_code == 302
    follow_up.refresh_from_db()
    follow_up.work_order.refresh_from_db()
    assert follow_up.status == "done" and follow_up.work_order.status == "closed"
    attempt = follow_up.attempts.get()
    assert attempt.rating_safety == 4 and attempt.seen_cleaned is False and attempt.seen_note_left is None


def test_missing_answers_show_a_message_and_change_nothing(dispatcher_client, follow_up):
    response = _post_reached(dispatcher_client, follow_up, verdict="", rating_care="")
    assert response.status_code == 200
    body = response.content.decode()
    assert "errorlist" in body
    assert not follow_up.attempts.exists()


def test_a_leader_cannot_open_or_post_a_follow_up(leader_client, follow_up):
    assert leader_client.get(reverse("feedback:follow-up", args=[follow_up.pk])).status_code == 403
    assert _post_reached(leader_client, follow_up).status_code == 403
    assert not follow_up.attempts.exists()


def test_comment_to_complaint_in_one_click(dispatcher_client, follow_up):
    _post_reached(dispatcher_client, follow_up, verdict="dissatisfied", comment="师傅没穿鞋套")
    response = dispatcher_client.post(reverse("feedback:follow-up-complaint", args=[follow_up.pk]))
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == reverse("feedback:complaint", args=[complaint.pk])
    assert complaint.summary == "师傅没穿鞋套" and complaint.source == "follow_up"
    dispatcher_client.post(reverse("feedback:follow-up-complaint", args=[follow_up.pk]))
    assert Complaint.objects.count() == 1


def test_comment_to_praise(dispatcher_client, follow_up):
    _post_reached(dispatcher_client, follow_up)
    dispatcher_client.post(reverse("feedback:follow-up-praise", args=[follow_up.pk]))
    assert Praise.objects.get().summary == "很满意"


# --- The resident's rating page ----------------------------------------------------------------------


@pytest.fixture
def token(follow_up, dispatcher, django_capture_on_commit_callbacks):
    t = follow_up.due_at
    with django_capture_on_commit_callbacks(execute=True):
        for hours in (0, 3, 6):
            record_attempt(
                actor=dispatcher,
                follow_up_id=follow_up.id,
                outcome="no_answer",
                now=t + timedelta(hours=hours),
            )
    return next(m.body for m in sms.outbox if "/feedback/r/" in m.body).split("/feedback/r/")[1].strip("/")


def test_rating_page_needs_no_login_and_reveals_only_category_date_and_address(anon_client, token, follow_up):
    response = anon_client.get(reverse("feedback:rate", args=[token]))
    assert response.status_code == 200
    body = response.content.decode()
    order = follow_up.work_order
    assert order.category.name in body and order.location_label in body
    assert timezone.localtime(order.completed_at).strftime("%Y-%m-%d") in body
    for secret in (
        order.number,
        "13800138000",
        order.reporter_name or "王大妈",
        order.worker.name,
        order.description,
    ):
        assert secret not in body
    assert response["Cache-Control"] == "no-store"


def test_resident_answers_once_then_the_link_is_refused_clearly(anon_client, token, follow_up):
    url = reverse("feedback:rate", args=[token])
    data = {
        "resolved": "yes",
        "verdict": "satisfied",
        "rating_care": "5",
        "rating_workmanship": "5",
        "rating_safety": "5",
        "rating_quality": "5",
        "rating_comfort": "4",
        "comment": "谢谢",
    }
    response = anon_client.post(url, data)
    assert response.status_code == 200
    assert "10196" in response.content.decode() and "<form" not in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.status == "done" and follow_up.attempts.filter(channel="link").count() == 1
    again = anon_client.get(url)
    assert again.status_code == 410
    assert "已经" in again.content.decode() or "already" in again.content.decode()
    assert anon_client.post(url, data).status_code == 410
    assert follow_up.attempts.filter(channel="link").count() == 1


def test_expired_and_unknown_links_get_a_clear_page(anon_client, token, follow_up):
    follow_up.rating_token.__class__.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = anon_client.get(reverse("feedback:rate", args=[token]))
    assert response.status_code == 410
    assert "过期" in response.content.decode() or "expired" in response.content.decode()
    assert anon_client.get(reverse("feedback:rate", args=["nope" * 10])).status_code == 404


def test_incomplete_rating_shows_errors_and_keeps_the_link(anon_client, token, follow_up):
    response = anon_client.post(reverse("feedback:rate", args=[token]), {"resolved": "yes"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert anon_client.get(reverse("feedback:rate", args=[token])).status_code == 200


# --- Complaints: privacy, list, actions ----------------------------------------------------------------


@pytest.fixture
def complaint(dispatcher, make_order):
    order = make_order("completed")
    return register_complaint(
        actor=dispatcher,
        source="call",
        phone="13912345678",
        name="赵先生",
        summary="维修工收费不合理",
        work_order=order,
    )


def test_crew_leader_never_sees_the_complainant_in_html(leader_client, complaint):
    for url in (reverse("feedback:complaints"), reverse("feedback:complaint", args=[complaint.pk])):
        response = leader_client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "维修工收费不合理" in body
        assert "13912345678" not in body and "赵先生" not in body


def test_desk_and_managers_see_the_complainant(dispatcher_client, manager_client, complaint):
    for client in (dispatcher_client, manager_client):
        body = client.get(reverse("feedback:complaint", args=[complaint.pk])).content.decode()
        assert "13912345678" in body and "赵先生" in body


def test_other_crew_leader_and_workers_cannot_see_it(other_leader_client, worker_client, complaint):
    assert other_leader_client.get(reverse("feedback:complaint", args=[complaint.pk])).status_code == 404
    assert complaint.number not in other_leader_client.get(reverse("feedback:complaints")).content.decode()
    assert worker_client.get(reverse("feedback:complaints")).status_code == 403


def test_complaint_list_query_count_is_flat(manager_client, dispatcher, complaint, django_assert_num_queries):
    def count():
        # 1 session, 2 user with groups (crews.auth), 3 COUNT for the paginator, 4 open alerts (with order and
        # complaint), 5 the page of complaints joined with order, crew, worker and type.
        with django_assert_num_queries(5):
            body = manager_client.get(reverse("feedback:complaints")).content.decode()
        return body.count("/feedback/complaints/") - 1

    first = count()
    for _ in range(5):
        register_complaint(
            actor=dispatcher,
            source="call",
            phone="13700000001",
            name="x",
            summary="y",
            work_order=complaint.work_order,
        )
    assert count() == first + 5


def test_register_complaint_form(dispatcher_client, crew):
    response = dispatcher_client.post(
        reverse("feedback:complaint-create"),
        {
            "source": "window",
            "name": "孙女士",
            "phone": "13700000000",
            "summary": "等了三天没人来",
            "severity": "urgent",
            "crew": crew.pk,
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and complaint.crew == crew and complaint.severity == "urgent"
    bad = dispatcher_client.post(
        reverse("feedback:complaint-create"), {"source": "window", "summary": "", "severity": "normal"}
    )
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert Complaint.objects.count() == 1


def test_manager_runs_the_complaint_through_its_states(manager_client, complaint):
    url = lambda action: reverse("feedback:complaint-action", args=[complaint.pk, action])  # noqa: E731
    assert manager_client.post(url("investigate"), {"note": "已联系"}).status_code == 302
    bad = manager_client.post(url("resolve"), {"valid": "yes", "accountability": "none"})
    assert bad.status_code == 400 and "errorlist" in bad.content.decode()
    ok = manager_client.post(
        url("resolve"),
        {
            "valid": "yes",
            "findings": "属实",
            "responsible_person": "张师傅",
            "accountability": "warning",
            "rectification": "退还多收费用",
        },
    )
    assert ok.status_code == 302
    manager_client.post(url("close"), {"callback_note": "住户认可", "callback_satisfied": "yes"})
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.accountability == "warning"


def test_leader_cannot_act_on_a_complaint(leader_client, complaint):
    response = leader_client.post(reverse("feedback:complaint-action", args=[complaint.pk, "investigate"]))
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == "received"


def test_manager_sees_and_acknowledges_alerts(manager_client, complaint):
    escalate_overdue_complaints(now=timezone.now() + timedelta(days=2))
    body = manager_client.get(reverse("feedback:complaints")).content.decode()
    alert = complaint.alerts.get()
    assert alert.message in body
    manager_client.post(reverse("feedback:alert-ack", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None


# --- Praise and inspections pages ----------------------------------------------------------------------


def test_praise_page_lists_and_records(manager_client, dispatcher_client, leader_client, crew):
    response = dispatcher_client.post(
        reverse("feedback:praise"), {"source": "letter", "crew": crew.pk, "summary": "送来锦旗"}
    )
    assert response.status_code == 302
    assert "送来锦旗" in manager_client.get(reverse("feedback:praise")).content.decode()
    assert leader_client.get(reverse("feedback:praise")).status_code == 403


def test_inspection_pages(manager_client, dispatcher_client, make_order):
    make_order("completed", now=MONDAY_10 - timedelta(days=5))
    url = reverse("feedback:inspections") + "?week=" + MONDAY_10.date().isoformat()
    assert dispatcher_client.get(url).status_code == 403
    manager_client.post(url)
    inspection = QualityInspection.objects.get()  # 10% of one order rounds up to one
    page = manager_client.get(url).content.decode()
    assert inspection.work_order.number in page
    response = manager_client.post(
        reverse("feedback:inspection", args=[inspection.pk]),
        {
            "workmanship": 10,
            "cleanliness": 10,
            "checklist": 10,
            "safety": 10,
            "passed": "no",
            "findings": "渗水",
            "responsible_person": "张师傅",
        },
    )
    assert response.status_code == 302
    inspection.work_order.refresh_from_db()
    assert inspection.work_order.status == "dispatched"


def test_nav_links_by_role(dispatcher_client, manager_client):
    body = dispatcher_client.get(reverse("overview")).content.decode()
    assert reverse("feedback:queue") in body and reverse("feedback:inspections") not in body
    body = manager_client.get(reverse("overview")).content.decode()
    for name in ("feedback:complaints", "feedback:praise", "feedback:inspections"):
        assert reverse(name) in body


def test_complaint_list_filters_by_status_with_the_shared_filterset(
    manager_client, manager, complaint, dispatcher
):
    other = register_complaint(actor=dispatcher, source="call", phone="", name="", summary="另一条")
    investigate_complaint(actor=manager, complaint_id=other.id)
    body = manager_client.get(reverse("feedback:complaints") + "?status=investigating").content.decode()
    assert other.number in body and complaint.number not in body
    assert manager_client.get(reverse("feedback:complaints") + "?status=bogus").status_code == 200
