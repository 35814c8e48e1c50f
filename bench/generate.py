"""Bench data: the `base` demo site plus N work orders over 5 years, loaded with PostgreSQL COPY.

What it writes (per order, on average): the order; 4–8 timeline events (create, dispatch, assign, accept,
arrive, complete, close, plus holds, reminders, reworks); a follow-up with 1–3 attempts for every completed
order (a second round for a rework); ~1.3 calls (the repair call itself, reminders, inquiries; incidents with
dozens of linked calls); ~1% complaints; a rating link for a few follow-ups.

Distributions: categories weighted by season and system (frozen pipes in winter, blocked drains and power
faults in the rainy summer), urgency from the category with 5% planned and 5% appointments, busier office
hours, callers skewed towards a minority of rooms, ~90% closed, recent orders at every step of the way.

Deterministic: the same seed and anchor day give the same rows. Fast: rows are formatted in Python as COPY
text into an in-memory buffer flushed every CHUNK orders (bounded memory), foreign-key triggers are skipped
for the session (`session_replication_role = replica`: the generator writes only ids it knows exist), the
big tables' secondary indexes are dropped during the load and rebuilt after, then sequences are moved past
the new ids and VACUUM ANALYZE runs. A marker table `bench_dataset` records what was loaded; a second run with the
same size finds it and skips.

Deadlines use the commitment's limits as clock time (working-time bases are approximated: working minutes
×1.4, working days as 1.4 calendar days), which is all the reports and lists need."""

from __future__ import annotations

import hashlib
import io
import random
import resource
import time
from datetime import UTC, date, datetime

from django.db import connection

CHUNK = 20_000
YEARS = 5
SHANGHAI = 8 * 3600  # local offset (no DST in China)

# Season factors per category code prefix/keyword, by month 1..12.
WINTER = {12: 3.0, 1: 4.0, 2: 3.0, 11: 1.5, 3: 1.2}
SUMMER = {6: 2.0, 7: 2.5, 8: 2.5, 9: 1.5, 5: 1.3}


def season_factor(code: str, month: int) -> float:
    if code in ("water.frozen",):
        return {12: 6.0, 1: 8.0, 2: 5.0}.get(month, 0.05)
    if code.startswith("drainage.") and code.split(".")[1] in (
        "rain_grate",
        "outdoor_overflow",
        "riser_blocked",
    ):
        return SUMMER.get(month, 0.7)
    if code.startswith("maintenance.leak_roof") or code.startswith("maintenance.leak_wall"):
        return SUMMER.get(month, 0.6)
    if code.startswith("electrical."):
        return {7: 1.8, 8: 1.8, 1: 1.3, 12: 1.2}.get(month, 1.0)
    if code.startswith("water.") and "outage" in code:
        return WINTER.get(month, 1.0) ** 0.5
    return 1.0


_TS_CACHE: dict[int, str] = {}


def ts(epoch: float | None) -> str:
    """COPY text for a timestamptz: 'YYYY-MM-DD HH:MM:SS+00' (\\N for None)."""
    if epoch is None:
        return "\\N"
    e = int(epoch)
    minute, sec = divmod(e, 60)
    head = _TS_CACHE.get(minute)
    if head is None:
        if len(_TS_CACHE) > 200_000:
            _TS_CACHE.clear()
        head = datetime.fromtimestamp(minute * 60, UTC).strftime("%Y-%m-%d %H:%M:")
        _TS_CACHE[minute] = head
    return f"{head}{sec:02d}+00"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------------------------------------


class Table:
    """A COPY target: the column order and a buffer of rows, flushed through copy_expert."""

    def __init__(self, name: str, columns: list[str]):
        self.name, self.columns = name, columns
        self.buf = io.StringIO()
        self.rows = 0
        self.written = 0

    def add(self, values) -> None:
        self.buf.write("\t".join(values))
        self.buf.write("\n")
        self.rows += 1

    def flush(self, cursor) -> None:
        if not self.rows:
            return
        self.buf.seek(0)
        cursor.copy_expert(
            f"COPY {self.name} ({', '.join(self.columns)}) FROM STDIN WITH (FORMAT text)",
            self.buf,
            size=1 << 20,
        )
        self.written += self.rows
        self.buf = io.StringIO()
        self.rows = 0


def model_columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


MARKER = "bench_dataset"


def loaded(cursor) -> dict | None:
    cursor.execute(f"SELECT to_regclass('{MARKER}') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return None
    cursor.execute(f"SELECT orders, seed, anchor, seconds FROM {MARKER} ORDER BY id DESC LIMIT 1")
    row = cursor.fetchone()
    return dict(zip(("orders", "seed", "anchor", "seconds"), row, strict=True)) if row else None


def ensure_base_site() -> None:
    """The `base` demo site (places, staff, 3000 recent demo orders); seed_demo is idempotent."""
    from django.core.management import call_command

    from residents.models import Room

    if not Room.objects.exists():
        call_command("seed_demo", scale="base", quiet_logins=True, verbosity=0)


# Indexes kept during COPY: primary keys and unique constraints (they back ON CONFLICT and uniqueness checks).
BIG_TABLES = (
    "workorders_workorder",
    "workorders_workorderevent",
    "feedback_followup",
    "feedback_followupattempt",
    "hotline_call",
)


def drop_secondary_indexes(cursor) -> list[str]:
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [list(BIG_TABLES)],
    )
    rows = cursor.fetchall()
    for name, _ in rows:
        cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    return [d for _, d in rows]


