from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from feedback import sms
from feedback.actions.follow_ups import (
    FollowUpClosed,
    ensure_follow_up,
    record_attempt,
    release_due_follow_ups,
    sweep_missing_follow_ups,
)
from feedback.actions.notifications import deliver_notification, notifications_to_retry, notify_order
from feedback.actions.rating_links import (
    TokenProblem,
    close_unreachable,
    follow_up_for_token,
    rate_by_link,
    send_due_rating_links,
    send_rating_link,
)
from feedback.choices import FollowUpStatus, NotificationKind, NotificationStatus
from feedback.models import Alert, FollowUp, FollowUpAttempt, Notification, RatingToken
from tests import factories as f
from workorders.actions.closing import rework_order

from .conftest import MONDAY_10, REACHED_OK

pytestmark = pytest.mark.django_db


def _aware(*args):
    return timezone.make_aware(datetime(*args))


def test_completing_an_order_creates_exactly_one_follow_up(complete):
    order = complete()
    assert FollowUp.objects.filter(work_order=order).count() == 1
    # The signal, the task and the sweep all agree: running them again adds nothing.
    ensure_follow_up(order_id=order.id)
    assert sweep_missing_follow_ups() == 0
    assert FollowUp.objects.filter(work_order=order).count() == 1


def test_the_sweep_creates_a_follow_up_whose_signal_was_lost(make_order):
    order = make_order("completed")  # on_commit callbacks never run: the signal is "lost"
    assert not FollowUp.objects.filter(work_order=order).exists()
    assert sweep_missing_follow_ups() == 1
    assert sweep_missing_follow_ups() == 0
    assert FollowUp.objects.get(work_order=order).round == 0


def test_a_reworked_order_completing_again_gets_a_second_follow_up(
    complete, dispatcher, leader, worker, manager
):
    order = complete()
    rework_order(actor=manager, order_id=order.id, reason="漏水复发")
    order.refresh_from_db()
    f.drive_order(order, "completed", dispatcher=dispatcher, leader=leader, worker=worker, manager=manager)
    sweep_missing_follow_ups()
    assert list(
        FollowUp.objects.filter(work_order=order).values_list("round", flat=True).order_by("round")
    ) == [0, 1]


def test_follow_up_is_due_the_next_working_day_opening(make_order):
    order = make_order("completed", category="electrical.home_outage", urgency="normal", now=MONDAY_10)
    fu = ensure_follow_up(order_id=order.id)
    assert timezone.localtime(fu.due_at) == _aware(2026, 11, 24, 8, 30)


def test_friday_completion_is_followed_up_on_monday(make_order):
    friday = _aware(2026, 11, 27, 16, 0)
    order = make_order("completed", category="electrical.home_outage", urgency="normal", now=friday)
    fu = ensure_follow_up(order_id=order.id)
    assert timezone.localtime(fu.due_at) == _aware(2026, 11, 30, 8, 30)


def test_leaks_and_emergencies_are_followed_up_within_hours(make_order, settings):
    settings.FOLLOWUP_FAST_HOURS = 2
    order = make_order("completed", category="water.leak_fitting", now=MONDAY_10)
    fu = ensure_follow_up(order_id=order.id)
    assert timezone.localtime(fu.due_at) == _aware(2026, 11, 23, 12, 0)
    urgent = make_order("completed", category="electrical.home_outage", urgency="emergency", now=MONDAY_10)
    fu2 = ensure_follow_up(order_id=urgent.id)
    assert fu2.is_emergency and timezone.localtime(fu2.due_at) == _aware(2026, 11, 23, 12, 0)


def test_release_moves_due_follow_ups_once(follow_up):
    later = follow_up.due_at + timedelta(minutes=1)
    assert release_due_follow_ups(now=follow_up.due_at - timedelta(minutes=1)) == 0
    assert release_due_follow_ups(now=later) == 1
    assert release_due_follow_ups(now=later) == 0
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DUE


