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
