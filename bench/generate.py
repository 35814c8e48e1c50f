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
    from django.contrib.auth import get_user_model

    from crews.choices import Role
    from crews.models import Crew, Worker
    from feedback.models import Complaint, ComplaintType, FollowUp, FollowUpAttempt, RatingToken
    from hotline.models import Call
    from residents.models import Residency, Room
    from workorders.models import Category, Incident, ServiceCommitment, WorkOrder, WorkOrderEvent

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
    rng = random.Random(seed)
    anchor = anchor or date.today()
    end = datetime(anchor.year, anchor.month, anchor.day, tzinfo=UTC).timestamp() - SHANGHAI - 3600
    # The demo orders (seed_demo) cover the last 60 days; ours run up to the anchor day as well.
    start = end - YEARS * 365 * 86400

    User = get_user_model()
    rooms = list(Room.objects.order_by("id").values_list("id", "district_id", "building_id", "label"))
    reporters: dict[int, tuple[int, str, str]] = {}
    for room_id, resident_id, phone, name in Residency.objects.order_by("id").values_list(
        "room_id", "resident_id", "resident__phone", "resident__name"
    ):
        reporters.setdefault(room_id, (resident_id, phone, name))
    leaves = list(Category.objects.filter(parent__isnull=False, active=True).order_by("id"))
    crews = {cr.kind: cr.id for cr in Crew.objects.filter(active=True).order_by("id")}
    leaves = [cat for cat in leaves if cat.crew_kind in crews]
    workers: dict[int, list[tuple[int, int]]] = {}
    leaders: dict[int, int] = {}
    for w in Worker.objects.filter(active=True).order_by("id"):
        if w.is_leader:
            leaders.setdefault(w.crew_id, w.user_id)
        else:
            workers.setdefault(w.crew_id, []).append((w.id, w.user_id))
    desk = list(User.objects.filter(groups__name=Role.DISPATCHER).order_by("id").values_list("id", flat=True))
    managers = list(
        User.objects.filter(groups__name=Role.MANAGER).order_by("id").values_list("id", flat=True)
    )
    ctypes = list(ComplaintType.objects.order_by("id").values_list("id", flat=True))
    buildings_of_district: dict[int, list[int]] = {}
    for _rid, district_id, building_id, _label in rooms:
        buildings_of_district.setdefault(district_id, [])
        if building_id not in buildings_of_district[district_id][-1:]:
            buildings_of_district[district_id].append(building_id)

    rooms_of_building: dict[int, list[tuple]] = {}
    for r in rooms:
        rooms_of_building.setdefault(r[2], []).append(r)
    # Commitment limits in seconds per (urgency, category): (respond, arrive or None, complete).
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
    # Category weights per month (season × system), emergencies rarer.
    base_w = [(1.0 if cat.default_urgency == "emergency" else 4.0) for cat in leaves]
    month_weights = {
        m: list(
            _cumulative([bw * season_factor(cat.code, m) for bw, cat in zip(base_w, leaves, strict=True)])
        )
        for m in range(1, 13)
    }

    t_orders = Table("workorders_workorder", model_columns(WorkOrder))
    t_events = Table("workorders_workorderevent", model_columns(WorkOrderEvent))
    t_fu = Table("feedback_followup", model_columns(FollowUp))
    t_att = Table("feedback_followupattempt", model_columns(FollowUpAttempt))
    t_tok = Table("feedback_ratingtoken", model_columns(RatingToken))
    t_cmp = Table("feedback_complaint", model_columns(Complaint))
    t_call = Table("hotline_call", model_columns(Call))
    t_inc = Table("workorders_incident", model_columns(Incident))
    t_incb = Table("workorders_incident_buildings", ["id", "incident_id", "building_id"])
    tables = [t_inc, t_incb, t_orders, t_events, t_fu, t_att, t_tok, t_cmp, t_call]

    with connection.cursor() as c:
        ids = {t.name: next_id(c, t.name) for t in tables}
        c.execute("SELECT day, last FROM workorders_ordernumbercounter")
        per_day: dict[date, int] = dict(c.fetchall())
    oid, eid, fid, aid = (ids[n] for n in BIG_TABLES[:4])
    kid, cid, iid = ids["feedback_ratingtoken"], ids["feedback_complaint"], ids["workorders_incident"]
    call_id, ibid = ids["hotline_call"], ids["workorders_incident_buildings"]

    order_defaults = dict.fromkeys(t_orders.columns, "\\N")
    order_defaults.update(
        {
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
    )
    ocol = {name: i for i, name in enumerate(t_orders.columns)}
    order_template = [order_defaults[col] for col in t_orders.columns]

    def event(order_id, at, actor, kind, frm, to, note=""):
        nonlocal eid
        t_events.add(
            (str(eid), str(order_id), ts(at), str(actor) if actor else "\\N", kind, frm, to, note, "{}")
        )
        eid += 1

    call_cols = {name: i for i, name in enumerate(t_call.columns)}
    call_template = ["\\N"] * len(t_call.columns)
    for name in ("phone", "caller_name", "summary", "answer", "subject", "system", "closing_note"):
        call_template[call_cols[name]] = ""
    call_template[call_cols["channel"]] = "phone"

    def call(
        at,
        taker,
        call_type,
        *,
        phone="",
        name="",
        summary="",
        resident=None,
        room=None,
        building=None,
        category=None,
        system="",
        order=None,
        incident=None,
        complaint=None,
        channel="phone",
        answer="",
    ):
        nonlocal call_id
        row = call_template[:]
        row[call_cols["id"]] = str(call_id)
        row[call_cols["channel"]] = channel
        row[call_cols["phone"]] = phone
        row[call_cols["caller_name"]] = name
        row[call_cols["call_type"]] = call_type
        row[call_cols["summary"]] = summary
        row[call_cols["answer"]] = answer
        row[call_cols["taken_by_id"]] = str(taker)
        for col, val in (
            ("resident_id", resident),
            ("room_id", room),
            ("building_id", building),
            ("category_id", category),
            ("work_order_id", order),
            ("incident_id", incident),
            ("complaint_id", complaint),
        ):
            if val is not None:
                row[call_cols[col]] = str(val)
        row[call_cols["system"]] = system
        row[call_cols["started_at"]] = ts(at)
        row[call_cols["ended_at"]] = ts(at + rng.uniform(40, 400))
        if call_type in ("complaint", "praise", "suggestion", "help"):
            row[call_cols["closed_at"]] = ts(at + 3600 * rng.uniform(1, 48))
            row[call_cols["closed_by_id"]] = str(rng.choice(managers))
        t_call.add(row)
        call_id += 1

    fu_cols = model_columns(FollowUp)
    att_cols = model_columns(FollowUpAttempt)
    tok_cols = model_columns(RatingToken)
    cmp_cols = model_columns(Complaint)

    def follow_up(order_id, round_, completed, emergency, now_limit, crew_id, worker_id, phone, name):
        """The follow-up of one completion with its attempts; returns (verdict, done_at) or (None, None)."""
        nonlocal fid, aid, kid, cid
        due = completed + 86400
        row = dict.fromkeys(fu_cols, "\\N")
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
        if due + 3600 > now_limit:
            row["status"] = "scheduled" if due > now_limit else "due"
        else:
            fails = 0
            at = due + rng.uniform(0, 6 * 3600)
            while rng.random() < 0.22 and fails < 3:
                _attempt(at, "no_answer", None)
                fails += 1
                at += rng.uniform(2, 24) * 3600
            by_link = rng.random() < 0.06
            if fails >= 3:
                row["status"], row["outcome"] = "unreachable", "no_answer"
                row["done_at"] = ts(at)
            else:
                roll = rng.random()
                verdict = (
                    "satisfied" if roll < 0.86 else "basically_satisfied" if roll < 0.96 else "dissatisfied"
                )
                resolved = verdict != "dissatisfied" or rng.random() < 0.5
                answer = _attempt(at, "reached", verdict, resolved=resolved, link=by_link)
                row.update(
                    status="done", outcome="reached", verdict=verdict, resolved="t" if resolved else "f"
                )
                for k in (
                    "care",
                    "workmanship",
                    "safety",
                    "quality",
                    "comfort",
                ):  # as services._finish copies
                    row[f"rating_{k}"] = answer[f"rating_{k}"]
                row["done_at"] = ts(at)
                row["done_by_id"] = "\\N" if by_link else str(rng.choice(desk))
                done = at
                if by_link:
                    row["link_sent_at"] = ts(due)
                    row["link_expires_at"] = ts(due + 7 * 86400)
                    t_tok.add(_tok_row(tok_cols, kid, fid, seed, due, at))
                    kid += 1
            row["failed_attempts"] = str(fails)
        t_fu.add([row[col] for col in fu_cols])
        this_fu = fid
        fid += 1
        if (verdict == "dissatisfied" and rng.random() < 0.15) or rng.random() < 0.002:
            complaint(
                order_id, this_fu, (done or completed) + 600, crew_id, worker_id, phone, name, "follow_up"
            )
        return verdict, done

    def _attempt(at, outcome, verdict, resolved=None, link=False):
        nonlocal aid
        row = dict.fromkeys(att_cols, "\\N")
        row.update(
            id=str(aid),
            follow_up_id=str(fid),
            at=ts(at),
            channel="link" if link else "phone",
            outcome=outcome,
            verdict=verdict or "",
            comment="",
        )
        if not link:
            row["by_id"] = str(rng.choice(desk))
        if outcome == "reached":
            base = 5 if verdict == "satisfied" else 4 if verdict == "basically_satisfied" else 2
            for k in ("care", "workmanship", "safety", "quality", "comfort"):
                row[f"rating_{k}"] = str(max(1, min(5, base - (rng.random() < 0.15))))
            row["resolved"] = "t" if resolved else "f"
            for k in ("seen_greeting", "seen_shoe_covers", "seen_cleaned", "seen_note_left"):
                row[k] = "t" if rng.random() < 0.95 else "f"
        t_att.add([row[col] for col in att_cols])
        aid += 1
        return row

    def complaint(order_id, fu, at, crew_id, worker_id, phone, name, source):
        nonlocal cid
        row = dict.fromkeys(cmp_cols, "\\N")
        closed = at + rng.uniform(1, 6) * 86400
        open_ = closed > end
        row.update(
            id=str(cid),
            status="investigating" if open_ else "closed",
            source=source,
            complainant_name=name,
            complainant_phone=phone,
            summary="回访不满意：维修质量问题",
            work_order_id=str(order_id),
            follow_up_id=str(fu) if fu else "\\N",
            crew_id=str(crew_id),
            worker_id=str(worker_id) if worker_id else "\\N",
            type_id=str(rng.choice(ctypes)) if ctypes else "\\N",
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
            created_by_id=str(rng.choice(desk)),
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
        t_cmp.add([row[col] for col in cmp_cols])
        cid += 1
        return cid - 1

    # Incidents: about one per 2,000 orders, each with dozens of calls and one order.
    incident_plan = sorted(rng.uniform(start, end - 86400) for _ in range(max(1, orders // 2000)))
    systems = {"water": "water", "electrical": "power", "drainage": "drainage"}
    sys_leaf = {
        "water": next((cat for cat in leaves if cat.code == "water.outage_unit"), leaves[0]),
        "power": next((cat for cat in leaves if cat.code == "electrical.building_outage"), leaves[0]),
        "drainage": next((cat for cat in leaves if cat.code == "drainage.riser_blocked"), leaves[0]),
    }
    district_ids = sorted(buildings_of_district)
    inc_cols = t_inc.columns

    # Order creation times: uniform over 5 years with a gentle growth, busier office hours.
    counts = {"incidents": 0}
    n_rooms = len(rooms)
    t0 = time.monotonic()
    with connection.cursor() as c:
        c.execute("SET session_replication_role = replica")
        c.execute("SET synchronous_commit = off")
        dropped = drop_secondary_indexes(c)
        pg = c.cursor
        plans_left = orders
        chunk_index = 0
        inc_i = 0
        while plans_left > 0:
            n = min(CHUNK, plans_left)
            # Times of this chunk: a slice of the 5 years, so chunks are in time order.
            lo = start + (end - start) * (chunk_index * CHUNK) / orders
            hi = start + (end - start) * min(orders, (chunk_index + 1) * CHUNK) / orders
            times = []
            for _ in range(n):
                t = rng.uniform(lo, hi)
                local_hour = ((t + SHANGHAI) % 86400) / 3600
                if local_hour < 7 and rng.random() < 0.7:
                    t += 9 * 3600
                times.append(min(t, hi))
            times.sort()
            while inc_i < len(incident_plan) and incident_plan[inc_i] < hi:
                at = incident_plan[inc_i]
                inc_i += 1
                system = rng.choice(list(sys_leaf))
                district = rng.choice(district_ids)
                building = rng.choice(buildings_of_district[district])
                row = dict.fromkeys(inc_cols, "\\N")
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
                    created_by_id=str(rng.choice(desk)),
                    created_at=ts(at),
                )
                t_inc.add([row[col] for col in inc_cols])
                t_incb.add((str(ibid), str(iid), str(building)))
                ibid += 1
                b_rooms = rooms_of_building.get(building) or rooms[:1]
                for k in range(rng.randint(20, 80)):
                    r = rng.choice(b_rooms)
                    rep = reporters.get(r[0])
                    call(
                        at + 60 * k * rng.uniform(0.2, 2),
                        rng.choice(desk),
                        "repair",
                        phone=rep[1] if rep else "",
                        name=rep[2] if rep else "",
                        summary="停水/停电，已告知抢修中",
                        resident=rep[0] if rep else None,
                        room=r[0],
                        building=building,
                        category=sys_leaf[system].id,
                        system=system,
                        incident=iid,
                    )
                counts["incidents"] += 1
                iid += 1

            for created in times:
                local = created + SHANGHAI
                dt_local = datetime.fromtimestamp(local, UTC)
                month = dt_local.month
                cat = leaves[_pick(month_weights[month], rng.random())]
                urgency = cat.default_urgency
                roll = rng.random()
                if urgency == "normal" and roll < 0.05:
                    urgency = "planned"
                elif urgency == "normal" and roll < 0.10:
                    urgency = "appointment"
                lim = limits.get((urgency, cat.id)) or limits.get((cat.default_urgency, cat.id))
                appointment = None
                if urgency == "appointment":
                    appointment = (created // 3600) * 3600 + 86400 + 7200 * rng.randint(0, 2)
                respond_by = created + lim[0]
                arrive_by = appointment + 1800 if appointment else (created + lim[1] if lim[1] else None)
                complete_by = (appointment or created) + lim[2]
                room_id, district_id, building_id, label = rooms[int(n_rooms * rng.random() ** 1.6)]
                rep = reporters.get(room_id)
                crew_id = crews[cat.crew_kind]
                w = rng.choice(workers.get(crew_id) or [(None, leaders.get(crew_id))])
                worker_id, worker_user = w
                leader_user = leaders.get(crew_id) or worker_user
                dispatcher = rng.choice(desk)
                day = date.fromordinal(dt_local.toordinal())
                per_day[day] = per_day.get(day, 0) + 1
                row = order_template[:]
                row[ocol["id"]] = str(oid)
                row[ocol["number"]] = f"{day:%Y%m%d}-{per_day[day]:04d}"
                row[ocol["room_id"]] = str(room_id)
                row[ocol["building_id"]] = str(building_id)
                row[ocol["district_id"]] = str(district_id)
                row[ocol["location_label"]] = label
                row[ocol["category_id"]] = str(cat.id)
                row[ocol["urgency"]] = urgency
                row[ocol["area"]] = cat.default_area
                paid = rng.random() < 0.08
                if paid:
                    row[ocol["charge"]] = "paid"
                channel = "walk_in" if rng.random() < 0.1 else "phone"
                row[ocol["channel"]] = channel
                desc = f"{cat.name}：{_DETAILS[int(rng.random() * len(_DETAILS))]}"
                row[ocol["description"]] = desc
                row[ocol["appointment_at"]] = ts(appointment)
                if rep:
                    row[ocol["reporter_id"]] = str(rep[0])
                    row[ocol["reporter_phone"]] = rep[1]
                    row[ocol["reporter_name"]] = rep[2]
                row[ocol["first_contact_owner_id"]] = str(dispatcher)
                row[ocol["respond_by"]] = ts(respond_by)
                row[ocol["arrive_by"]] = ts(arrive_by)
                row[ocol["complete_by"]] = ts(complete_by)
                row[ocol["created_at"]] = ts(created)
                event(oid, created, dispatcher, "create", "", "received", desc)
                if rep or channel == "phone":
                    call(
                        created - rng.uniform(30, 300),
                        dispatcher,
                        "repair",
                        phone=rep[1] if rep else "",
                        name=rep[2] if rep else "",
                        summary=desc,
                        resident=rep[0] if rep else None,
                        room=room_id,
                        building=building_id,
                        category=cat.id,
                        system=systems.get(cat.crew_kind, ""),
                        order=oid,
                        channel=channel,
                    )
                age = end - created
                if age > 7 * 86400:
                    target = _choice(rng, ("closed", "completed", "cancelled"), (92.5, 1.5, 6))
                elif age > 2 * 86400:
                    target = _choice(
                        rng, ("closed", "completed", "on_site", "on_hold", "cancelled"), (45, 35, 8, 7, 5)
                    )
                else:
                    target = _choice(
                        rng,
                        ("received", "dispatched", "assigned", "accepted", "on_site", "on_hold", "completed"),
                        (8, 12, 15, 15, 15, 5, 30),
                    )
                status = "received"
                t = created
                last_at = created
                if target == "cancelled" or worker_id is None:
                    t = created + rng.uniform(5, 60) * 60
                    row[ocol["status"]] = "cancelled"
                    row[ocol["cancelled_at"]] = ts(t)
                    row[ocol["cancel_reason"]] = _CANCEL[int(rng.random() * 4)]
                    event(oid, t, dispatcher, "cancel", "received", "cancelled")
                    row[ocol["updated_at"]] = ts(t)
                    t_orders.add(row)
                    oid += 1
                    continue
                path = ("dispatched", "assigned", "accepted", "on_site", "completed", "closed")
                rework = target == "closed" and rng.random() < 0.02
                stop = (
                    path.index("accepted" if target == "on_hold" else target) if target != "received" else -1
                )
                if rework:
                    stop = path.index("completed")
                late = rng.random() < 0.1
                held = 0
                completed = None
                for step in path[: stop + 1]:
                    if step == "dispatched":
                        t += rng.uniform(1, 8) * 60
                        row[ocol["crew_id"]] = str(crew_id)
                        row[ocol["dispatched_at"]] = ts(t)
                        actor, frm = dispatcher, "received"
                    elif step == "assigned":
                        t += rng.uniform(2, 15) * 60
                        row[ocol["worker_id"]] = str(worker_id)
                        row[ocol["assigned_at"]] = ts(t)
                        actor, frm = leader_user, "dispatched"
                    elif step == "accepted":
                        t = max(
                            t + 60,
                            respond_by + 1200 if late else min(t + rng.uniform(1, 10) * 60, respond_by),
                        )
                        row[ocol["accepted_at"]] = ts(t)
                        actor, frm = worker_user, "assigned"
                    elif step == "on_site":
                        lim_a = arrive_by or t + rng.uniform(60, 600) * 60
                        t = max(t + 300, min(t + rng.uniform(15, 240) * 60, lim_a) + (1800 if late else 0))
                        row[ocol["arrived_at"]] = ts(t)
                        actor, frm = worker_user, "accepted"
                        if target in ("completed", "closed") and rng.random() < 0.05:
                            # A hold on site (parts, resident away), then resumed.
                            reason = _HOLD[int(rng.random() * 4)]
                            event(oid, t, worker_user, "arrive", frm, "on_site")
                            h0 = t + rng.uniform(10, 60) * 60
                            event(oid, h0, leader_user, "hold", "on_site", "on_hold", reason)
                            held = int(rng.uniform(2, 72) * 3600)
                            t = h0 + held
                            event(oid, t, leader_user, "resume", "on_hold", "on_site")
                            row[ocol["held_seconds"]] = str(held)
                            status = "on_site"
                            continue
                    elif step == "completed":
                        t = max(
                            t + 1200,
                            min(t + rng.uniform(30, 300) * 60, complete_by + held) + (3600 if late else 0),
                        )
                        completed = t
                        _complete(row, ocol, t, paid, rng)
                        actor, frm = worker_user, "on_site"
                    else:  # closed after the next day's follow-up
                        t += rng.uniform(20, 30) * 3600
                        if t > end:
                            break
                        actor, frm = rng.choice(managers), "completed"
                        row[ocol["closed_at"]] = ts(t)
                    if t > end:
                        break
                    event(oid, t, actor, _MOVE[step], frm, step, "")
                    status = step
                    last_at = t
                if completed is not None and completed > end:
                    completed = None
                    row[ocol["completed_at"]] = "\\N"
                    row[ocol["resolution"]] = ""
                # A rework: the follow-up found it not fixed; redone and completed again (2% of closed).
                rework = (
                    rework and status == "completed" and completed is not None and completed + 5 * 86400 < end
                )
                if rework:
                    _verdict, _done = follow_up(
                        oid,
                        0,
                        completed,
                        urgency == "emergency",
                        end,
                        crew_id,
                        worker_id,
                        rep[1] if rep else "",
                        rep[2] if rep else "",
                    )
                    r_at = completed + rng.uniform(24, 40) * 3600
                    event(
                        oid, r_at, rng.choice(managers), "rework", "completed", "assigned", "回访未修好，返工"
                    )
                    event(oid, r_at + 1800, worker_user, "accept", "assigned", "accepted")
                    event(oid, r_at + 5400, worker_user, "arrive", "accepted", "on_site")
                    completed = r_at + rng.uniform(2, 8) * 3600
                    event(oid, completed, worker_user, "complete", "on_site", "completed")
                    _complete(row, ocol, completed, paid, rng)
                    closed = completed + rng.uniform(20, 30) * 3600
                    row[ocol["closed_at"]] = ts(closed)
                    event(oid, closed, rng.choice(managers), "close", "completed", "closed")
                    row[ocol["is_rework"]] = "t"
                    row[ocol["rework_count"]] = "1"
                    status = "closed"
                    last_at = closed
                if target == "on_hold" and status == "accepted":
                    h0 = t + rng.uniform(10, 60) * 60
                    if h0 < end:
                        reason = _HOLD[int(rng.random() * 4)]
                        row[ocol["status"]] = "on_hold"
                        row[ocol["held_from_status"]] = "accepted"
                        row[ocol["on_hold_since"]] = ts(h0)
                        row[ocol["hold_reason"]] = reason
                        event(oid, h0, leader_user, "hold", "accepted", "on_hold", reason)
                        status = "on_hold"
                        last_at = h0
                row[ocol["status"]] = status
                if (
                    status in ("received", "dispatched", "assigned", "accepted", "on_site")
                    and rng.random() < 0.15
                ):
                    reminds = 0
                    ra = last_at
                    for _n in range(rng.randint(1, 3)):
                        ra += rng.uniform(20, 120) * 60
                        if ra >= end:
                            break
                        reminds += 1
                        event(oid, ra, dispatcher, "remind", status, status, "住户再次来电催单")
                        call(
                            ra,
                            dispatcher,
                            "reminder",
                            phone=rep[1] if rep else "",
                            name=rep[2] if rep else "",
                            summary="催单",
                            resident=rep[0] if rep else None,
                            room=room_id,
                            building=building_id,
                            order=oid,
                        )
                    row[ocol["remind_count"]] = str(reminds)
                elif status == "closed" and rng.random() < 0.06:
                    row[ocol["remind_count"]] = "1"
                    event(
                        oid,
                        created + 3600,
                        dispatcher,
                        "remind",
                        "dispatched",
                        "dispatched",
                        "住户再次来电催单",
                    )
                    call(
                        created + 3600,
                        dispatcher,
                        "reminder",
                        phone=rep[1] if rep else "",
                        name=rep[2] if rep else "",
                        summary="催单",
                        resident=rep[0] if rep else None,
                        room=room_id,
                        building=building_id,
                        order=oid,
                    )
                if status in ("received", "dispatched", "assigned"):
                    row[ocol["due_at"]] = ts(respond_by)
                elif status == "accepted":
                    row[ocol["due_at"]] = ts(arrive_by or complete_by)
                elif status == "on_site":
                    row[ocol["due_at"]] = ts(complete_by)
                if completed is not None:
                    follow_up(
                        oid,
                        1 if rework else 0,
                        completed,
                        urgency == "emergency",
                        end,
                        crew_id,
                        worker_id,
                        rep[1] if rep else "",
                        rep[2] if rep else "",
                    )
                # Other calls: inquiries from the same number (~0.2 per order).
                if rep and rng.random() < 0.25:
                    call(
                        created + rng.uniform(1, 30) * 86400,
                        rng.choice(desk),
                        "inquiry",
                        phone=rep[1],
                        name=rep[2],
                        summary="咨询收费标准",
                        resident=rep[0],
                        room=room_id,
                        building=building_id,
                        answer="已答复",
                    )
                elif rep and rng.random() < 0.005:
                    c_at = last_at + 3600
                    comp = complaint(oid, None, c_at, crew_id, worker_id, rep[1], rep[2], "call")
                    call(
                        c_at,
                        dispatcher,
                        "complaint",
                        phone=rep[1],
                        name=rep[2],
                        summary="投诉维修拖延",
                        resident=rep[0],
                        room=room_id,
                        building=building_id,
                        order=oid,
                        complaint=comp,
                    )
                row[ocol["updated_at"]] = ts(last_at)
                t_orders.add(row)
                oid += 1
            for tbl in tables:
                tbl.flush(pg)
            plans_left -= n
            chunk_index += 1
            done = orders - plans_left
            if chunk_index % 5 == 0 or plans_left == 0:
                rate = done / (time.monotonic() - t0)
                log(
                    f"  {done:>9,} orders  {t_events.written:>10,} events  {t_call.written:>9,} calls  "
                    f"{rate:,.0f} orders/s  peak {peak_rss_mb():.0f} MB"
                )
        log(f"  rows copied in {time.monotonic() - t0:.0f}s; rebuilding {len(dropped)} indexes")
        t1 = time.monotonic()
        c.execute("SET maintenance_work_mem = '256MB'")
        for ddl in dropped:
            c.execute(ddl)
        log(f"  indexes rebuilt in {time.monotonic() - t1:.0f}s")
        c.execute("SET session_replication_role = DEFAULT")
        c.executemany(
            "INSERT INTO workorders_ordernumbercounter (day, last) VALUES (%s, %s) "
            "ON CONFLICT (day) DO UPDATE SET last = GREATEST(workorders_ordernumbercounter.last, EXCLUDED.last)",
            sorted(per_day.items()),
        )
        for tbl in tables:
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{tbl.name}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {tbl.name}))"
            )
        t2 = time.monotonic()
        # VACUUM too, not only ANALYZE: COPY leaves the visibility map empty, and the planner's probes of index
        # endpoints (get_actual_variable_range) then read heap pages — 10 ms of planning for a 10-join query.
        c.execute("VACUUM (ANALYZE)")
        log(f"  VACUUM ANALYZE in {time.monotonic() - t2:.0f}s")
        seconds = time.monotonic() - started
        c.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER} (id serial PRIMARY KEY, orders integer NOT NULL, "
            "seed integer NOT NULL, anchor date NOT NULL, seconds real NOT NULL, "
            "loaded_at timestamptz NOT NULL DEFAULT now())"
        )
        c.execute(
            f"INSERT INTO {MARKER} (orders, seed, anchor, seconds) VALUES (%s, %s, %s, %s)",
            [orders, seed, anchor, seconds],
        )
    summary = {
        "skipped": False,
        "orders": t_orders.written,
        "events": t_events.written,
        "follow_ups": t_fu.written,
        "attempts": t_att.written,
        "rating_tokens": t_tok.written,
        "complaints": t_cmp.written,
        "calls": t_call.written,
        "incidents": t_inc.written,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_rss_mb()),
    }
    log("data: " + ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in summary.items()))
    return summary


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
