"""A real `celery -A config worker` subprocess against Redis and PostgreSQL (the acceptance of issue 6).

Run: DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… pytest -m celery_worker tests/feedback
(skipped otherwise; see the hook in tests/conftest.py). The worker uses the test's own database (its name is
passed in DATABASE_URL) and writes SMS through a slow file backend, so the test can kill it mid-send."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app as celery_app
from feedback import tasks
from feedback.actions.follow_ups import record_attempt
from feedback.models import FollowUp, Notification

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker():
    """Tasks go to Redis in this test (the autouse fixture made them eager); the queue starts empty."""
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    yield
    celery_app.control.purge()


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def celery_worker(sms_file: Path, slow: float = 0.0):
    """Start a worker on the test database; yields the process; stops it (TERM) unless the test killed it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": "celery-worker-test-secret-key-0123456789abcdefghijklmnop",
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SMS_BACKEND": "tests.feedback.backends.SlowFileBackend",
        "SMS_FILE_PATH": str(sms_file),
        "SMS_SLOW_SECONDS": str(slow),
        "LOG_LEVEL": "WARNING",
    }
    log = open(sms_file.with_suffix(".log"), "ab")  # noqa: SIM115 — kept open for the process's life
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"bst-test-{os.getpid()}@%h",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def wait_until(predicate, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what or predicate}")


def sent_keys(sms_file: Path) -> Counter:
    if not sms_file.exists():
        return Counter()
    return Counter(
        json.loads(line)["key"] for line in sms_file.read_text(encoding="utf-8").splitlines() if line
    )


def _complete(make_order, n: int = 1):
    return [make_order("completed") for _ in range(n)]


def _sms_keys(order) -> set[str]:
    """The SMS an order completed through the lifecycle sends: three to the resident, one to the worker when
    it was assigned to them (its key names the assignment's event)."""
    resident = {f"{kind}:{order.id}:0" for kind in ("order_received", "worker_on_way", "order_completed")}
    worker = set(
        Notification.objects.filter(key__startswith=f"worker_assigned:{order.id}:").values_list(
            "key", flat=True
        )
    )
    assert len(worker) == 1, worker
    return resident | worker


def test_completing_an_order_produces_exactly_one_follow_up(broker, make_order, tmp_path):
    sms_file = tmp_path / "sms.jsonl"
    with celery_worker(sms_file):
        (order,) = _complete(make_order)
        wait_until(lambda: FollowUp.objects.filter(work_order=order).exists(), what="the follow-up")
        # The signal's task again, and the sweep twice: still exactly one.
        tasks.create_follow_up_task.delay(order.id)
        tasks.release_follow_ups_task.delay()
        tasks.release_follow_ups_task.delay()
        wait_until(lambda: sum(sent_keys(sms_file).values()) == 4, what="four SMS")
        time.sleep(1.0)
    assert FollowUp.objects.filter(work_order=order).count() == 1
    # The resident's three, and the worker's when the order was assigned to them (crew notices).
    assert sorted(k.split(":")[0] for k in sent_keys(sms_file)) == [
        "order_completed",
        "order_received",
        "worker_assigned",
        "worker_on_way",
    ]


def test_release_and_sms_tasks_run_twice_send_one_sms(broker, make_order, dispatcher, tmp_path):
    sms_file = tmp_path / "sms.jsonl"
    with celery_worker(sms_file):
        (order,) = _complete(make_order)
        wait_until(lambda: FollowUp.objects.filter(work_order=order).exists(), what="the follow-up")
        fu = FollowUp.objects.get(work_order=order)
        t = fu.due_at
        for hours in (0, 3, 6):  # the third failure queues the link on commit…
            record_attempt(
                actor=dispatcher, follow_up_id=fu.id, outcome="no_answer", now=t + timedelta(hours=hours)
            )
        for _ in range(2):  # …and the beat's tasks run twice on top
            tasks.release_follow_ups_task.delay()
            tasks.send_rating_links_task.delay()
            tasks.send_rating_link_task.delay(fu.id)
            tasks.retry_notifications_task.delay()
        wait_until(lambda: sent_keys(sms_file)[f"rating_link:{fu.id}"] >= 1, what="the rating link")
        time.sleep(2.0)  # let any duplicate show up
    keys = sent_keys(sms_file)
    assert keys[f"rating_link:{fu.id}"] == 1
    assert all(count == 1 for count in keys.values()), keys
    assert Notification.objects.get(kind="rating_link").status == "sent"
    fu.refresh_from_db()
    assert fu.status == "link_sent"


def test_killing_the_worker_mid_way_loses_nothing_and_duplicates_nothing(broker, make_order, tmp_path):
    sms_file = tmp_path / "sms.jsonl"
    orders = _complete(make_order, 4)  # the worker is down: 4 follow-up tasks and 16 SMS wait in Redis
    expected = set().union(*(_sms_keys(o) for o in orders))
    assert set(Notification.objects.values_list("key", flat=True)) == expected  # the rows are the truth
    with celery_worker(sms_file, slow=0.7) as proc:
        wait_until(lambda: sum(sent_keys(sms_file).values()) >= 2, what="the first SMS")
        os.killpg(proc.pid, signal.SIGKILL)  # mid-way: some sent, one probably claimed, the rest queued
        proc.wait()
    done_before = sum(sent_keys(sms_file).values())
    print(
        "killed after",
        done_before,
        "SMS;",
        Notification.objects.filter(status="sending").count(),
        "claimed in flight",
    )
    assert done_before < len(expected), "the worker finished before it could be killed"
    # The broker loses what was still queued, and one more order completes while the worker is down.
    celery_app.control.purge()
    (late,) = _complete(make_order)
    celery_app.control.purge()
    expected |= _sms_keys(late)
    # Re-run: a fresh worker and the beat's sweeps (a stale claim counts as lost at once here: stale_after=0,
    # safe because nothing else is sending while the solo worker runs this task).
    with celery_worker(sms_file):
        tasks.release_follow_ups_task.delay()
        tasks.retry_notifications_task.delay(0)
        wait_until(lambda: set(sent_keys(sms_file)) == expected, timeout=90, what="every SMS")
        wait_until(lambda: FollowUp.objects.count() == 5, what="every follow-up")
        tasks.release_follow_ups_task.delay()
        tasks.retry_notifications_task.delay(0)
        time.sleep(2.0)
    keys = sent_keys(sms_file)
    assert set(keys) == expected
    assert all(count == 1 for count in keys.values()), keys
    assert FollowUp.objects.count() == 5
    assert set(FollowUp.objects.values_list("work_order_id", flat=True)) == {o.id for o in [*orders, late]}
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
