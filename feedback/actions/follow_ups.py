"""Follow-ups (回访): created when an order is completed, released when due, and their call attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from config.celery import enqueue
from workorders.actions import TransitionNotAllowed
from workorders.actions.closing import close_order, rework_order
from workorders.choices import Charge, Status, Urgency
from workorders.models import WorkOrder
from workorders.selectors import Calendar

from .. import conf
from ..choices import (
    FAILED_OUTCOMES,
    FOLLOW_UP_TRANSITIONS,
    RATING_KEYS,
    SEEN_KEYS,
    AlertKind,
    AttemptChannel,
    FollowUpStatus,
    Outcome,
    Verdict,
)
from ..models import RATING_FIELDS, FollowUp, FollowUpAttempt
from ..permissions import can_follow_up
from . import _task
from .notifications import raise_alert


class FollowUpClosed(Exception):
    """The follow-up is already done or unreachable (API: 409)."""

    def __init__(self, follow_up: FollowUp) -> None:
        self.message = _("This follow-up is already %(status)s.") % {
            "status": FollowUpStatus(follow_up.status).label
        }
        super().__init__(self.message)


# --- Follow-ups: creation and release ---------------------------------------------------------------------


def is_fast_follow_up(order: WorkOrder) -> bool:
    """Emergencies and the configured categories (leaks by default) are followed up within hours."""
    prefixes = tuple(conf.get("FOLLOWUP_FAST_CATEGORY_PREFIXES"))
    return order.urgency == Urgency.EMERGENCY or order.category.code.startswith(prefixes)


def follow_up_due_at(order: WorkOrder, completed_at: datetime, calendar: Calendar | None = None) -> datetime:
    """Next working day's opening by default (the working calendar of workorders); emergencies and leaks
    FOLLOWUP_FAST_HOURS after completion, moved to the next opening if that falls outside working hours."""
    calendar = calendar or Calendar.load(completed_at)
    if is_fast_follow_up(order):
        return calendar.next_opening(completed_at + timedelta(hours=conf.get("FOLLOWUP_FAST_HOURS")))
    day = timezone.localtime(completed_at).date()
    next_day_start = datetime.combine(day + timedelta(days=1), datetime.min.time(), completed_at.tzinfo)
    return calendar.next_opening(timezone.localtime(next_day_start))


def ensure_follow_up(*, order_id: int, now: datetime | None = None) -> FollowUp | None:
    """The follow-up of the order's current completion, created if missing. Safe to call any number of
    times (the unique (order, round) constraint decides); nothing for an order that is not completed."""
    now = now or timezone.now()
    order = WorkOrder.objects.select_related("category").filter(pk=order_id).first()
    if order is None or order.status != Status.COMPLETED:
        return None
    existing = FollowUp.objects.filter(work_order_id=order_id, round=order.rework_count).first()
    if existing is not None:
        return existing
    completed_at = order.completed_at or now
    try:
        with transaction.atomic():
            return FollowUp.objects.create(
                work_order=order,
                round=order.rework_count,
                is_emergency=order.urgency == Urgency.EMERGENCY,
                due_at=follow_up_due_at(order, completed_at),
                crew_id=order.crew_id,
                worker_id=order.worker_id,
                created_at=now,
            )
    except IntegrityError:  # another worker or the sweep created it a moment ago
        return FollowUp.objects.get(work_order_id=order_id, round=order.rework_count)


def orders_missing_follow_up():
    """Completed orders without a follow-up for their current completion (a lost signal or task)."""
    has = FollowUp.objects.filter(work_order=OuterRef("pk"), round=OuterRef("rework_count"))
    return WorkOrder.objects.filter(status=Status.COMPLETED).filter(~Exists(has))


def sweep_missing_follow_ups(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Create the follow-ups whose creation task never ran. Idempotent."""
    created = 0
    for order_id in orders_missing_follow_up().values_list("pk", flat=True)[:limit]:
        follow_up = ensure_follow_up(order_id=order_id, now=now)
        created += follow_up is not None
    return created


def release_due_follow_ups(*, now: datetime | None = None) -> int:
    """Scheduled follow-ups whose time has come enter the dispatchers' queue (one conditional UPDATE)."""
    now = now or timezone.now()
    return move_follow_ups(FollowUp.objects.filter(due_at__lte=now), "release", released_at=now)


