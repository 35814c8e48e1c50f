"""Report pages, exports and the assessment forms: who may open them, bad input, fixed query counts, and the
Excel round trip (the workbook opens with openpyxl and its totals equal the report's)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from feedback import views
from feedback.models import AssessmentSnapshot, AssessmentWeight, ExportJob, RewardPenalty
from feedback.reports.assessment import KPI_CODES
from feedback.reports.periods import parse_period
from feedback.reports.satisfaction import satisfaction_report
from tests import factories as f
from tests.factories import OCT_10, SEP_10, add_follow_ups

pytestmark = pytest.mark.django_db

PAGES = [
    "feedback:dashboard",
    "feedback:report-sla",
    "feedback:report-volume",
    "feedback:assessment",
    "feedback:assessment-weights",
    "feedback:rewards",
]


def _sheet_rows(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    return wb, [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


@pytest.mark.parametrize("name", [*PAGES, "feedback:report-satisfaction"])
def test_managers_open_every_report_page(manager_client, name):
    response = manager_client.get(reverse(name))
    assert response.status_code == 200
    assert b"<script>" not in response.content and b' style="' not in response.content  # strict CSP


@pytest.mark.parametrize("name", PAGES)
def test_others_are_denied_the_manager_pages(
    dispatcher_client, leader_client, worker_client, anon_client, name
):
    for client in (dispatcher_client, leader_client, worker_client):
        assert client.get(reverse(name)).status_code == 403
    assert anon_client.get(reverse(name)).status_code == 302  # to the login page


def test_the_desk_may_read_satisfaction_but_crews_may_not(dispatcher_client, leader_client, worker_client):
    url = reverse("feedback:report-satisfaction")
    assert dispatcher_client.get(url).status_code == 200
    assert leader_client.get(url).status_code == 403
    assert worker_client.get(url).status_code == 403


def test_nav_shows_reports_to_managers_only(manager_client, dispatcher_client):
    link = reverse("feedback:dashboard").encode()
    assert link in manager_client.get(reverse("overview")).content
    assert link not in dispatcher_client.get(reverse("overview")).content


@pytest.mark.parametrize(
    "query",
    [
        "?period=year",
        "?from=2026-13-40",
        "?period=custom&from=2026-10-05&to=2026-10-01",
        "?group_by=planet",
    ],
)
def test_bad_report_input_is_a_clear_400(manager_client, query):
    response = manager_client.get(reverse("feedback:report-satisfaction") + query)
    assert response.status_code == 400
    assert "msg-error" in response.content.decode()


def test_bad_month_and_hotspot_minimum(manager_client):
    assert manager_client.get(reverse("feedback:assessment") + "?month=2026-99").status_code == 400
    assert manager_client.get(reverse("feedback:assessment") + "?level=galaxy").status_code == 400
    assert manager_client.get(reverse("feedback:report-volume") + "?min=lots").status_code == 400


def _grow(make_order, n):
    for i in range(n):
        order = make_order("completed", now=OCT_10 + timedelta(hours=i))
        add_follow_ups(
            order,
            OCT_10,
            satisfied=2,
            dissatisfied=1,
            ratings={"care": 5, "workmanship": 4, "safety": 5, "quality": 4, "comfort": 5},
        )
        add_follow_ups(order, SEP_10, basically=1)


@pytest.mark.parametrize("size", [1, 4])
def test_report_pages_run_in_a_fixed_number_of_queries(
    manager_client, make_order, django_assert_num_queries, size
):
    _grow(make_order, size)
    oct_ = "?period=month&from=2026-10-01"
    # session + user with roles (crews.auth), then the satisfaction counts with the 五心 averages (one pass)
    with django_assert_num_queries(3):
        assert manager_client.get(reverse("feedback:report-satisfaction") + oct_).status_code == 200
    # session, user with roles; SLA grouped counts; overdue list
    with django_assert_num_queries(4):
        manager_client.get(reverse("feedback:report-sla") + oct_)
    # session, user with roles; 3 volume + 2 hotspot queries (rooms; buildings by count and by growth)
    with django_assert_num_queries(7):
        manager_client.get(reverse("feedback:report-volume") + oct_)
    # session, user with roles; 11 assessment (on-time counts, first-time fixes, rounds and hazards in queries
    # of their own) + 1 snapshot
    with django_assert_num_queries(14):
        manager_client.get(reverse("feedback:assessment") + "?month=2026-10")
    # session, user with roles; satisfaction 1, trend 1, SLA 1, complaints 1, hotspots 2 (rooms; buildings by
    # count and by growth in one), ranking 11 (on-time counts, first-time fixes, rounds and hazards in queries
    # of their own), overdue count 1
    with django_assert_num_queries(20):
        manager_client.get(reverse("feedback:dashboard"))


def test_satisfaction_export_round_trip(manager_client, make_order):
    _grow(make_order, 3)
    query = "?period=month&from=2026-10-01&group_by=crew"
    report = satisfaction_report(parse_period({"from": "2026-10-01"}), "crew")
    response = manager_client.get(reverse("feedback:report-satisfaction") + query + "&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    _wb, rows = _sheet_rows(b"".join(response.streaming_content) if response.streaming else response.content)
    assert rows[0][0] == "满意度报表" or rows[0][0] == "Satisfaction report"
    assert ["2026-10" in str(c) for r in rows[:5] for c in r if c].count(True) >= 1  # the period on the sheet
    header = next(i for i, r in enumerate(rows) if r[1] in ("应回访数", "Follow-ups due"))
    total = rows[-1]
    assert total[1:8] == [
        report.total.due,
        report.total.reached,
        pytest.approx(report.total.follow_up_rate, abs=1e-4),
        report.total.satisfied,
        report.total.basically_satisfied,
        report.total.dissatisfied,
        pytest.approx(report.total.rate, abs=1e-4),
    ]
    assert sum(r[2] for r in rows[header + 1 : -1]) == report.total.reached == 9


def test_sla_volume_and_assessment_exports_open(manager_client, make_order):
    _grow(make_order, 2)
    for name, query in (
        ("feedback:report-sla", "?from=2026-10-01&format=xlsx"),
        ("feedback:report-volume", "?from=2026-10-01&format=xlsx"),
        ("feedback:assessment", "?month=2026-10&format=xlsx"),
    ):
        response = manager_client.get(reverse(name) + query)
        assert response.status_code == 200, name
        _wb, rows = _sheet_rows(response.content)
        assert rows[0][0]
    _wb, rows = _sheet_rows(
        manager_client.get(reverse("feedback:report-sla") + "?from=2026-10-01&format=xlsx").content
    )
    assert rows[-1][1] == 2  # the total row: two orders
    _wb, rows = _sheet_rows(
        manager_client.get(reverse("feedback:assessment") + "?month=2026-10&format=xlsx").content
    )
    [water] = [r for r in rows if r[1] == "供水班"]
    assert water[0] == 1 and water[16] == 2  # rank, completed orders (after rank, name, crew and 13 KPIs)


# --- Order export ---------------------------------------------------------------------------------------------


def test_small_order_export_is_immediate_filtered_and_masks_phones(
    make_order, leader_client, dispatcher_client
):
    make_order("accepted", description="厨房漏水")
    make_order("received", description="门锁坏了")
    url = reverse("feedback:export-orders") + "?export=1&status=accepted"
    _wb, rows = _sheet_rows(leader_client.get(url).content)
    orders = [r for r in rows if r and isinstance(r[0], str) and r[0][:8].isdigit()]
    assert len(orders) == 1 and orders[0][7] == "138****8000"  # the leader may not see full phones
    assert any("已接单" in str(r[1]) or "Accepted" in str(r[1]) for r in rows[:4] if r and r[1])  # the filter
    _wb, rows = _sheet_rows(dispatcher_client.get(url).content)
    assert next(r for r in rows if r and r[0] and str(r[0])[:8].isdigit())[7] == "13800138000"


def test_order_export_row_has_every_column(make_order, manager_client, worker):
    from django.utils import timezone

    done = make_order("completed", now=OCT_10)
    done.__class__.objects.filter(pk=done.pk).update(is_rework=True)
    open_ = make_order("received", now=OCT_10 + timedelta(hours=1))

    def local(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None

    _wb, rows = _sheet_rows(manager_client.get(reverse("feedback:export-orders") + "?export=1").content)
    # Dates are real Excel dates (datetime cells), compared here to the minute.
    rows = [[v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else v for v in r] for r in rows]
    by_number = {r[0]: r for r in rows if r and r[0] in (done.number, open_.number)}
    assert by_number[done.number] == [
        done.number,
        local(done.created_at),
        done.get_status_display(),
        done.get_urgency_display(),
        str(done.category),  # 供水/…: the parent's name and the leaf's
        done.location_label,
        done.reporter_name or None,
        "13800138000",  # a manager sees the full number
        "供水班",
        worker.name,
        local(done.respond_by),
        local(done.accepted_at),
        local(done.arrived_at),
        local(done.completed_at),
        "是",
        float(done.fee),
    ]
    assert "/" in by_number[done.number][4]
    assert by_number[open_.number][8:16] == [None, None, local(open_.respond_by), None, None, None, None, 0]


def test_order_export_is_a_usable_sheet_dates_frozen_header_filters_widths_and_reporter(
    make_order, manager_client, resident
):
    from workorders.models import WorkOrder

    order = make_order("completed", now=OCT_10, reporter=resident)
    WorkOrder.objects.filter(pk=order.pk).update(reporter_name="")  # typed nothing: the resident's name
    wb, rows = _sheet_rows(manager_client.get(reverse("feedback:export-orders") + "?export=1").content)
    ws = wb.worksheets[0]
    header = next(i for i, r in enumerate(rows, start=1) if r and r[0] == "工单号")
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.auto_filter.ref.startswith(f"A{header}:P")
    assert ws.column_dimensions["E"].width >= 20 and ws.column_dimensions["A"].width >= 12
    row = next(r for r in ws.iter_rows(min_row=header + 1) if r[0].value == order.number)
    assert (
        row[1].is_date and isinstance(row[1].value, datetime) and row[1].number_format == "yyyy-mm-dd hh:mm"
    )
    assert row[13].is_date  # completed at
    assert row[6].value == "王大妈"


def test_an_export_job_runs_in_the_same_number_of_queries_whatever_its_size(
    make_order, manager, django_assert_num_queries
):
    from feedback.actions.exports import run_export

    sizes = []
    for _ in range(20):
        make_order("received")
    job = ExportJob.objects.create(kind="orders", user=manager, total=20)
    # claim the job; the job and its user; the user's roles (what they may see); count; the full-phone
    # permission (one query, residents.selectors.can_see_full_phone); the rows (one cursor); 19 progress
    # updates (every 5%) and the last; the file and status
    with django_assert_num_queries(27):
        assert run_export(job_id=job.pk)
    sizes.append(ExportJob.objects.get(pk=job.pk).done)
    for _ in range(25):
        make_order("received")
    job = ExportJob.objects.create(kind="orders", user=manager, total=45)
    with django_assert_num_queries(27):
        assert run_export(job_id=job.pk)
    sizes.append(ExportJob.objects.get(pk=job.pk).done)
    assert sizes == [20, 45]


def test_export_is_scoped_to_what_the_user_sees(make_order, other_leader_client):
    make_order("accepted")
    _wb, rows = _sheet_rows(other_leader_client.get(reverse("feedback:export-orders") + "?export=1").content)
    assert not [r for r in rows if r and r[0] and str(r[0])[:8].isdigit()]


def test_large_export_runs_as_a_job_with_progress_and_a_download(
    make_order, manager_client, dispatcher_client, monkeypatch, django_capture_on_commit_callbacks
):
    for _ in range(3):
        make_order("received")
    monkeypatch.setattr(views, "EXPORT_SYNC_LIMIT", 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.get(reverse("feedback:export-orders") + "?export=1")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("feedback:export", args=[job.pk])
    assert (job.status, job.total, job.done, job.percent) == ("done", 3, 3, 100)
    page = manager_client.get(reverse("feedback:export", args=[job.pk]), headers={"HX-Request": "true"})
    assert (
        b"<progress" in page.content
        and reverse("feedback:export-download", args=[job.pk]).encode() in page.content
    )
    download = manager_client.get(reverse("feedback:export-download", args=[job.pk]))
    _wb, rows = _sheet_rows(b"".join(download.streaming_content))
    assert len([r for r in rows if r and r[0] and str(r[0])[:8].isdigit()]) == 3
    # Another user's job is a 404; a second run of the task does nothing.
    assert dispatcher_client.get(reverse("feedback:export", args=[job.pk])).status_code == 404
    assert dispatcher_client.get(reverse("feedback:export-download", args=[job.pk])).status_code == 404
    from feedback.actions.exports import run_export

    assert run_export(job_id=job.pk) is False


def test_an_export_still_running_polls_itself(manager):
    job = ExportJob.objects.create(kind="orders", user=manager, total=10, done=4, status="running")
    from django.test import Client

    client = Client()
    client.force_login(manager)
    html = client.get(
        reverse("feedback:export", args=[job.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html


# --- Weights, freezing, rewards (forms) -------------------------------------------------------------------------


def test_manager_edits_weights_on_the_page(manager_client):
    data = dict.fromkeys(KPI_CODES, "10") | {"satisfaction": "30"}
    assert manager_client.post(reverse("feedback:assessment-weights"), data).status_code == 302
    assert AssessmentWeight.objects.get(kpi="satisfaction").weight == 30
    bad = dict.fromkeys(KPI_CODES, "0")
    response = manager_client.post(reverse("feedback:assessment-weights"), bad)
    assert response.status_code == 400 and AssessmentWeight.objects.get(kpi="satisfaction").weight == 30


def test_manager_freezes_a_finished_month_from_the_page(manager_client, crew):
    response = manager_client.post(reverse("feedback:assessment"), {"month": "2026-10", "level": "crew"})
    assert response.status_code == 302
    snapshot = AssessmentSnapshot.objects.get(month=date(2026, 10, 1), level="crew")
    assert snapshot.rows.filter(crew=crew).exists()
    page = manager_client.get(reverse("feedback:assessment") + "?month=2026-10&level=crew").content.decode()
    assert "Published" in page or "发布" in page


def test_a_month_not_over_cannot_be_frozen(manager_client):
    from django.utils import timezone

    month = timezone.localdate().strftime("%Y-%m")
    manager_client.post(reverse("feedback:assessment"), {"month": month, "level": "crew"})
    assert not AssessmentSnapshot.objects.exists()


def test_manager_records_a_reward_with_a_linked_praise(manager_client, crew, worker, manager):
    from feedback.models import Praise

    praise = Praise.objects.create(summary="送锦旗", crew=crew, worker=worker, recorded_by=manager)
    data = {
        "kind": "reward",
        "date": "2026-10-20",
        "crew": crew.pk,
        "worker": worker.pk,
        "reason": "住户送锦旗",
        "points": "3",
        "amount": "200",
        "praise": praise.pk,
    }
    response = manager_client.post(reverse("feedback:rewards"), data)
    assert response.status_code == 302
    record = RewardPenalty.objects.get()
    assert (record.praise, record.points, record.amount) == (praise, 3, 200)
    assert "住户送锦旗" in manager_client.get(reverse("feedback:rewards") + "?month=2026-10").content.decode()
    bad = manager_client.post(
        reverse("feedback:rewards"), data | {"points": "", "amount": "", "praise": "99999"}
    )
    assert bad.status_code == 400 and RewardPenalty.objects.count() == 1


def test_dashboard_shows_the_month(manager_client, make_order):
    _grow(make_order, 2)
    f.CrewFactory(name="排污班", kind="drainage")
    html = manager_client.get(reverse("feedback:dashboard")).content.decode()
    assert "<svg" in html and "排污班" in html and "供水班" in html
