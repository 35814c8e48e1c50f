"""In-process scenarios: Django's test client against the real URL conf on PostgreSQL (DEBUG off).

Each scenario logs in as the role that uses the screen (force_login), warms up, then sends `requests`
requests with varied parameters (different phones, pages, filters, orders). For every request: wall time,
the number of SQL queries and the time spent in them (connection.execute_wrapper). A scenario whose URL does
not resolve yet (reports land from another branch) prints "not available" and is skipped.

Raw-SQL floors: for lookup, the list page and the satisfaction report, the same rows fetched by one
hand-written statement through a cursor, timed the same way, so the table can show app / floor."""

from __future__ import annotations

import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

WARMUP = 5


class QueryTimer:
    """Counts and times every SQL statement run through Django's connection."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - t
            self.count += 1


@dataclass
class Scenario:
    name: str
    user: str
    target_ms: float | None = None
    max_queries: int | None = None
    fixed_queries: bool = False
    method: str = "get"
    # i → (path, params or body); a list of candidate paths is tried in order (the first that resolves).
    make: Callable[[int], tuple[str, dict]] | None = None
    htmx: bool = False
    floor: Callable[[int], tuple[str, list]] | None = None
    floor_target: float | None = None  # max app/floor ratio
    # The ratio's denominator is the floor plus the API-root reference row: what a signed-in DRF request costs
    # before any list code runs is outside every list's control.
    floor_plus_root: bool = False
    requests: int | None = None
    note: str = ""
    ok_status: tuple[int, ...] = (200,)
    # A scenario that is more than one request: run(client, path, params) does the whole interaction and
    # returns the last response (timed and counted as one); teardown() removes what it left behind.
    run: Callable[[Client, str, dict], object] | None = None
    teardown: Callable[[], None] | None = None
    warmup: int = 0  # 0: WARMUP
    peak_memory: bool = False  # one more, untimed run under tracemalloc: the peak Python heap
    max_bytes: int | None = None  # a target on the response body's size (a phone's first screen)


@dataclass
class Result:
    name: str
    available: bool = True
    n: int = 0
    errors: int = 0
    median_ms: float = 0
    p95_ms: float = 0
    queries_median: float = 0
    queries_min: int = 0
    queries_max: int = 0
    sql_ms_median: float = 0
    floor_median_ms: float | None = None
    ratio: float | None = None
    target_ms: float | None = None
    max_queries: int | None = None
    floor_target: float | None = None
    floor_plus_root: bool = False
    root_ms: float | None = None
    fixed_queries: bool = False
    note: str = ""
    path_example: str = ""
    statuses: dict = field(default_factory=dict)
    peak_mb: float | None = None
    max_bytes: int | None = None
    bytes_max: int | None = None

    def verdict(self) -> str:
        if not self.available:
            return "n/a"
        ok = self.errors == 0
        if self.target_ms is not None:
            ok &= self.median_ms <= self.target_ms
        if self.max_queries is not None:
            ok &= self.queries_max <= self.max_queries
        if self.floor_target is not None and self.ratio is not None:
            ok &= self.ratio <= self.floor_target
        if self.max_bytes is not None and self.bytes_max is not None:
            ok &= self.bytes_max <= self.max_bytes
        return "met" if ok else "MISSED"


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(q * (len(s) - 1))))
    return s[k]


def resolves(path: str) -> bool:
    """The path names a view of its own (not a detail route swallowing the last segment as a pk)."""
    try:
        match = resolve(path.split("?")[0])
    except Resolver404:
        return False
    return not (match.url_name or "").endswith("-detail")


# --- Parameters drawn from the data (deterministic for a seed) -------------------------------------------


class Params:
    def __init__(self, seed: int = 7):
        from django.db.models import Count

        from crews.models import Crew
        from residents.models import District, Room
        from workorders.lifecycle import ACTIVE
        from workorders.models import Category, WorkOrder

        rng = random.Random(seed)
        self.rng = rng
        with connection.cursor() as c:
            # Callers who reported orders (known numbers); 2% unknown numbers as real desks see.
            c.execute("SELECT phone FROM residents_resident WHERE phone <> '' ORDER BY id")
            phones = [r[0] for r in c.fetchall()]
            c.execute("SELECT MIN(id), MAX(id) FROM workorders_workorder")
            self.min_id, self.max_id = c.fetchone()
            c.execute("SELECT COUNT(*) FROM workorders_workorder")
            self.orders = c.fetchone()[0]
        self.phones = rng.sample(phones, min(400, len(phones)))
        self.crews = list(Crew.objects.order_by("id").values_list("id", flat=True))
        self.districts = list(District.objects.order_by("id").values_list("id", flat=True))
        self.rooms = list(Room.objects.order_by("id").values_list("id", "label"))
        self.leaves = list(
            Category.objects.filter(parent__isnull=False, active=True)
            .order_by("id")
            .values_list("code", flat=True)
        )
        self.labels = [label for _, label in rng.sample(self.rooms, 200)]
        # Order pages of history: orders over 30 days old (closed or cancelled), sampled by id, so the mix of
        # states — and so the detail's query count — is the same at 50k and 1M (the demo's 3,000 recent
        # orders are 5% of the ids at 50k and 0.3% at 1M).
        candidates = sorted({rng.randint(self.min_id, self.max_id) for _ in range(4000)})
        old_enough = set(
            WorkOrder.objects.filter(
                pk__in=candidates, created_at__lt=timezone.now() - timedelta(days=30)
            ).values_list("id", flat=True)
        )
        self.order_ids = [i for i in candidates if i in old_enough][:400]
        rng.shuffle(self.order_ids)
        self.recent_ids = list(WorkOrder.objects.order_by("-created_at").values_list("id", flat=True)[:400])
        # "My orders" as the worker with the most orders on hand (at 50k the demo worker may have none, and an
        # empty list skips its attachment query).
        busiest = (
            WorkOrder.objects.filter(status__in=ACTIVE, worker__user__isnull=False)
            .values("worker__user__username")
            .annotate(n=Count("id"))
            .order_by("-n", "worker__user__username")
            .first()
        )
        self.busy_worker = busiest["worker__user__username"] if busiest else "worker_water"
        # Search terms: an address (district+building), a phone prefix, words of the description.
        self.words = [
            "漏水",
            "地漏堵塞",
            "灯不亮",
            "门锁",
            "水压",
            "屋顶漏雨",
            "插座没电",
            "下水道返味",
            "跳闸",
        ]

    def pick(self, seq, i):
        return seq[(i * 7919) % len(seq)]


def _address_term(label: str) -> str:
    # "5区37栋1单元302室" → "5区37栋" (all orders of a building)
    head = label.split("栋")[0]
    return head + "栋" if "栋" in label else label[:4]


def build(p: Params) -> list[Scenario]:
    now = timezone.now()
    statuses = ["closed", "completed", "on_site", "cancelled", "accepted"]
    pages_default = 20  # pages 1..20 of the default list
    # Deep pages: the second half of the first 2,000 pages (offsets up to 100k rows).
    deep_max = max(2, min(p.orders // 50, 2_000))

    def lookup_api(i):
        return "/api/v1/hotline/lookup/", {"phone": p.pick(p.phones, i)}

    def lookup_panel(i):
        return "/desk/lookup/", {"phone": p.pick(p.phones, i)}

    def intake(i):
        room_id, _label = p.pick(p.rooms, i * 13 + 1)
        return "/api/v1/calls/", {
            "phone": p.pick(p.phones, i + 3),
            "call_type": "repair",
            "summary": "bench: 厨房水龙头漏水",
            "room": room_id,
            "category": p.pick(p.leaves, i),
            "allow_duplicate": True,  # the scenario measures creating the order, whatever the room has open
        }

    def list_default(i):
        return "/api/v1/work-orders/", {"page": 1 + i % pages_default}

    def list_filtered(i):
        return "/api/v1/work-orders/", {
            "crew": p.pick(p.crews, i),
            "status": statuses[i % len(statuses)],
            "district": p.pick(p.districts, i // 3),
        }

    def search(i):
        kind = i % 3
        if kind == 0:
            q = _address_term(p.pick(p.labels, i))
        elif kind == 1:
            q = p.pick(p.phones, i)[:7]
        else:
            q = p.pick(p.words, i)
        return "/api/v1/work-orders/", {"q": q}

    def deep(i):
        return "/api/v1/work-orders/", {"page": deep_max - (i * 37) % max(1, deep_max // 2)}

    def detail(i):
        return f"/orders/{p.pick(p.order_ids, i)}/", {}

    def detail_recent(i):
        return f"/orders/{p.pick(p.recent_ids, i)}/", {}

    def board(i):
        return "/desk/board/", ({"page": 1 + i % 2} if i % 3 else {"crew": p.pick(p.crews, i)})

    def crew_queue(i):
        return "/orders/crew/", ({} if i % 2 else {"status": "assigned"})

    def mine(i):
        return "/orders/mine/", {}

    def poll(scope: str, username: str):
        """A poll that finds nothing new: the version the page shows (taken once), sent back with htmx."""
        version: dict[str, str] = {}

        def make(i):
            if not version:
                from workorders.selectors import list_version

                user_id = get_user_model().objects.get(username=username).pk
                version["v"] = list_version(user_id=user_id, scope=scope)
            return ("/orders/crew/" if scope == "crew" else "/orders/mine/"), {"since": version["v"]}

        return make

    def follow_ups(i):
        return "/feedback/", {"page": 1 + i % 3}

    def month(i):
        d = (now.replace(day=1) - timedelta(days=1 + 31 * (i % 12))).replace(day=1)
        return f"{d:%Y-%m}"

    def satisfaction(i):
        # Twelve months by crew (a custom range; the report compares it with the twelve months before).
        to = timezone.localdate(now).replace(day=1) - timedelta(days=30 * (i % 6) + 1)
        frm = to - timedelta(days=364)
        return "/api/v1/reports/satisfaction/", {
            "from": frm.isoformat(),
            "to": to.isoformat(),
            "group_by": "crew",
        }

    def sla(i):
        to = timezone.localdate(now) - timedelta(days=30 * (i % 6))
        frm = to - timedelta(days=90)
        return "/api/v1/reports/sla/", {
            "from": frm.isoformat(),
            "to": to.isoformat(),
            "group_by": ("crew", "category", "urgency")[i % 3],
        }

    def assessment(i):
        return "/api/v1/reports/assessments/", {"month": month(i), "level": ("crew", "worker")[i % 2]}

    def dashboard(i):
        return [
            "/feedback/dashboard/",
            "/feedback/reports/dashboard/",
            "/reports/dashboard/",
            "/dashboard/",
        ], {}

    # Excel export of 10k orders: the newest EXPORT_ROWS orders created before a day's start, a different day
    # per request (8 windows); over EXPORT_SYNC_LIMIT rows the export is a job (bench_export_job below).
    export_windows: dict[int, tuple] = {}

    def export(i):
        from workorders.models import WorkOrder

        k = i % 8
        if k not in export_windows:
            end = _local_midnight(timezone.localdate(now) - timedelta(days=1 + 9 * k))
            start = (
                WorkOrder.objects.filter(created_at__lt=end)
                .order_by("-created_at")
                .values_list("created_at", flat=True)[EXPORT_ROWS - 1]
            )
            export_windows[k] = (start, end)
        start, end = export_windows[k]
        return "/feedback/exports/orders/", {
            "created_after": start.isoformat(),
            "created_before": end.isoformat(),
            "export": 1,
        }

    # Raw-SQL floors --------------------------------------------------------------------------------------
    def floor_lookup(i):
        phone = p.pick(p.phones, i)
        sql = """
        WITH res AS (
            SELECT r.* FROM residents_resident r
            WHERE r.phone = %s OR r.alt_phone = %s ORDER BY r.name, r.id LIMIT 10),
        rys AS (
            SELECT ry.*, row_to_json(rm.*) AS room, row_to_json(u.*) AS unit FROM residents_residency ry
            JOIN residents_room rm ON rm.id = ry.room_id JOIN residents_unit u ON u.id = rm.unit_id
            WHERE ry.resident_id IN (SELECT id FROM res)),
        orders AS (
            SELECT o.*, row_to_json(c.*) AS category, row_to_json(pc.*) AS parent, row_to_json(cr.*) AS crew,
                   row_to_json(w.*) AS worker, row_to_json(d.*) AS district, row_to_json(rm.*) AS room
            FROM workorders_workorder o
            JOIN workorders_category c ON c.id = o.category_id
            LEFT JOIN workorders_category pc ON pc.id = c.parent_id
            LEFT JOIN crews_crew cr ON cr.id = o.crew_id
            LEFT JOIN crews_worker w ON w.id = o.worker_id
            JOIN residents_district d ON d.id = o.district_id
            LEFT JOIN residents_room rm ON rm.id = o.room_id
            WHERE o.room_id IN (SELECT room_id FROM rys)
              AND (o.status IN ('received','dispatched','assigned','accepted','on_site','on_hold','completed')
                   OR o.id IN (SELECT id FROM workorders_workorder WHERE room_id IN (SELECT room_id FROM rys)
                               ORDER BY created_at DESC LIMIT 10))
            ORDER BY o.created_at DESC LIMIT 40),
        incidents AS (
            SELECT i.* FROM workorders_incident i
            WHERE i.ended_at IS NULL AND i.district_id IN (
                SELECT rm.district_id FROM residents_room rm WHERE rm.id IN (SELECT room_id FROM rys))),
        complaints AS (
            SELECT cp.id, cp.status, cp.summary, cp.received_at FROM feedback_complaint cp
            WHERE cp.complainant_phone = %s AND cp.status <> 'closed' ORDER BY cp.received_at DESC LIMIT 10),
        calls AS (
            SELECT cl.*, u.username, wo.number FROM hotline_call cl
            JOIN auth_user u ON u.id = cl.taken_by_id
            LEFT JOIN workorders_workorder wo ON wo.id = cl.work_order_id
            WHERE cl.phone = %s ORDER BY cl.started_at DESC, cl.id DESC LIMIT 10)
        SELECT (SELECT json_agg(res) FROM res), (SELECT json_agg(rys) FROM rys),
               (SELECT json_agg(orders) FROM orders), (SELECT json_agg(incidents) FROM incidents),
               (SELECT json_agg(complaints) FROM complaints), (SELECT json_agg(calls) FROM calls)
        """
        return sql, [phone, phone, phone, phone]

    list_select = """
        SELECT o.id, o.number, o.status, o.urgency, o.location_label, o.created_at, o.due_at, o.reporter_phone,
               c.name, pc.name, cr.name, w.name, d.name
        FROM workorders_workorder o
        JOIN workorders_category c ON c.id = o.category_id
        LEFT JOIN workorders_category pc ON pc.id = c.parent_id
        LEFT JOIN crews_crew cr ON cr.id = o.crew_id
        LEFT JOIN crews_worker w ON w.id = o.worker_id
        JOIN residents_district d ON d.id = o.district_id
    """

    def floor_list(i):
        page = 1 + i % pages_default
        return list_select + " ORDER BY o.created_at DESC LIMIT 50 OFFSET %s", [(page - 1) * 50]

    def floor_filtered(i):
        return (
            list_select
            + " WHERE o.crew_id = %s AND o.status = %s AND o.district_id = %s ORDER BY o.created_at DESC LIMIT 50",
            [p.pick(p.crews, i), statuses[i % len(statuses)], p.pick(p.districts, i // 3)],
        )

    def floor_satisfaction(i):
        # The same figures as the report, by hand in one statement: per crew, the follow-ups due in the
        # twelve months and the twelve before (conditional counts), and the 五心 averages of the reached answers
        # (carried by the follow-ups since feedback 0007).
        from feedback.reports.periods import parse_period

        _path, q = satisfaction(i)
        period = parse_period(q)
        previous = period.previous()
        start, end, prev_start = period.start_at, min(period.end_at, now), previous.start_at
        return (
            """
            WITH counts AS (
                SELECT f.crew_id,
                       COUNT(*) FILTER (WHERE f.due_at >= %(s)s) AS due,
                       COUNT(*) FILTER (WHERE f.due_at >= %(s)s AND f.outcome <> '') AS contacted,
                       COUNT(*) FILTER (WHERE f.due_at >= %(s)s AND f.outcome = 'reached') AS reached,
                       COUNT(*) FILTER (WHERE f.due_at >= %(s)s AND f.outcome = 'reached'
                                          AND f.verdict = 'satisfied') AS satisfied,
                       COUNT(*) FILTER (WHERE f.due_at >= %(s)s AND f.outcome = 'reached'
                                          AND f.verdict = 'basically_satisfied') AS basically,
                       COUNT(*) FILTER (WHERE f.due_at >= %(s)s AND f.outcome = 'reached'
                                          AND f.verdict = 'dissatisfied') AS dissatisfied,
                       COUNT(*) FILTER (WHERE f.due_at < %(s)s AND f.outcome = 'reached') AS prev_reached,
                       COUNT(*) FILTER (WHERE f.due_at < %(s)s AND f.outcome = 'reached'
                                          AND f.verdict IN ('satisfied', 'basically_satisfied')) AS prev_good
                FROM feedback_followup f
                WHERE f.due_at >= %(p)s AND f.due_at < %(e)s
                GROUP BY f.crew_id),
            ratings AS (
                SELECT f.crew_id, COUNT(*) AS rated, AVG(f.rating_care), AVG(f.rating_workmanship),
                       AVG(f.rating_safety), AVG(f.rating_quality), AVG(f.rating_comfort)
                FROM feedback_followup f
                WHERE f.outcome = 'reached' AND f.due_at >= %(s)s AND f.due_at < %(e)s
                GROUP BY f.crew_id)
            SELECT c.*, cr.name, r.* FROM counts c
            LEFT JOIN crews_crew cr ON cr.id = c.crew_id LEFT JOIN ratings r ON r.crew_id = c.crew_id
            ORDER BY c.crew_id
            """,
            {"s": start, "e": end, "p": prev_start},
        )

    def smallest_page(i):
        return "/api/v1/crews/", {}

    def api_root(i):
        return "/api/v1/", {}

    def plan_outage(i):
        starts = timezone.now() + timedelta(hours=2)
        return "/api/v1/outages/", {
            "title": "bench: 全区停水",
            "system": "water",
            "kind": "planned",
            "district": p.pick(p.districts, i),
            "starts_at": starts.isoformat(),
            "expected_end_at": (starts + timedelta(hours=6)).isoformat(),
            "notice_lead_minutes": 180,  # due at once: the advance notices are queued in the request
        }

    def hazard_list(i):
        if i % 2:
            return "/api/v1/hazards/", {"page": 1 + i % 5}
        return "/api/v1/hazards/", {"severity": ["critical", "major", "minor"][i % 3], "status": "found"}

    return [
        # Not a target: the fixed cost of any authenticated API request here (session, user, middleware, DRF,
        # JSON) on a 4-row page — what every floor ratio below carries on top of its SQL.
        # The least any signed-in API request costs here: session, user, DRF's dispatch and a JSON body, no
        # query of its own. A floor ratio of 3× cannot go below this row divided by 3.
        Scenario("reference: API root (signed in, no query of its own)", "dispatcher", make=api_root),
        Scenario("reference: smallest API page (4 crews)", "dispatcher", make=smallest_page),
        Scenario(
            "caller lookup (API)",
            "dispatcher",
            15,
            8,
            True,
            make=lookup_api,
            floor=floor_lookup,
            floor_target=3,
        ),
        Scenario(
            "caller lookup (htmx panel)",
            "dispatcher",
            15,
            8,
            True,
            make=lookup_panel,
            htmx=True,
            floor=floor_lookup,
            floor_target=3,
        ),
        Scenario(
            "intake: call + order + dispatch",
            "dispatcher",
            40,
            None,
            True,
            method="post",
            make=intake,
            ok_status=(201,),
        ),
        Scenario(
            "order list, default (50 rows)",
            "dispatcher",
            30,
            8,
            True,
            make=list_default,
            floor=floor_list,
            floor_target=3,
        ),
        Scenario(
            "order list, filtered crew+status+district",
            "dispatcher",
            30,
            8,
            True,
            make=list_filtered,
            floor=floor_filtered,
            floor_target=3,
            floor_plus_root=True,
        ),
        Scenario("keyword search (address, phone, words)", "dispatcher", 60, None, True, make=search),
        Scenario("order list, deep page", "dispatcher", None, 8, True, make=deep),
        Scenario("order detail (HTML)", "dispatcher", 20, 12, False, make=detail),
        Scenario("order detail, recent active (HTML)", "dispatcher", 20, 12, False, make=detail_recent),
        Scenario("dispatch board", "dispatcher", None, None, True, make=board),
        Scenario("leader queue", "leader_water", None, None, True, make=crew_queue),
        Scenario(
            "leader queue: first screen on a phone (HTML size)",
            "leader_water",
            None,
            None,
            True,
            make=lambda i: ("/orders/crew/", {}),
            max_bytes=100_000,
        ),
        Scenario(
            "leader queue: a poll that finds nothing new",
            "leader_water",
            5,
            2,
            True,
            make=poll("crew", "leader_water"),
            htmx=True,
            ok_status=(204,),
        ),
        Scenario(
            "worker: my orders, a poll that finds nothing new",
            p.busy_worker,
            5,
            2,
            True,
            make=poll("mine", p.busy_worker),
            htmx=True,
            ok_status=(204,),
        ),
        Scenario("worker: my orders", p.busy_worker, None, None, True, make=mine),
        Scenario("follow-up queue", "dispatcher", None, None, True, make=follow_ups),
        Scenario(
            "satisfaction report (12 months x crews)",
            "manager",
            300,
            None,
            True,
            make=satisfaction,
            floor=floor_satisfaction,
            floor_target=3,
        ),
        Scenario("SLA report", "manager", None, None, True, make=sla),
        Scenario("monthly assessment (crews, workers)", "manager", 1000, None, True, make=assessment),
        Scenario("manager dashboard", "manager", 400, None, True, make=dashboard),
        Scenario(
            "plan an outage over a whole district (count homes, queue notices)",
            "manager",
            1000,
            None,
            True,
            method="post",
            make=plan_outage,
            ok_status=(201,),
            requests=10,
            run=bench_plan_outage,
            teardown=delete_bench_outages,
            note="the notice batches go to the broker (not run in the request); one notice row per phone",
        ),
        Scenario("hazard register list", "manager", 30, 4, True, make=hazard_list),
        Scenario(
            "Excel export, 10k orders",
            "manager",
            None,
            None,
            True,
            make=export,
            requests=5,
            run=bench_export_job,
            teardown=delete_bench_exports,
            warmup=1,
            peak_memory=True,
            note="export request → the job's task run in-process (no worker in the bench) → its page → download",
        ),
    ]


EXPORT_ROWS = 10_000
_bench_export_ids: list[int] = []


def _local_midnight(day):
    from datetime import datetime

    return datetime.combine(day, datetime.min.time(), timezone.get_current_timezone())


def bench_export_job(client: Client, path: str, params: dict):
    """What the manager waits for: the export request (over EXPORT_SYNC_LIMIT rows it creates a job and
    redirects to its page), the job's Celery task — run here, synchronously, as a worker would — the job's
    page, then the download of the workbook. Returns the download (a 302 or a failed job is an error)."""
    from feedback.tasks import run_export_task

    response = client.get(path, params)
    if response.status_code != 302:
        return response
    job_id = resolve(response["Location"]).kwargs["pk"]
    _bench_export_ids.append(job_id)
    run_export_task(job_id)
    page = client.get(response["Location"])
    if page.status_code != 200:
        return page
    return client.get(f"{response['Location']}download/")


def delete_bench_exports() -> None:
    """The bench's export jobs and their files: the bench database holds no more than the data it loaded and
    what the write scenarios add."""
    from feedback.models import ExportJob

    for job in ExportJob.objects.filter(pk__in=_bench_export_ids):
        if job.file:
            job.file.delete(save=False)
        job.delete()
    _bench_export_ids.clear()


def bench_plan_outage(client: Client, path: str, params: dict):
    """POST the outage with the Celery app not eager, as in production: the request writes the outage, its
    notice run and one notice row per phone and hands the first batch to the broker (memory:// here)."""
    from config.celery import app as celery_app

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        return client.post(path, params, content_type="application/json")
    finally:
        celery_app.conf.task_always_eager = eager


def delete_bench_outages() -> None:
    from workorders.models import Incident

    Incident.objects.filter(title__startswith="bench:").delete()


def pick_path(path) -> str | None:
    if isinstance(path, str):
        return path if resolves(path) else None
    for candidate in path:
        if resolves(candidate):
            return candidate
    return None


def send(sc: Scenario, client: Client, path: str, params):
    """One request of the scenario, its body read to the end (a streamed download too); the response."""
    headers = {"HTTP_HX_REQUEST": "true"} if sc.htmx else {}
    if sc.run is not None:
        r = sc.run(client, path, params)
    elif sc.method == "post":
        r = client.post(path, params, content_type="application/json", **headers)
    else:
        r = client.get(path, params, **headers)
    if getattr(r, "streaming", False):
        b"".join(r.streaming_content)
        r.close()
    else:
        r.content  # noqa: B018 — make sure the body is rendered
    return r


ROOT_SCENARIO = "reference: API root"


def run_scenario(sc: Scenario, client: Client, requests: int, root_ms: float | None = None) -> Result:
    res = Result(
        sc.name,
        target_ms=sc.target_ms,
        max_queries=sc.max_queries,
        floor_target=sc.floor_target,
        floor_plus_root=sc.floor_plus_root,
        fixed_queries=sc.fixed_queries,
        note=sc.note,
        max_bytes=sc.max_bytes,
    )
    first_path, _ = sc.make(0)
    path0 = pick_path(first_path)
    if path0 is None:
        res.available = False
        print(f"  {sc.name:<45} not available (no URL yet)")
        return res
    n = sc.requests or requests
    times, qcounts, sqltimes = [], [], []

    def one(i, measure):
        path, params = sc.make(i)
        path = pick_path(path) or path0
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            t = time.perf_counter()
            r = send(sc, client, path, params)
            elapsed = time.perf_counter() - t
        if measure:
            res.statuses[r.status_code] = res.statuses.get(r.status_code, 0) + 1
            if r.status_code not in sc.ok_status:
                res.errors += 1
            times.append(elapsed * 1000)
            if not getattr(r, "streaming", False):
                res.bytes_max = max(res.bytes_max or 0, len(r.content))
            qcounts.append(timer.count)
            sqltimes.append(timer.seconds * 1000)
        if not res.path_example:
            res.path_example = path + (
                "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params and sc.method == "get" else ""
            )
        return r

    for i in range(sc.warmup or WARMUP):
        one(10_000 + i, False)
    for i in range(n):
        one(i, True)
    if sc.peak_memory:
        tracemalloc.start()
        one(n, False)
        res.peak_mb = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    if sc.teardown is not None:
        sc.teardown()
    res.n = n
    res.median_ms = round(statistics.median(times), 2)
    res.p95_ms = round(pct(times, 0.95), 2)
    res.queries_median = statistics.median(qcounts)
    res.queries_min, res.queries_max = min(qcounts), max(qcounts)
    res.sql_ms_median = round(statistics.median(sqltimes), 2)
    if sc.floor is not None:
        ftimes = []
        for i in list(range(WARMUP)) + list(range(n)):
            sql, params = sc.floor(i)
            with connection.cursor() as c:
                t = time.perf_counter()
                c.execute(sql, params)
                c.fetchall()
                if i >= WARMUP or n < WARMUP:
                    ftimes.append((time.perf_counter() - t) * 1000)
        res.floor_median_ms = round(statistics.median(ftimes), 2)
        base = res.floor_median_ms
        if sc.floor_plus_root and root_ms:
            res.root_ms = root_ms
            base += root_ms
        res.ratio = round(res.median_ms / base, 1) if base else None
    floor = f" floor {res.floor_median_ms:.1f} ms (x{res.ratio})" if res.floor_median_ms is not None else ""
    if res.peak_mb is not None:
        floor += f"  peak Python heap {res.peak_mb:.0f} MB"
    if res.max_bytes is not None:
        floor += f"  body ≤ {res.bytes_max:,} bytes"
    print(
        f"  {sc.name:<45} median {res.median_ms:7.1f} ms  p95 {res.p95_ms:7.1f} ms  "
        f"queries {res.queries_min}-{res.queries_max}  sql {res.sql_ms_median:6.1f} ms{floor}  "
        f"errors {res.errors}  [{res.verdict()}]"
    )
    return res


def run_all(*, requests: int = 60, only: list[str] | None = None) -> list[Result]:
    print(f"bench: in-process scenarios ({requests} requests each after {WARMUP} warm-up)")
    params = Params()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["dispatcher", "leader_water", "worker_water", "manager", params.busy_worker]
        )
    }
    clients: dict[str, Client] = {}
    results = []
    for sc in build(params):
        if only and not any(word.lower() in sc.name.lower() for word in only):
            continue
        if sc.user not in clients:
            client = Client(enforce_csrf_checks=False)
            client.force_login(users[sc.user])
            clients[sc.user] = client
        root = next((r.median_ms for r in results if r.name.startswith(ROOT_SCENARIO) and r.available), None)
        results.append(run_scenario(sc, clients[sc.user], requests, root_ms=root))
    return results
