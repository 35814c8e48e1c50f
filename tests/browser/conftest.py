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
        page.wait_for_url(f"{live_server.url}/")
        return page

    return do
