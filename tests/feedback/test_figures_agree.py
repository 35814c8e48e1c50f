"""Issue 14 point 13: one definition of the on-time figures (按时接单/到场/办结), used by the SLA report, the
dashboard's service-time table and crew ranking, and the assessment: they agree on the same month."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from feedback.reports.assessment import month_assessment
from feedback.reports.periods import period_containing
from feedback.reports.sla import sla_report

TZ = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2026, 11, 9, 10, 0, tzinfo=TZ)  # a Monday in working hours
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)


@pytest.fixture
def month(make_order):
    """Three completed orders (one finished late) and one still open past its completion deadline."""
    orders = [make_order("completed", now=CREATED + timedelta(minutes=i)) for i in range(3)]
    late = orders[0]
    from workorders.models import WorkOrder

    WorkOrder.objects.filter(pk=late.pk).update(completed_at=late.complete_by + timedelta(hours=2))
    open_overdue = make_order("accepted", now=CREATED + timedelta(minutes=9))
    assert open_overdue.complete_by < NOW
    return orders


@pytest.mark.django_db
def test_the_assessment_and_the_sla_report_give_the_same_on_time_completion(month, crew):
    period = period_containing("month", NOW.date())
    row = next(r for r in sla_report(period, "crew", now=NOW).rows if r.key == crew.id)
    line = next(x for x in month_assessment(period.start, "crew", now=NOW) if x.key == crew.id)
    # 4 orders due (3 completed + 1 overdue open), 2 on time: not 2/3 (completed only), not 100 %.
    assert (row.complete_ok, row.complete_due) == (2, 4)
    assert line.values["on_time_complete"] == row.complete_rate == 0.5
    assert line.values["on_time_accept"] == row.respond_rate
    assert line.values["on_time_arrive"] == row.arrive_rate


@pytest.mark.django_db
def test_the_dashboard_ranking_agrees_with_its_service_time_table(month, crew, manager_client):
    with time_machine.travel(NOW, tick=False):
        response = manager_client.get(reverse("feedback:dashboard"))
    sla = {r.key: r for r in response.context["sla"].rows}
    ranking = {x.key: x for x in response.context["ranking"]}
    assert ranking[crew.id].values["on_time_complete"] == sla[crew.id].complete_rate == 0.5


@pytest.mark.django_db
def test_the_api_reports_agree(month, crew, manager):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(manager)
    with time_machine.travel(NOW, tick=False):
        sla = api.get("/api/v1/reports/sla/", {"from": "2026-11-01", "to": "2026-11-30"}).json()
        assessment = api.get("/api/v1/reports/assessments/", {"month": "2026-11"}).json()
    sla_row = next(r for r in sla["rows"] if r["key"] == crew.id)
    line = next(r for r in assessment["rows"] if r["key"] == crew.id)
    assert sla_row["complete_rate"] == line["kpis"]["on_time_complete"] == 0.5


# --- Every count opens the list of its orders -------------------------------------------------------------


def _links(html: str, text: str) -> list[str]:
    import re
    from html import unescape

    return [
        unescape(h)
        for h, t in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>\s*([^<]+?)\s*</a>', html)
        if t == text
    ]


@pytest.mark.django_db
def test_the_sla_table_counts_open_the_orders_they_count(month, crew, manager_client):
    with time_machine.travel(NOW, tick=False):
        html = manager_client.get(reverse("feedback:dashboard")).content.decode()
        [orders_link] = [u for u in _links(html, "4") if f"crew={crew.id}&" in u]
        page = manager_client.get(orders_link)
        assert page.context["page"].paginator.count == 4
        sla = manager_client.get(
            reverse("feedback:report-sla") + "?period=month&from=2026-11-01"
        ).content.decode()
        [late_link] = [u for u in _links(sla, "2 超时") if f"crew={crew.id}" in u]
        late = manager_client.get(late_link).context["page"].object_list
    assert sorted(o.pk for o in late) == sorted([month[0].pk, late_order_pk(crew)])


def late_order_pk(crew):
    from workorders.models import WorkOrder

    return WorkOrder.objects.get(crew=crew, status="accepted").pk


@pytest.mark.django_db
def test_a_dissatisfied_count_opens_its_orders(make_order, crew, manager_client):
    from tests.factories import add_follow_ups

    order = make_order("completed", now=CREATED)
    add_follow_ups(order, CREATED + timedelta(days=1), satisfied=1, basically=0, dissatisfied=1, open_=0)
    with time_machine.travel(NOW, tick=False):
        html = manager_client.get(
            reverse("feedback:report-satisfaction") + "?period=month&from=2026-11-01&group_by=crew"
        ).content.decode()
        [link] = [u for u in _links(html, "1") if "follow_up=dissatisfied" in u and f"crew={crew.id}" in u]
        listed = manager_client.get(link).context["page"].object_list
    assert [o.pk for o in listed] == [order.pk]


@pytest.mark.django_db
def test_the_order_list_is_for_managers_with_a_flat_query_count(
    month, manager_client, dispatcher_client, make_order, django_assert_num_queries
):
    url = reverse("feedback:report-orders")
    assert dispatcher_client.get(url).status_code == 403
    # session, user with roles, count, the page of orders with their category, crew and worker
    with django_assert_num_queries(4):
        assert manager_client.get(url + "?late=complete").status_code == 200
    for _ in range(4):
        make_order("received", now=CREATED)
    with django_assert_num_queries(4):
        manager_client.get(url)
