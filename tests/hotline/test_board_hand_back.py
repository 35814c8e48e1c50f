"""A handed-back order (退单) on the board (issue 14, point 4): the badge, the reason and the crew's note, and the
dispatch control suggesting another crew than the one that refused it."""

from __future__ import annotations

import re

import pytest

from tests import factories as f
from workorders.actions.dispatching import hand_back_order
from workorders.models import WorkOrderEvent


def _row(page: str, number: str) -> str:
    match = re.search(rf'<tr[^>]*data-number="{number}".*?</tr>', page, re.S)
    assert match, number
    return match.group(0)


def _selected_crew(row: str) -> str:
    select = re.search(
        r'action="[^"]*/dispatch/".*?<select name="crew"[^>]*>(.*?)</select>', row, re.S
    ).group(1)
    return re.search(r'<option value="(\d+)" selected>', select).group(1)


@pytest.mark.django_db
def test_a_handed_back_order_shows_the_badge_the_reason_and_suggests_another_crew(
    dispatcher_client, leader, crew, make_order
):
    second = f.CrewFactory(name="供水二班", kind="water")
    order = make_order("dispatched")
    fresh = make_order("received", category="water.meter")
    hand_back_order(actor=leader.user, order_id=order.pk, reason="not_our_area", note="不归我们片区")
    event = WorkOrderEvent.objects.get(order=order, kind="hand_back")
    assert event.data == {"reason": "not_our_area", "crew": crew.pk}

    page = dispatcher_client.get("/desk/board/").content.decode()
    row = _row(page, order.number)
    assert "退单" in row and "非本辖区" in row and "不归我们片区" in row
    assert _selected_crew(row) == str(second.pk)
    assert f'<option value="{crew.pk}">供水班 （已退单）</option>' in row
    # A new order is not marked, and its control suggests the first crew of its trade, as before.
    fresh_row = _row(page, fresh.number)
    assert "退单" not in fresh_row
    assert _selected_crew(fresh_row) == str(second.pk)  # 供水二班 sorts before 供水班


@pytest.mark.django_db
def test_when_the_only_crew_of_the_trade_refused_another_crew_is_suggested(
    dispatcher_client, leader, crew, other_crew, make_order
):
    order = make_order("dispatched")
    hand_back_order(actor=leader.user, order_id=order.pk, reason="not_our_trade", note="这是电的问题")
    row = _row(dispatcher_client.get("/desk/board/").content.decode(), order.number)
    assert _selected_crew(row) == str(other_crew.pk)


@pytest.mark.django_db
def test_dispatching_from_the_board_after_a_hand_back_sends_it_to_the_chosen_crew(
    dispatcher_client, leader, make_order
):
    second = f.CrewFactory(name="供水二班", kind="water")
    order = make_order("dispatched")
    hand_back_order(actor=leader.user, order_id=order.pk, reason="not_our_area", note="不归我们片区")
    response = dispatcher_client.post(
        f"/desk/board/{order.pk}/dispatch/", {"status": "received", "crew": second.pk, "next": "/desk/board/"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "dispatched" and order.crew == second
