"""The monthly assessment (考核) and its ranking (评比): KPIs, scores, vetoes, frozen snapshots."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crews.models import Crew, Worker
from operations.selectors import hazard_conditions, round_conditions
from workorders.choices import CHECKLIST_FIELDS, Channel, Status
from workorders.models import WorkOrder

from ..choices import InspectionStatus, Outcome, RewardKind, Verdict
from ..models import (
    AssessmentSnapshot,
    AssessmentWeight,
    Complaint,
    FollowUp,
    QualityInspection,
    RewardPenalty,
)
from .hazards import hazard_population
from .periods import period_containing
from .rounds import round_population
from .sla import on_time_aggregates, on_time_population, on_time_rates
from .stats import ratio

FIRST_FIX_DAYS = 30


# --- Monthly assessment (考核) and ranking (评比) -----------------------------------------------------------


@dataclass(frozen=True)
class Kpi:
    code: str
    label: Any
    higher_is_better: bool = True


KPIS = (
    Kpi("on_time_accept", gettext_lazy("On-time acceptance (按时接单率)")),
    Kpi("on_time_arrive", gettext_lazy("On-time arrival (按时到场率)")),
    Kpi("on_time_complete", gettext_lazy("On-time completion (按时办结率)")),
    Kpi("first_fix", gettext_lazy("First-time fix (一次修复率)")),
    Kpi("rework", gettext_lazy("Rework rate (返修率)"), higher_is_better=False),
    Kpi("follow_up", gettext_lazy("Follow-up rate (回访率)")),
    Kpi("satisfaction", gettext_lazy("Satisfaction (满意率)")),
    Kpi("valid_complaints", gettext_lazy("Valid complaint rate (有效投诉率)"), higher_is_better=False),
    Kpi("checklist", gettext_lazy("六个一 compliance (六个一执行率)")),
    # Work the crew started itself (主动服务, channel `self`): its share of the completed orders.
    Kpi("proactive", gettext_lazy("Proactive work (主动服务)")),
    # The systems in operation (issue 16): rounds due in the month done on time, hazards found in the month
    # rectified on time (operations.selectors.round_conditions / hazard_conditions).
    Kpi("rounds_on_time", gettext_lazy("Rounds on time (巡检按时率)")),
    Kpi("hazards_on_time", gettext_lazy("Hazards rectified on time (隐患按时整改率)")),
    Kpi("inspection", gettext_lazy("Inspection points")),  # last: the one KPI not a percentage (exports)
)
KPI_CODES = tuple(k.code for k in KPIS)

COUNT_NAMES = (
    "completed",
    # The on-time counts of the SLA report (sla.on_time_aggregates over sla.on_time_population).
    "respond_due",
    "respond_ok",
    "proactive",
    "arrive_due",
    "arrive_ok",
    "complete_due",
    "complete_ok",
    "first_fix",
    "reworked",
    "checklist_yes",
    "due",
    "contacted",
    "reached",
    "good",
    "complaints",
    "valid_complaints",
    "conduct",
    "inspections",
    "inspections_failed",
    "rounds_on_time",
    "rounds_decided",
    "hazards_on_time",
    "hazards_decided",
)


@dataclass
class AssessmentLine:
    """One crew's or worker's month: raw counts, KPI values (0–1, inspection 0–100), score, rank, veto."""

    key: int
    label: str
    crew: str = ""
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_NAMES, 0))
    inspection_avg: float | None = None
    reward_points: Decimal = Decimal("0")
    penalty_points: Decimal = Decimal("0")
    reward_amount: Decimal = Decimal("0")
    penalty_amount: Decimal = Decimal("0")
    values: dict[str, float | None] = field(default_factory=dict)
    base_score: Decimal | None = None
    score: Decimal | None = None
    rank: int = 0
    veto: bool = False

    def compute_values(self) -> None:
        c = self.counts
        completed = c["completed"]
        self.values = {
            **on_time_rates(c),
            "first_fix": ratio(c["first_fix"], completed),
            "rework": ratio(c["reworked"], completed),
            "follow_up": ratio(c["contacted"], c["due"]),
            "satisfaction": ratio(c["good"], c["reached"]),
            "valid_complaints": ratio(c["valid_complaints"], completed),
            "checklist": ratio(c["checklist_yes"], 5 * completed),
            "inspection": self.inspection_avg,
            "proactive": ratio(c.get("proactive", 0), completed),
            "rounds_on_time": ratio(c.get("rounds_on_time", 0), c.get("rounds_decided", 0)),
            "hazards_on_time": ratio(c.get("hazards_on_time", 0), c.get("hazards_decided", 0)),
        }
        self.veto = c["conduct"] > 0

    def points(self, code: str) -> float | None:
        """The KPI on a 0–100 scale, better is higher."""
        value = self.values.get(code)
        if value is None:
            return None
        if code == "inspection":
            return max(0.0, min(100.0, value))
        kpi = next(k for k in KPIS if k.code == code)
        value = min(max(value, 0.0), 1.0)
        return value * 100 if kpi.higher_is_better else (1 - value) * 100

    def compute_score(self, weights: dict[str, Decimal]) -> None:
        total_weight = Decimal("0")
        weighted = Decimal("0")
        for code in KPI_CODES:
            w = weights.get(code, Decimal("0"))
            p = self.points(code)
            if p is None or w <= 0:
                continue
            total_weight += w
            weighted += w * Decimal(str(p))
        if total_weight == 0:
            self.base_score = self.score = None
            return
        self.base_score = (weighted / total_weight).quantize(Decimal("0.01"), ROUND_HALF_UP)
        self.score = self.base_score + self.reward_points - self.penalty_points

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in (
            "reward_points",
            "penalty_points",
            "reward_amount",
            "penalty_amount",
            "base_score",
            "score",
        ):
            data[name] = None if data[name] is None else str(data[name])
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AssessmentLine:
        data = dict(data)
        for name in ("reward_points", "penalty_points", "reward_amount", "penalty_amount"):
            data[name] = Decimal(data.get(name) or "0")
        for name in ("base_score", "score"):
            data[name] = None if data.get(name) is None else Decimal(data[name])
        return cls(**data)


def rank_lines(lines: list[AssessmentLine]) -> list[AssessmentLine]:
    """评比: the highest score first (equal scores share a rank); no score next; vetoed lines (一票否决) last."""
    ordered = sorted(
        lines,
        key=lambda x: (x.veto, x.score is None, -(x.score or 0), x.label),
    )
    previous: tuple | None = None
    for position, line in enumerate(ordered, start=1):
        mark = (line.veto, line.score)
        line.rank = previous[1] if previous and previous[0] == mark and not line.veto else position
        previous = (mark, line.rank)
    return ordered


def current_weights() -> dict[str, Decimal]:
    return {w.kpi: w.weight for w in AssessmentWeight.objects.all()}


def month_assessment(
    month: date, level: str = "crew", *, now: datetime | None = None, weights: dict | None = None
) -> list[AssessmentLine]:
    """The live assessment of a month, per crew or per worker, ranked. Eleven queries whatever the data size:
    the crews or workers, completed orders, the on-time counts (sla.on_time_aggregates), first-time fixes,
    follow-ups, complaints, rounds, hazards, inspections, rewards and penalties, weights."""
    if level not in ("crew", "worker"):
        raise ValidationError({"level": [_("Choose crew or worker.")]})
    period = period_containing("month", month)
    start, end = period.start_at, period.end_at
    key = "crew_id" if level == "crew" else "worker_id"
    if level == "crew":
        entities = {c.id: AssessmentLine(key=c.id, label=c.name) for c in Crew.objects.filter(active=True)}
    else:
        entities = {
            w.id: AssessmentLine(key=w.id, label=w.name, crew=w.crew.name)
            for w in Worker.objects.filter(active=True).select_related("crew")
        }
    completed = WorkOrder.objects.filter(
        completed_at__gte=start, completed_at__lt=end, **{f"{key}__isnull": False}
    )
    for rows in (
        _order_counts(completed, key),
        _on_time_counts(key, start, end, now or timezone.now()),
        _first_fixes(completed, key, start, end),
        _follow_up_counts(key, start, min(end, now or timezone.now())),
        _complaint_counts(key, start, end),
        _round_counts(key, start, end, now or timezone.now()),
        _hazard_counts(key, start, end, now or timezone.now()),
    ):
        _add(entities, rows, key)
    _add_inspections(entities, level, start, end)
    _add_rewards(entities, key, period)
    weights = current_weights() if weights is None else weights
    lines = list(entities.values())
    for line in lines:
        line.compute_values()
        line.compute_score(weights)
    return rank_lines(lines)


def _add(entities: dict, rows: Iterable[dict], key: str) -> None:
    """Add each row's counts to its crew's or worker's line (rows of inactive ones are left out)."""
    for r in rows:
        line = entities.get(r[key])
        if line is None:
            continue
        for name, value in r.items():
            if name in line.counts:
                line.counts[name] += value or 0


