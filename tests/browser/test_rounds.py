"""A worker does a round on a 390×844 phone, item by item; a reading out of range becomes a hazard. No console
error, page error or unexpected 4xx/5xx; the page is never wider than the phone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from operations.actions import rounds as r
from operations.models import Hazard, Round
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def test_worker_does_a_round_on_a_phone_and_a_bad_reading_becomes_a_hazard(
    browser, live_server, artifacts, crew, manager, worker, district
):
    pump = f.FacilityFactory(district=district, name="5区加压泵房", label="5区加压泵房")
    now = timezone.now()
    r.create_round_template(
        actor=manager,
        crew=crew,
        name="泵房日检",
        items=[
            {
                "label": "出水压力",
                "kind": "reading",
                "unit": "MPa",
                "low": Decimal("0.2"),
                "high": Decimal("0.4"),
            },
            {"label": "泵体无渗漏", "kind": "pass_fail"},
        ],
        frequency="daily",
        due_time=(timezone.localtime(now) + timedelta(hours=1)).time().replace(second=0, microsecond=0),
        facilities=[pump],
    )
    f.DutyShiftFactory(
        worker=worker, kind="water", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8)
    )
    r.generate_due_rounds(now=now)
    round_ = Round.objects.get()
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and not m.text.startswith("Failed to load") else None
        ),
    )
    page.on(
        "response",
        lambda resp: (
            errors.append(f"{resp.status} {resp.url}")
            if resp.status >= 400 and not resp.url.endswith("favicon.ico")
            else None
        ),
    )

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "t_worker")
    page.fill("#id_password", "pw")
    page.press("#id_password", "Enter")
    # Home sends a worker on to their own list: wait for leaving the login page, not for "/" itself.
    page.wait_for_url(lambda url: url.startswith(live_server.url) and "/login/" not in url)
    page.get_by_role("link", name="巡检").first.click()
    page.get_by_role("link", name="泵房日检").click()
    page.get_by_role("button", name="开始巡检").click()
    page.get_by_label("出水压力 (MPa)").fill("0.55")
    page.locator(f"#item-{round_.items.get(kind='reading').pk}").get_by_role("button", name="记录").click()
    page.locator(".msg", has_text="隐患").wait_for()
    page.locator(f"#item-{round_.items.get(kind='pass_fail').pk}").get_by_role(
        "button", name="合格", exact=True
    ).click()
    page.get_by_role("button", name="完成巡检").click()
    page.locator(".msg-success", has_text="巡检已完成").wait_for()
    hazard = Hazard.objects.get()
    assert hazard.facility == pump and hazard.status == "found" and "0.55" in hazard.description
    round_.refresh_from_db()
    assert round_.status == "done"
    page.goto(f"{live_server.url}/ops/rounds/{round_.pk}/")
    page.screenshot(path=str(artifacts / "round-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []
    context.close()
