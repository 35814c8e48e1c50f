"""Issue 14 point 13: every count on the dashboard and the reports opens the list of exactly the rows it counts.
Each test follows the link the page itself shows and compares the list's row count with the count."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.actions.complaints import register_complaint
from feedback.models import Complaint
from tests import factories as f
from workorders.actions.closing import cancel_order

pytestmark = pytest.mark.django_db


def _links(html: str, text: str) -> list[str]:
    return [
        unescape(h)
        for h, t in re.findall(
            r'<a[^>]*href="([^"]+)"[^>]*>\s*(?:<b>)?([^<]+?)(?:</b>)?\s*(?:<span|</a>)', html
        )
        if t.strip() == text
    ]


def _listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


@pytest.fixture
def month_of_orders(make_order, manager, district):
    """Live orders of two categories in two districts, one cancelled (not counted) and one at a facility."""
    other_room = f.RoomFactory(
        unit=f.UnitFactory(building=f.BuildingFactory(district=f.DistrictFactory(number=6)))
    )
    orders = [
        make_order("dispatched"),
        make_order("dispatched"),
        make_order("dispatched", category="electrical.home_outage"),
        make_order("dispatched", room=other_room),
    ]
    facility = f.FacilityFactory(district=district, name="5区锅炉房", label="5区锅炉房")
    orders.append(make_order("dispatched", room=None, facility=facility, category="water.main_burst"))
    cancelled = make_order("dispatched")
    cancel_order(actor=manager, order_id=cancelled.id, reason="duplicate", note="重复")
    return orders


def test_volume_counts_open_the_orders_they_count(month_of_orders, manager_client):
    html = manager_client.get(reverse("feedback:report-volume")).content.decode()
    report = manager_client.get(reverse("feedback:report-volume")).context["report"]
    assert report.total == 5
    total_link = re.search(r'id="volume-total" href="([^"]+)"', html)[1]
    assert _listed(manager_client, unescape(total_link)) == 5
    for row in report.by_category:
        [link] = [u for u in _links(html, str(row["orders"])) if f"category={row['key']}&" in u]
        assert _listed(manager_client, link) == row["orders"], row
    for row in report.by_district:
        [link] = [u for u in _links(html, str(row["orders"])) if f"district={row['key']}&" in u]
        assert _listed(manager_client, link) == row["orders"], row


def test_sla_order_counts_leave_out_cancelled_orders_as_the_report_does(
    month_of_orders, manager_client, crew
):
    response = manager_client.get(reverse("feedback:report-sla") + "?group_by=crew")
    row = next(r for r in response.context["report"].rows if r.key == crew.id)
    [link] = [u for u in _links(response.content.decode(), str(row.orders)) if f"crew={crew.id}&" in u]
    assert _listed(manager_client, link) == row.orders and row.orders >= 4  # the cancelled one is not counted


def test_complaint_buckets_open_the_complaints_they_count(manager, manager_client):
    now = timezone.now()
    for _ in range(3):
        register_complaint(actor=manager, source="call", phone="13800138000", name="王大妈", summary="态度差")
    overdue = Complaint.objects.first()
    Complaint.objects.filter(pk=overdue.pk).update(contact_by=now - timedelta(hours=1))
    Complaint.objects.filter(pk=Complaint.objects.last().pk).update(contact_by=now + timedelta(days=5))
    response = manager_client.get(reverse("feedback:dashboard"))
    counts = response.context["complaints"]
    html = response.content.decode()
    for bucket in ("overdue", "today", "soon", "later"):
        [link] = [u for u in re.findall(r'href="([^"]+)" class="bucket', html) if f"deadline={bucket}" in u]
        assert _listed(manager_client, unescape(link)) == counts[bucket], bucket
    assert counts["overdue"] == 1 and counts["later"] == 1


def test_the_complaint_deadline_filter_takes_empty_as_any_and_refuses_nonsense(manager, manager_client):
    register_complaint(actor=manager, source="call", phone="13800138000", name="王大妈", summary="态度差")
    url = reverse("feedback:complaints")
    assert _listed(manager_client, url + "?deadline=&status=") == 1
    response = manager_client.get(url + "?deadline=someday")
    assert response.context["page"].paginator.count == 0 and response.context["filterset"].errors


def test_order_list_filters_live_and_channel(make_order, manager, manager_client):
    kept = make_order()
    gone = make_order()
    cancel_order(actor=manager, order_id=gone.id, reason="duplicate", note="重复")
    url = reverse("feedback:report-orders")
    assert _listed(manager_client, url + "?live=true") == 1
    assert _listed(manager_client, url + "?live=false") == 1
    assert _listed(manager_client, url + "?live=") == 2
    assert _listed(manager_client, url + "?channel=phone") == 2
    assert _listed(manager_client, url + "?channel=web") == 0
    assert manager_client.get(url + "?channel=fax").context["filter_errors"]
    assert kept.channel == "phone"


def test_satisfaction_counts_open_the_orders_of_the_follow_ups_they_count(make_order, manager_client, crew):
    from tests.factories import add_follow_ups

    due = timezone.now() - timedelta(days=1)
    answers = [{"satisfied": 1}, {"basically": 1}, {"dissatisfied": 1}, {"refused": 1}, {"open_": 1}]
    for answer in answers:
        add_follow_ups(make_order("completed"), due, **answer)
    response = manager_client.get(reverse("feedback:report-satisfaction") + "?group_by=crew")
    html = response.content.decode()
    rows = {"crew": next(r for r in response.context["report"].rows if r.key == crew.id)}
    rows["total"] = response.context["report"].total
    assert rows["total"].due == 5 and rows["total"].reached == 3
    for which, row in rows.items():
        for name, n in row.counts:
            links = [u for u in _links(html, str(n)) if f"follow_up={name}&" in u]
            [link] = [u for u in links if (f"crew={crew.id}&" in u) == (which == "crew")]
            assert _listed(manager_client, link) == n, (which, name)


def test_the_rankings_completed_count_opens_the_crews_completed_orders(make_order, manager_client, crew):
    for _ in range(2):
        make_order("completed")
    make_order("dispatched")
    response = manager_client.get(reverse("feedback:dashboard"))
    line = next(x for x in response.context["ranking"] if x.key == crew.id)
    assert line.counts["completed"] == 2
    [link] = [u for u in _links(response.content.decode(), "2") if "completed_after=" in u]
    assert f"crew={crew.id}&" in link and _listed(manager_client, link) == 2