def _order_counts(completed, key: str) -> list[dict]:
    """Completed orders of the month: time KPIs, rework, 六个一."""
    yes = {f"_{name}": Count("id", filter=Q(**{name: True})) for name in CHECKLIST_FIELDS}
    order_rows = list(
        completed.values(key)
        .annotate(
            completed=Count("id"),
            proactive=Count("id", filter=Q(channel=Channel.SELF)),
            reworked=Count("id", filter=Q(rework_count__gt=0)),
            **yes,
        )
        .order_by(key)
    )
    for r in order_rows:
        r["checklist_yes"] = sum(r.pop(name) for name in yes)
    return order_rows


def _on_time_counts(key: str, start: datetime, end: datetime, now: datetime):
    """The on-time figures: the SLA report's definition over the orders created in the month, so the ranking,
    the service-time table and the SLA report agree (issue 14)."""
    on_time = {k: v for k, v in on_time_aggregates(now).items() if k != "orders"}
    return (
        on_time_population(start, end)
        .filter(**{f"{key}__isnull": False})
        .values(key)
        .annotate(**on_time)
        .order_by(key)
    )


def _first_fixes(completed, key: str, start: datetime, end: datetime):
    # First-time fixes: the completed orders with no re-report (an order of the same room, or facility, and
    # category, not cancelled, created within FIRST_FIX_DAYS after the completion). A query of its own with
    # the two NOT EXISTS in WHERE, which PostgreSQL runs as anti-joins over the orders created in the month
    # and FIRST_FIX_DAYS after (bounds implied by the correlation, spelled out so the planner can use them):
    # as a conditional count in the query above it was a probe per completed order, whose plan cost crosses
    # PostgreSQL's JIT threshold on a large table.
    rereport = WorkOrder.objects.exclude(status=Status.CANCELLED).filter(
        category_id=OuterRef("category_id"),
        created_at__gt=OuterRef("completed_at"),
        created_at__lte=OuterRef("completed_at") + timedelta(days=FIRST_FIX_DAYS),
        created_at__gte=start,
        created_at__lt=end + timedelta(days=FIRST_FIX_DAYS),
    )
    return (
        completed.filter(
            ~Exists(rereport.filter(room_id=OuterRef("room_id"))),
            ~Exists(rereport.filter(facility_id=OuterRef("facility_id"))),
        )
        .values(key)
        .annotate(first_fix=Count("id"))
        .order_by(key)
    )


