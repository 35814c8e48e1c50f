"""Issue 14 point 13 in Chromium: the manager opens the rows behind a count from the page itself (the
dashboard's complaint buckets, the volume report's category and district counts) and sees as many rows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.actions.complaints import register_complaint
from feedback.models import Complaint
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_manager_opens_the_overdue_complaints_from_the_dashboard(page, live_server, login, strict, manager):
    for _ in range(3):
        register_complaint(actor=manager, source="call", phone="13800138000", name="王大妈", summary="态度差")
    late = Complaint.objects.order_by("id")[:2]
    Complaint.objects.filter(pk__in=[c.pk for c in late]).update(
        contact_by=timezone.now() - timedelta(hours=1)
    )
    login(page, "t_manager")
    page.get_by_role("link", name="报表").click()
    bucket = page.locator(".deadline-buckets a", has_text="已超时")
    assert bucket.locator("b").inner_text() == "2"
    bucket.click()
    page.wait_for_url(re.compile(r".*/complaints/\?deadline=overdue$"))
    assert page.locator("#complaints tbody tr").count() == 2
    assert page.get_by_label("下一时限").input_value() == "overdue"


def test_manager_opens_a_categorys_orders_from_the_volume_report(
    page, live_server, login, strict, manager, make_order, district
):
    make_order()
    make_order()
    make_order(category="electrical.home_outage")
    facility = f.FacilityFactory(district=district, name="5区锅炉房", label="5区锅炉房")
    make_order(room=None, facility=facility, category="water.main_burst")
    login(page, "t_manager")
    page.get_by_role("link", name="报表").click()
    page.get_by_role("link", name="工单量与热点").click()
    link = page.locator("#volume-categories a").first
    count = link.inner_text()
    assert count == "3"  # 供水: two leaks and the boiler room's burst main
    link.click()
    page.wait_for_url(re.compile(r".*/reports/orders/\?.*category=.*"))
    assert page.locator("#order-count").inner_text() == "共 3 单"
    assert "5区锅炉房" in page.content()
