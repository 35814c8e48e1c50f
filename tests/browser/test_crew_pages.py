"""Crew pages in a real browser: a worker on a 360×740 phone takes an order from accepted to completed with
the 六个一 checklist, a material row and a photo; a crew leader assigns and approves a hold; the slip prints."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories as f
from workorders.actions.dispatching import assign_order, dispatch_order
from workorders.actions.field_work import accept_order, arrive_order, request_hold
from workorders.actions.intake import create_order
from workorders.models import WorkOrder

PHONE = {"width": 360, "height": 740}
pytestmark = pytest.mark.django_db(serialized_rollback=True)  # keep the seeded categories between tests


@pytest.fixture
def cast(db):
    crew = f.CrewFactory(name="供水班", kind="water")
    room = f.RoomFactory(
        unit=f.UnitFactory(
            building=f.BuildingFactory(district=f.DistrictFactory(number=5), number=37, label="5区37栋"),
            label="5区37栋1单元",
        ),
        number="302",
    )
    resident = f.ResidentFactory(name="王大妈", phone="13800138000")
    f.ResidencyFactory(resident=resident, room=room)
    return {
        "crew": crew,
        "room": room,
        "resident": resident,
        "dispatcher": f.UserFactory(username="desk", role="dispatcher", first_name="李调度"),
        "leader": f.LeaderFactory(
            crew=crew, user__username="zhang_leader", user__first_name="张班长", name="张班长"
        ),
        "worker": f.WorkerFactory(
            crew=crew, user__username="liu_worker", user__first_name="刘师傅", name="刘师傅"
        ),
        "worker2": f.WorkerFactory(
            crew=crew, user__username="zhao_worker", user__first_name="赵师傅", name="赵师傅"
        ),
    }


def _order(cast, *, description="厨房水管接头漏水", urgency=None, now=None, category="water.leak_fitting"):
    order = create_order(
        actor=cast["dispatcher"],
        category=f.leaf_category(category),
        room=cast["room"],
        description=description,
        reporter=cast["resident"],
        reporter_name="王大妈",
        reporter_phone="13800138000",
        urgency=urgency,
        now=now,
    )
    return dispatch_order(actor=cast["dispatcher"], order_id=order.id, crew=cast["crew"], now=now)


def test_worker_completes_an_order_on_a_phone(page, live_server, login, artifacts, cast):
    order = _order(cast)
    assign_order(actor=cast["leader"].user, order_id=order.id, worker=cast["worker"])
    page.set_viewport_size(PHONE)
    login(page, "liu_worker")
    page.click("nav >> text=我的工单")
    card = page.locator(f"#order-{order.pk}")
    assert "5区37栋1单元302室" in card.inner_text()
    assert card.locator('a[href="tel:13800138000"]').count() == 1
    page.screenshot(path=str(artifacts / "crew-worker-my-orders-phone.png"), full_page=True)
    card.locator(f"a:has-text('{order.number}')").click()
    page.click(f'form[action$="/{order.pk}/do/accept/"] button')
    page.wait_for_selector(f'form[action$="/{order.pk}/do/arrive/"]')
    page.click(f'form[action$="/{order.pk}/do/arrive/"] button')
    page.click(f'a[href$="/{order.pk}/complete/"]')
    page.wait_for_selector("text=一个回访电话")

    for key in ("greeting", "shoe_covers", "cloth", "inspection"):
        page.check(f'input[name="check_{key}"][value="yes"]')
    assert not page.is_visible('input[name="reason_note_left"]')  # shown only for a "no"
    page.check('input[name="check_note_left"][value="no"]')
    page.fill('input[name="reason_note_left"]', "留言条用完了")
    page.fill('textarea[name="resolution"]', "更换接头密封圈，试水无渗漏")
    page.fill('textarea[name="inspection_findings"]', "顺查卫生间水管、水表阀门，无异常")
    page.fill('input[name="materials-0-name"]', "密封圈")
    page.fill('input[name="materials-0-quantity"]', "2")
    page.fill('input[name="materials-0-unit_price"]', "1.5")
    page.click("button[data-add-row]")
    page.fill('input[name="materials-1-name"]', "生料带")
    page.fill('input[name="materials-1-quantity"]', "1")
    assert page.input_value("#id_materials-TOTAL_FORMS") == "2"
    page.set_input_files(
        'input[name="after_photos"]',
        files=[{"name": "after.png", "mimeType": "image/png", "buffer": f.tiny_png()}],
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    page.screenshot(path=str(artifacts / "crew-worker-completion-form-phone.png"), full_page=True)
    page.evaluate("window.scrollTo(0, 0)")  # a full-page screenshot leaves Chromium scrolled oddly: reset
    page.click("button:has-text('提交完工')")

    page.wait_for_url(f"{live_server.url}/orders/{order.pk}/")
    main = page.inner_text("main")
    assert "已完工" in page.inner_text("h1")
    assert "密封圈" in main and "生料带" in main and "一张留言条：留言条用完了" in main
    timeline = page.inner_text(".timeline")
    for label in ("接单", "到场", "完工", "更换接头密封圈"):
        assert label in timeline
    assert page.locator(".thumbs img").count() == 1
    page.screenshot(path=str(artifacts / "crew-worker-order-completed-phone.png"), full_page=True)

    order = WorkOrder.objects.get(pk=order.pk)
    assert order.status == "completed" and order.checklist_note_left is False
    assert order.materials.count() == 2 and order.attachments.get().kind == "after"
    assert list(order.events.values_list("kind", flat=True))[-5:] == [
        "assign",
        "accept",
        "arrive",
        "complete",
        "attach",
    ]


def test_leader_assigns_and_approves_a_hold(page, live_server, login, artifacts, cast):
    worker, worker2 = cast["worker"], cast["worker2"]
    new = _order(cast, description="卫生间水龙头关不严")
    late = _order(cast, description="水表阀门漏水", now=timezone.now() - timedelta(days=3))
    busy = _order(cast, description="厨房下水管漏水", urgency="emergency")
    assign_order(actor=cast["leader"].user, order_id=busy.id, worker=worker)
    accept_order(actor=worker.user, order_id=busy.id)
    arrive_order(actor=worker.user, order_id=busy.id)
    request_hold(actor=worker.user, order_id=busy.id, reason="waiting_parts", note="缺DN20阀门")
    f.DutyShiftFactory(worker=worker2)

    login(page, "zhang_leader")
    page.click("nav >> text=班组工单")
    assert "待指派" in page.inner_text("main")
    assert page.locator(".queue-card.is-overdue").count() == 1
    assert "超时" in page.locator(".queue-card.is-overdue").inner_text()
    page.screenshot(path=str(artifacts / "crew-leader-queue.png"), full_page=True)

    # The on-duty, least-loaded worker is preselected.
    row = page.locator(f"#order-{new.pk}")
    assert row.locator("select[name=worker] option:checked").inner_text().startswith("赵师傅")
    row.locator("button:has-text('指派')").click()
    page.wait_for_selector(".msg-success")
    assert WorkOrder.objects.get(pk=new.pk).worker_id == worker2.pk

    hold_row = page.locator(f"#order-{busy.pk}")
    assert "等待配件" in hold_row.inner_text() or "缺DN20阀门" in hold_row.inner_text()
    hold_row.locator("button:has-text('批准挂起')").click()
    page.wait_for_selector(".msg-success")
    busy.refresh_from_db()
    assert (busy.status, busy.hold_reason) == ("on_hold", "waiting_parts")
    assert "已挂起" in page.inner_text("main")
    assert WorkOrder.objects.get(pk=late.pk).status == "dispatched"

    page.goto(f"{live_server.url}/orders/{late.pk}/")
    page.click("summary:has-text('退单')")
    page.screenshot(path=str(artifacts / "crew-leader-order-detail.png"), full_page=True)

    # The printable slip of the order, as the printer sees it.
    page.goto(f"{live_server.url}/orders/{new.pk}/slip/")
    page.emulate_media(media="print")
    assert not page.is_visible(".toolbar")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 1123 * 1.05  # about one A4 page at 96 dpi
    page.screenshot(path=str(artifacts / "crew-slip-print.png"), full_page=True)
    page.pdf(path=str(artifacts / "crew-slip.pdf"), format="A4", print_background=True)
