"""Register imports (issue 19): places and residents, staff, facilities — preview, idempotence, errors with
their row numbers, moved-out residents, resume after a crash, templates and the export round trip."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crews import services
from crews.models import Crew, ImportJob, Worker
from residents.models import AuditEntry, Facility, Residency, Resident, Room
from residents.registers import PlacesRegister
from tests import factories as f

from .conftest import PLACES_HEADER, csv_bytes, preview, read_xlsx, run, xlsx

pytestmark = pytest.mark.django_db


def homes(n: int, start: int = 1) -> list[list]:
    """n rows: one resident per home in 5区37栋1单元, rooms 101, 102, …"""
    return [
        [5, 37, 1, 100 + i, 1, f"住户{i}", f"139{i:08d}", "", "户主", ""] for i in range(start, start + n)
    ]


def state() -> set[tuple]:
    """Everything the places import writes, by natural key (ids differ between runs)."""
    return {
        (
            link.room.label,
            link.room.floor,
            link.resident.name,
            link.resident.phone,
            link.resident.alt_phone,
            link.resident.notes,
            link.relation,
        )
        for link in Residency.objects.select_related("room", "resident")
    } | {(room.label, room.floor) for room in Room.objects.all()}


# --- Places and residents ----------------------------------------------------------------------------------


def test_preview_writes_nothing_and_counts_every_outcome(manager, resident):
    rows = [
        PLACES_HEADER,
        [5, 37, 1, 302, 3, "王大妈", "13800138000", "", "户主", ""],  # resident fixture: unchanged
        [5, 37, 1, 303, 3, "李四", "13900139000", "", "户主", ""],  # new
        [5, 37, 1, 304, 3, "张三", "1390013", "", "", ""],  # error
    ]
    audit_before = AuditEntry.objects.count()
    job = preview(manager, "places_residents", xlsx(rows))
    assert (job.status, job.rows_total, job.created, job.updated, job.unchanged, job.error_count) == (
        "ready",
        3,
        1,
        0,
        1,
        1,
    )
    assert job.errors == [{"row": 4, "column": "电话", "message": "电话号码 1390013 位数不对。"}]
    assert Room.objects.count() == 1 and Resident.objects.count() == 1
    assert AuditEntry.objects.count() == audit_before


def test_import_creates_rooms_residents_and_residencies_and_audits_each(import_file, manager):
    job = import_file([PLACES_HEADER, *homes(3)])
    assert (job.status, job.created, job.updated, job.unchanged, job.error_count) == ("done", 3, 0, 0, 0)
    assert sorted(Room.objects.values_list("label", flat=True)) == [
        "5区37栋1单元101室",
        "5区37栋1单元102室",
        "5区37栋1单元103室",
    ]
    assert Residency.objects.filter(relation="owner").count() == 3
    adds = AuditEntry.objects.filter(actor=manager, action="add")
    assert adds.filter(model="residents.room").count() == 3
    assert adds.filter(model="residents.resident").count() == 3
    # A new resident's home is in their own entry (as register_resident records it), not a separate one.
    assert adds.filter(model="residents.residency").count() == 0
    first = adds.get(model="residents.resident", object_repr="住户1").changes
    assert first["room"][1].startswith("5区37栋1单元101室 (#") and first["relation"] == [None, "owner"]
    assert adds.filter(model="residents.unit").count() == 1  # 5区, 37栋 and 1单元 were new too
    entry = AuditEntry.objects.get(model="crews.importjob")
    assert entry.actor == manager and entry.object_id == str(job.pk)
    assert entry.changes["file_name"] == [None, "registers.xlsx"]
    assert entry.changes["created"] == [None, 3] and entry.changes["errors"] == [None, 0]


def test_importing_the_same_file_twice_changes_nothing(import_file):
    rows = [
        PLACES_HEADER,
        *homes(40),
        [5, 37, 2, 201, "", "赵六", "13700137000/13600136000", "", "租户", "独居老人"],
    ]
    import_file(rows)
    before, audits = state(), AuditEntry.objects.exclude(model="crews.importjob").count()
    again = import_file(rows)
    assert (again.created, again.updated, again.unchanged, again.error_count) == (0, 0, 41, 0)
    assert state() == before
    assert AuditEntry.objects.exclude(model="crews.importjob").count() == audits


def test_an_updated_file_changes_exactly_the_changed_rows(import_file):
    rows = [PLACES_HEADER, *homes(20)]
    import_file(rows)
    rows[3] = [*rows[3][:9], "行动不便"]  # notes of row 4
    rows[7] = [*rows[7][:8], "租户", ""]  # relation of row 8
    rows[10] = [*rows[10][:7], "0991-4567890", *rows[10][8:]]  # other phone of row 11
    audits = AuditEntry.objects.filter(action="change").count()
    job = import_file(rows)
    assert (job.created, job.updated, job.unchanged) == (0, 3, 17)
    changes = AuditEntry.objects.filter(action="change").order_by("id")[audits:]
    assert [(c.model, c.changes) for c in changes] == [
        ("residents.resident", {"notes": ["", "行动不便"]}),
        ("residents.resident", {"alt_phone": ["", "09914567890"]}),
        ("residents.residency", {"relation": ["owner", "tenant"]}),
    ]
    assert Resident.objects.get(name="住户3").notes == "行动不便"


def test_an_imports_statements_do_not_grow_with_its_rows(manager, settings):
    """A batch is a few statements whatever its rows: new buildings and units, rooms, residents, residencies
    and their audit rows in bulk, and the changes of a second file too (4× the rows, the same statements)."""
    settings.IMPORTS_BATCH_ROWS = 500
    counts = []
    for n, district in ((5, 6), (20, 7)):  # SQLite splits an INSERT of over 999 values: a few rows
        rows = [PLACES_HEADER]
        rows += [
            [district, i, 1, 101, 1, f"住户{i}", f"13{district}{i:08d}", "", "户主", ""]
            for i in range(1, n + 1)
        ]
        with CaptureQueriesContext(connection) as created:
            run(preview(manager, "places_residents", xlsx(rows)), user=manager)
        rows[1:] = [[*row[:4], 2, *row[5:8], "租户", "独居老人"] for row in rows[1:]]
        with CaptureQueriesContext(connection) as changed:
            job = run(preview(manager, "places_residents", xlsx(rows)), user=manager)
        assert (job.created, job.updated) == (0, n)
        counts.append((len(created), len(changed)))
    assert counts[0] == counts[1]
    assert AuditEntry.objects.filter(model="residents.building", action="add").count() == 25
    assert AuditEntry.objects.filter(model="residents.room", action="change").count() == 25


def test_header_variants_one_cell_addresses_full_width_digits_spaces_and_phone_separators(import_file):
    rows = [
        ["  地址 ", "户主", "联系电话", "说明", "人口"],
        ["5区37栋1单元302室", "王秀英", "138-0013-8000", "独居老人", 1],
        ["5-37-1-303", " 李 建国 ", "139 0013 9000；0991 4567890", "", 3],
        ["５区３７栋１单元３０４室", "张三", "（137）0013 7000", "", 2],
        ["5区37号楼1门305", "赵四", "+86 136 0013 6000", "", 2],
    ]
    job = import_file(rows)
    assert (job.created, job.error_count) == (4, 0)
    assert job.ignored_columns == ["人口"]
    people = {r.name: r for r in Resident.objects.all()}
    assert people["王秀英"].phone == "13800138000" and people["王秀英"].notes == "独居老人"
    assert (people["李 建国"].phone, people["李 建国"].alt_phone) == ("13900139000", "09914567890")
    assert people["张三"].phone == "13700137000" and people["赵四"].phone == "13600136000"
    assert set(Room.objects.values_list("label", "floor")) == {
        ("5区37栋1单元302室", 3),
        ("5区37栋1单元303室", 3),
        ("5区37栋1单元304室", 3),
        ("5区37栋1单元305室", 3),
    }


@pytest.mark.parametrize(
    "header",
    [
        ["区", "楼号", "单元号", "房号", "户主姓名", "手机"],
        ["小区", "楼栋", "门", "门牌号", "住户", "手机号码"],
        ["区*", "栋(必填)", "单元", "室号", "姓名", "电话号码"],
    ],
)
def test_header_variants_of_the_separate_address_columns(import_file, header):
    job = import_file([header, ["5区", "37栋", "1单元", "302室", "王秀英", "13800138000"]])
    assert job.created == 1
    assert Residency.objects.get().room.label == "5区37栋1单元302室"


def test_a_title_row_above_the_header_is_skipped_and_row_numbers_stay_the_sheets(manager):
    rows = [["5区住户登记表"], PLACES_HEADER, *homes(2), [5, 37, 1, 999, "", "错号", "12345", "", "", ""]]
    job = preview(manager, "places_residents", xlsx(rows))
    assert job.rows_total == 3
    assert [e["row"] for e in job.errors] == [5]


def test_gbk_csv(import_file):
    rows = [
        ["区", "栋", "单元", "室", "户主", "电话", "备注"],
        ["5", "37", "1", "302", "王秀英", "13800138000", "独居老人"],
    ]
    job = import_file(csv_bytes(rows, "gbk"), name="住户.csv")
    assert job.created == 1
    assert Resident.objects.get().notes == "独居老人"


def test_utf8_csv_with_bom_and_semicolons(import_file):
    content = "\ufeff区;栋;单元;室;户主;电话\n5;37;1;302;王秀英;13800138000\n".encode()
    assert import_file(content, name="zhuhu.csv").created == 1


def test_every_error_kind_with_its_row_number(manager, resident):
    rows = [
        ["区", "栋", "单元", "室", "地址", "楼层", "姓名", "电话", "关系", "备注"],
        ["", "", "", "", "5区37栋", "", "甲", "13800000001", "", ""],  # 2 address without a unit
        ["", "", "", "", "东区某楼", "", "乙", "13800000002", "", ""],  # 3 unreadable address
        [5, "", 1, 302, "", "", "丙", "13800000003", "", ""],  # 4 building missing
        [5, "A栋", 1, 302, "", "", "丁", "13800000004", "", ""],  # 5 building not a number
        [5, 37, 1, 302, "", "顶层", "戊", "13800000005", "", ""],  # 6 floor not a number
        [5, 37, 1, 302, "", "", "", "13800000006", "", ""],  # 7 name missing
        [5, 37, 1, 302, "", "", "己", "", "", ""],  # 8 phone missing
        [5, 37, 1, 302, "", "", "庚", "1380000", "", ""],  # 9 wrong digits
        [5, 37, 1, 302, "", "", "辛", "13800000009/13800000010/13800000011", "", ""],  # 10 three phones
        [5, 37, 1, 302, "", "", "壬", "13800000012", "邻居", ""],  # 11 relation
        [5, 37, 1, 302, "", "", "癸" * 41, "13800000013", "", ""],  # 12 name too long
        [5, 37, 1, 302, "", "", "子", "13800000014", "", "备" * 201],  # 13 notes too long
        [5, 37, 1, 303, "", "", "丑", "13800000015", "", ""],  # 14 fine
        [5, 37, 1, 303, "", "", "丑", "13800000015", "", ""],  # 15 duplicate of 14
    ]
    job = preview(manager, "places_residents", xlsx(rows))
    assert job.created == 1
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (2, "地址", "地址“5区37栋”缺少单元，请按 5区37栋1单元302室 的格式填写。"),
        (3, "地址", "无法识别地址“东区某楼”，请按 5区37栋1单元302室 或 5-37-1-302 的格式填写。"),
        (4, "栋", "缺少楼栋。"),
        (5, "栋", "楼栋 A栋 不是数字。"),
        (6, "楼层", "楼层 顶层 不是数字。"),
        (7, "姓名", "缺少姓名。"),
        (8, "电话", "缺少电话号码。"),
        (9, "电话", "电话号码 1380000 位数不对。"),
        (10, "电话", "每人最多两个电话号码。"),
        (11, "关系", "关系 邻居 不是 户主、租户、家属 之一。"),
        (12, "姓名", "姓名超过 40 个字。"),
        (13, "备注", "备注超过 200 个字。"),
        (15, "姓名", "与第 14 行重复。"),
    ]


def test_error_lines_read_like_a_clerk_expects(manager):
    from residents.tabular import format_row_message

    assert format_row_message(1204, "电话号码位数不对") == "第 1,204 行：电话号码位数不对"


def test_a_file_without_an_address_column_fails_with_a_clear_message(manager):
    job = preview(manager, "places_residents", xlsx([["姓名", "电话"], ["王秀英", "13800138000"]]))
    assert job.status == "failed"
    assert job.failure == "文件里没有 地址 或 区、栋、单元、室 列。"


def test_a_file_that_is_not_a_workbook_fails_without_writing(manager):
    job = preview(manager, "places_residents", b"this is not excel", "fake.xlsx")
    assert (job.status, job.failure) == ("failed", "这个文件不是可以读取的 Excel 工作簿（.xlsx）。")


def test_moved_out_residents_are_listed_and_not_deleted(import_file, manager):
    import_file([PLACES_HEADER, *homes(3)])
    rows = [PLACES_HEADER, *homes(3)]
    rows[2] = [5, 37, 1, 102, 1, "新住户", "13512345678", "", "租户", ""]  # 住户2 moved out of 102
    job = preview(manager, "places_residents", xlsx(rows))
    assert [(m["name"], m["address"], m["phone"]) for m in job.moved_out_rows] == [
        ("住户2", "5区37栋1单元102室", "139****0002")
    ]
    job = run(job, user=manager)  # the clerk did not tick the box
    assert job.ended == 0
    assert Residency.objects.filter(resident__name="住户2", room__number="102").exists()
    assert Resident.objects.filter(name="新住户").exists()


def test_a_resident_whose_row_has_an_error_is_not_called_moved_out(import_file, manager):
    import_file([PLACES_HEADER, *homes(3)])
    rows = [PLACES_HEADER, *homes(3)]
    rows[1][6] = "139-0000"  # 住户1's phone mistyped: still there
    rows[2][0] = "东区"  # 住户2's address unreadable: still there
    job = preview(manager, "places_residents", xlsx(rows))
    assert (job.error_count, job.moved_out_rows) == (2, [])


def test_a_room_with_the_same_number_in_another_unit_is_not_mixed_up(import_file, manager):
    rows = [
        PLACES_HEADER,
        [5, 37, 1, 202, 2, "甲", "13500000001", "", "", ""],
        [5, 37, 2, 202, 2, "乙", "13500000002", "", "", ""],
    ]
    import_file(rows)
    rows[1][6] = "135"  # unit 1's row has an error; unit 2's room 202 is listed: nothing moved out
    job = preview(manager, "places_residents", xlsx(rows))
    assert (job.status, job.error_count, job.unchanged, job.moved_out_rows) == ("ready", 1, 1, [])


def test_an_unexpected_error_fails_the_preview_or_the_import_with_its_reason(manager):
    job = preview(manager, "places_residents", xlsx([PLACES_HEADER, *homes(2)]))
    with mock.patch.object(PlacesRegister, "apply", side_effect=RuntimeError("disk full")):
        job = run(job, user=manager)
    assert (job.status, job.failure) == ("failed", "导入中断（disk full）；请继续导入或告诉管理员。")
    with mock.patch.object(PlacesRegister, "moved_out", side_effect=RuntimeError("boom")):
        failed = preview(manager, "places_residents", xlsx([PLACES_HEADER, *homes(2)]))
    assert (failed.status, failed.failure) == ("failed", "无法检查这个文件（boom）；请告诉管理员。")
    services.resume_import(actor=manager, job_id=job.pk, queue=False)  # a failed import may be resumed
    services.run_import(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 2)


def test_ending_the_moved_out_residencies_keeps_the_residents(import_file, manager):
    import_file([PLACES_HEADER, *homes(3)])
    rows = [PLACES_HEADER, *homes(3)]
    rows[2] = [5, 37, 1, 102, 1, "", "", "", "", ""]  # 102 is now empty
    job = import_file(rows, end_moved_out=True)
    assert (job.ended, job.moved_out) == (1, 1)
    assert not Residency.objects.filter(room__number="102").exists()
    assert Resident.objects.filter(name="住户2").exists()
    entry = AuditEntry.objects.get(model="residents.residency", action="delete")
    assert entry.actor == manager and entry.changes["relation"] == ["owner", None]
    assert import_file(rows).moved_out == 0  # nothing left to list


def test_a_row_that_fails_in_the_database_does_not_stop_the_others(import_file):
    real_apply = PlacesRegister.apply

    def apply(self, plan, state, *, actor):
        if any(p.name == "坏" for p in plan.writes.new_residents.values()):
            raise DatabaseError("simulated failure")
        return real_apply(self, plan, state, actor=actor)

    rows = [PLACES_HEADER, *homes(2), [5, 37, 1, 150, 1, "坏", "13512345678", "", "", ""], *homes(2, start=3)]
    with mock.patch.object(PlacesRegister, "apply", apply):
        job = import_file(rows)
    assert (job.created, job.error_count) == (4, 1)
    assert job.errors[0]["row"] == 4 and "simulated failure" in job.errors[0]["message"]
    assert Resident.objects.count() == 4


def test_a_crash_mid_import_then_a_rerun_gives_the_state_of_one_clean_run(manager, settings, import_file):
    settings.IMPORTS_BATCH_ROWS = 10
    rows = [PLACES_HEADER, *homes(35)]
    import_file(rows)
    clean = state()
    Residency.objects.all().delete()
    Resident.objects.all().delete()
    Room.objects.all().delete()

    job = preview(manager, "places_residents", xlsx(rows))
    services.confirm_import(actor=manager, job_id=job.pk, queue=False)
    real_apply, calls = PlacesRegister.apply, []

    def crash_on_third(self, plan, state, *, actor):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the worker dies: not a row error, the batch's transaction is rolled back
        return real_apply(self, plan, state, actor=actor)

    with mock.patch.object(PlacesRegister, "apply", crash_on_third), pytest.raises(KeyboardInterrupt):
        services.run_import(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.batches_done, job.rows_done, Room.objects.count()) == ("running", 2, 20, 20)
    services.resume_import(actor=manager, job_id=job.pk, queue=False)
    services.run_import(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.created, job.unchanged) == ("done", 35, 35, 0)
    assert state() == clean
    assert services.run_import(job_id=job.pk) is False  # a late duplicate of the task does nothing


def test_confirming_is_allowed_once_and_only_when_ready(manager):
    job = preview(manager, "places_residents", xlsx([PLACES_HEADER, *homes(1)]))
    services.confirm_import(actor=manager, job_id=job.pk, queue=False)
    with pytest.raises(services.ImportConflict):
        services.confirm_import(actor=manager, job_id=job.pk, queue=False)
    failed = preview(manager, "places_residents", b"junk", "x.xlsx")
    with pytest.raises(services.ImportConflict):
        services.confirm_import(actor=manager, job_id=failed.pk, queue=False)
    with pytest.raises(services.ImportConflict):
        services.resume_import(actor=manager, job_id=failed.pk, queue=False)


def test_time_left_follows_the_pace_so_far(manager):
    start = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    job = ImportJob(status="running", rows_total=1000, rows_done=250, started_at=start)
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        assert job.seconds_left(timezone.now()) == 90
    assert ImportJob(status="ready", rows_total=10).seconds_left() is None


def test_the_template_has_chinese_headers_and_one_example_row_that_imports(import_file):
    content = services.import_template("places_residents")
    header, example, *rest = read_xlsx(content)
    assert header == PLACES_HEADER and rest == []
    assert example[:4] == ["5", "37", "1", "302"]
    job = import_file(content, name="template.xlsx")
    assert (job.created, job.error_count) == (1, 0)
    assert Resident.objects.get().notes == "独居老人"


def test_export_edit_import_is_a_round_trip(import_file):
    import_file([PLACES_HEADER, *homes(5), [5, 37, 2, 201, 2, "", "", "", "", ""]])
    exported = read_xlsx(services.export_register("places_residents"))
    assert exported[0] == PLACES_HEADER and len(exported) == 7
    again = import_file(xlsx(exported), name="export.xlsx")
    assert (again.created, again.updated, again.unchanged, again.error_count) == (0, 0, 6, 0)
    exported[1][9] = "独居老人"  # edit one cell in "Excel"
    edited = import_file(xlsx(exported), name="export.xlsx")
    assert (edited.created, edited.updated, edited.unchanged) == (0, 1, 5)


def test_the_error_report_holds_the_failed_rows_and_a_message_and_reimports(import_file, manager):
    rows = [PLACES_HEADER, *homes(2), [5, 37, 1, 160, 1, "钱七", "1350000", "", "", ""]]
    job = import_file(rows)
    report = read_xlsx(services.error_report(job))
    assert report[0] == [*PLACES_HEADER, "问题"]
    assert report[1:] == [
        ["5", "37", "1", "160", "1", "钱七", "1350000", None, None, None, "电话：电话号码 1350000 位数不对。"]
    ]
    report[1][6] = "13500000000"  # fixed by the clerk
    fixed = import_file(xlsx(report), name="fixed.xlsx")
    assert (fixed.created, fixed.error_count, fixed.ignored_columns) == (1, 0, ["问题"])


# --- Staff and facilities ----------------------------------------------------------------------------------

STAFF_HEADER = ["工号", "姓名", "电话", "班组", "工种", "职务", "技能", "在岗"]


def test_staff_import_creates_crews_accounts_and_groups_and_is_idempotent(import_file, manager):
    rows = [
        STAFF_HEADER,
        ["G01", "李建国", "13900139001", "供水二班", "供水", "班组长", "焊接", "是"],
        ["G02", "王强", "13900139002", "供水二班", "", "维修工", "", "是"],
        ["", "赵磊", "13900139003", "供水二班", "", "", "", ""],  # no staff number: found by phone
    ]
    job = import_file(rows, kind="staff")
    assert (job.created, job.error_count) == (3, 0)
    crew = Crew.objects.get(name="供水二班")
    assert crew.kind == "water"
    leader = Worker.objects.get(staff_number="G01")
    assert (leader.role, leader.user.username, leader.user.has_usable_password()) == ("leader", "G01", False)
    assert set(leader.user.groups.values_list("name", flat=True)) == {"crew_leader"}
    assert Worker.objects.get(phone="13900139003").user.username == "13900139003"
    again = import_file(rows, kind="staff")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    rows[2] = ["G02", "王强", "13900139002", "供水二班", "", "班组长", "", "否"]
    changed = import_file(rows, kind="staff")
    assert (changed.updated, changed.unchanged) == (1, 2)
    wang = Worker.objects.get(staff_number="G02")
    assert (wang.role, wang.active) == ("leader", False)
    assert set(wang.user.groups.values_list("name", flat=True)) == {"crew_leader"}
    assert AuditEntry.objects.filter(model="crews.worker", action="change").get().changes == {
        "role": ["member", "leader"],
        "active": [True, False],
    }


def test_staff_errors_with_row_numbers(manager, crew):
    f.UserFactory(username="G09")
    rows = [
        STAFF_HEADER,
        ["G05", "", "13900139005", "供水班", "", "", "", ""],
        ["G06", "甲", "13900139006", "新班", "", "", "", ""],
        ["G07", "乙", "13900139007", "供水班", "木工", "", "", ""],
        ["G08", "丙", "13900139008", "供水班", "", "队长", "", ""],
        ["G09", "丁", "13900139009", "供水班", "", "", "", ""],
        ["", "戊", "", "供水班", "", "", "", ""],
        ["G10", "己", "139", "供水班", "", "", "", "也许"],
        ["G11", "庚", "13900139011", "供水班", "电工", "", "", ""],
    ]
    job = preview(manager, "staff", xlsx(rows))
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (2, "姓名"),
        (3, "工种"),
        (4, "工种"),
        (5, "职务"),
        (6, "工号"),
        (7, "工号"),
        (8, "电话"),
        (9, "工种"),
    ]
    assert job.errors[4]["message"] == "登录名 G09 已被其他账号使用。"


def test_facilities_import_and_round_trip(import_file):
    rows = [["区", "名称", "类型"], [5, "5区加压泵房", "泵房"], [6, "6区变电所", "变电所"], [6, "南门", "路"]]
    job = import_file(rows, kind="facilities")
    assert job.created == 3
    assert set(Facility.objects.values_list("label", "kind")) == {
        ("5区加压泵房", "pump_house"),
        ("6区变电所", "substation"),
        ("6区南门", "road"),
    }
    exported = read_xlsx(services.export_register("facilities"))
    assert import_file(xlsx(exported), kind="facilities").unchanged == 3
