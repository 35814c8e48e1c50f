"""Retake the README's screenshots from a running demo (`make run`), through the pages' own controls.

    DEBUG=true .venv/bin/python docs/screenshots.py http://127.0.0.1:8000

It reads the demo database (the same settings as the server) only to pick a caller: a resident whose building
has an outage on now, so the caller screen shows one. Debian's Chromium, never a downloaded browser."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def a_caller_in_an_outage() -> str:
    from django.utils import timezone

    from residents.models import Resident
    from workorders.models import Incident

    now = timezone.now()
    on = Incident.objects.filter(ended_at__isnull=True, starts_at__lte=now)
    for incident in on.prefetch_related("buildings"):
        buildings = [b.pk for b in incident.buildings.all()]
        residents = Resident.objects.exclude(phone="").filter(
            residencies__room__district_id=incident.district_id
        )
        if buildings:
            residents = residents.filter(residencies__room__building_id__in=buildings)
        if (resident := residents.first()) is not None:
            return resident.phone
    return Resident.objects.exclude(phone="").filter(residencies__isnull=False).first().phone


def login(page, base: str, username: str) -> None:
    from hotline.management.commands.seed_demo import DEMO_PASSWORD

    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def main(base: str) -> None:
    from playwright.sync_api import sync_playwright

    django.setup()
    phone = a_caller_in_an_outage()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        desk = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        login(desk, base, "dispatcher")
        desk.keyboard.press("Alt+N")  # the desk
        desk.wait_for_url("**/desk/intake/")
        desk.wait_for_function("document.activeElement && document.activeElement.id === 'id_phone'")
        desk.keyboard.type(phone)
        desk.locator("#caller-panel .panel-title").wait_for()
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=HERE / "screenshot-intake.png")
        desk.keyboard.press("Alt+B")  # the dispatch board
        desk.wait_for_url("**/desk/board/**")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=HERE / "screenshot-board.png")

        manager = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        login(manager, base, "manager")  # home is the dashboard
        manager.wait_for_load_state("networkidle")
        manager.screenshot(path=HERE / "screenshot-dashboard.png", full_page=True)

        phone_page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
        login(phone_page, base, "leader_water")  # home is the crew's queue
        phone_page.wait_for_load_state("networkidle")
        phone_page.screenshot(path=HERE / "screenshot-leader-phone.png")
        browser.close()
    print("retaken:", ", ".join(sorted(p.name for p in HERE.glob("screenshot-*.png"))))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
