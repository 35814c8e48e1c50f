"""Issue 14 point 7 in Chromium: the dispatcher takes a fault at a public facility and one at a building's
common area with the intake's own controls (the address suggestions, by keyboard), and finds each order."""

from __future__ import annotations

import re

import pytest

from tests import factories as f
from workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _category(page, initials: str, name: str) -> None:
    page.keyboard.press("Alt+C")
    page.keyboard.type(initials)
    page.locator("#category-options li[aria-selected=true]", has_text=name).wait_for()
    page.keyboard.press("Enter")


def test_dispatcher_takes_a_facility_order_from_the_suggestions(
    page, live_server, login, strict, dispatcher, resident, crew, district
):
    pump_house = f.FacilityFactory(
        district=district, name="5区加压泵房", label="5区加压泵房", kind="pump_house"
    )
    login(page, "t_dispatcher")
    page.keyboard.press("Alt+N")  # nav: 受理台
    page.wait_for_url(f"{live_server.url}/desk/intake/")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_phone'")
    page.keyboard.type("13800138000")
    page.locator("#caller-panel").get_by_text("王大妈").wait_for()
    page.keyboard.press("Alt+A")
    page.keyboard.press("Control+A")
    page.keyboard.type("泵房")
    option = page.locator("#address-options li", has_text="5区加压泵房")
    option.wait_for()
    assert "公建设施" in option.inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#id_address") == "5区加压泵房"
    _category(page, "爆管", "室外主管爆管")
    page.locator("#check-place", has_text="5区加压泵房").wait_for()
    page.locator("#suggested-crew", has_text="供水班").wait_for()
    page.keyboard.press("Alt+D")
    page.keyboard.type("泵房进水管爆裂")
    page.keyboard.press("Enter")

    page.locator(".msg-success").wait_for()
    order = WorkOrder.objects.get()
    assert order.facility == pump_house and order.room is None and order.crew == crew

    page.keyboard.press("Alt+B")  # nav: 调度看板
    page.wait_for_url(re.compile(r".*/desk/board/$"))
    row = page.locator(f"tr[data-number='{order.number}']")
    row.wait_for()
    assert "5区加压泵房" in row.inner_text()
    row.get_by_role("link", name=order.number).click()
    page.wait_for_url(re.compile(rf".*/orders/{order.pk}/$"))
    assert "5区加压泵房" in page.locator(".address").first.inner_text()


def test_dispatcher_takes_a_stairwell_fault_at_a_units_common_area(
    page, live_server, login, strict, dispatcher, room, crew, other_crew
):
    login(page, "t_dispatcher")
    page.keyboard.press("Alt+N")
    page.wait_for_url(f"{live_server.url}/desk/intake/")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_phone'")
    page.keyboard.type("13900139000")
    page.keyboard.press("Alt+A")
    page.keyboard.type("5区37栋")
    page.locator("#address-options li[data-kind=building]", has_text="5区37栋1单元").wait_for()
    page.keyboard.press("ArrowDown")  # the building itself
    page.keyboard.press("ArrowDown")  # its unit 1
    page.keyboard.press("Enter")
    assert page.input_value("#id_address") == "5区37栋1单元"
    page.keyboard.type(" 楼道灯")
    _category(page, "楼道灯", "楼道灯/路灯")
    page.locator("#check-place", has_text="5区37栋1单元 楼道灯").wait_for()
    page.keyboard.press("Alt+D")
    page.keyboard.type("三楼楼道灯不亮")
    page.keyboard.press("Enter")

    page.locator(".msg-success").wait_for()
    order = WorkOrder.objects.get()
    assert order.room is None and order.building == room.building
    assert order.location_label == "5区37栋1单元 楼道灯"
