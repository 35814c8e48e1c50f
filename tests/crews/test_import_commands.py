"""The old .xls format and the management commands (import_registers, export_registers)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from crews.models import ImportJob
from residents.models import Resident

from .conftest import read_xlsx, xlsx

pytestmark = pytest.mark.django_db

XLS = Path(__file__).parent / "data" / "registers.xls"  # written by xlwt, as old office PCs save it


def test_an_old_xls_file_imports_with_its_row_numbers(import_file):
    job = import_file(XLS.read_bytes(), name="registers.xls")
    assert (job.created, job.error_count) == (2, 1)
    assert job.errors == [{"row": 4, "column": "电话", "message": "电话号码 1390013 位数不对。"}]
    assert set(Resident.objects.values_list("name", "phone")) == {
        ("王秀英", "13800138000"),
        ("李建国", "13900139000"),
    }


def test_the_command_previews_then_imports_with_yes(manager, tmp_path):
    path = tmp_path / "住户.xlsx"
    path.write_bytes(
        xlsx([["地址", "户主", "电话"], ["5-37-1-302", "王秀英", "13800138000"], ["5-37-1-303", "李四", "1"]])
    )
    out = StringIO()
    call_command("import_registers", "places_residents", str(path), "--user", manager.username, stdout=out)
    assert (
        "ready · rows 2 · created 1" in out.getvalue() and "第 3 行：电话号码 1 位数不对。" in out.getvalue()
    )
    assert Resident.objects.count() == 0
    out = StringIO()
    call_command(
        "import_registers", "places_residents", str(path), "--user", manager.username, "--yes", stdout=out
    )
    assert "done · rows 2 · created 1" in out.getvalue()
    assert Resident.objects.get().name == "王秀英"
    assert ImportJob.objects.latest("id").created_by == manager


def test_the_command_refuses_a_missing_file_or_user(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_registers", "staff", str(tmp_path / "none.xlsx"))
    with pytest.raises(CommandError):
        call_command("import_registers", "staff", str(XLS), "--user", "nobody")
    with pytest.raises(CommandError):
        call_command("import_registers", "staff", str(tmp_path))


def test_the_export_command_writes_the_template_layout(import_file, tmp_path):
    import_file([["区", "名称", "类型"], [5, "5区加压泵房", "泵房"]], kind="facilities")
    target = tmp_path / "facilities.xlsx"
    call_command("export_registers", "facilities", str(target), stdout=StringIO())
    assert read_xlsx(target.read_bytes()) == [["区", "名称", "类型"], ["5", "5区加压泵房", "泵房"]]