def _follow_up_counts(key: str, start: datetime, until: datetime):
    # Follow-ups due in the month, attributed to whoever did the completion they rate.
    return (
        FollowUp.objects.filter(due_at__gte=start, due_at__lt=until)
        .values(key)
        .annotate(
            due=Count("id"),
            contacted=Count("id", filter=~Q(outcome="")),
            reached=Count("id", filter=Q(outcome=Outcome.REACHED)),
            good=Count(
                "id",
                filter=Q(
                    outcome=Outcome.REACHED, verdict__in=[Verdict.SATISFIED, Verdict.BASICALLY_SATISFIED]
                ),
            ),
        )
        .order_by(key)
    )


def _complaint_counts(key: str, start: datetime, end: datetime):
    # Complaints received in the month; a valid one of a conduct type is a veto.
    return (
        Complaint.objects.filter(received_at__gte=start, received_at__lt=end, **{f"{key}__isnull": False})
        .values(key)
        .annotate(
            complaints=Count("id"),
            valid_complaints=Count("id", filter=Q(valid=True)),
            conduct=Count("id", filter=Q(valid=True, type__is_conduct=True)),
        )
        .order_by(key)
    )


def _round_counts(key: str, start: datetime, end: datetime, now: datetime):
    """Rounds due in the month, by the rounds report's definition: on time ÷ decided, per crew or per the
    worker the round was assigned to (or taken by)."""
    c = round_conditions(now)
    return (
        round_population(start, end)
        .filter(**{f"{key}__isnull": False})
        .values(key)
        .annotate(
            rounds_on_time=Count("id", filter=c["on_time"]), rounds_decided=Count("id", filter=c["decided"])
        )
        .order_by(key)
    )


