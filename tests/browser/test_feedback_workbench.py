"""The follow-up workbench journey: a dispatcher opens the queue, calls, records a reached follow-up with the
五心 ratings, and the order closes. Also the resident's rating page on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback import sms
from feedback.actions.follow_ups import record_attempt
from feedback.models import FollowUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def due_follow_up(make_order):
    order = make_order("completed")
    FollowUp.objects.filter(work_order=order).update(status="due", due_at=timezone.now() - timedelta(hours=2))
    return FollowUp.objects.get(work_order=order)


def test_dispatcher_records_a_reached_follow_up_with_ratings(
    page, live_server, login, artifacts, due_follow_up
):
    order = due_follow_up.work_order
    login(page, "t_dispatcher")
    page.click("text=回访工作台")
    page.wait_for_url(f"{live_server.url}/feedback/")
    assert order.number in page.inner_text("main")
    page.screenshot(path=str(artifacts / "feedback-queue.png"), full_page=True)
    page.click(f"tr:has-text('{order.number}') >> text=拨打")
    assert "回访话术" in page.inner_text("main") and order.location_label in page.inner_text("main")
    page.check('input[name="outcome"][value="reached"]')
    page.check('input[name="resolved"][value="yes"]')
    for key, score in (("care", 5), ("workmanship", 5), ("safety", 4), ("quality", 5), ("comfort", 5)):
        page.check(f'input[name="rating_{key}"][value="{score}"]')
    page.select_option('select[name="seen_shoe_covers"]', "yes")
    page.select_option('select[name="seen_cleaned"]', "yes")
    page.check('input[name="verdict"][value="satisfied"]')
    page.fill('textarea[name="comment"]', "师傅很细心，谢谢")
    page.screenshot(path=str(artifacts / "feedback-call.png"), full_page=True)
    page.click("text=保存回访")
    page.wait_for_selector(".msg-success")
    assert "回访已登记" in page.inner_text(".messages")
    page.screenshot(path=str(artifacts / "feedback-call-done.png"), full_page=True)
    due_follow_up.refresh_from_db()
    order.refresh_from_db()
    assert due_follow_up.status == "done" and due_follow_up.verdict == "satisfied"
    assert order.status == "closed"
    attempt = due_follow_up.attempts.get()
    assert attempt.rating_safety == 4 and attempt.seen_shoe_covers is True


def test_resident_rates_on_a_phone(page, live_server, artifacts, due_follow_up, dispatcher, settings):
    settings.SITE_URL = live_server.url
    t = due_follow_up.due_at
    for hours in (0, 3, 6):
        record_attempt(
            actor=dispatcher,
            follow_up_id=due_follow_up.id,
            outcome="no_answer",
            now=t + timedelta(hours=hours),
        )
    link = (
        next(m.body for m in sms.outbox if "/feedback/r/" in m.body).split("：")[-1].split(": ")[-1].strip()
    )
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(link)
    assert "这次维修您满意吗" in page.inner_text("h1")
    page.check('input[name="resolved"][value="yes"]')
    for key in ("care", "workmanship", "safety", "quality", "comfort"):
        page.check(f'input[name="rating_{key}"][value="5"]')
    page.check('input[name="verdict"][value="satisfied"]')
    page.screenshot(path=str(artifacts / "feedback-rate-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("text=提交")
    assert "谢谢您" in page.inner_text("h1")
    page.goto(link)
    assert "已经评价过" in page.inner_text("h1")
    page.screenshot(path=str(artifacts / "feedback-rate-used.png"), full_page=True)
