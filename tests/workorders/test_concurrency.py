"""Races on PostgreSQL: the row lock in `perform` and the day counter keep concurrent requests consistent.

Each thread has its own database connection and closes it (STACK-NOTES #15); the test is transactional so
the threads see each other's commits, and serialized_rollback restores the seeded categories afterwards."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import COMPLETE_KWARGS, leaf_category
from workorders.actions import TransitionNotAllowed
from workorders.actions.dispatching import dispatch_order
from workorders.actions.escalation import escalate_overdue
from workorders.actions.field_work import complete_order
from workorders.actions.intake import create_order
from workorders.models import Escalation, WorkOrder

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls at the same moment in threads; each result is the return value or the exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # collected, asserted by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_workers_completing_at_once_write_one_event(make_order, worker):
    order = make_order("on_site")
    results = race(*[lambda: complete_order(actor=worker.user, order_id=order.id, **COMPLETE_KWARGS)] * 2)
    assert all(isinstance(r, WorkOrder) for r in results), results
    order.refresh_from_db()
    assert order.status == "completed"
    assert order.events.filter(kind="complete").count() == 1
    assert order.materials.count() == len(COMPLETE_KWARGS["materials"])  # not written twice


def test_two_dispatchers_dispatching_at_once_write_one_event(make_order, dispatcher, crew):
    order = make_order("received")
    results = race(*[lambda: dispatch_order(actor=dispatcher, order_id=order.id, crew=crew)] * 2)
    assert all(isinstance(r, WorkOrder) for r in results), results
    order.refresh_from_db()
    assert (order.status, order.crew_id) == ("dispatched", crew.id)
    assert order.events.filter(kind="dispatch").count() == 1


def test_dispatching_to_two_crews_at_once_one_wins_the_other_gets_409(
    make_order, dispatcher, crew, other_crew
):
    order = make_order("received")
    results = race(
        lambda: dispatch_order(actor=dispatcher, order_id=order.id, crew=crew),
        lambda: dispatch_order(actor=dispatcher, order_id=order.id, crew=other_crew),
    )
    refused = [r for r in results if isinstance(r, TransitionNotAllowed)]
    done = [r for r in results if isinstance(r, WorkOrder)]
    assert (len(done), len(refused)) == (1, 1), results
    order.refresh_from_db()
    assert order.crew_id == done[0].crew_id
    event = order.events.get(kind="dispatch")
    assert event.data["crew"] == order.crew_id


def test_fifty_orders_created_at_once_get_fifty_numbers(room, dispatcher):
    category = leaf_category("water.leak_fitting")

    def create(i: int) -> str:
        try:
            return create_order(
                actor=dispatcher, category=category, room=room, description=f"并发报修{i}"
            ).number
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        numbers = list(pool.map(create, range(50)))
    assert len(set(numbers)) == 50
    day = timezone.localdate().strftime("%Y%m%d")
    assert sorted(numbers) == [f"{day}-{n:04d}" for n in range(1, 51)]
    assert WorkOrder.objects.count() == 50


def test_two_sla_watches_at_once_escalate_once(make_order):
    order = make_order("received", category="water.main_burst")
    later = order.due_at + timedelta(hours=2)
    results = race(lambda: escalate_overdue(now=later), lambda: escalate_overdue(now=later))
    assert sum(results) == 3, results  # leader, manager, 督办 — once each
    assert Escalation.objects.filter(order=order).count() == 3
    assert order.events.filter(kind="escalate").count() == 3