def generate(*, orders: int, seed: int = 10196, anchor: date | None = None, log=print) -> dict:
    """Load `orders` work orders (and what hangs off them) unless this size is already loaded."""
    assert connection.vendor == "postgresql", "the generator uses PostgreSQL COPY"
    with connection.cursor() as c:
        found = loaded(c)
    if found and found["orders"] == orders:
        log(
            f"data: {orders} orders already loaded (seed {found['seed']}, anchor {found['anchor']}) - skipping"
        )
        return {"skipped": True, **found}
    if found:
        raise SystemExit(
            f"This database holds a {found['orders']}-order bench dataset; use another database for {orders}."
        )
    started = time.monotonic()
    ensure_base_site()
    anchor = anchor or date.today()
    end = datetime(anchor.year, anchor.month, anchor.day, tzinfo=UTC).timestamp() - SHANGHAI - 3600
    # The demo orders (seed_demo) cover the last 60 days; ours run up to the anchor day as well.
    data = Dataset(Site.load(), random.Random(seed), seed=seed, start=end - YEARS * 365 * 86400, end=end)
    with connection.cursor() as c:
        data.copy(c, orders, log)
        _finish_load(c, data, orders=orders, seed=seed, anchor=anchor, started=started, log=log)
    summary = {
        "skipped": False,
        "orders": data.t_orders.written,
        "events": data.t_events.written,
        "follow_ups": data.t_fu.written,
        "attempts": data.t_att.written,
        "rating_tokens": data.t_tok.written,
        "complaints": data.t_cmp.written,
        "calls": data.t_call.written,
        "incidents": data.t_inc.written,
        "seconds": round(time.monotonic() - started, 1),
        "peak_rss_mb": round(peak_rss_mb()),
    }
    log("data: " + ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in summary.items()))
    return summary


def _finish_load(c, data: Dataset, *, orders: int, seed: int, anchor: date, started: float, log) -> None:
    """Rebuild the dropped indexes, move the day counters and sequences past the new rows, VACUUM ANALYZE and
    write the marker."""
    t1 = time.monotonic()
    c.execute("SET maintenance_work_mem = '256MB'")
    for ddl in data.dropped:
        c.execute(ddl)
    log(f"  indexes rebuilt in {time.monotonic() - t1:.0f}s")
    c.execute("SET session_replication_role = DEFAULT")
    c.executemany(
        "INSERT INTO workorders_ordernumbercounter (day, last) VALUES (%s, %s) "
        "ON CONFLICT (day) DO UPDATE SET last = GREATEST(workorders_ordernumbercounter.last, EXCLUDED.last)",
        sorted(data.per_day.items()),
    )
    for tbl in data.tables:
        c.execute(
            f"SELECT setval(pg_get_serial_sequence('{tbl.name}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {tbl.name}))"
        )
    t2 = time.monotonic()
    # VACUUM too, not only ANALYZE: COPY leaves the visibility map empty, and the planner's probes of index
    # endpoints (get_actual_variable_range) then read heap pages — 10 ms of planning for a 10-join query.
    c.execute("VACUUM (ANALYZE)")
    log(f"  VACUUM ANALYZE in {time.monotonic() - t2:.0f}s")
    c.execute(
        f"CREATE TABLE IF NOT EXISTS {MARKER} (id serial PRIMARY KEY, orders integer NOT NULL, "
        "seed integer NOT NULL, anchor date NOT NULL, seconds real NOT NULL, "
        "loaded_at timestamptz NOT NULL DEFAULT now())"
    )
    c.execute(
        f"INSERT INTO {MARKER} (orders, seed, anchor, seconds) VALUES (%s, %s, %s, %s)",
        [orders, seed, anchor, time.monotonic() - started],
    )


class Site:
    """The demo site the orders happen on: rooms and their residents, categories with their limits and
    seasonal weights, crews and staff."""

    @classmethod
    def load(cls) -> Site:
        from django.contrib.auth import get_user_model

        from crews.choices import Role
        from crews.models import Crew, Worker
        from feedback.models import ComplaintType
        from residents.models import Residency, Room
        from workorders.models import Category

        site, User = cls(), get_user_model()
        site.rooms = list(
            Room.objects.order_by("id").values_list("id", "district_id", "building_id", "label")
        )
        site.reporters = {}
        for room_id, resident_id, phone, name in Residency.objects.order_by("id").values_list(
            "room_id", "resident_id", "resident__phone", "resident__name"
        ):
            site.reporters.setdefault(room_id, (resident_id, phone, name))
        site.crews = {cr.kind: cr.id for cr in Crew.objects.filter(active=True).order_by("id")}
        leaves = Category.objects.filter(parent__isnull=False, active=True).order_by("id")
        site.leaves = [cat for cat in leaves if cat.crew_kind in site.crews]
        site.workers, site.leaders = {}, {}
        for w in Worker.objects.filter(active=True).order_by("id"):
            if w.is_leader:
                site.leaders.setdefault(w.crew_id, w.user_id)
            else:
                site.workers.setdefault(w.crew_id, []).append((w.id, w.user_id))
        users = User.objects.order_by("id")
        site.desk = list(users.filter(groups__name=Role.DISPATCHER).values_list("id", flat=True))
        site.managers = list(users.filter(groups__name=Role.MANAGER).values_list("id", flat=True))
        site.ctypes = list(ComplaintType.objects.order_by("id").values_list("id", flat=True))
        site.buildings_of_district, site.rooms_of_building = {}, {}
        for r in site.rooms:
            buildings = site.buildings_of_district.setdefault(r[1], [])
            if r[2] not in buildings[-1:]:
                buildings.append(r[2])
            site.rooms_of_building.setdefault(r[2], []).append(r)
        site.limits = _limits(site.leaves)
        # Category weights per month (season × system), emergencies rarer.
        base_w = [(1.0 if cat.default_urgency == "emergency" else 4.0) for cat in site.leaves]
        site.month_weights = {
            m: list(
                _cumulative(
                    [bw * season_factor(c.code, m) for bw, c in zip(base_w, site.leaves, strict=True)]
                )
            )
            for m in range(1, 13)
        }
        site.sys_leaf = {
            system: next((cat for cat in site.leaves if cat.code == code), site.leaves[0])
            for system, code in (
                ("water", "water.outage_unit"),
                ("power", "electrical.building_outage"),
                ("drainage", "drainage.riser_blocked"),
            )
        }
        return site


