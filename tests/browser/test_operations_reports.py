"""A manager opens the hazard report from the reports' navigation on the demo data, follows a count to the
hazard register and finds exactly that many hazards listed; the page fits a 390-wide phone. Zero console
errors on every page visited (issue 16.5). Screenshot: reports-hazards.png."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from hotline.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo(db):
    call_command("seed_demo", scale="small", quiet_logins=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_manager_follows_a_hazard_count_to_the_register(page, live_server, strict, demo, artifacts):
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill("manager")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: url.startswith(base) and "/login/" not in url)
    page.locator("nav.nav").get_by_role("link", name="报表").click()
    page.get_by_role("navigation", name="报表").get_by_role("link", name="隐患", exact=True).click()
    page.wait_for_url(f"{base}/feedback/reports/hazards/")
    # A quarter of the demo year, grouped by crew, through the page's own filters.
    page.get_by_label("统计期间").select_option("quarter")
    page.get_by_label("分组", exact=True).select_option("crew")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(lambda url: "group_by=crew" in url)
    assert page.locator("table.report tbody tr td.num a").count() >= 1  # the demo found hazards this quarter
    page.screenshot(path=str(artifacts / "reports-hazards.png"), full_page=True)
    # The first crew's count of fixed hazards (a small number: one page of the register).
    links = page.locator("table.report tbody tr td.num a")
    counts = [(int(links.nth(i).inner_text()), i) for i in range(links.count())]
    n, index = min((c for c in counts if c[0] > 0), key=lambda c: c[0])
    assert n <= 50
    links.nth(index).click()
    page.wait_for_url(lambda url: "/ops/hazards/" in url)
    assert page.get_by_role("heading", name="隐患台账").is_visible()
    assert page.locator("table tbody tr").count() == n


def test_the_hazard_report_fits_a_phone(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill("manager")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: url.startswith(base) and "/login/" not in url)
    for path in ("hazards", "rounds", "outages", "infrastructure"):
        page.goto(f"{base}/feedback/reports/{path}/?period=quarter")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    assert errors == []
    context.close()