def _hazard_counts(key: str, start: datetime, end: datetime, now: datetime):
    """Hazards found in the month, by the hazard report's definition: on time ÷ decided (fixed, or open past
    the due date) per crew. A worker is accountable for the hazards they rectified (an open hazard has no
    fixer yet), so a worker's figure is their rectifications done by the due date."""
    c = hazard_conditions(now)
    qs = hazard_population(start, end)
    if key == "worker_id":
        qs = qs.filter(rectified_by__worker__isnull=False).annotate(worker_id=F("rectified_by__worker__id"))
    return (
        qs.values(key)
        .annotate(
            hazards_on_time=Count("id", filter=c["on_time"]), hazards_decided=Count("id", filter=c["decided"])
        )
        .order_by(key)
    )


def _add_inspections(entities: dict, level: str, start: datetime, end: datetime) -> None:
    # Quality inspections recorded in the month (total of the four 0–25 scores).
    inspection_key = "crew_id" if level == "crew" else "work_order__worker_id"
    for r in (
        QualityInspection.objects.filter(inspected_at__gte=start, inspected_at__lt=end)
        .exclude(status=InspectionStatus.PENDING)
        .values(inspection_key)
        .annotate(
            inspections=Count("id"),
            inspections_failed=Count("id", filter=Q(status=InspectionStatus.FAILED)),
            avg=Avg(
                F("score_workmanship") + F("score_cleanliness") + F("score_checklist") + F("score_safety")
            ),
        )
        .order_by(inspection_key)
    ):
        line = entities.get(r[inspection_key])
        if line is not None:
            line.counts["inspections"] += r["inspections"]
            line.counts["inspections_failed"] += r["inspections_failed"]
            line.inspection_avg = float(r["avg"]) if r["avg"] is not None else None


def _add_rewards(entities: dict, key: str, period) -> None:
    # Rewards and penalties dated in the month (a crew counts all of its records, a worker their own).
    for r in (
        RewardPenalty.objects.filter(date__gte=period.start, date__lt=period.end, **{f"{key}__isnull": False})
        .values(key)
        .annotate(
            reward_points=Sum("points", filter=Q(kind=RewardKind.REWARD)),
            penalty_points=Sum("points", filter=Q(kind=RewardKind.PENALTY)),
            reward_amount=Sum("amount", filter=Q(kind=RewardKind.REWARD)),
            penalty_amount=Sum("amount", filter=Q(kind=RewardKind.PENALTY)),
        )
        .order_by(key)
    ):
        line = entities.get(r[key])
        if line is not None:
            for name in ("reward_points", "penalty_points", "reward_amount", "penalty_amount"):
                setattr(line, name, Decimal(r[name] or 0))


@dataclass
class FrozenAssessment:
    snapshot: AssessmentSnapshot
    lines: list[AssessmentLine]


def frozen_assessment(month: date, level: str = "crew") -> FrozenAssessment | None:
    """The published (frozen) assessment of the month, if any: two queries."""
    snapshot = (
        AssessmentSnapshot.objects.select_related("frozen_by")
        .filter(month=month.replace(day=1), level=level)
        .first()
    )
    if snapshot is None:
        return None
    lines = [AssessmentLine.from_json(row.kpis) for row in snapshot.rows.order_by("rank", "id")]
    return FrozenAssessment(snapshot, lines)


def compare(live: list[AssessmentLine], frozen: FrozenAssessment | None) -> list[dict]:
    """Live and frozen side by side, in the frozen order when there is one, then whatever is new."""
    if frozen is None:
        return [{"key": line.key, "live": line, "frozen": None, "changed": False} for line in live]
    by_key = {line.key: line for line in live}
    out = []
    for f in frozen.lines:
        line = by_key.pop(f.key, None)
        changed = line is None or line.score != f.score or line.rank != f.rank or line.veto != f.veto
        out.append({"key": f.key, "live": line, "frozen": f, "changed": changed})
    for line in by_key.values():
        out.append({"key": line.key, "live": line, "frozen": None, "changed": True})
    return out
