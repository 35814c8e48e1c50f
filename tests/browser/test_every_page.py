"""Issue 14 acceptance: every HTML page a dispatcher and a manager can reach from the navigation — the nav
links and the links on those pages, one level deep, read from the real rendered HTML — loads in Chromium
with no console error (a CSP violation is one), no page error and no 4xx/5xx response."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

from hotline.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Links that are not pages to look at: downloads, the admin (Django's own pages), language switching.
SKIP = re.compile(r"^/(admin/|i18n/|media/|static/|logout/)|format=xlsx|\.(xlsx|csv)\b|/download/|/slip/")
# Pages of one kind (an order, a call, a follow-up…) are checked on their first two instances.
PER_PATTERN = 2


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "#", path.split("?")[0])


def _links(page, base: str, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    out = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urljoin(page.url, href)
        if urlsplit(url).netloc != urlsplit(base).netloc:
            continue
        path = url[len(base) :] or "/"
        if not SKIP.search(path):
            out.append(path.split("#")[0])
    return out


@pytest.fixture
def demo(db):
    call_command("seed_demo", scale="small", quiet_logins=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.parametrize("username", ["dispatcher", "manager"])
def test_every_page_reachable_from_the_navigation_has_no_console_error(
    page, live_server, strict, demo, username
):
    guard = strict
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    # Home sends each role to its to-do list (the desk, the manager's dashboard).
    page.wait_for_url(lambda url: url.startswith(base) and "/login/" not in url)
    nav = _links(page, base, "nav.nav a[href]")
    assert len(nav) >= 5, nav
    seen: set[str] = set()
    per_pattern: dict[str, int] = {}
    visited: list[str] = []

    def visit(path: str) -> list[str]:
        if path in seen or per_pattern.get(_pattern(path), 0) >= PER_PATTERN:
            return []
        seen.add(path)
        per_pattern[_pattern(path)] = per_pattern.get(_pattern(path), 0) + 1
        response = page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert response is not None and response.status < 400, (path, response and response.status)
        visited.append(path)
        problems = list(guard.problems)
        guard.problems.clear()
        assert not problems, f"{path}:\n" + "\n".join(problems)
        if "text/html" not in (response.headers.get("content-type") or ""):
            return []
        return _links(page, base, "main a[href], nav.nav a[href]")

    second: list[str] = []
    for path in nav:
        second += visit(path)
    for path in second:
        visit(path)
    assert len(visited) >= 10, visited
