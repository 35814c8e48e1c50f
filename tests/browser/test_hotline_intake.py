"""The dispatcher's journey at the intake desk, keyboard only, in Debian's Chromium at 1366×768."""

from __future__ import annotations

import re

import pytest

from workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _open_intake(page, live_server, login):
    login(page, "t_dispatcher")
    page.keyboard.press("Alt+N")  # nav: 受理台
    page.wait_for_url(f"{live_server.url}/desk/intake/")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_phone'")


def _take_the_call(page):
    page.keyboard.type("13800138000")
    page.locator("#caller-panel").get_by_text("王大妈").wait_for()
    page.keyboard.press("Alt+A")
    page.keyboard.press("Control+A")
    page.keyboard.type("5-37-1-3")
    page.locator("#address-options li", has_text="5区37栋1单元302室").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#id_address") == "5区37栋1单元302室"
    page.keyboard.press("Alt+C")
    page.keyboard.type("lshn")  # pinyin initials of 漏水（户内管件）
    page.locator("#category-options li[aria-selected=true]", has_text="漏水（户内管件）").wait_for()
    page.keyboard.press("Enter")
    assert page.input_value("#id_urgency") == "normal"
    assert page.input_value("#id_category") != ""


def test_dispatcher_takes_a_call_by_keyboard_and_sees_the_order_dispatched_on_the_board(
    page, live_server, login, artifacts, dispatcher, resident, crew
):
    _open_intake(page, live_server, login)
    _take_the_call(page)
    page.locator("#suggested-crew", has_text="供水班").wait_for()
    page.keyboard.press("Alt+D")
    page.keyboard.type("厨房水管接头漏水，已关总阀")
    page.screenshot(path=str(artifacts / "hotline-intake.png"))
    page.keyboard.press("Enter")  # Enter submits from the description

    message = page.locator(".msg-success")
    message.wait_for()
    order = WorkOrder.objects.get()
    assert order.status == "dispatched" and order.crew == crew
    assert f"工单 {order.number} 已派给 供水班" in message.inner_text()

    page.keyboard.press("Alt+B")  # nav: 调度看板
    page.wait_for_url(re.compile(r".*/desk/board/$"))
    row = page.locator(f"tr[data-number='{order.number}']")
    row.wait_for()
    assert "已派单" in row.inner_text() and "供水班" in row.inner_text()
    page.screenshot(path=str(artifacts / "hotline-board.png"))


def test_a_repeat_call_is_recorded_as_a_reminder_from_the_duplicate_warning(
    page, live_server, login, artifacts, dispatcher, resident, make_order
):
    existing = make_order("dispatched")
    _open_intake(page, live_server, login)
    _take_the_call(page)
    warning = page.locator("#check-panel .warn-box")
    warning.get_by_text(existing.number).wait_for()
    assert "这是催单" in warning.inner_text()
    page.screenshot(path=str(artifacts / "hotline-duplicate.png"))
    page.keyboard.press("Alt+R")

    page.locator(".msg-success", has_text="已记为催单").wait_for()
    existing.refresh_from_db()
    assert existing.remind_count == 1
    assert WorkOrder.objects.count() == 1