def test_satisfied_follow_up_closes_the_order(follow_up, dispatcher):
    attempt = record_attempt(actor=dispatcher, follow_up_id=follow_up.id, **REACHED_OK)
    follow_up.refresh_from_db()
    follow_up.work_order.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE and follow_up.verdict == "satisfied"
    assert follow_up.work_order.status == "closed"
    assert attempt.ratings == {"care": 5, "workmanship": 5, "safety": 5, "quality": 4, "comfort": 5}
    assert attempt.seen_shoe_covers is True
    assert not Alert.objects.exists()
    # The follow-up carries the reached answer's 五心 too (the satisfaction report averages them from it).
    assert [follow_up.rating_care, follow_up.rating_quality, follow_up.rating_comfort] == [5, 4, 5]


def test_a_refusal_leaves_the_follow_up_without_ratings(follow_up, dispatcher):
    record_attempt(actor=dispatcher, follow_up_id=follow_up.id, outcome="refused")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE
    assert follow_up.rating_care is None and follow_up.rating_comfort is None


def test_basically_satisfied_also_closes(follow_up, dispatcher):
    record_attempt(
        actor=dispatcher, follow_up_id=follow_up.id, **{**REACHED_OK, "verdict": "basically_satisfied"}
    )
    follow_up.work_order.refresh_from_db()
    assert follow_up.work_order.status == "closed"


def test_dissatisfied_sends_the_order_back_and_alerts_managers(follow_up, dispatcher):
    record_attempt(
        actor=dispatcher,
        follow_up_id=follow_up.id,
        **{**REACHED_OK, "verdict": "dissatisfied", "comment": "还在滴水"},
    )
    order = follow_up.work_order
    order.refresh_from_db()
    assert order.status == "dispatched" and order.is_rework and order.rework_count == 1
    alert = Alert.objects.get()
    assert alert.kind == "dissatisfied" and alert.work_order == order and order.number in alert.message


def test_unresolved_sends_the_order_back_even_when_satisfied(follow_up, dispatcher):
    record_attempt(actor=dispatcher, follow_up_id=follow_up.id, **{**REACHED_OK, "resolved": False})
    follow_up.work_order.refresh_from_db()
    assert follow_up.work_order.status == "dispatched"
    assert Alert.objects.get().kind == "unresolved"


def test_refused_ends_the_follow_up_and_closes_the_order(follow_up, dispatcher):
    record_attempt(actor=dispatcher, follow_up_id=follow_up.id, outcome="refused")
    follow_up.refresh_from_db()
    follow_up.work_order.refresh_from_db()
    assert follow_up.status == "done" and follow_up.outcome == "refused"
    assert follow_up.work_order.status == "closed"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"verdict": ""}, "verdict"),
        ({"resolved": None}, "resolved"),
        ({"ratings": {"care": 6, "workmanship": 5, "safety": 5, "quality": 5, "comfort": 5}}, "ratings"),
        ({"ratings": {"care": 5}}, "ratings"),
    ],
)
def test_reached_attempt_needs_complete_answers(follow_up, dispatcher, change, field):
    with pytest.raises(ValidationError) as err:
        record_attempt(actor=dispatcher, follow_up_id=follow_up.id, **{**REACHED_OK, **change})
    assert field in err.value.message_dict
    assert not FollowUpAttempt.objects.exists()
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.SCHEDULED


def test_only_the_desk_records_attempts(follow_up, leader, worker):
    for user in (leader.user, worker.user):
        with pytest.raises(PermissionDenied):
            record_attempt(actor=user, follow_up_id=follow_up.id, **REACHED_OK)
    assert not FollowUpAttempt.objects.exists()


def test_a_done_follow_up_refuses_another_attempt(follow_up, dispatcher):
    record_attempt(actor=dispatcher, follow_up_id=follow_up.id, **REACHED_OK)
    with pytest.raises(FollowUpClosed):
        record_attempt(actor=dispatcher, follow_up_id=follow_up.id, outcome="no_answer")
    assert FollowUpAttempt.objects.count() == 1


