"""Playwright in Debian's Chromium against pytest-django's live server (STACK-NOTES #4, #5).

Run with `make test-browser` (sets DJANGO_ALLOW_ASYNC_UNSAFE); .ci/run installs chromium when missing.
Screenshots go to test-artifacts/ (kept by CI as artifacts, ignored by git)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            # The live server needs committed data. Every browser test restores the migrated data (categories,
            # groups, commitments) the same way; mixing flush-only tests with serialized ones would re-create
            # the groups twice (post_migrate after a flush, then the serialized copy) and fail.
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1366, "height": 768},
    }


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def login(live_server):
    """login(page, username, password="pw") — through the real login form."""

    def do(page, username: str, password: str = "pw"):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.press("#id_password", "Enter")
        # Home redirects each role to its to-do list (the manager's dashboard, the desk, the queue…).
        page.wait_for_url(lambda url: url.startswith(live_server.url) and "/login/" not in url)
        return page

    return do


@pytest.fixture
def strict(page, live_server):
    """The page fails the test on any console error, page error or 4xx/5xx answer from the live server.
    `strict.allow(status, path_part)` declares an expected one; the check runs when the test ends."""

    class Guard:
        def __init__(self) -> None:
            self.problems: list[str] = []
            self.allowed: list[tuple[int, str]] = []

        def allow(self, status: int, path_part: str) -> None:
            self.allowed.append((status, path_part))

        def on_console(self, message) -> None:
            # A failed load is also logged to the console; on_response judges those (with `allow`).
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                self.problems.append(f"console: {message.text}")

        def on_response(self, response) -> None:
            expected = any(s == response.status and p in response.url for s, p in self.allowed)
            if response.url.startswith(live_server.url) and response.status >= 400 and not expected:
                self.problems.append(f"{response.status} {response.url}")

    guard = Guard()
    page.on("console", guard.on_console)
    page.on("pageerror", lambda e: guard.problems.append(f"pageerror: {e}"))
    page.on("response", guard.on_response)
    yield guard
    assert not guard.problems, guard.problems
