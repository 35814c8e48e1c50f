"""The dispatcher's working day (issue 14, points 1–8), in Debian's Chromium with the page's own controls. Each
test fails on a console error, a page error or an unexpected 4xx/5xx (the `strict` fixture)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.test_hotline_intake import _open_intake, _take_the_call

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


def _repair_call(page):
    _take_the_call(page)  # the number, the address and 漏水（户内管件）, by keyboard
    page.keyboard.press("Alt+D")
    page.keyboard.type("厨房水管接头漏水")


def test_a_handed_back_order_is_marked_and_goes_to_another_crew_from_the_board(
    page, live_server, login, strict, artifacts, dispatcher, leader, make_order
):
    from tests import factories as f
    from workorders.actions.dispatching import hand_back_order

    second = f.CrewFactory(name="供水二班", kind="water")
    order = make_order("dispatched")
    hand_back_order(actor=leader.user, order_id=order.pk, reason="not_our_area", note="不归我们片区")
    _board(page, live_server, login)
    row = page.locator(f"#board tr[data-number='{order.number}']")
    assert "退单" in row.inner_text() and "非本辖区：不归我们片区" in row.inner_text()
    row.get_by_text("操作").click()
    crew = row.locator("form[action$='/dispatch/']").get_by_label("班组")
    assert crew.evaluate("s => s.options[s.selectedIndex].text") == "供水二班"
    page.screenshot(path=str(artifacts / "desk-board-handed-back.png"))
    row.get_by_role("button", name="派单").click()
    page.locator(".msg-success", has_text="供水二班").wait_for()
    order.refresh_from_db()
    assert order.status == "dispatched" and order.crew == second


def test_the_intake_keeps_the_caller_after_a_rejection_and_offers_the_same_caller_again(
    page, live_server, login, strict, artifacts, dispatcher, resident, crew, make_order
):
    from workorders.models import WorkOrder

    existing = make_order("dispatched")
    _open_intake(page, live_server, login)
    _repair_call(page)
    # Submitted without answering the duplicate warning: the server refuses; the caller stays on screen.
    page.locator("#submit-call").click()
    page.locator(".msg-error", has_text="催单").wait_for()
    panel = page.locator("#caller-panel")
    assert "王大妈" in panel.inner_text() and existing.number in panel.inner_text()
    page.screenshot(path=str(artifacts / "desk-intake-rejected.png"))
    anyway = page.get_by_label("不是，是新故障：仍然新建工单")
    anyway.check()
    # The check panel re-renders (here: asked again, as a changed address or category would); the tick stays.
    with page.expect_response(lambda r: "/desk/intake/check/" in r.url):
        page.evaluate("document.body.dispatchEvent(new CustomEvent('bst:check'))")
    page.wait_for_load_state("networkidle")
    assert anyway.is_checked()
    page.locator("#submit-call").click()
    page.locator(".msg-success").wait_for()
    order = WorkOrder.objects.exclude(pk=existing.pk).get()
    assert order.reporter_name == "王大妈"  # the known caller's name, not typed

    page.keyboard.press("Alt+G")  # same caller, another fault
    page.wait_for_url(re.compile(r".*/desk/intake/\?.*phone=13800138000.*"))
    assert page.input_value("#id_phone") == "13800138000"
    assert page.input_value("#id_address") == "5区37栋1单元302室"
    page.locator("#caller-panel").get_by_text("王大妈").wait_for()


def test_an_appointment_with_paid_work_and_a_complaint_about_an_order_are_taken_at_the_desk(
    page, live_server, login, strict, dispatcher, resident, crew, make_order
):
    from feedback.models import Complaint
    from workorders.models import WorkOrder

    _open_intake(page, live_server, login)
    _repair_call(page)
    page.get_by_label("紧急程度").select_option("appointment")
    page.get_by_label("预约时间").fill("2026-12-02T15:00")
    page.get_by_label("收费").select_option(label="有偿")
    page.get_by_label("范围", exact=True).select_option(label="楼栋公共")
    page.locator("#submit-call").click()
    page.locator(".msg-success").wait_for()
    order = WorkOrder.objects.get()
    assert (order.urgency, order.charge, order.area) == ("appointment", "paid", "building_common")
    assert timezone.localtime(order.appointment_at).strftime("%m-%d %H:%M") == "12-02 15:00"

    page.keyboard.press("Alt+T")
    page.get_by_label("来电类型").select_option("complaint")
    page.get_by_label("来电号码").fill("13800138000")
    page.get_by_label("涉及对象（班组或人员）").fill(order.number)
    page.get_by_label("问题描述").fill("约好的时间没人来")
    page.locator("#submit-call").click()
    page.locator(".msg-success").wait_for()
    assert Complaint.objects.get().work_order == order
