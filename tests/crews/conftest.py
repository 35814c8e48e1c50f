"""Helpers for the register import tests: build .xlsx/.csv files in memory and run an import through the
services exactly as the task does (preview, confirm, import)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from crews import services
from crews.models import ImportJob

PLACES_HEADER = ["区", "栋", "单元", "室", "楼层", "姓名", "电话", "其他电话", "关系", "备注"]


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def read_xlsx(content: bytes) -> list[list]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def preview(user, kind: str, content: bytes, name: str = "registers.xlsx") -> ImportJob:
    job = services.start_import(actor=user, kind=kind, upload=SimpleUploadedFile(name, content), queue=False)
    services.preview_import(job_id=job.pk)
    job.refresh_from_db()
    return job


def run(job: ImportJob, *, user=None, end_moved_out: bool = False) -> ImportJob:
    services.confirm_import(actor=user, job_id=job.pk, end_moved_out=end_moved_out, queue=False)
    services.run_import(job_id=job.pk)
    job.refresh_from_db()
    return job


@pytest.fixture
def import_file(manager):
    """import_file(rows or bytes, kind=…, name=…) → the finished job (preview + import)."""

    def do(content, kind: str = "places_residents", name: str = "registers.xlsx", end_moved_out=False):
        data = content if isinstance(content, bytes) else xlsx(content)
        job = preview(manager, kind, data, name)
        assert job.status == "ready", job.failure
        return run(job, user=manager, end_moved_out=end_moved_out)

    return do
