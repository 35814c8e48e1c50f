"""The dispatcher's working day (issue 14, points 1–8), in Debian's Chromium with the page's own controls. Each
test fails on a console error, a page error or an unexpected 4xx/5xx (the `strict` fixture)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _board(page, live_server, login, user="t_dispatcher"):
    login(page, user)
    page.keyboard.press("Alt+B")  # nav: 调度看板
    page.wait_for_url(re.compile(r".*/desk/board/$"))
    return page


def _rows(page) -> set[str]:
    return set(page.locator("#board tr[data-number]").evaluate_all("rows => rows.map(r => r.dataset.number)"))


def _after_swap(page, action) -> None:
    with page.expect_response(re.compile(r".*/desk/board/\?.*")) as answer:
        action()
    assert answer.value.status == 200
    page.wait_for_timeout(100)  # htmx settles the swapped table


def test_the_board_filters_from_its_own_controls(
    page, live_server, login, strict, artifacts, dispatcher, make_order, crew, other_crew
):
    water = make_order("dispatched")
    late = make_order("dispatched", now=timezone.now() - timedelta(days=5))
    urgent = make_order("received", category="electrical.wiring")
    other = make_order("received", category="electrical.fixtures", dispatch_to=other_crew)
    _board(page, live_server, login)
    assert _rows(page) == {water.number, late.number, urgent.number, other.number}
    filters = page.locator("#board-filters")

    _after_swap(page, lambda: filters.get_by_label("班组").select_option(label="供水班"))
    assert _rows(page) == {water.number, late.number}
    assert "urgency=" in page.url  # the form sends the empty controls; they mean "any"
    assert "选择一个有效的选项" not in page.content()

    _after_swap(page, lambda: filters.get_by_label("仅超时").check())
    assert _rows(page) == {late.number}

    _after_swap(page, lambda: filters.get_by_label("班组").select_option(label="全部"))
    _after_swap(page, lambda: filters.get_by_label("仅超时").uncheck())
    _after_swap(page, lambda: filters.get_by_label("紧急程度").select_option(label="急修"))
    assert _rows(page) == {urgent.number}

    _after_swap(page, lambda: filters.get_by_label("紧急程度").select_option(label="全部"))
    page.locator("#board .state-tabs a", has_text="已受理").click()
    page.wait_for_url(re.compile(r".*status=received.*"))
    assert _rows(page) == {urgent.number}
    _after_swap(page, lambda: page.locator("#board-filters").get_by_label("小区").select_option(index=1))
    assert "status=received" in page.url and _rows(page) == {urgent.number}
    page.screenshot(path=str(artifacts / "desk-board-filtered.png"))


def test_order_numbers_and_callers_open_their_pages_from_the_board_the_call_log_and_the_complaint(
    page, live_server, login, strict, dispatcher, manager, resident, room, make_order
):
    from feedback.actions.complaints import register_complaint
    from hotline.services import take_call

    order = make_order("dispatched", reporter_name="王大妈")
    take_call(
        actor=dispatcher, call_type="reminder", phone="13800138000", room=room, remind_order_id=order.pk
    )
    complaint = register_complaint(
        actor=manager, source="call", phone="13800138000", name="王大妈", summary="态度差", work_order=order
    )
    _board(page, live_server, login)
    page.locator("#board").get_by_role("link", name=order.number).click()
    page.wait_for_url(f"{live_server.url}/orders/{order.pk}/")

    page.keyboard.press("Alt+L")  # nav: 来电记录
    page.wait_for_url(re.compile(r".*/desk/calls/$"))
    page.locator("#call-rows").get_by_role("link", name=order.number).click()
    page.wait_for_url(f"{live_server.url}/orders/{order.pk}/")
    page.go_back()
    page.locator("#call-rows").get_by_role("link", name="13800138000").click()
    page.wait_for_url(re.compile(r".*/desk/lookup/\?phone=13800138000$"))
    panel = page.locator("#caller-panel")
    with page.expect_popup() as popup:  # from the caller panel, an order opens beside the call
        panel.get_by_role("link", name=order.number).first.click()
    popup.value.wait_for_url(f"{live_server.url}/orders/{order.pk}/")
    popup.value.close()
    with page.expect_popup() as popup:
        panel.get_by_role("link", name=complaint.number).click()
    popup.value.wait_for_url(f"{live_server.url}/feedback/complaints/{complaint.pk}/")
    popup.value.get_by_role("link", name=order.number).click()
    popup.value.wait_for_url(f"{live_server.url}/orders/{order.pk}/")


def test_the_navigation_search_opens_an_order_a_caller_a_room_or_lists_matches(
    page, live_server, login, strict, artifacts, dispatcher, resident, room, make_order
):
    from tests import factories as f

    order = make_order("dispatched")
    f.ResidentFactory(name="王大爷", phone="13700008000")
    login(page, "t_dispatcher")
    box = page.get_by_role("searchbox", name="搜索工单号、电话、地址、姓名")

    def search(text):
        page.keyboard.press("Alt+Q")
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
        page.keyboard.press("Enter")

    search(order.number)
    page.wait_for_url(f"{live_server.url}/orders/{order.pk}/")
    search("13800138000")
    page.wait_for_url(re.compile(r".*/desk/lookup/\?phone=13800138000$"))
    page.locator("#caller-panel").get_by_text("王大妈").wait_for()
    search("5-37-1-302")
    page.wait_for_url(re.compile(r".*/desk/lookup/\?address=.*"))
    page.locator("#caller-panel").get_by_text("王大妈").wait_for()
    search("8000")  # two callers end in 8000: a list
    page.wait_for_url(re.compile(r".*/search/\?q=8000$"))
    assert box.input_value() == "8000"
    page.screenshot(path=str(artifacts / "desk-search.png"))
    page.get_by_role("link", name=re.compile("王大爷")).click()
    page.wait_for_url(re.compile(r".*/desk/lookup/\?phone=13700008000$"))
