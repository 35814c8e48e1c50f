"""Crews on the move (issue 15), on a 390×844 phone: the leader runs the queue from the phone and assigns the
first unassigned order without scrolling; the worker's open page shows a newly assigned order by itself.
Every page visited has no console error and no unexpected 4xx/5xx."""

from __future__ import annotations

import pytest

from tests import factories as f
from workorders.actions.dispatching import assign_order, dispatch_order
from workorders.actions.field_work import accept_order, arrive_order
from workorders.actions.intake import create_order
from workorders.models import WorkOrder

PHONE = {"width": 390, "height": 844}
pytestmark = pytest.mark.django_db(serialized_rollback=True)


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.problems = problems
    yield page
    context.close()


def _no_sideways_scroll(page) -> None:
    # Compare with the viewport asked for, not innerWidth (it grows with a too-wide page: STACK-NOTES 19).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def crew():
    crew = f.CrewFactory(name="供水班", kind="water")
    room = f.RoomFactory(number="302")
    dispatcher = f.UserFactory(username="desk", role="dispatcher")
    leader = f.LeaderFactory(crew=crew, user__username="zhang_leader", name="张班长")
    workers = [f.WorkerFactory(crew=crew, user__username=f"w{i}", name=f"师傅{i:02d}") for i in range(1, 36)]

    def order(description="厨房水管接头漏水"):
        created = create_order(
            actor=dispatcher,
            category=f.leaf_category("water.leak_fitting"),
            room=room,
            description=description,
            reporter_phone="13800138000",
        )
        return dispatch_order(actor=dispatcher, order_id=created.id, crew=crew)

    return {"crew": crew, "leader": leader, "workers": workers, "order": order, "dispatcher": dispatcher}


def test_leader_assigns_the_first_unassigned_order_from_a_phone_without_scrolling(
    phone, live_server, login, artifacts, crew
):
    orders = [crew["order"](f"第{i}号漏水") for i in range(30)]
    busy = orders[-1]
    assign_order(actor=crew["leader"].user, order_id=busy.id, worker=crew["workers"][0])
    login(phone, "zhang_leader")
    assert phone.url.endswith("/orders/crew/")  # the leader's home is the queue
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(artifacts / "c15-leader-queue-phone.png"))
    card = phone.locator(".queue-card").first
    button = card.get_by_role("button", name="指派")
    box = button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box  # on the first screen
    assert phone.evaluate("window.scrollY") == 0
    # The roster is folded below the cards.
    roster = phone.locator("details#roster")
    assert roster.get_attribute("open") is None
    assert phone.locator(".queue-card").last.bounding_box()["y"] < roster.bounding_box()["y"]
    first = WorkOrder.objects.get(pk=int(card.get_attribute("id").split("-")[1]))
    card.get_by_label("维修工").select_option(
        label=card.get_by_label("维修工").locator("option").nth(3).inner_text()
    )
    chosen = card.get_by_label("维修工").input_value()
    button.click()
    phone.wait_for_selector(".msg-success")
    first.refresh_from_db()
    assert first.status == "assigned" and str(first.worker_id) == chosen
    assert f"给 {first.worker.name}" in phone.inner_text(".msg-success")
    _no_sideways_scroll(phone)
    roster.locator("summary").click()
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(artifacts / "c15-leader-queue-assigned-phone.png"), full_page=True)
    assert phone.problems == []


def test_a_workers_open_page_shows_an_order_assigned_to_them_within_one_poll(
    phone, live_server, login, artifacts, crew
):
    worker = crew["workers"][1]
    login(phone, worker.user.username)
    assert phone.url.endswith("/orders/mine/")  # the worker's home is their list
    assert "暂无待办工单" in phone.inner_text("main")
    order = crew["order"]("卫生间水龙头关不严")
    assign_order(actor=crew["leader"].user, order_id=order.id, worker=worker)
    # One polling period (15 s) and a little slack, without reloading the page.
    phone.wait_for_selector(f"#order-{order.pk}", timeout=20_000)
    assert "卫生间水龙头关不严" in phone.inner_text(f"#order-{order.pk}")
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(artifacts / "c15-worker-new-order-phone.png"), full_page=True)
    assert phone.problems == []