def _limits(leaves) -> dict:
    """Commitment limits in seconds per (urgency, category): (respond, arrive or None, complete)."""
    from workorders.models import ServiceCommitment
    from workorders.selectors import commitment_for

    def limit(minutes, basis):
        if minutes is None:
            return None
        if basis == "working_days":
            return minutes * 86400 * 1.4
        if basis == "working_minutes":
            return minutes * 60 * 1.4
        return minutes * 60

    limits = {}
    for cat in leaves:
        for urg in ("emergency", "normal", "appointment", "planned"):
            try:
                cm = commitment_for(urg, cat)
            except ServiceCommitment.DoesNotExist:
                continue
            limits[(urg, cat.id)] = (
                limit(cm.respond_minutes, cm.respond_basis),
                limit(cm.arrive_minutes, cm.arrive_basis),
                limit(cm.complete_minutes, cm.complete_basis),
            )
    return limits


# --- One order's life: a path through workorders.lifecycle.TRANSITIONS ------------------------------------


class Timeline:
    """An order's events as (kind, at, role, from, to, note), each made by `walk` along the table, and what
    the order's row stamps on the way. Roles: dispatcher, leader, worker, manager."""

    def __init__(self, created: float) -> None:
        self.events = [("create", created, "dispatcher", "", "received", "")]
        self.status = "received"
        self.stamps: dict[str, float] = {}
        self.last_at = created
        self.completed: float | None = None
        self.first_completed: float | None = None  # the completion a rework reopened
        self.held = 0
        self.hold_reason = self.cancel_reason = ""
        self.held_from = ""
        self.on_hold_since: float | None = None
        self.reminders: list[float] = []

    def walk(self, kind: str, at: float, role: str, note: str = "", way: str | None = None) -> None:
        from workorders.lifecycle import TRANSITIONS, target_of

        if self.status not in TRANSITIONS[kind][0]:
            raise ValueError(f"bench: {kind} is not possible from {self.status}")
        before, self.status = self.status, str(target_of(kind, way) or self.status)
        self.events.append((kind, at, role, before, self.status, note))
        self.last_at = max(self.last_at, at)


def _target(rng, age: float) -> str:
    """How far an order of this age got: old ones are finished, recent ones stop anywhere along the way."""
    if age > 7 * 86400:
        return _choice(rng, ("closed", "completed", "cancelled"), (92.5, 1.5, 6))
    if age > 2 * 86400:
        return _choice(rng, ("closed", "completed", "on_site", "on_hold", "cancelled"), (45, 35, 8, 7, 5))
    return _choice(
        rng,
        ("received", "dispatched", "assigned", "accepted", "on_site", "on_hold", "completed"),
        (8, 12, 15, 15, 15, 5, 30),
    )


def order_timeline(
    rng, *, created: float, end: float, deadlines: tuple, rework_rate: float = 0.02, workable: bool = True
) -> Timeline:
    """The life of one order created at `created`, up to `end`: cancelled, or along the normal path towards
    the state its age makes likely, with holds on site, a rework after an unhappy follow-up, a hold while
    accepted and the resident's reminders. `deadlines`: (respond_by, arrive_by or None, complete_by)."""
    line = Timeline(created)
    target = _target(rng, end - created)
    if target == "cancelled" or not workable:
        line.cancel_reason = _CANCEL[int(rng.random() * 4)]
        line.walk("cancel", created + rng.uniform(5, 60) * 60, "dispatcher")
        line.stamps["cancelled_at"] = line.last_at
        return line
    rework = target == "closed" and rng.random() < rework_rate
    stop = _PATH.index("accepted" if target == "on_hold" else target) if target != "received" else -1
    if rework:
        stop = _PATH.index("completed")
    _along_the_path(
        rng, line, _PATH[: stop + 1], deadlines, end, hold_on_site=target in ("completed", "closed")
    )
    if rework and line.status == "completed" and line.completed + 5 * 86400 < end:
        _rework(rng, line)
    if target == "on_hold" and line.status == "accepted":
        h0 = line.last_at + rng.uniform(10, 60) * 60
        if h0 < end:
            line.hold_reason, line.held_from, line.on_hold_since = (
                _HOLD[int(rng.random() * 4)],
                "accepted",
                h0,
            )
            line.walk("hold", h0, "leader", line.hold_reason)
    if line.status in ("received", "dispatched", "assigned", "accepted", "on_site") and rng.random() < 0.15:
        ra = line.last_at
        for _n in range(rng.randint(1, 3)):
            ra += rng.uniform(20, 120) * 60
            if ra >= end:
                break
            line.reminders.append(ra)
            line.walk("remind", ra, "dispatcher", "住户再次来电催单")
    elif line.status == "closed" and rng.random() < 0.06:
        # A reminder while the order waited for its worker (between dispatch and assignment).
        ra = (line.stamps["dispatched_at"] + line.stamps["assigned_at"]) / 2
        line.reminders.append(ra)
        line.events.append(("remind", ra, "dispatcher", "dispatched", "dispatched", "住户再次来电催单"))
    return line


