"""A manager imports a 1,000-row register with errors through the page's own controls: uploads it, reads the
preview (nothing written yet), confirms, sees the progress bar at the end and downloads the error report — with
no console error, page error or failed request. Screenshots: import-preview.png, import-done.png."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from residents.models import Resident
from tests import factories as f
from tests.crews.conftest import PLACES_HEADER, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROWS = 1000
BAD = {17, 250, 251, 600, 999}  # data rows whose phone is too short


@pytest.fixture
def register_file(tmp_path):
    rows = [PLACES_HEADER]
    for i in range(ROWS):
        building, rest = divmod(i, 100)
        unit, room = divmod(rest, 20)
        phone = "1381234" if i in BAD else f"138{i:08d}"
        rows.append([3, building + 1, unit + 1, 101 + room, "", f"住户{i}", phone, "", "户主", ""])
    path = tmp_path / "三区住户.xlsx"
    path.write_bytes(xlsx(rows))
    return path


def test_manager_imports_a_register_with_errors(page, live_server, login, artifacts, register_file, tmp_path):
    f.UserFactory(username="clerk_manager", role="manager")
    problems: list[str] = []
    # The browser's own request for /favicon.ico (the project has none) is not the page's.
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text} {m.location}")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )

    login(page, "clerk_manager")
    page.get_by_role("link", name="台账导入").click()
    page.get_by_label("文件内容").select_option(label="房屋与住户")
    page.get_by_label("文件（.xlsx、.xls 或 .csv）").set_input_files(str(register_file))
    page.get_by_role("button", name="上传并检查").click()

    page.get_by_text("预览：尚未写入任何数据").wait_for()
    counts = page.locator(".import-counts").inner_text()
    assert "行数\n1,000" in counts and "将新建\n995" in counts and "有错误的行\n5" in counts, counts
    errors = page.locator(".import-errors li").all_inner_texts()
    assert errors[0].startswith("第 19 行：电话号码 1381234 位数不对。")
    assert errors[-1].startswith("第 1,001 行：")
    assert Resident.objects.count() == 0
    page.screenshot(path=str(artifacts / "import-preview.png"), full_page=True)

    page.get_by_role("button", name="确认导入 1,000 行").click()
    page.get_by_role("heading", name="导入完成").wait_for()
    bar = page.get_by_label("进度")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("1000", "1000")
    assert "已处理 1,000 / 1,000 行" in page.locator(".import-figures").inner_text()
    assert Resident.objects.count() == 995
    page.screenshot(path=str(artifacts / "import-done.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告（.xlsx）").click()
    report = tmp_path / "errors.xlsx"
    download.value.save_as(report)
    rows = list(load_workbook(report, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][-1] == "问题" and len(rows) == 1 + len(BAD)
    assert [r[5] for r in rows[1:]] == [f"住户{i}" for i in sorted(BAD)]
    assert all(r[-1] == "电话：电话号码 1381234 位数不对。" for r in rows[1:])
    assert not problems, problems