def test_failed_attempts_must_be_at_different_times_of_day(follow_up, dispatcher):
    t = follow_up.due_at
    record_attempt(actor=dispatcher, follow_up_id=follow_up.id, outcome="no_answer", now=t)
    with pytest.raises(ValidationError) as err:
        record_attempt(
            actor=dispatcher, follow_up_id=follow_up.id, outcome="no_answer", now=t + timedelta(hours=1)
        )
    assert "outcome" in err.value.message_dict
    record_attempt(
        actor=dispatcher, follow_up_id=follow_up.id, outcome="no_answer", now=t + timedelta(hours=3)
    )
    follow_up.refresh_from_db()
    assert follow_up.failed_attempts == 2


def _three_failures(follow_up, dispatcher, django_capture_on_commit_callbacks):
    t = follow_up.due_at
    with django_capture_on_commit_callbacks(execute=True):
        for hours in (0, 3, 6):
            record_attempt(
                actor=dispatcher,
                follow_up_id=follow_up.id,
                outcome="no_answer",
                now=t + timedelta(hours=hours),
            )
    return t + timedelta(hours=6)


def test_three_failed_attempts_send_one_sms_link_then_unreachable_closes(
    follow_up, dispatcher, django_capture_on_commit_callbacks, settings
):
    settings.FOLLOWUP_LINK_DAYS = 3
    sms.outbox.clear()
    last = _three_failures(follow_up, dispatcher, django_capture_on_commit_callbacks)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.LINK_SENT
    links = [m for m in sms.outbox if "/feedback/r/" in m.body]
    assert len(links) == 1 and links[0].phone == "13800138000"
    # The sweep and a retried task find the link already sent.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_rating_links() == 0
        assert send_rating_link(follow_up_id=follow_up.id) is None
    assert len([m for m in sms.outbox if "/feedback/r/" in m.body]) == 1
    assert Notification.objects.get(kind=NotificationKind.RATING_LINK).status == NotificationStatus.SENT
    # Not yet expired: nothing closes. After N days: unreachable, and the order closes.
    assert close_unreachable(now=last + timedelta(days=2)) == 0
    assert close_unreachable(now=timezone.now() + timedelta(days=4)) == 1
    assert close_unreachable(now=timezone.now() + timedelta(days=4)) == 0
    follow_up.refresh_from_db()
    follow_up.work_order.refresh_from_db()
    assert follow_up.status == FollowUpStatus.UNREACHABLE
    assert follow_up.work_order.status == "closed"