def _along_the_path(rng, line: Timeline, steps, deadlines: tuple, end: float, *, hold_on_site: bool) -> None:
    respond_by, arrive_by, complete_by = deadlines
    late = rng.random() < 0.1
    t = line.last_at
    for step in steps:
        if step == "dispatched":
            t += rng.uniform(1, 8) * 60
            role = "dispatcher"
        elif step == "assigned":
            t += rng.uniform(2, 15) * 60
            role = "leader"
        elif step == "accepted":
            t = max(t + 60, respond_by + 1200 if late else min(t + rng.uniform(1, 10) * 60, respond_by))
            role = "worker"
        elif step == "on_site":
            lim_a = arrive_by or t + rng.uniform(60, 600) * 60
            t = max(t + 300, min(t + rng.uniform(15, 240) * 60, lim_a) + (1800 if late else 0))
            role = "worker"
        elif step == "completed":
            t = max(
                t + 1200, min(t + rng.uniform(30, 300) * 60, complete_by + line.held) + (3600 if late else 0)
            )
            role = "worker"
        else:  # closed after the next day's follow-up
            t += rng.uniform(20, 30) * 3600
            role = "manager"
        if t > end:
            break
        line.stamps[_STAMP[step]] = t
        line.walk(_MOVE[step], t, role)
        if step == "completed":
            line.completed = t
        if step == "on_site" and hold_on_site and rng.random() < 0.05:
            # A hold on site (parts, resident away), then resumed.
            line.hold_reason = _HOLD[int(rng.random() * 4)]
            h0 = t + rng.uniform(10, 60) * 60
            line.walk("hold", h0, "leader", line.hold_reason)
            line.held = int(rng.uniform(2, 72) * 3600)
            t = h0 + line.held
            line.walk("resume", t, "leader", way="on_site")
            line.hold_reason = ""


def _rework(rng, line: Timeline) -> None:
    """The follow-up found it not fixed: back to the crew (dispatched), reassigned, redone and closed."""
    line.first_completed = line.completed
    r_at = line.completed + rng.uniform(24, 40) * 3600
    line.walk("rework", r_at, "manager", "回访未修好，返工")
    line.walk("assign", r_at + 600, "leader")
    line.walk("accept", r_at + 1800, "worker")
    line.walk("arrive", r_at + 5400, "worker")
    line.completed = r_at + rng.uniform(2, 8) * 3600
    line.walk("complete", line.completed, "worker")
    closed = line.completed + rng.uniform(20, 30) * 3600
    line.walk("close", closed, "manager")
    line.stamps.update(completed_at=line.completed, closed_at=closed)


# --- The tables: one builder per table ----------------------------------------------------------------------