def move_follow_ups(rows: QuerySet[FollowUp], action: str, **changes: Any) -> int:
    """The one writer of a follow-up's status, along FOLLOW_UP_TRANSITIONS: one conditional UPDATE of those
    `rows` still in a state `action` starts from, with `changes`. Returns how many moved (0: a concurrent
    worker or beat moved them first, or the table does not allow it)."""
    sources, target = FOLLOW_UP_TRANSITIONS[action]
    return rows.filter(status__in=sources).update(status=target, **changes)


def move_follow_up(follow_up: FollowUp, action: str, **changes: Any) -> None:
    """`move_follow_ups` for one (locked) follow-up, whose instance is kept in step with its row."""
    if not move_follow_ups(FollowUp.objects.filter(pk=follow_up.pk), action, **changes):
        raise FollowUpClosed(follow_up)
    follow_up.status = FOLLOW_UP_TRANSITIONS[action][1]
    for name, value in changes.items():
        setattr(follow_up, name, value)


# --- Follow-ups: attempts -----------------------------------------------------------------------------------


@dataclass
class Answers:
    """What a reached resident said (by phone or through the link), validated."""

    resolved: bool
    verdict: str
    ratings: dict[str, int]
    seen: dict[str, bool | None]
    fee_fair: bool | None
    comment: str


def clean_answers(
    *,
    order: WorkOrder,
    resolved: Any,
    verdict: str,
    ratings: dict[str, Any] | None,
    seen: dict[str, Any] | None = None,
    fee_fair: Any = None,
    comment: str = "",
) -> Answers:
    errors: dict[str, list[str]] = {}
    if not isinstance(resolved, bool):
        errors["resolved"] = [_("Say whether the fault is resolved.")]
    if verdict not in Verdict.values:
        errors["verdict"] = [_("Choose satisfied, basically satisfied or dissatisfied.")]
    clean_ratings: dict[str, int] = {}
    for key in RATING_KEYS:
        value = (ratings or {}).get(key)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if isinstance(value, bool) or not 1 <= number <= 5:
            errors["ratings"] = [_("Give each of the five ratings a score from 1 to 5.")]
            break
        clean_ratings[key] = number
    clean_seen: dict[str, bool | None] = {}
    for key in SEEN_KEYS:
        value = (seen or {}).get(key)
        if value is not None and not isinstance(value, bool):
            errors["seen"] = [_("Answer the checklist questions with yes, no or not sure.")]
        clean_seen[key] = value if isinstance(value, bool) else None
    if fee_fair is not None and not isinstance(fee_fair, bool):
        errors["fee_fair"] = [_("Answer yes or no.")]
    if order.charge != Charge.PAID:
        fee_fair = None
    comment = (comment or "").strip()
    if len(comment) > 2000:
        errors["comment"] = [_("At most %(n)s characters.") % {"n": 2000}]
    if errors:
        raise ValidationError(errors)
    return Answers(resolved, verdict, clean_ratings, clean_seen, fee_fair, comment)


def _attempt_fields(answers: Answers) -> dict[str, Any]:
    fields: dict[str, Any] = {f"rating_{k}": v for k, v in answers.ratings.items()}
    fields.update({f"seen_{k}": v for k, v in answers.seen.items()})
    fields.update(
        resolved=answers.resolved, verdict=answers.verdict, fee_fair=answers.fee_fair, comment=answers.comment
    )
    return fields


