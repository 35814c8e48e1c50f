"""The operations forms in Chromium: a manager defines a round template with a reading through the form (the
district swaps in its places, "Add an item" adds a checklist row); a worker on a 390×844 phone reports a hazard
with a photo (the place type-ahead, the due date following the severity). No console error, page error or
unexpected 4xx/5xx; no page wider than the phone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from operations.models import Hazard, RoundTemplate
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def test_manager_defines_a_round_template_with_a_reading(
    page, live_server, login, strict, artifacts, crew, manager, district
):
    pump = f.FacilityFactory(district=district, name="5区加压泵房", label="5区加压泵房")
    login(page, "t_manager")
    page.get_by_role("link", name="巡检", exact=True).first.click()
    page.get_by_role("link", name="巡检模板").click()
    page.get_by_role("link", name="新建巡检模板").click()
    page.locator("#id_name").fill("加压泵房日检")
    page.locator("#id_crew").select_option(str(crew.pk))
    with page.expect_response(lambda r: "/ops/rounds/templates/new/" in r.url and "district=" in r.url):
        page.locator("#id_district").select_option(str(district.pk))
    page.locator("#id_facilities").select_option(str(pump.pk))
    page.locator("#id_frequency").select_option("daily")
    page.locator("#id_due_time").fill("10:30")
    page.locator("#id_items-0-label").fill("出水压力")
    page.locator("#id_items-0-kind").select_option("reading")
    page.locator("#id_items-0-unit").fill("MPa")
    page.locator("#id_items-0-low").fill("0.2")
    page.locator("#id_items-0-high").fill("0.4")
    page.get_by_role("button", name="添加检查项").click()
    page.locator("#id_items-1-label").fill("泵体无渗漏")
    page.get_by_role("button", name="保存巡检模板").click()
    page.locator(".msg-success", has_text="加压泵房日检").wait_for()
    template = RoundTemplate.objects.get()
    assert list(template.facilities.all()) == [pump] and template.crew == crew
    assert list(template.items.values_list("label", "kind", "unit", "low", "high")) == [
        ("出水压力", "reading", "MPa", Decimal("0.2"), Decimal("0.4")),
        ("泵体无渗漏", "pass_fail", "", None, None),
    ]
    page.screenshot(path=str(artifacts / "round-templates.png"), full_page=True)


def _phone_page(browser, live_server):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.url.startswith(live_server.url) and r.status >= 400
            else None
        ),
    )
    return context, page, problems


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_worker_reports_a_hazard_with_a_photo_on_a_phone(
    browser, live_server, login, artifacts, crew, worker, district
):
    pump = f.FacilityFactory(district=district, name="5区加压泵房", label="5区加压泵房")
    context, page, problems = _phone_page(browser, live_server)
    login(page, "t_worker")
    page.get_by_role("link", name="隐患台账").first.click()
    page.get_by_role("link", name="上报隐患").click()
    assert _width(page) <= PHONE["width"]
    page.get_by_role("combobox", name="位置").press_sequentially("加压泵", delay=30)
    page.get_by_role("option", name="5区加压泵房").click()
    page.get_by_label("严重程度").select_option("critical")
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert page.locator("#id_due_on").input_value() == tomorrow.isoformat()
    page.get_by_label("发现的问题").fill("配电箱进水，柜门锈蚀")
    page.locator("#id_photo").set_input_files(
        {"name": "IMG_0001.png", "mimeType": "image/png", "buffer": f.tiny_png()}
    )
    page.get_by_role("button", name="上报", exact=True).click()
    page.locator(".msg-success", has_text="隐患已上报").wait_for()
    hazard = Hazard.objects.get()
    assert hazard.facility == pump and hazard.severity == "critical" and hazard.photo
    photo = page.get_by_role("img", name="隐患照片")
    photo.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", photo.element_handle())
    assert _width(page) <= PHONE["width"]
    page.screenshot(path=str(artifacts / "hazard-report-phone.png"), full_page=True)
    assert problems == []
    context.close()
