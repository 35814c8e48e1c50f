"""Shared fixtures: the role cast of STYLE.md (a dispatcher, a leader and a worker of the order's crew, a leader
of another crew, a manager, an anonymous client), places, and Celery patched to run in-process."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from config.celery import app as celery_app
from tests import factories as f


@pytest.fixture(autouse=True)
def _celery_eager():
    """The Celery app reads its config once; patch it rather than settings (STACK-NOTES #2)."""
    old = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = old


# A Monday at 10:00 Beijing time, in working hours and no holiday. Working hours, the duty roster, "today" and
# the follow-up and rating-link deadlines read the clock, so a suite run at night or on a holiday would see
# other counts and results (STACK-NOTES #17). Tests that care about an hour pass their own `now=`.
SUITE_CLOCK = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _suite_clock(request):
    """Every test starts at SUITE_CLOCK and the clock then runs on. Browser tests and real-worker tests talk to
    processes that keep the real clock (Chromium's cookies, the Celery worker), so they keep it too."""
    if request.node.get_closest_marker("browser") or request.node.get_closest_marker("celery_worker"):
        yield
        return
    with time_machine.travel(SUITE_CLOCK, tick=True):
        yield


@pytest.fixture
def district(db):
    return f.DistrictFactory(number=5)


@pytest.fixture
def building(district):
    return f.BuildingFactory(district=district, number=37, label="5区37栋")


@pytest.fixture
def unit(building):
    return f.UnitFactory(building=building, number=1, label="5区37栋1单元")


@pytest.fixture
def room(unit):
    return f.RoomFactory(unit=unit, number="302", floor=3)


@pytest.fixture
def resident(room):
    resident = f.ResidentFactory(name="王大妈", phone="13800138000")
    f.ResidencyFactory(resident=resident, room=room)
    return resident


@pytest.fixture
def crew(db):
    return f.CrewFactory(name="供水班", kind="water")


@pytest.fixture
def other_crew(db):
    return f.CrewFactory(name="电工班", kind="electrical")


@pytest.fixture
def dispatcher(db):
    return f.UserFactory(username="t_dispatcher", role="dispatcher")


@pytest.fixture
def manager(db):
    return f.UserFactory(username="t_manager", role="manager")


@pytest.fixture
def leader(crew):
    return f.LeaderFactory(crew=crew, user__username="t_leader")


@pytest.fixture
def worker(crew):
    return f.WorkerFactory(crew=crew, user__username="t_worker")


@pytest.fixture
def other_worker(crew):
    return f.WorkerFactory(crew=crew, user__username="t_worker2")


@pytest.fixture
def other_leader(other_crew):
    return f.LeaderFactory(crew=other_crew, user__username="t_leader_other")


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def anon_client():
    return Client()


@pytest.fixture
def dispatcher_client(dispatcher):
    return _client_for(dispatcher)


@pytest.fixture
def manager_client(manager):
    return _client_for(manager)


@pytest.fixture
def leader_client(leader):
    return _client_for(leader.user)


@pytest.fixture
def worker_client(worker):
    return _client_for(worker.user)


@pytest.fixture
def other_leader_client(other_leader):
    return _client_for(other_leader.user)


@pytest.fixture
def other_worker_client(other_worker):
    return _client_for(other_worker.user)


@pytest.fixture
def make_order(room, dispatcher, leader, worker, manager):
    """make_order(status="received", **create_kwargs): an order created and driven by the services."""
    from workorders.actions.intake import create_order

    def make(status: str = "received", *, now=None, category: str = "water.leak_fitting", **kwargs):
        kwargs.setdefault("room", room)
        kwargs.setdefault("description", "厨房水管接头漏水")
        kwargs.setdefault("reporter_phone", "13800138000")
        order = create_order(actor=dispatcher, category=f.leaf_category(category), now=now, **kwargs)
        order = f.drive_order(
            order, status, dispatcher=dispatcher, leader=leader, worker=worker, manager=manager, now=now
        )
        order.refresh_from_db()
        return order

    return make


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.postgres` tests need PostgreSQL itself (row locks across threads…): skip them on SQLite,
    saying why, so the default run stays green and CI (DATABASE_URL set) runs them (STACK-NOTES #14)."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (set DATABASE_URL=postgres://…); SQLite has no row locks"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# --- celery_worker marker (feedback): a real worker needs a real broker and a database it can share ---


def pytest_runtest_setup(item):
    if item.get_closest_marker("celery_worker") is None:
        return
    import os

    if not (os.environ.get("CELERY_BROKER_URL") or "").startswith(("redis://", "rediss://")):
        pytest.skip("celery_worker tests need CELERY_BROKER_URL=redis://… (a real broker)")
    if not (os.environ.get("DATABASE_URL") or "").startswith(("postgres://", "postgresql://")):
        pytest.skip(
            "celery_worker tests need DATABASE_URL=postgres://… (a worker process cannot share SQLite's test db)"
        )