def _finish(follow_up: FollowUp, *, actor, outcome: str, answers: Answers | None, now: datetime) -> None:
    """Mark the follow-up done and act on the order: satisfied → close it; dissatisfied or unresolved →
    send it back to the crew (rework) and alert the managers. Runs inside the caller's transaction."""
    ratings = {f"rating_{k}": v for k, v in answers.ratings.items()} if answers else {}
    move_follow_up(
        follow_up,
        "finish",
        outcome=outcome,
        done_at=now,
        done_by=actor if getattr(actor, "pk", None) else None,
        verdict=answers.verdict if answers else "",
        resolved=answers.resolved if answers else None,
        # the reached answer's 五心, for the reports (feedback.models)
        **{name: ratings.get(name) for name in RATING_FIELDS},
    )
    order = follow_up.work_order
    unhappy = answers is not None and (answers.verdict == Verdict.DISSATISFIED or not answers.resolved)
    try:
        if unhappy:
            kind = AlertKind.UNRESOLVED if not answers.resolved else AlertKind.DISSATISFIED
            reason = _("Follow-up: %(what)s. %(comment)s") % {
                "what": AlertKind(kind).label,
                "comment": answers.comment,
            }
            rework_order(actor=actor, order_id=order.pk, reason=reason.strip(), by_system=True, now=now)
            raise_alert(
                key=f"followup:{follow_up.pk}",
                kind=kind,
                message=_("Order %(number)s: %(what)s — sent back for rework.")
                % {"number": order.number, "what": AlertKind(kind).label},
                work_order=order,
            )
        else:
            close_order(
                actor=actor, order_id=order.pk, note=_("Closed after the follow-up."), by_system=True, now=now
            )
    except TransitionNotAllowed:
        # The order moved on meanwhile (a manager closed or reworked it): the answers are still recorded.
        pass


def _check_retry(follow_up: FollowUp, now: datetime) -> None:
    """A failed call may be recorded only before the link is sent, and not before the time set for the retry."""
    if follow_up.status == FollowUpStatus.LINK_SENT:
        raise ValidationError(
            {"outcome": [_("The rating link has been sent; record only a call that reached the resident.")]}
        )
    if follow_up.next_attempt_after and now < follow_up.next_attempt_after:
        raise ValidationError(
            {
                "outcome": [
                    _("Try again at a different time of day: not before %(t)s.")
                    % {"t": timezone.localtime(follow_up.next_attempt_after).strftime("%m-%d %H:%M")}
                ]
            }
        )


def record_attempt(
    *,
    actor,
    follow_up_id: int,
    outcome: str,
    resolved: Any = None,
    verdict: str = "",
    ratings: dict[str, Any] | None = None,
    seen: dict[str, Any] | None = None,
    fee_fair: Any = None,
    comment: str = "",
    now: datetime | None = None,
) -> FollowUpAttempt:
    """Record one phone attempt. Reached: the answers are required, then the follow-up is done (see _finish).
    Refused: done without answers, the order closes. No answer / wrong number: counted; the next attempt may
    only be made FOLLOWUP_RETRY_HOURS later (a different time of day); the third failure queues the SMS link.

    Invariants: the follow-up row is locked; a done follow-up is refused (FollowUpClosed); all input is
    validated before anything is written."""
    now = now or timezone.now()
    if not can_follow_up(actor):
        raise PermissionDenied(_("Only dispatchers and managers may record follow-up calls."))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": [_("Choose what happened on the call.")]})
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("work_order", "work_order__category")
            .get(pk=follow_up_id)
        )
        if not follow_up.is_open:
            raise FollowUpClosed(follow_up)
        answers = None
        if outcome == Outcome.REACHED:
            answers = clean_answers(
                order=follow_up.work_order,
                resolved=resolved,
                verdict=verdict,
                ratings=ratings,
                seen=seen,
                fee_fair=fee_fair,
                comment=comment,
            )
        elif outcome in FAILED_OUTCOMES:
            _check_retry(follow_up, now)
        attempt = FollowUpAttempt.objects.create(
            follow_up=follow_up,
            at=now,
            by=actor,
            channel=AttemptChannel.PHONE,
            outcome=outcome,
            **(_attempt_fields(answers) if answers else {"comment": (comment or "").strip()[:2000]}),
        )
        if follow_up.status == FollowUpStatus.SCHEDULED:
            move_follow_up(follow_up, "release", released_at=now)
        if outcome in FAILED_OUTCOMES:
            follow_up.failed_attempts += 1
            follow_up.next_attempt_after = now + timedelta(hours=conf.get("FOLLOWUP_RETRY_HOURS"))
            follow_up.save(update_fields=["failed_attempts", "next_attempt_after"])
            if follow_up.failed_attempts >= conf.get("FOLLOWUP_MAX_FAILED_ATTEMPTS"):
                fid = follow_up.pk
                transaction.on_commit(lambda: enqueue(_task("send_rating_link_task"), fid))
        else:
            _finish(follow_up, actor=actor, outcome=outcome, answers=answers, now=now)
    return attempt
