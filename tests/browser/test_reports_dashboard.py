"""A manager opens the reports dashboard on seeded demo activity (seed_demo small, plus follow-ups over the
last twelve months, complaints and a reward) and the page looks like a dashboard, in Chinese, at 1366×768
and on a phone. Screenshots: reports-dashboard.png, reports-dashboard-phone.png, reports-assessment.png."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from feedback.models import Complaint, ComplaintType
from feedback.reports.periods import _add_months
from tests.factories import add_follow_ups
from workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo_activity(db):
    call_command("seed_demo", scale="small", quiet_logins=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    rng = random.Random(7)
    now = timezone.now()
    this_month = timezone.localdate(now).replace(day=1)
    done = list(
        WorkOrder.objects.filter(status__in=["closed", "completed"], crew__isnull=False).order_by("id")
    )
    assert done, "seed_demo made no finished orders"
    for i in range(12):
        month = _add_months(this_month, -i)
        due = timezone.make_aware(timezone.datetime(month.year, month.month, 3, 10, 0))
        if due > now:
            due = now - timedelta(hours=2)
        for order in done[i % 4 :: 6][:6]:
            n = rng.randint(6, 14)
            bad = rng.choice([0, 0, 0, 1])
            add_follow_ups(
                order,
                due,
                satisfied=n - 2 - bad,
                basically=2,
                dissatisfied=bad,
                open_=rng.choice([0, 1]),
                ratings={
                    "care": 5,
                    "workmanship": rng.choice([4, 5]),
                    "safety": 5,
                    "quality": rng.choice([4, 5]),
                    "comfort": 5,
                },
            )
    conduct, attitude = ComplaintType.objects.get(code="conduct"), ComplaintType.objects.get(code="attitude")
    for hours, type_, valid in ((-30, attitude, True), (-3, attitude, None), (-60, conduct, True)):
        order = done[hours % len(done)]
        received = now + timedelta(hours=hours)
        Complaint.objects.create(
            source="call",
            summary="住户投诉",
            crew=order.crew,
            worker=order.worker,
            type=type_,
            valid=valid,
            received_at=received,
            contact_by=received + timedelta(hours=24),
            decide_by=received + timedelta(days=3),
            close_by=received + timedelta(days=7),
        )


def test_manager_sees_the_dashboard(page, live_server, login, artifacts, demo_activity):
    login(page, "manager", "demo-10196")
    page.click("nav >> text=报表")
    page.wait_for_url(f"{live_server.url}/feedback/dashboard/")
    main = page.inner_text("main")
    for words in ("满意率", "回访率", "按时", "投诉", "班组排名", "重复报修"):
        assert words in main, words
    assert page.locator("svg.trend polyline").count() == 1
    assert page.locator("svg.trend circle").count() >= 6
    page.screenshot(path=str(artifacts / "reports-dashboard.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 362
    page.screenshot(path=str(artifacts / "reports-dashboard-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.click("text=考核排名")
    page.wait_for_selector("table.assessment")
    assert "一票否决" in page.inner_text("main")
    page.screenshot(path=str(artifacts / "reports-assessment.png"), full_page=True)
    page.click("text=满意度")
    page.wait_for_selector("table.report")
    page.screenshot(path=str(artifacts / "reports-satisfaction.png"), full_page=True)
