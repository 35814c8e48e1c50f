"""Outages in a real browser: a water crew leader plans one and sees the count of affected homes before and
after saving; the caller screen of a resident in the area offers the outage and logs the call against it.
Every page visited must have no console error, page error or unexpected 4xx/5xx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.models import Call
from operations import services
from tests import factories as f
from workorders.models import Incident, WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def problems(page):
    """Console errors, page errors and 4xx/5xx responses of the pages visited. A failed load shows twice (a
    response and a console line): it is counted by its response, with its URL. The browser's own request for
    /favicon.ico (the site has no icon; no page asks for it) is left out."""
    found: list[str] = []

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            found.append(f"{response.status} {response.url}")

    def on_console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            found.append(f"console: {message.text}")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda e: found.append(f"pageerror: {e}"))
    return found


@pytest.fixture
def homes(district, building, unit, room, resident):
    f.ResidencyFactory(
        resident=f.ResidentFactory(name="张三", phone="13900000001"),
        room=f.RoomFactory(unit=unit, number="303"),
    )
    other = f.BuildingFactory(district=district, number=38, label="5区38栋")
    f.RoomFactory(unit=f.UnitFactory(building=other, number=1, label="5区38栋1单元"), number="101")
    return building


def test_leader_plans_an_outage_and_sees_the_affected_homes(
    page, live_server, login, artifacts, problems, leader, homes
):
    login(page, "t_leader")
    page.get_by_role("link", name="停水停电").click()
    page.get_by_role("link", name="安排停水停电").click()
    # The district's change handler is a deferred script: act once the plan page has loaded, not the calendar.
    page.wait_for_url("**/outages/new/")
    page.wait_for_load_state("load")
    page.get_by_label("小区").select_option(label=homes.district.name)  # reloads the area choices
    page.wait_for_url("**district=*")
    page.get_by_label("原因").fill("更换主管阀门")
    page.get_by_label("楼栋").select_option(label="5区37栋")  # htmx counts at once
    page.locator("#affected", has_text="影响 2 户").wait_for()
    page.get_by_role("button", name="计算影响户数").click()
    page.locator("#affected", has_text="影响 2 户").wait_for()
    assert Incident.objects.count() == 0  # nothing saved before the leader confirms
    page.screenshot(path=str(artifacts / "outage-plan.png"), full_page=True)
    page.get_by_role("button", name="确认安排").click()
    page.locator(".msg-success", has_text="影响2户").wait_for()
    incident = Incident.objects.get()
    assert incident.affected_homes == 2 and incident.kind == "planned" and incident.system == "water"
    assert page.locator(".ops-facts .ops-count").inner_text() == "2"
    page.screenshot(path=str(artifacts / "outage-detail.png"), full_page=True)
    page.get_by_role("link", name="停水停电日历").click()
    page.get_by_role("link", name="更换主管阀门").wait_for()
    assert problems == []


def test_caller_screen_of_a_resident_in_the_area_shows_the_outage(
    page, live_server, login, artifacts, problems, dispatcher, manager, homes
):
    now = timezone.now()
    incident = services.plan_outage(
        actor=manager,
        title="加压泵房检修",
        system="water",
        district=homes.district,
        buildings=[homes],
        starts_at=now + timedelta(hours=20),
        expected_end_at=now + timedelta(hours=26),
    )
    login(page, "t_dispatcher")
    page.keyboard.press("Alt+N")
    page.wait_for_url(f"{live_server.url}/desk/intake/")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_phone'")
    page.keyboard.type("13800138000")
    panel = page.locator("#caller-panel")
    panel.get_by_text("加压泵房检修").wait_for()
    page.screenshot(path=str(artifacts / "outage-caller-screen.png"))
    panel.get_by_role("button", name="来电并入此停水/停电").click()
    page.locator(".msg-success").wait_for()
    call = Call.objects.get()
    assert call.incident == incident and not WorkOrder.objects.exists()
    assert problems == []
