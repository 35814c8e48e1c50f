"""A real `celery -A config worker` imports a register, is killed (SIGKILL) mid-file and the import is re-run:
the registers end exactly as one clean run leaves them, with whole batches only in between.

Run: DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… pytest -m celery_worker tests/crews (skipped
otherwise, see tests/conftest.py). The worker is the one tests/feedback/test_celery_worker.py starts."""

from __future__ import annotations

import os
import signal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from config.celery import app as celery_app
from crews import services
from crews.models import ImportJob
from residents.models import Residency, Resident, Room
from tests.feedback.test_celery_worker import celery_worker, wait_until

from .conftest import PLACES_HEADER, preview, run, xlsx

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROWS = 3000


@pytest.fixture
def broker(monkeypatch):
    """Tasks go to Redis; the worker reads the uploads from this test's media folder, 50 rows a batch with a
    pause after each, so that it can be caught mid-file."""
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))
    monkeypatch.setenv("IMPORTS_BATCH_ROWS", "50")
    monkeypatch.setenv("IMPORTS_BATCH_PAUSE_MS", "100")
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    yield
    celery_app.control.purge()


def _file() -> bytes:
    rows = [PLACES_HEADER]
    for i in range(ROWS):
        building, rest = divmod(i, 300)
        unit, room = divmod(rest, 30)
        rows.append([7, building + 1, unit + 1, 101 + room, "", f"住户{i}", f"135{i:08d}", "", "户主", ""])
    rows[1234][6] = "135-1234"  # one bad row: it never stops the others
    return xlsx(rows)


def _state() -> set[tuple]:
    return set(
        Residency.objects.values_list(
            "room__label", "room__floor", "resident__name", "resident__phone", "relation", "resident__notes"
        )
    )


def _done(job_id: int, status: str):
    return lambda: ImportJob.objects.get(pk=job_id).status == status


def test_killing_the_worker_mid_import_then_rerunning_gives_one_clean_runs_state(broker, manager, tmp_path):
    content = _file()
    log = tmp_path / "worker.jsonl"
    with celery_worker(log) as proc:
        job = services.start_import(
            actor=manager, kind="places_residents", upload=SimpleUploadedFile("base.xlsx", content)
        )
        wait_until(_done(job.pk, "ready"), timeout=120, what="the preview")
        job.refresh_from_db()
        assert (job.rows_total, job.created, job.error_count) == (ROWS, ROWS - 1, 1)
        services.confirm_import(actor=manager, job_id=job.pk)
        wait_until(lambda: ImportJob.objects.get(pk=job.pk).rows_done >= 600, timeout=120, what="600 rows")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    job.refresh_from_db()
    print("killed after", job.rows_done, "rows,", job.batches_done, "batches")
    assert job.status == "running" and job.rows_done < ROWS, "the worker finished before it could be killed"
    # Whole batches only: every committed row has its room, resident and residency, and nothing more.
    assert job.rows_done == job.batches_done * 50
    assert Resident.objects.count() == Room.objects.count() == Residency.objects.count()
    assert Resident.objects.count() in (job.rows_done, job.rows_done - 1)  # the bad row may be in them

    celery_app.control.purge()
    with celery_worker(log):
        services.resume_import(actor=manager, job_id=job.pk)
        wait_until(_done(job.pk, "done"), timeout=180, what="the resumed import")
    job.refresh_from_db()
    assert (job.rows_done, job.created, job.updated, job.unchanged, job.error_count) == (
        ROWS,
        ROWS - 1,
        0,
        0,
        1,
    )
    assert job.errors == [{"row": 1235, "column": "电话", "message": "电话号码 1351234 位数不对。"}]
    after_crash = _state()
    assert len(after_crash) == ROWS - 1

    # One clean run of the same file on empty registers (in-process) leaves exactly the same state…
    Residency.objects.all().delete()
    Resident.objects.all().delete()
    Room.objects.all().delete()
    celery_app.conf.task_always_eager = True
    clean = run(preview(manager, "places_residents", content), user=manager)
    assert clean.created == ROWS - 1
    assert _state() == after_crash
    # …and importing it once more changes nothing.
    again = run(preview(manager, "places_residents", content), user=manager)
    assert (again.created, again.updated, again.unchanged) == (0, 0, ROWS - 1)