class Dataset:
    """The COPY buffers of every table written, their next ids, and one builder per table."""

    def __init__(self, site: Site, rng, *, seed: int, start: float, end: float) -> None:
        from feedback.models import Complaint, FollowUp, FollowUpAttempt, RatingToken
        from hotline.models import Call
        from workorders.models import Incident, WorkOrder, WorkOrderEvent

        self.site, self.rng, self.seed, self.start, self.end = site, rng, seed, start, end
        self.t_orders = Table("workorders_workorder", model_columns(WorkOrder))
        self.t_events = Table("workorders_workorderevent", model_columns(WorkOrderEvent))
        self.t_fu = Table("feedback_followup", model_columns(FollowUp))
        self.t_att = Table("feedback_followupattempt", model_columns(FollowUpAttempt))
        self.t_tok = Table("feedback_ratingtoken", model_columns(RatingToken))
        self.t_cmp = Table("feedback_complaint", model_columns(Complaint))
        self.t_call = Table("hotline_call", model_columns(Call))
        self.t_inc = Table("workorders_incident", model_columns(Incident))
        self.t_incb = Table("workorders_incident_buildings", ["id", "incident_id", "building_id"])
        self.tables = [
            self.t_inc,
            self.t_incb,
            self.t_orders,
            self.t_events,
            self.t_fu,
            self.t_att,
            self.t_tok,
            self.t_cmp,
            self.t_call,
        ]
        self.ocol = {name: i for i, name in enumerate(self.t_orders.columns)}
        self.order_template = [_ORDER_DEFAULTS.get(col, "\\N") for col in self.t_orders.columns]
        self.call_cols = {name: i for i, name in enumerate(self.t_call.columns)}
        self.call_template = ["\\N"] * len(self.t_call.columns)
        for name in ("phone", "caller_name", "summary", "answer", "subject", "system", "closing_note"):
            self.call_template[self.call_cols[name]] = ""
        self.call_template[self.call_cols["channel"]] = "phone"
        self.dropped: list[str] = []

    def copy(self, c, orders: int, log) -> None:
        """Write `orders` orders in chunks of CHUNK (in time order), with the incidents that fall among them."""
        with connection.cursor() as ids_cursor:
            self.ids = {t.name: next_id(ids_cursor, t.name) for t in self.tables}
            ids_cursor.execute("SELECT day, last FROM workorders_ordernumbercounter")
            self.per_day: dict[date, int] = dict(ids_cursor.fetchall())
        rng, start, end = self.rng, self.start, self.end
        # Incidents: about one per 2,000 orders, each with dozens of calls and one order.
        incidents = sorted(rng.uniform(start, end - 86400) for _ in range(max(1, orders // 2000)))
        t0 = time.monotonic()
        c.execute("SET session_replication_role = replica")
        c.execute("SET synchronous_commit = off")
        self.dropped = drop_secondary_indexes(c)
        done = chunk_index = 0
        while done < orders:
            n = min(CHUNK, orders - done)
            # Times of this chunk: a slice of the 5 years, so chunks are in time order; busier office hours.
            lo = start + (end - start) * (chunk_index * CHUNK) / orders
            hi = start + (end - start) * min(orders, (chunk_index + 1) * CHUNK) / orders
            times = []
            for _ in range(n):
                t = rng.uniform(lo, hi)
                if ((t + SHANGHAI) % 86400) / 3600 < 7 and rng.random() < 0.7:
                    t += 9 * 3600
                times.append(min(t, hi))
            while incidents and incidents[0] < hi:
                self.incident(incidents.pop(0))
            for created in sorted(times):
                self.order(created)
            for tbl in self.tables:
                tbl.flush(c.cursor)
            done += n
            chunk_index += 1
            if chunk_index % 5 == 0 or done == orders:
                rate = done / (time.monotonic() - t0)
                log(
                    f"  {done:>9,} orders  {self.t_events.written:>10,} events  {self.t_call.written:>9,} calls  "
                    f"{rate:,.0f} orders/s  peak {peak_rss_mb():.0f} MB"
                )
        log(f"  rows copied in {time.monotonic() - t0:.0f}s; rebuilding {len(self.dropped)} indexes")

    def next(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] += 1
        return value

    def incident(self, at: float) -> None:
        """A sudden outage of one system in one building, with the dozens of calls it brings."""
        rng, site = self.rng, self.site
        iid = self.next("workorders_incident")
        system = rng.choice(list(site.sys_leaf))
        district = rng.choice(sorted(site.buildings_of_district))
        building = rng.choice(site.buildings_of_district[district])
        row = dict.fromkeys(self.t_inc.columns, "\\N")
        row.update(
            id=str(iid),
            title=f"{district}区停{'水' if system == 'water' else '电' if system == 'power' else '排'}",
            system=system,
            kind="sudden",
            district_id=str(district),
            description="",
            starts_at=ts(at),
            expected_end_at=ts(at + 4 * 3600),
            ended_at=ts(at + rng.uniform(2, 10) * 3600),
            created_by_id=str(rng.choice(site.desk)),
            created_at=ts(at),
            notice_lead_minutes="0",
            affected_homes=str(len(site.rooms_of_building.get(building) or ())),
        )
        self.t_inc.add([row[col] for col in self.t_inc.columns])
        self.t_incb.add((str(self.next("workorders_incident_buildings")), str(iid), str(building)))
        b_rooms = site.rooms_of_building.get(building) or site.rooms[:1]
        for k in range(rng.randint(20, 80)):
            r = rng.choice(b_rooms)
            self.call(
                at + 60 * k * rng.uniform(0.2, 2),
                rng.choice(site.desk),
                "repair",
                caller=site.reporters.get(r[0]),
                summary="停水/停电，已告知抢修中",
                room=r[0],
                building=building,
                category=site.sys_leaf[system].id,
                system=system,
                incident=iid,
            )

    def order(self, created: float) -> None:
        """One order: its row, its timeline's events, its calls, its follow-ups and maybe a complaint."""
        rng, site, ocol = self.rng, self.site, self.ocol
        oid = self.next("workorders_workorder")
        local = datetime.fromtimestamp(created + SHANGHAI, UTC)
        cat = site.leaves[_pick(site.month_weights[local.month], rng.random())]
        urgency, appointment, deadlines = self._urgency_and_deadlines(cat, created)
        room = site.rooms[int(len(site.rooms) * rng.random() ** 1.6)]
        room_id, building_id = room[0], room[2]
        rep = site.reporters.get(room_id)
        crew_id = site.crews[cat.crew_kind]
        worker_id, worker_user = rng.choice(site.workers.get(crew_id) or [(None, site.leaders.get(crew_id))])
        actors = {
            "dispatcher": rng.choice(site.desk),
            "leader": site.leaders.get(crew_id) or worker_user,
            "worker": worker_user,
        }
        row, desc, paid = self._order_row(
            oid, created, local, cat, (urgency, appointment, deadlines), room, rep
        )
        row[ocol["first_contact_owner_id"]] = str(actors["dispatcher"])
        channel = row[ocol["channel"]]
        if rep or channel == "phone":
            self.call(
                created - rng.uniform(30, 300),
                actors["dispatcher"],
                "repair",
                caller=rep,
                summary=desc,
                room=room_id,
                building=building_id,
                category=cat.id,
                system=_SYSTEMS.get(cat.crew_kind, ""),
                order=oid,
                channel=channel,
            )
        line = order_timeline(
            rng, created=created, end=self.end, deadlines=deadlines, workable=worker_id is not None
        )
        self._apply(row, line, crew_id, worker_id, deadlines, paid)
        for kind, at, role, frm, to, note in line.events:
            actor = actors.get(role) if role != "manager" else rng.choice(site.managers)
            self.event(oid, at, actor, kind, frm, to, desc if kind == "create" else note)
        for at in line.reminders:
            self.call(
                at,
                actors["dispatcher"],
                "reminder",
                caller=rep,
                summary="催单",
                room=room_id,
                building=building_id,
                order=oid,
            )
        who = (crew_id, worker_id, rep)
        if line.first_completed is not None:
            self.follow_up(oid, 0, line.first_completed, urgency == "emergency", who)
        if line.completed is not None:
            self.follow_up(oid, 1 if line.first_completed else 0, line.completed, urgency == "emergency", who)
        if line.status != "cancelled":
            self._other_calls(oid, created, line.last_at, actors["dispatcher"], room_id, building_id, who)
        row[ocol["updated_at"]] = ts(line.last_at)
        self.t_orders.add(row)

    def _urgency_and_deadlines(self, cat, created: float):
        rng = self.rng
        urgency = cat.default_urgency
        roll = rng.random()
        if urgency == "normal" and roll < 0.05:
            urgency = "planned"
        elif urgency == "normal" and roll < 0.10:
            urgency = "appointment"
        lim = self.site.limits.get((urgency, cat.id)) or self.site.limits.get((cat.default_urgency, cat.id))
        appointment = None
        if urgency == "appointment":
            appointment = (created // 3600) * 3600 + 86400 + 7200 * rng.randint(0, 2)
        respond_by = created + lim[0]
        arrive_by = appointment + 1800 if appointment else (created + lim[1] if lim[1] else None)
        complete_by = (appointment or created) + lim[2]
        return urgency, appointment, (respond_by, arrive_by, complete_by)

    def _order_row(self, oid, created, local, cat, terms, room, rep):
        rng, ocol = self.rng, self.ocol
        urgency, appointment, deadlines = terms
        room_id, district_id, building_id, label = room
        day = date.fromordinal(local.toordinal())
        self.per_day[day] = self.per_day.get(day, 0) + 1
        row = self.order_template[:]
        desc = f"{cat.name}：{_DETAILS[int(rng.random() * len(_DETAILS))]}"
        paid = rng.random() < 0.08
        values = {
            "id": oid,
            "number": f"{day:%Y%m%d}-{self.per_day[day]:04d}",
            "room_id": room_id,
            "building_id": building_id,
            "district_id": district_id,
            "location_label": label,
            "category_id": cat.id,
            "urgency": urgency,
            "area": cat.default_area,
            "charge": "paid" if paid else "free",
            "channel": "walk_in" if rng.random() < 0.1 else "phone",
            "description": desc,
            "respond_by": ts(deadlines[0]),
            "arrive_by": ts(deadlines[1]),
            "complete_by": ts(deadlines[2]),
            "created_at": ts(created),
            "appointment_at": ts(appointment),
        }
        if rep:
            values.update(reporter_id=rep[0], reporter_phone=rep[1], reporter_name=rep[2])
        for name, value in values.items():
            row[ocol[name]] = str(value)
        return row, desc, paid

    def _apply(self, row, line: Timeline, crew_id, worker_id, deadlines, paid) -> None:
        """The order's row as its timeline left it."""
        ocol = self.ocol
        row[ocol["status"]] = line.status
        if "dispatched_at" in line.stamps:
            row[ocol["crew_id"]] = str(crew_id)
        if "assigned_at" in line.stamps:
            row[ocol["worker_id"]] = str(worker_id)
        for name, at in line.stamps.items():
            row[ocol[name]] = ts(at)
        if line.completed is not None:
            _complete(row, ocol, line.completed, paid, self.rng)
        if line.cancel_reason:
            row[ocol["cancel_reason"]] = line.cancel_reason
        if line.held:
            row[ocol["held_seconds"]] = str(line.held)
        if line.status == "on_hold":
            row[ocol["held_from_status"]] = line.held_from
            row[ocol["on_hold_since"]] = ts(line.on_hold_since)
            row[ocol["hold_reason"]] = line.hold_reason
        if line.first_completed is not None:
            row[ocol["is_rework"]], row[ocol["rework_count"]] = "t", "1"
        row[ocol["remind_count"]] = str(len(line.reminders))
        respond_by, arrive_by, complete_by = deadlines
        due = {
            "received": respond_by,
            "dispatched": respond_by,
            "assigned": respond_by,
            "accepted": arrive_by or complete_by,
            "on_site": complete_by,
        }.get(line.status)
        if due is not None:
            row[ocol["due_at"]] = ts(due)

    def _other_calls(self, oid, created, last_at, dispatcher, room_id, building_id, who) -> None:
        """Inquiries from the same number (~0.2 per order), now and then a complaint by phone."""
        rng, rep = self.rng, who[2]
        if rep and rng.random() < 0.25:
            self.call(
                created + rng.uniform(1, 30) * 86400,
                rng.choice(self.site.desk),
                "inquiry",
                caller=rep,
                summary="咨询收费标准",
                room=room_id,
                building=building_id,
                answer="已答复",
            )
        elif rep and rng.random() < 0.005:
            c_at = last_at + 3600
            comp = self.complaint(oid, None, c_at, who, "call")
            self.call(
                c_at,
                dispatcher,
                "complaint",
                caller=rep,
                summary="投诉维修拖延",
                room=room_id,
                building=building_id,
                order=oid,
                complaint=comp,
            )

    def event(self, order_id, at, actor, kind, frm, to, note="") -> None:
        eid = self.next("workorders_workorderevent")
        self.t_events.add(
            (str(eid), str(order_id), ts(at), str(actor) if actor else "\\N", kind, frm, to, note, "{}")
        )

    def call(
        self, at, taker, call_type, *, caller=None, summary="", channel="phone", answer="", **links
    ) -> None:
        """A call; `links`: room, building, category, order, incident, complaint (ids), system."""
        rng, cols = self.rng, self.call_cols
        row = self.call_template[:]
        row[cols["id"]] = str(self.next("hotline_call"))
        row[cols["channel"]] = channel
        row[cols["phone"]] = caller[1] if caller else ""
        row[cols["caller_name"]] = caller[2] if caller else ""
        row[cols["call_type"]] = call_type
        row[cols["summary"]] = summary
        row[cols["answer"]] = answer
        row[cols["taken_by_id"]] = str(taker)
        row[cols["system"]] = links.pop("system", "")
        if caller:
            row[cols["resident_id"]] = str(caller[0])
        for name, value in links.items():
            if value is not None:
                row[cols[_CALL_LINKS[name]]] = str(value)
        row[cols["started_at"]] = ts(at)
        row[cols["ended_at"]] = ts(at + rng.uniform(40, 400))
        if call_type in ("complaint", "praise", "suggestion", "help"):
            row[cols["closed_at"]] = ts(at + 3600 * rng.uniform(1, 48))
            row[cols["closed_by_id"]] = str(rng.choice(self.site.managers))
        self.t_call.add(row)

    def follow_up(self, order_id, round_, completed, emergency, who) -> None:
        """The follow-up of one completion with its attempts (and, rarely, the complaint it leads to)."""
        rng, end = self.rng, self.end
        crew_id, worker_id, _rep = who
        fid = self.next("feedback_followup")
        due = completed + 86400
        row = dict.fromkeys(self.t_fu.columns, "\\N")
        row.update(
            id=str(fid),
            work_order_id=str(order_id),
            round=str(round_),
            # The crew and worker who did the job, as feedback.actions writes them (the reports group by them).
            crew_id=str(crew_id),
            worker_id=str(worker_id) if worker_id else "\\N",
            is_emergency="t" if emergency else "f",
            due_at=ts(due),
            failed_attempts="0",
            outcome="",
            verdict="",
            created_at=ts(completed),
        )
        verdict = done = None
        if due + 3600 > end:
            row["status"] = "scheduled" if due > end else "due"
        else:
            verdict, done = self._attempts(row, fid, due)
        self.t_fu.add([row[col] for col in self.t_fu.columns])
        if (verdict == "dissatisfied" and rng.random() < 0.15) or rng.random() < 0.002:
            self.complaint(order_id, fid, (done or completed) + 600, who, "follow_up")

    def _attempts(self, row: dict, fid: int, due: float):
        """The calls of a due follow-up (up to three unanswered), or its rating link; returns (verdict, done)."""
        rng = self.rng
        fails = 0
        at = due + rng.uniform(0, 6 * 3600)
        while rng.random() < 0.22 and fails < 3:
            self.attempt(fid, at, "no_answer", None)
            fails += 1
            at += rng.uniform(2, 24) * 3600
        row["failed_attempts"] = str(fails)
        if fails >= 3:
            row.update(status="unreachable", outcome="no_answer", done_at=ts(at))
            return None, None
        by_link = rng.random() < 0.06
        roll = rng.random()
        verdict = "satisfied" if roll < 0.86 else "basically_satisfied" if roll < 0.96 else "dissatisfied"
        resolved = verdict != "dissatisfied" or rng.random() < 0.5
        answer = self.attempt(fid, at, "reached", verdict, resolved=resolved, link=by_link)
        row.update(status="done", outcome="reached", verdict=verdict, resolved="t" if resolved else "f")
        for k in _RATINGS:  # as feedback.actions.follow_ups._finish copies them
            row[f"rating_{k}"] = answer[f"rating_{k}"]
        row["done_at"] = ts(at)
        row["done_by_id"] = "\\N" if by_link else str(rng.choice(self.site.desk))
        if by_link:
            row["link_sent_at"] = ts(due)
            row["link_expires_at"] = ts(due + 7 * 86400)
            self.t_tok.add(
                _tok_row(self.t_tok.columns, self.next("feedback_ratingtoken"), fid, self.seed, due, at)
            )
        return verdict, at

    def attempt(self, fid, at, outcome, verdict, resolved=None, link=False) -> dict:
        rng = self.rng
        row = dict.fromkeys(self.t_att.columns, "\\N")
        row.update(
            id=str(self.next("feedback_followupattempt")),
            follow_up_id=str(fid),
            at=ts(at),
            channel="link" if link else "phone",
            outcome=outcome,
            verdict=verdict or "",
            comment="",
        )
        if not link:
            row["by_id"] = str(rng.choice(self.site.desk))
        if outcome == "reached":
            base = 5 if verdict == "satisfied" else 4 if verdict == "basically_satisfied" else 2
            for k in _RATINGS:
                row[f"rating_{k}"] = str(max(1, min(5, base - (rng.random() < 0.15))))
            row["resolved"] = "t" if resolved else "f"
            for k in ("seen_greeting", "seen_shoe_covers", "seen_cleaned", "seen_note_left"):
                row[k] = "t" if rng.random() < 0.95 else "f"
        self.t_att.add([row[col] for col in self.t_att.columns])
        return row

    def complaint(self, order_id, fu, at, who, source) -> int:
        rng = self.rng
        crew_id, worker_id, rep = who
        cid = self.next("feedback_complaint")
        row = dict.fromkeys(self.t_cmp.columns, "\\N")
        closed = at + rng.uniform(1, 6) * 86400
        open_ = closed > self.end
        row.update(
            id=str(cid),
            status="investigating" if open_ else "closed",
            source=source,
            complainant_name=rep[2] if rep else "",
            complainant_phone=rep[1] if rep else "",
            summary="回访不满意：维修质量问题",
            work_order_id=str(order_id),
            follow_up_id=str(fu) if fu else "\\N",
            crew_id=str(crew_id),
            worker_id=str(worker_id) if worker_id else "\\N",
            type_id=str(rng.choice(self.site.ctypes)) if self.site.ctypes else "\\N",
            severity="normal",
            received_at=ts(at),
            contact_by=ts(at + 86400),
            decide_by=ts(at + 3 * 86400),
            close_by=ts(at + 7 * 86400),
            findings="",
            responsible_person="",
            accountability="none",
            points="0",
            fine="0.00",
            rectification="",
            callback_note="",
            escalation="0",
            created_by_id=str(rng.choice(self.site.desk)),
        )
        if not open_:
            valid = rng.random() < 0.6
            row.update(
                contacted_at=ts(at + 3600 * rng.uniform(1, 20)),
                decided_at=ts(at + 86400 * rng.uniform(1, 2.5)),
                resolved_at=ts(closed - 3600),
                closed_at=ts(closed),
                valid="t" if valid else "f",
                accountability="points" if valid else "none",
                points="2" if valid else "0",
                findings="已核实" if valid else "不属实",
                callback_at=ts(closed - 1800),
                callback_satisfied="t",
            )
        self.t_cmp.add([row[col] for col in self.t_cmp.columns])
        return cid


_ORDER_DEFAULTS = {
    "location_detail": "",
    "area": "indoor",
    "charge": "free",
    "reporter_phone": "",
    "reporter_name": "",
    "channel": "phone",
    "held_from_status": "",
    "hold_reason": "",
    "hold_requested_reason": "",
    "hold_requested_note": "",
    "held_seconds": "0",
    "is_rework": "f",
    "rework_count": "0",
    "remind_count": "0",
    "resolution": "",
    "inspection_findings": "",
    "checklist_notes": "",
    "fee": "0.00",
    "fee_confirmed": "f",
    "cancel_reason": "",
}
_PATH = ("dispatched", "assigned", "accepted", "on_site", "completed", "closed")
_STAMP = {
    "dispatched": "dispatched_at",
    "assigned": "assigned_at",
    "accepted": "accepted_at",
    "on_site": "arrived_at",
    "completed": "completed_at",
    "closed": "closed_at",
}
_SYSTEMS = {"water": "water", "electrical": "power", "drainage": "drainage"}
_CALL_LINKS = {
    "room": "room_id",
    "building": "building_id",
    "category": "category_id",
    "order": "work_order_id",
    "incident": "incident_id",
    "complaint": "complaint_id",
}
_RATINGS = ("care", "workmanship", "safety", "quality", "comfort")


_MOVE = {
    "dispatched": "dispatch",
    "assigned": "assign",
    "accepted": "accept",
    "on_site": "arrive",
    "completed": "complete",
    "closed": "close",
}
_CANCEL = ("duplicate", "malicious", "out_of_scope", "withdrawn")
_HOLD = ("waiting_parts", "resident_away", "needs_outage", "outside_contractor")
_DETAILS = (
    "厨房水龙头漏水",
    "卫生间地漏堵塞",
    "客厅灯不亮",
    "入户门锁打不开",
    "楼道灯坏了",
    "暖气片不热",
    "阳台渗水",
    "马桶一直流水",
    "插座没电",
    "水压很低",
    "屋顶漏雨",
    "墙面开裂",
    "下水道返味",
    "电表箱跳闸",
    "窗户关不严",
    "热水器不出热水",
    "水管冻裂",
    "井盖松动",
    "单元门关不上",
    "外墙瓷砖脱落",
)


def _complete(row, ocol, t, paid, rng):
    row[ocol["completed_at"]] = ts(t)
    row[ocol["resolution"]] = "已修复，试用正常"
    row[ocol["inspection_findings"]] = "顺查无其他隐患"
    for name in (
        "checklist_greeting",
        "checklist_shoe_covers",
        "checklist_cloth",
        "checklist_inspection",
        "checklist_note_left",
    ):
        row[ocol[name]] = "t" if rng.random() < 0.97 else "f"
    if paid:
        row[ocol["fee"]] = ("20.00", "35.00", "50.00", "80.00")[int(rng.random() * 4)]
        row[ocol["fee_confirmed"]] = "t"


def _tok_row(cols, kid, fid, seed, due, at):
    values = {
        "id": str(kid),
        "follow_up_id": str(fid),
        "token_hash": hashlib.sha256(f"{seed}:{fid}".encode()).hexdigest(),
        "created_at": ts(due),
        "expires_at": ts(due + 7 * 86400),
        "used_at": ts(at),
    }
    return [values.get(col, "\\N") for col in cols]


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def _pick(cum: list[float], r: float) -> int:
    import bisect

    return min(bisect.bisect_right(cum, r * cum[-1]), len(cum) - 1)


def _choice(rng, options, weights):
    r = rng.random() * sum(weights)
    for option, w in zip(options, weights, strict=True):
        r -= w
        if r < 0:
            return option
    return options[-1]


__all__ = ["generate", "peak_rss_mb"]
