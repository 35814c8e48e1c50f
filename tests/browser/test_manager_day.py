"""Issue 14 points 13–15 in Chromium with the pages' own controls: the export's room search, the order
workbook, the rewards date, the complaint timeline in Chinese, the admin's title and the category synonyms."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from feedback.actions.complaints import register_complaint
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_manager_exports_the_orders_of_a_room_found_by_typing(
    page, live_server, login, strict, manager, make_order, room, unit
):
    other = f.RoomFactory(unit=unit, number="301", floor=3)
    make_order("received")
    make_order("received", room=other)
    login(page, "t_manager")
    page.get_by_role("link", name="报表").click()
    page.get_by_role("link", name="导出工单").click()
    search = page.get_by_role("combobox", name="房间")
    search.type("5-37-1-30", delay=30)
    page.get_by_role("option", name="5区37栋1单元302室").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert search.input_value() == "5区37栋1单元302室"
    with page.expect_download() as download:
        page.get_by_role("button", name="导出 Excel").click()
    with open(download.value.path(), "rb") as fh:
        sheet = load_workbook(io.BytesIO(fh.read())).worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] and str(r[0])[:8].isdigit()]
    assert [r[5] for r in rows] == [room.label]
    assert sheet.freeze_panes and sheet.auto_filter.ref
    assert len(page.content()) < 200_000  # no list of every room


def test_rewards_date_timeline_and_admin_title(page, live_server, login, strict, manager, dispatcher):
    complaint = register_complaint(
        actor=dispatcher, source="call", phone="13800138000", name="王大妈", summary="态度差"
    )
    login(page, "t_manager")
    page.get_by_role("link", name="报表").click()
    page.get_by_role("link", name="奖惩").click()
    assert page.get_by_label("日期").input_value()[:4].isdigit()  # an ISO date the browser shows
    page.get_by_role("link", name="投诉", exact=True).click()
    page.locator(f"a[href$='/complaints/{complaint.pk}/']").first.click()
    timeline = page.locator(".timeline").inner_text()
    assert "受理投诉" in timeline and "received" not in timeline


def test_admin_is_titled_baishitong(page, live_server, login, strict):
    f.UserFactory(username="t_admin", role="manager", is_staff=True, is_superuser=True)
    login(page, "t_admin")
    page.get_by_role("link", name="后台管理").click()
    assert "百事通管理" in page.locator("#site-name").inner_text()
    assert "Django" not in page.title()


def test_a_callers_word_finds_the_category(page, live_server, login, strict, dispatcher):
    login(page, "t_dispatcher")
    page.get_by_role("link", name="受理台").click()
    page.get_by_label("类别").type("没水")
    page.locator("#category-options li:not([hidden])", has_text="停水").first.wait_for()
    page.get_by_label("类别").fill("")
    page.get_by_label("类别").type("跳闸")
    page.locator("#category-options li:not([hidden])", has_text="停电").first.wait_for()


def test_the_dashboard_shows_the_desks_median_intake_time(
    page, live_server, login, strict, manager, dispatcher
):
    from datetime import timedelta

    from django.utils import timezone

    from hotline.services import take_call

    now = timezone.now()
    for seconds in (30, 40, 90):
        take_call(
            actor=dispatcher,
            call_type="inquiry",
            phone="13800138000",
            summary="问",
            answer="答",
            started_at=now - timedelta(seconds=seconds),
            now=now,
        )
    login(page, "t_manager")
    page.get_by_role("link", name="报表").click()
    panel = page.locator("section.intake-times")
    panel.wait_for()
    assert "受理时长" in panel.inner_text() and "40 秒" in panel.inner_text()
