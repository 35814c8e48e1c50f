"""Outage notices through a real `celery -A config worker` against Redis and PostgreSQL: each phone gets one
notice per outage and event, also when the tasks run twice and when the worker is killed mid-batch.

Run: DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… pytest -m celery_worker tests/operations (skipped
otherwise). The worker helpers are the feedback test's (a slow file backend the test can kill mid-send)."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from operations import services, tasks
from operations.models import OutageNotice
from tests import factories as f
from tests.feedback.test_celery_worker import broker, celery_worker, sent_keys, wait_until  # noqa: F401

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def district_with_homes(district):
    """A building of 12 homes: 10 with their own phone, one pair sharing a phone, one with two phones."""
    building = f.BuildingFactory(district=district, number=37, label="5区37栋")
    unit = f.UnitFactory(building=building, number=1, label="5区37栋1单元")
    for i in range(12):
        room = f.RoomFactory(unit=unit, number=f"{i + 1:03d}")
        phone = "13900000000" if i in (10, 11) else f"1380000{i:04d}"
        f.ResidencyFactory(
            resident=f.ResidentFactory(phone=phone, alt_phone="13700000000" if i == 0 else ""), room=room
        )
    return building


def _plan(manager, building):
    now = timezone.now()
    return services.plan_outage(
        actor=manager,
        title="更换阀门",
        system="water",
        district=building.district,
        buildings=[building],
        starts_at=now + timedelta(hours=2),
        expected_end_at=now + timedelta(hours=6),
        notice_lead_minutes=180,  # due at once
    )


def _expected(incident, event="advance") -> set[str]:
    return {n.key for n in OutageNotice.objects.filter(run__incident=incident, run__event=event)}


def test_notices_run_twice_send_once_per_phone(broker, manager, district_with_homes, tmp_path):  # noqa: F811
    sms_file = tmp_path / "sms.jsonl"
    with celery_worker(sms_file):
        incident = _plan(manager, district_with_homes)
        expected = _expected(incident)
        assert len(expected) == 12  # 10 own phones, the shared one once, the second phone of home 0
        run_id = incident.notice_runs.get().pk
        for _ in range(2):  # the task and the beat's sweeps again on top
            tasks.send_outage_notices_task.delay(run_id)
            tasks.queue_due_outage_notices_task.delay()
            tasks.retry_outage_notices_task.delay()
        wait_until(lambda: set(sent_keys(sms_file)) == expected, what="every notice")
        time.sleep(2.0)
    keys = sent_keys(sms_file)
    assert set(keys) == expected and all(n == 1 for n in keys.values()), keys
    assert set(OutageNotice.objects.values_list("status", flat=True)) == {"sent"}


def test_killing_the_worker_mid_batch_loses_nothing_and_duplicates_nothing(
    broker,  # noqa: F811
    manager,
    district_with_homes,
    tmp_path,
):
    sms_file = tmp_path / "sms.jsonl"
    incident = _plan(manager, district_with_homes)  # the worker is down: the batch task waits in Redis
    expected = _expected(incident)
    with celery_worker(sms_file, slow=0.5) as proc:
        wait_until(lambda: sum(sent_keys(sms_file).values()) >= 2, what="the first notices")
        os.killpg(proc.pid, signal.SIGKILL)  # mid-batch: some sent, one in flight, the rest claimed
        proc.wait()
    sent_before = sum(sent_keys(sms_file).values())
    assert sent_before < len(expected), "the worker finished before it could be killed"
    assert OutageNotice.objects.filter(status="sending").exists()  # the dead worker's claim
    celery_app.control.purge()  # the re-delivered task is lost too: only the sweep is left
    with celery_worker(sms_file):
        tasks.retry_outage_notices_task.delay(0)  # stale at once: nothing else sends while this runs
        wait_until(lambda: set(sent_keys(sms_file)) == expected, timeout=90, what="every notice")
        tasks.retry_outage_notices_task.delay(0)
        time.sleep(2.0)
    keys = sent_keys(sms_file)
    assert set(keys) == expected
    assert all(n == 1 for n in keys.values()), keys
    assert set(OutageNotice.objects.values_list("status", flat=True)) == {"sent"}