def test_no_more_failed_calls_once_the_link_is_out(follow_up, dispatcher, django_capture_on_commit_callbacks):
    last = _three_failures(follow_up, dispatcher, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        record_attempt(
            actor=dispatcher, follow_up_id=follow_up.id, outcome="no_answer", now=last + timedelta(hours=4)
        )
    # …but a resident who calls back can still be recorded as reached.
    record_attempt(actor=dispatcher, follow_up_id=follow_up.id, now=last + timedelta(hours=4), **REACHED_OK)
    follow_up.refresh_from_db()
    assert follow_up.status == "done"


def test_the_token_is_long_random_and_only_its_hash_is_stored(
    follow_up, dispatcher, django_capture_on_commit_callbacks
):
    _three_failures(follow_up, dispatcher, django_capture_on_commit_callbacks)
    url = next(m.body for m in sms.outbox if "/feedback/r/" in m.body).split("/feedback/r/")[1]
    token = url.strip("/")
    assert len(token) >= 40
    row = RatingToken.objects.get()
    assert token not in row.token_hash and len(row.token_hash) == 64


def test_the_rating_link_is_single_use(follow_up, dispatcher, django_capture_on_commit_callbacks):
    _three_failures(follow_up, dispatcher, django_capture_on_commit_callbacks)
    token = next(m.body for m in sms.outbox if "/feedback/r/" in m.body).split("/feedback/r/")[1].strip("/")
    answers = {k: v for k, v in REACHED_OK.items() if k != "outcome"}
    rate_by_link(token=token, **answers)
    follow_up.refresh_from_db()
    follow_up.work_order.refresh_from_db()
    assert follow_up.status == "done" and follow_up.work_order.status == "closed"
    assert follow_up.attempts.filter(channel="link").count() == 1
    with pytest.raises(TokenProblem) as problem:
        rate_by_link(token=token, **answers)
    assert problem.value.reason == "used"
    assert follow_up.attempts.filter(channel="link").count() == 1


def test_an_expired_link_is_refused(follow_up, dispatcher, django_capture_on_commit_callbacks):
    _three_failures(follow_up, dispatcher, django_capture_on_commit_callbacks)
    token = next(m.body for m in sms.outbox if "/feedback/r/" in m.body).split("/feedback/r/")[1].strip("/")
    with pytest.raises(TokenProblem) as problem:
        follow_up_for_token(token, now=timezone.now() + timedelta(days=30))
    assert problem.value.reason == "expired"
    with pytest.raises(TokenProblem) as problem:
        follow_up_for_token("x" * 43)
    assert problem.value.reason == "invalid"


# --- Notifications -------------------------------------------------------------------------------------


def test_residents_get_sms_at_received_on_the_way_and_completed(complete):
    order = complete()
    to_resident = Notification.objects.filter(work_order=order, phone=order.reporter_phone)
    kinds = list(to_resident.order_by("id").values_list("kind", "status"))
    assert kinds == [
        ("order_received", "sent"),
        ("worker_on_way", "sent"),
        ("order_completed", "sent"),
    ]
    resident_sms = [m for m in sms.outbox if m.phone == "13800138000"]
    assert len(resident_sms) == 3 and order.number in resident_sms[0].body
    assert [m.phone for m in sms.outbox if m not in resident_sms] == [order.worker.phone]  # their new order


def test_a_notification_is_delivered_once_however_often_the_task_runs(complete):
    order = complete()
    n = Notification.objects.get(work_order=order, kind="order_completed")
    sms.outbox.clear()
    assert deliver_notification(notification_id=n.id) is False
    assert notify_order(order_id=order.id, kind="order_completed").id == n.id
    assert notifications_to_retry() == []
    assert sms.outbox == []


def test_a_stale_claim_of_a_killed_worker_is_retried_once(complete):
    order = complete()
    n = Notification.objects.get(work_order=order, kind="order_completed")
    # A worker claimed it and died before sending.
    Notification.objects.filter(pk=n.pk).update(
        status="sending", claimed_at=timezone.now() - timedelta(hours=1)
    )
    sms.outbox.clear()
    assert notifications_to_retry() == [n.id]
    assert deliver_notification(notification_id=n.id) is True
    assert deliver_notification(notification_id=n.id) is False
    assert len(sms.outbox) == 1


def test_a_gateway_failure_is_recorded_and_retried(complete, settings):
    settings.SMS_BACKEND = "tests.feedback.backends.BrokenBackend"
    order = complete()
    n = Notification.objects.get(work_order=order, kind="order_completed")
    assert n.status == "failed" and "gateway down" in n.error
    settings.SMS_BACKEND = "feedback.sms.LocmemBackend"
    assert n.id in notifications_to_retry()
    assert deliver_notification(notification_id=n.id) is True
    n.refresh_from_db()
    assert n.status == "sent" and n.tries == 2


def test_no_phone_no_notification(make_order):
    order = make_order("received", reporter_phone="")
    assert notify_order(order_id=order.id, kind="order_received") is None
    assert not Notification.objects.exists()


def test_file_backend_appends_json_lines(tmp_path):
    path = tmp_path / "sms.jsonl"
    backend = sms.get_connection("feedback.sms.FileBackend", file_path=str(path))
    assert backend.send_messages([sms.SmsMessage("13800138000", "测试", key="k1")]) == 1
    assert '"key": "k1"' in path.read_text(encoding="utf-8")