def test_the_completion_form_keeps_the_chosen_photos_when_a_material_row_is_incomplete(
    phone, live_server, login, artifacts, crew
):
    worker = crew["workers"][2]
    order = crew["order"]("厨房水管接头漏水")
    assign_order(actor=crew["leader"].user, order_id=order.id, worker=worker)
    accept_order(actor=worker.user, order_id=order.id)
    arrive_order(actor=worker.user, order_id=order.id)
    login(phone, worker.user.username)
    phone.locator(f"#order-{order.pk}").get_by_role("link", name="完工").click()
    phone.get_by_role("button", name="全部是").click()
    assert phone.locator('.check-item input[value="yes"]:checked').count() == 5
    phone.get_by_label("处理结果").fill("更换接头密封圈，试水无渗漏")
    phone.fill('input[name="materials-0-name"]', "密封圈")
    phone.fill('input[name="materials-0-quantity"]', "2")
    phone.get_by_role("button", name="添加材料").click()
    phone.fill('input[name="materials-1-name"]', "生料带")  # no quantity: the page says so before sending
    phone.set_input_files(
        'input[name="after_photos"]',
        files=[{"name": "after.png", "mimeType": "image/png", "buffer": f.tiny_png()}],
    )
    phone.get_by_role("button", name="提交完工").click()
    assert phone.is_visible("#form-problems")
    assert "至少 0.01" in phone.inner_text(".material-row:nth-child(2)")
    assert phone.url.endswith(f"/orders/{order.pk}/complete/")  # nothing was sent
    assert phone.evaluate("document.querySelector('input[name=after_photos]').files.length") == 1
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(artifacts / "c15-completion-form-checked-in-page-phone.png"), full_page=True)
    phone.fill('input[name="materials-1-quantity"]', "1")
    phone.get_by_role("button", name="提交完工").click()
    phone.wait_for_url(f"{live_server.url}/orders/{order.pk}/")
    order.refresh_from_db()
    assert order.status == "completed" and order.materials.count() == 2
    assert order.attachments.get().kind == "after"  # the photo chosen before the correction
    assert phone.problems == []


def test_a_self_initiated_order_goes_from_the_workers_phone_to_the_follow_up(
    phone, live_server, login, artifacts, crew
):
    from feedback.models import FollowUp

    worker = crew["workers"][3]
    room = f.RoomFactory(number="402", floor=4)
    below = f.RoomFactory(unit=room.unit, number="302", floor=3)
    login(phone, worker.user.username)
    phone.get_by_role("link", name="主动开单").click()
    phone.get_by_label("房间").fill(room.label)
    phone.get_by_label("类别").select_option(label=str(f.leaf_category("water.leak_fitting")))
    phone.get_by_label("发现的问题").fill("楼上卫生间地漏返水，渗到楼下")
    phone.set_input_files(
        'input[name="photos"]', files=[{"name": "found.png", "mimeType": "image/png", "buffer": f.tiny_png()}]
    )
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(artifacts / "c15-open-on-the-spot-phone.png"), full_page=True)
    phone.get_by_role("button", name="开单").click()
    phone.wait_for_selector(".msg-success")
    order = WorkOrder.objects.get(channel="self")
    assert (order.status, order.worker_id, order.room_id) == ("on_site", worker.id, room.id)
    # The flat below, in one step from the order.
    phone.locator("summary", has_text="楼上楼下").click()
    phone.wait_for_selector(".stacked-room")
    assert below.label in phone.inner_text(".stacked")
    _no_sideways_scroll(phone)
    phone.get_by_role("link", name="完工").first.click()
    phone.get_by_role("button", name="全部是").click()
    phone.get_by_label("处理结果").fill("疏通地漏，更换密封圈")
    phone.get_by_role("button", name="提交完工").click()
    phone.wait_for_url(f"{live_server.url}/orders/{order.pk}/")
    order.refresh_from_db()
    assert order.status == "completed"
    assert FollowUp.objects.filter(work_order=order).exists()  # the same follow-up as any order
    phone.screenshot(path=str(artifacts / "c15-self-initiated-completed-phone.png"), full_page=True)
    assert phone.problems == []
