"""Every write of feedback (DESIGN §6–§7): follow-ups and their attempts, the resident's rating link, SMS
notifications, manager alerts, complaints, praise and quality inspections.

Idempotency is built in, not hoped for: a follow-up is unique per order completion (order, round); a
notification and an alert are unique by `key`; periodic work claims each row with a conditional UPDATE
(`…filter(state=old).update(state=new)` — one winner even when two beats run at once), so a retried task or a
second sweep finds the work done and does nothing. Work orders change only through workorders.services.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.celery import enqueue
from crews.models import Crew, Worker
from residents.models import AuditEntry
from residents.services import audit_value, record_audit
from workorders.choices import Charge, Status, Urgency
from workorders.models import WorkOrder
from workorders.selectors import Calendar
from workorders.services import TransitionNotAllowed, clean_text, close_order, rework_order

from . import conf
from .choices import (
    COMPLAINT_TRANSITIONS,
    FAILED_OUTCOMES,
    RATING_KEYS,
    SEEN_KEYS,
    Accountability,
    AlertKind,
    AssessmentLevel,
    AttemptChannel,
    ComplaintSource,
    ComplaintStatus,
    EscalationStage,
    ExportStatus,
    FollowUpStatus,
    InspectionReason,
    InspectionStatus,
    NotificationKind,
    NotificationStatus,
    Outcome,
    PraiseSource,
    RewardKind,
    Severity,
    Verdict,
)
from .models import (
    RATING_FIELDS,
    Alert,
    AssessmentRow,
    AssessmentSnapshot,
    AssessmentWeight,
    Complaint,
    ComplaintEvent,
    ComplaintType,
    ExportJob,
    FollowUp,
    FollowUpAttempt,
    Notification,
    Praise,
    QualityInspection,
    RatingToken,
    RewardPenalty,
)
from .permissions import (
    can_follow_up,
    can_handle_complaint,
    can_inspect,
    can_manage_assessment,
    can_record_praise,
    can_register_complaint,
)

MAX_SEND_TRIES = 5


class FollowUpClosed(Exception):
    """The follow-up is already done or unreachable (API: 409)."""

    def __init__(self, follow_up: FollowUp) -> None:
        self.message = _("This follow-up is already %(status)s.") % {
            "status": FollowUpStatus(follow_up.status).label
        }
        super().__init__(self.message)


class ComplaintTransitionNotAllowed(Exception):
    """The complaint's state does not allow this step (API: 409)."""

    def __init__(self, complaint: Complaint, action: str) -> None:
        self.message = _("Complaint %(number)s is %(status)s; this step is not possible now.") % {
            "number": complaint.number,
            "status": ComplaintStatus(complaint.status).label,
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
    return FollowUp.objects.filter(status=FollowUpStatus.SCHEDULED, due_at__lte=now).update(
        status=FollowUpStatus.DUE, released_at=now
    )


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
    follow_up.status, follow_up.outcome, follow_up.done_at = FollowUpStatus.DONE, outcome, now
    follow_up.done_by = actor if getattr(actor, "pk", None) else None
    follow_up.verdict = answers.verdict if answers else ""
    follow_up.resolved = answers.resolved if answers else None
    ratings = {f"rating_{k}": v for k, v in answers.ratings.items()} if answers else {}
    for name in RATING_FIELDS:  # the reached answer's 五心, for the reports (feedback.models)
        setattr(follow_up, name, ratings.get(name))
    follow_up.save(
        update_fields=["status", "outcome", "done_at", "done_by", "verdict", "resolved", *RATING_FIELDS]
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
            if follow_up.status == FollowUpStatus.LINK_SENT:
                raise ValidationError(
                    {
                        "outcome": [
                            _("The rating link has been sent; record only a call that reached the resident.")
                        ]
                    }
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
        attempt = FollowUpAttempt.objects.create(
            follow_up=follow_up,
            at=now,
            by=actor,
            channel=AttemptChannel.PHONE,
            outcome=outcome,
            **(_attempt_fields(answers) if answers else {"comment": (comment or "").strip()[:2000]}),
        )
        if follow_up.status == FollowUpStatus.SCHEDULED:
            follow_up.status, follow_up.released_at = FollowUpStatus.DUE, now
            follow_up.save(update_fields=["status", "released_at"])
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


def _task(name: str):
    from . import tasks

    return getattr(tasks, name)


# --- The resident's rating link -------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def rating_url(token: str) -> str:
    from django.urls import reverse

    return conf.get("SITE_URL").rstrip("/") + reverse("feedback:rate", args=[token])


def send_rating_link(*, follow_up_id: int, now: datetime | None = None) -> Notification | None:
    """After the failed attempts: claim the follow-up (due → link_sent, one conditional UPDATE, so a second
    beat or a retried task does nothing), make a fresh single-use token and queue the SMS on commit."""
    now = now or timezone.now()
    expires = now + timedelta(days=conf.get("FOLLOWUP_LINK_DAYS"))
    with transaction.atomic():
        claimed = FollowUp.objects.filter(
            pk=follow_up_id,
            status=FollowUpStatus.DUE,
            failed_attempts__gte=conf.get("FOLLOWUP_MAX_FAILED_ATTEMPTS"),
        ).update(status=FollowUpStatus.LINK_SENT, link_sent_at=now, link_expires_at=expires)
        if not claimed:
            return None
        follow_up = FollowUp.objects.select_related("work_order", "work_order__category").get(pk=follow_up_id)
        token = secrets.token_urlsafe(32)  # 256 random bits, 43 characters
        RatingToken.objects.update_or_create(
            follow_up=follow_up,
            defaults={"token_hash": _hash(token), "created_at": now, "expires_at": expires, "used_at": None},
        )
        order = follow_up.work_order
        body = _("[10196] Your repair %(category)s on %(date)s: please tell us how it went: %(url)s") % {
            "category": order.category.name,
            "date": timezone.localtime(order.completed_at or now).strftime("%m-%d"),
            "url": rating_url(token),
        }
        return queue_notification(
            key=f"rating_link:{follow_up.pk}",
            kind=NotificationKind.RATING_LINK,
            phone=_phone_of(order),
            body=body,
            work_order=order,
            follow_up=follow_up,
            now=now,
        )


def send_due_rating_links(*, now: datetime | None = None) -> int:
    """The sweep: every follow-up with enough failed attempts and no link yet gets one (idempotent)."""
    ids = FollowUp.objects.filter(
        status=FollowUpStatus.DUE, failed_attempts__gte=conf.get("FOLLOWUP_MAX_FAILED_ATTEMPTS")
    ).values_list("pk", flat=True)
    return sum(send_rating_link(follow_up_id=fid, now=now) is not None for fid in list(ids))


class TokenProblem(Exception):
    """invalid / used / expired — the page says which, clearly, and reveals nothing else."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def follow_up_for_token(token: str, *, now: datetime | None = None) -> FollowUp:
    """The follow-up a link answers, or TokenProblem(reason)."""
    now = now or timezone.now()
    if not token or len(token) > 100:
        raise TokenProblem("invalid")
    row = (
        RatingToken.objects.select_related("follow_up__work_order__category", "follow_up__work_order")
        .filter(token_hash=_hash(token))
        .first()
    )
    if row is None:
        raise TokenProblem("invalid")
    if row.used_at is not None or row.follow_up.status == FollowUpStatus.DONE:
        raise TokenProblem("used")
    if row.expires_at <= now or row.follow_up.status != FollowUpStatus.LINK_SENT:
        raise TokenProblem("expired")
    return row.follow_up


def rate_by_link(
    *,
    token: str,
    resolved: Any,
    verdict: str,
    ratings: dict[str, Any] | None,
    seen: dict[str, Any] | None = None,
    fee_fair: Any = None,
    comment: str = "",
    now: datetime | None = None,
) -> FollowUpAttempt:
    """The resident answers through the link: the token is spent by a conditional UPDATE (single use even
    under a double submit), the answers recorded, and the follow-up finished like a reached call."""
    now = now or timezone.now()
    follow_up = follow_up_for_token(token, now=now)
    answers = clean_answers(
        order=follow_up.work_order,
        resolved=resolved,
        verdict=verdict,
        ratings=ratings,
        seen=seen,
        fee_fair=fee_fair,
        comment=comment,
    )
    with transaction.atomic():
        spent = RatingToken.objects.filter(
            token_hash=_hash(token), used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if not spent:
            raise TokenProblem("used")
        follow_up = (
            FollowUp.objects.select_for_update(of=("self",)).select_related("work_order").get(pk=follow_up.pk)
        )
        if follow_up.status != FollowUpStatus.LINK_SENT:
            raise TokenProblem("expired")
        attempt = FollowUpAttempt.objects.create(
            follow_up=follow_up,
            at=now,
            channel=AttemptChannel.LINK,
            outcome=Outcome.REACHED,
            **_attempt_fields(answers),
        )
        _finish(follow_up, actor=None, outcome=Outcome.REACHED, answers=answers, now=now)
    return attempt


def close_unreachable(*, now: datetime | None = None) -> int:
    """Links unanswered past their expiry: the follow-up closes as unreachable and so does the order. Each
    row is claimed by a conditional UPDATE; the order is closed in the same transaction."""
    now = now or timezone.now()
    closed = 0
    ids = FollowUp.objects.filter(status=FollowUpStatus.LINK_SENT, link_expires_at__lte=now).values_list(
        "pk", "work_order_id"
    )
    for fid, order_id in list(ids):
        with transaction.atomic():
            if not FollowUp.objects.filter(pk=fid, status=FollowUpStatus.LINK_SENT).update(
                status=FollowUpStatus.UNREACHABLE, done_at=now
            ):
                continue
            closed += 1
            with contextlib.suppress(TransitionNotAllowed):  # the order moved on meanwhile
                close_order(
                    actor=None,
                    order_id=order_id,
                    note=_("Closed: the resident could not be reached for the follow-up."),
                    by_system=True,
                    now=now,
                )
    return closed


# --- Notifications ------------------------------------------------------------------------------------------


def _phone_of(order: WorkOrder) -> str:
    if order.reporter_phone:
        return order.reporter_phone
    return order.reporter.phone if order.reporter_id and order.reporter else ""


def queue_notification(
    *,
    key: str,
    kind: str,
    phone: str,
    body: str,
    work_order: WorkOrder | None = None,
    follow_up: FollowUp | None = None,
    now: datetime | None = None,
) -> Notification | None:
    """The Notification row for `key` (created once, found thereafter); its delivery is queued on commit.
    Nothing when there is no phone number to send to."""
    if not phone:
        return None
    # INSERT first (a notification is new nearly always), the existing row only when the key is taken: one
    # statement fewer than get_or_create's SELECT-then-INSERT on every order (bench/README.md).
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                key=key,
                kind=kind,
                phone=phone,
                body=body,
                work_order=work_order,
                follow_up=follow_up,
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        return Notification.objects.get(key=key)
    nid = notification.pk
    transaction.on_commit(lambda: enqueue(_task("deliver_notification_task"), nid))
    return notification


def deliver_notification(*, notification_id: int, now: datetime | None = None) -> bool:
    """Send one SMS at most once per claim: pending/failed → sending by a conditional UPDATE (a duplicate
    task finds nothing to claim), then the backend, then sent. A failure is recorded for the sweep to retry;
    a worker killed between claim and send leaves a stale claim that the sweep returns to pending."""
    from .sms import send_sms

    now = now or timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id,
        status__in=[NotificationStatus.PENDING, NotificationStatus.FAILED],
        tries__lt=MAX_SEND_TRIES,
    ).update(status=NotificationStatus.SENDING, claimed_at=now, tries=F("tries") + 1)
    if not claimed:
        return False
    notification = Notification.objects.get(pk=notification_id)
    try:
        send_sms(notification.phone, notification.body, key=notification.key)
    except Exception as exc:  # any gateway failure: record it, the sweep retries
        Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING).update(
            status=NotificationStatus.FAILED, error=str(exc)[:300]
        )
        return False
    Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), error=""
    )
    return True


def notifications_to_retry(*, now: datetime | None = None, stale_after: int | None = None) -> list[int]:
    """Return stale claims to pending, and list what should be (re)delivered: pending, failed with tries left."""
    now = now or timezone.now()
    stale_after = conf.get("NOTIFICATION_CLAIM_TIMEOUT") if stale_after is None else stale_after
    Notification.objects.filter(
        status=NotificationStatus.SENDING, claimed_at__lte=now - timedelta(seconds=stale_after)
    ).update(status=NotificationStatus.PENDING)
    return list(
        Notification.objects.filter(
            Q(status=NotificationStatus.PENDING)
            | Q(status=NotificationStatus.FAILED, tries__lt=MAX_SEND_TRIES)
        ).values_list("pk", flat=True)[:1000]
    )


_ORDER_MESSAGES = {
    NotificationKind.ORDER_RECEIVED: gettext_noop(
        "[10196] We have received your repair request %(number)s (%(category)s) and will send someone soon."
    ),
    NotificationKind.WORKER_ON_WAY: gettext_noop(
        "[10196] Worker %(worker)s has accepted your repair %(number)s and is on the way."
    ),
    NotificationKind.ORDER_COMPLETED: gettext_noop(
        "[10196] Your repair %(number)s is completed. We will call you to ask how it went."
    ),
}


def notify_order(
    *, order_id: int, kind: str, now: datetime | None = None, order: WorkOrder | None = None
) -> Notification | None:
    """The resident's SMS for an order milestone; once per order, kind and completion round. `order`: the
    instance when the caller has it with its category, worker and reporter (a new order; saves a read)."""
    if order is None or order.pk != order_id:
        order = (
            WorkOrder.objects.select_related("category", "worker", "reporter")
            .only(
                "number",
                "reporter_phone",
                "rework_count",
                "category__name",
                "worker__name",
                "reporter__phone",
            )
            .filter(pk=order_id)
            .first()
        )
    if order is None or kind not in _ORDER_MESSAGES:
        return None
    body = _(_ORDER_MESSAGES[kind]) % {
        "number": order.number,
        "category": order.category.name,
        "worker": order.worker.name if order.worker else "",
    }
    return queue_notification(
        key=f"{kind}:{order.pk}:{order.rework_count}",
        kind=kind,
        phone=_phone_of(order),
        body=body,
        work_order=order,
        now=now,
    )


# --- Manager alerts ----------------------------------------------------------------------------------------


def raise_alert(*, key: str, kind: str, message: str, work_order=None, complaint=None) -> Alert:
    """A row managers see; one per `key` however often it is raised."""
    alert, _created = Alert.objects.get_or_create(
        key=key,
        defaults={"kind": kind, "message": message[:300], "work_order": work_order, "complaint": complaint},
    )
    return alert


def acknowledge_alert(*, actor, alert_id: int, now: datetime | None = None) -> Alert:
    if not can_handle_complaint(actor):
        raise PermissionDenied(_("Only managers may acknowledge alerts."))
    now = now or timezone.now()
    Alert.objects.filter(pk=alert_id, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor
    )
    return Alert.objects.get(pk=alert_id)


# --- Complaints -------------------------------------------------------------------------------------------


def complaint_deadlines(received_at: datetime, severity: str) -> tuple[datetime, datetime, datetime]:
    """DESIGN §4: contact the complainant ≤ 24 h (urgent ≤ 2 h), decide ≤ 3 working days, close ≤ 7."""
    calendar = Calendar.load(received_at)
    contact = received_at + timedelta(hours=2 if severity == Severity.URGENT else 24)
    return contact, calendar.add_working_days(received_at, 3), calendar.add_working_days(received_at, 7)


def _complaint_event(complaint: Complaint, actor, kind: str, note: str = "", now=None) -> None:
    ComplaintEvent.objects.create(
        complaint=complaint,
        at=now or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        note=note,
    )


def register_complaint(
    *,
    actor,
    source: str,
    phone: str,
    name: str,
    summary: str,
    work_order: WorkOrder | None = None,
    crew: Crew | None = None,
    worker: Worker | None = None,
    type: ComplaintType | None = None,
    severity: str = Severity.NORMAL,
    follow_up: FollowUp | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Register a complaint (received) with its three deadlines. Crew and worker default to the linked
    order's. Called by the hotline desk, the follow-up workbench and the API."""
    now = now or timezone.now()
    if not can_register_complaint(actor):
        raise PermissionDenied(_("Only dispatchers and managers may register complaints."))
    if source not in ComplaintSource.values:
        raise ValidationError({"source": [_("Choose where the complaint came from.")]})
    if severity not in Severity.values:
        raise ValidationError({"severity": [_("Unknown severity.")]})
    summary = clean_text(summary, "summary", _("Write down what the complaint is about."))
    phone = clean_text(phone, "phone", "", required=False, max_length=20)
    name = clean_text(name, "name", "", required=False, max_length=40)
    if worker is not None and crew is not None and worker.crew_id != crew.id:
        raise ValidationError({"worker": [_("The worker is not in that crew.")]})
    if work_order is not None:
        crew = crew or work_order.crew
        worker = worker or work_order.worker
    if worker is not None and crew is None:
        crew = worker.crew
    contact_by, decide_by, close_by = complaint_deadlines(now, severity)
    with transaction.atomic():
        complaint = Complaint.objects.create(
            source=source,
            complainant_name=name,
            complainant_phone=phone,
            summary=summary,
            work_order=work_order,
            follow_up=follow_up,
            crew=crew,
            worker=worker,
            type=type,
            severity=severity,
            received_at=now,
            contact_by=contact_by,
            decide_by=decide_by,
            close_by=close_by,
            created_by=actor,
        )
        _complaint_event(complaint, actor, "received", summary[:200], now)
    return complaint


def _complaint_step(*, actor, complaint_id: int, action: str, apply, note: str = "", now=None) -> Complaint:
    now = now or timezone.now()
    if not can_handle_complaint(actor):
        raise PermissionDenied(_("Only managers may handle complaints."))
    sources, target = COMPLAINT_TRANSITIONS[action]
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
        if complaint.status == target:
            return complaint  # a repeated request is a no-op
        if complaint.status not in sources:
            raise ComplaintTransitionNotAllowed(complaint, action)
        changed = set(apply(complaint, now))
        complaint.status = target
        complaint.save(update_fields=sorted(changed | {"status"}))
        _complaint_event(complaint, actor, action, note, now)
    return complaint


def investigate_complaint(
    *, actor, complaint_id: int, note: str = "", now: datetime | None = None
) -> Complaint:
    """Start the investigation; stamps the contact with the complainant (the 24 h / 2 h commitment)."""

    def apply(c: Complaint, at):
        c.contacted_at = c.contacted_at or at
        c.handler = actor
        return ["contacted_at", "handler"]

    return _complaint_step(
        actor=actor, complaint_id=complaint_id, action="investigate", apply=apply, note=note, now=now
    )


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if amount < 0 or amount > Decimal("9999999.99"):
        raise ValidationError({field: [_("Enter an amount between 0 and 9999999.99.")]})
    return amount


def resolve_complaint(
    *,
    actor,
    complaint_id: int,
    valid: Any,
    findings: str,
    responsible_person: str,
    accountability: str = Accountability.NONE,
    points: Any = 0,
    fine: Any = 0,
    rectification: str = "",
    responsible_worker: Worker | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Decide: valid or not, the findings (检查结果) and the responsible person (责任人) always; for a valid
    complaint the accountability outcome and the rectification. An invalid one carries no accountability."""
    errors: dict[str, list[str]] = {}
    if not isinstance(valid, bool):
        errors["valid"] = [_("Decide whether the complaint is valid.")]
    findings = (findings or "").strip()
    if not findings:
        errors["findings"] = [_("Record the findings of the investigation.")]
    responsible_person = (responsible_person or "").strip()[:40]
    if not responsible_person and responsible_worker is None:
        errors["responsible_person"] = [_("Name the responsible person.")]
    if accountability not in Accountability.values:
        errors["accountability"] = [_("Choose the accountability outcome.")]
    try:
        points = int(points or 0)
        if not 0 <= points <= 100:
            raise ValueError
    except (TypeError, ValueError):
        errors["points"] = [_("Points are a whole number from 0 to 100.")]
        points = 0
    fine_amount = _money(fine, "fine")
    if valid is False and accountability != Accountability.NONE:
        errors["accountability"] = [_("An invalid complaint carries no accountability.")]
    if accountability == Accountability.POINTS and points <= 0:
        errors["points"] = [_("Give the points deducted.")]
    if accountability == Accountability.FINE and fine_amount <= 0:
        errors["fine"] = [_("Give the amount of the fine.")]
    rectification = (rectification or "").strip()
    if valid is True and not rectification:
        errors["rectification"] = [_("Say what is rectified.")]
    if errors:
        raise ValidationError(errors)

    def apply(c: Complaint, at):
        c.valid, c.findings, c.responsible_person = (
            valid,
            findings,
            responsible_person or responsible_worker.name,
        )
        c.responsible_worker, c.accountability = responsible_worker, accountability
        c.points = points if accountability == Accountability.POINTS else 0
        c.fine = fine_amount if accountability == Accountability.FINE else Decimal("0.00")
        c.rectification, c.decided_at, c.resolved_at = rectification, at, at
        return [
            "valid",
            "findings",
            "responsible_person",
            "responsible_worker",
            "accountability",
            "points",
            "fine",
            "rectification",
            "decided_at",
            "resolved_at",
        ]

    return _complaint_step(
        actor=actor, complaint_id=complaint_id, action="resolve", apply=apply, note=findings[:200], now=now
    )


def close_complaint(
    *, actor, complaint_id: int, callback_note: str, callback_satisfied: Any, now: datetime | None = None
) -> Complaint:
    """Close after calling the complainant back (回访投诉人) with what was found and done."""
    callback_note = clean_text(callback_note, "callback_note", _("Record the callback to the complainant."))
    if not isinstance(callback_satisfied, bool):
        raise ValidationError({"callback_satisfied": [_("Say whether the complainant accepted the result.")]})

    def apply(c: Complaint, at):
        c.callback_note, c.callback_satisfied, c.callback_at, c.closed_at = (
            callback_note,
            callback_satisfied,
            at,
            at,
        )
        return ["callback_note", "callback_satisfied", "callback_at", "closed_at"]

    return _complaint_step(
        actor=actor, complaint_id=complaint_id, action="close", apply=apply, note=callback_note[:200], now=now
    )


_STAGE_FILTERS = (
    (EscalationStage.CLOSE, "close_by", Q(closed_at__isnull=True)),
    (EscalationStage.DECIDE, "decide_by", Q(decided_at__isnull=True)),
    (EscalationStage.CONTACT, "contact_by", Q(contacted_at__isnull=True)),
)


def escalate_overdue_complaints(*, now: datetime | None = None) -> int:
    """Each missed complaint deadline escalates once (contact → decide → close, highest first): the stage is
    raised by a conditional UPDATE and a manager alert is written, both in one transaction."""
    now = now or timezone.now()
    escalated = 0
    for stage, deadline, unmet in _STAGE_FILTERS:
        ids = (
            Complaint.objects.exclude(status=ComplaintStatus.CLOSED)
            .filter(unmet, escalation__lt=stage, **{f"{deadline}__lt": now})
            .values_list("pk", flat=True)
        )
        for cid in list(ids):
            with transaction.atomic():
                if not Complaint.objects.filter(pk=cid, escalation__lt=stage).update(
                    escalation=stage, escalated_at=now
                ):
                    continue
                complaint = Complaint.objects.select_related("work_order").get(pk=cid)
                raise_alert(
                    key=f"complaint:{cid}:{int(stage)}",
                    kind=AlertKind.COMPLAINT_OVERDUE,
                    message=_("Complaint %(number)s: %(stage)s.")
                    % {"number": complaint.number, "stage": EscalationStage(stage).label},
                    work_order=complaint.work_order,
                    complaint=complaint,
                )
                _complaint_event(complaint, None, "escalate", EscalationStage(stage).label, now)
                escalated += 1
    return escalated


def complaint_from_follow_up(*, actor, follow_up_id: int, now: datetime | None = None) -> Complaint:
    """One click on the workbench: the last comment of a follow-up becomes a complaint about the order's crew
    and worker (once: a second click finds the same complaint)."""
    follow_up = FollowUp.objects.select_related("work_order", "work_order__reporter").get(pk=follow_up_id)
    existing = follow_up.complaints.first()
    if existing is not None:
        return existing
    comment = (
        follow_up.attempts.exclude(comment="")
        .order_by("-at", "-id")
        .values_list("comment", flat=True)
        .first()
    )
    if not comment:
        raise ValidationError({"comment": [_("This follow-up has no comment to turn into a complaint.")]})
    order = follow_up.work_order
    return register_complaint(
        actor=actor,
        source=ComplaintSource.FOLLOW_UP,
        phone=_phone_of(order),
        name=order.reporter_name or (order.reporter.name if order.reporter else ""),
        summary=comment,
        work_order=order,
        follow_up=follow_up,
        now=now,
    )


# --- Praise -------------------------------------------------------------------------------------------------


def record_praise(
    *,
    actor,
    summary: str,
    crew: Crew | None = None,
    worker: Worker | None = None,
    work_order: WorkOrder | None = None,
    source: str = PraiseSource.CALL,
    praiser_name: str = "",
    now: datetime | None = None,
) -> Praise:
    """A praise (表扬) for a worker or crew; defaults to the linked order's crew and worker."""
    if not can_record_praise(actor):
        raise PermissionDenied(_("Only dispatchers and managers may record praise."))
    if source not in PraiseSource.values:
        raise ValidationError({"source": [_("Choose where the praise came from.")]})
    summary = clean_text(summary, "summary", _("Write down what the resident praised."))
    if work_order is not None:
        crew = crew or work_order.crew
        worker = worker or work_order.worker
    if worker is not None and crew is None:
        crew = worker.crew
    if crew is None:
        raise ValidationError({"crew": [_("Say which crew or worker is praised.")]})
    return Praise.objects.create(
        source=source,
        summary=summary,
        praiser_name=(praiser_name or "").strip()[:40],
        crew=crew,
        worker=worker,
        work_order=work_order,
        recorded_by=actor,
        created_at=now or timezone.now(),
    )


# --- Quality inspections ------------------------------------------------------------------------------------


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def draw_inspection_sample(
    *, week: date | None = None, percent: int | None = None, now: datetime | None = None
) -> int:
    """The week's spot checks: per crew, PERCENT% (rounded up) of the orders it completed last week, drawn
    at random with a seed of week and crew (so a second beat draws the same sample), plus every order of
    last week with a complaint. Unique per (order, week): running it twice adds nothing."""
    now = now or timezone.now()
    week = week or week_of(timezone.localdate(now))
    percent = conf.get("INSPECTION_SAMPLE_PERCENT") if percent is None else percent
    tz = timezone.get_current_timezone()
    start = datetime.combine(week - timedelta(days=7), datetime.min.time(), tz)
    end = datetime.combine(week, datetime.min.time(), tz)
    done = WorkOrder.objects.filter(
        status__in=[Status.COMPLETED, Status.CLOSED],
        completed_at__gte=start,
        completed_at__lt=end,
        crew__isnull=False,
    )
    by_crew: dict[int, list[int]] = {}
    for crew_id, order_id in done.values_list("crew_id", "pk").order_by("crew_id", "pk"):
        by_crew.setdefault(crew_id, []).append(order_id)
    rows: dict[int, QualityInspection] = {}
    for crew_id, ids in by_crew.items():
        k = math.ceil(len(ids) * percent / 100)
        for order_id in random.Random(f"{week.isoformat()}:{crew_id}").sample(ids, k):
            rows[order_id] = QualityInspection(
                work_order_id=order_id,
                crew_id=crew_id,
                week=week,
                reason=InspectionReason.RANDOM,
                created_at=now,
            )
    complained = (
        WorkOrder.objects.filter(
            status__in=[Status.COMPLETED, Status.CLOSED],
            crew__isnull=False,
            complaints__received_at__gte=start,
            complaints__received_at__lt=end,
        )
        .values_list("pk", "crew_id")
        .distinct()
    )
    for order_id, crew_id in complained:
        rows[order_id] = QualityInspection(
            work_order_id=order_id,
            crew_id=crew_id,
            week=week,
            reason=InspectionReason.COMPLAINT,
            created_at=now,
        )
    before = QualityInspection.objects.filter(week=week).count()
    QualityInspection.objects.bulk_create(rows.values(), ignore_conflicts=True)
    return QualityInspection.objects.filter(week=week).count() - before


SCORE_MAX = 25


def record_inspection(
    *,
    actor,
    inspection_id: int,
    workmanship: Any,
    cleanliness: Any,
    checklist: Any,
    safety: Any,
    passed: Any,
    findings: str,
    responsible_person: str,
    now: datetime | None = None,
) -> QualityInspection:
    """The score sheet (each 0–25), pass or fail, findings (检查结果) and responsible person (责任人). A fail
    sends the order back to its crew (rework) and alerts the managers."""
    now = now or timezone.now()
    if not can_inspect(actor):
        raise PermissionDenied(_("Only managers may record quality inspections."))
    errors: dict[str, list[str]] = {}
    scores = {}
    for field, value in (
        ("workmanship", workmanship),
        ("cleanliness", cleanliness),
        ("checklist", checklist),
        ("safety", safety),
    ):
        try:
            number = int(value)
            if not 0 <= number <= SCORE_MAX:
                raise ValueError
            scores[field] = number
        except (TypeError, ValueError):
            errors[field] = [_("A score from 0 to %(max)s.") % {"max": SCORE_MAX}]
    if not isinstance(passed, bool):
        errors["passed"] = [_("Choose pass or fail.")]
    findings = (findings or "").strip()
    responsible_person = (responsible_person or "").strip()[:40]
    if not findings:
        errors["findings"] = [_("Record the findings of the inspection.")]
    if not responsible_person:
        errors["responsible_person"] = [_("Name the responsible person.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        inspection = (
            QualityInspection.objects.select_for_update(of=("self",))
            .select_related("work_order")
            .get(pk=inspection_id)
        )
        if inspection.status != InspectionStatus.PENDING:
            raise ValidationError({"passed": [_("This inspection has already been recorded.")]})
        inspection.score_workmanship, inspection.score_cleanliness = (
            scores["workmanship"],
            scores["cleanliness"],
        )
        inspection.score_checklist, inspection.score_safety = scores["checklist"], scores["safety"]
        inspection.status = InspectionStatus.PASSED if passed else InspectionStatus.FAILED
        inspection.findings, inspection.responsible_person = findings, responsible_person
        inspection.inspector, inspection.inspected_at = actor, now
        inspection.save()
        if not passed:
            order = inspection.work_order
            with contextlib.suppress(TransitionNotAllowed):  # already back with the crew
                rework_order(
                    actor=actor,
                    order_id=order.pk,
                    reason=_("Quality inspection failed: %(findings)s") % {"findings": findings[:400]},
                    by_system=True,
                    now=now,
                )
            raise_alert(
                key=f"inspection:{inspection.pk}",
                kind=AlertKind.INSPECTION_FAILED,
                message=_("Order %(number)s failed its quality inspection — sent back for rework.")
                % {"number": order.number},
                work_order=order,
            )
    return inspection


# --- Assessment (考核): weights, snapshots, rewards and penalties (奖惩); exports ---------------------------


def _require_manager(actor, message: str) -> None:
    if not can_manage_assessment(actor):
        raise PermissionDenied(message)


def set_assessment_weights(
    *, actor, weights: dict[str, Any], now: datetime | None = None
) -> dict[str, Decimal]:
    """Replace the KPI weights of the monthly score (managers). Each weight is a number from 0 to 100 and at
    least one must be positive; everything is validated before anything is written."""
    from .reports import KPI_CODES

    _require_manager(actor, _("Only managers may change the assessment weights."))
    now = now or timezone.now()
    clean: dict[str, Decimal] = {}
    errors: dict[str, list[str]] = {}
    for code in KPI_CODES:
        try:
            value = Decimal(str(weights.get(code, "0")).strip() or "0")
            if not value.is_finite() or not Decimal("0") <= value <= Decimal("100"):
                raise InvalidOperation
            clean[code] = value.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors[code] = [_("A weight from 0 to 100.")]
    if not errors and not any(clean.values()):
        errors["__all__"] = [_("At least one weight must be above 0.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = dict(AssessmentWeight.objects.select_for_update().values_list("kpi", "weight"))
        for code, value in clean.items():
            row, created = AssessmentWeight.objects.update_or_create(
                kpi=code, defaults={"weight": value, "updated_at": now, "updated_by": actor}
            )
            if created or before.get(code) != value:  # the master-data audit: who changed which weight
                record_audit(
                    actor=actor,
                    obj=row,
                    action=AuditEntry.Action.ADD if created else AuditEntry.Action.CHANGE,
                    changes={"weight": [audit_value(before.get(code)), audit_value(value)]},
                )
    return clean


def freeze_assessment(*, actor, month: date, level: str, now: datetime | None = None) -> AssessmentSnapshot:
    """Publish a month's ranking: the live assessment is computed and stored row by row with the weights
    used, so later edits (a follow-up corrected, a complaint decided, a weight changed) never change it.
    Freezing a month that is already frozen returns the existing snapshot unchanged (a no-op); only a month
    that has ended may be frozen. `actor=None` is the monthly beat."""
    from .reports import assessment, current_weights

    if actor is not None:
        _require_manager(actor, _("Only managers may freeze an assessment."))
    now = now or timezone.now()
    month = month.replace(day=1)
    if level not in AssessmentLevel.values:
        raise ValidationError({"level": [_("Choose crew or worker.")]})
    next_month = (month + timedelta(days=32)).replace(day=1)
    if timezone.localdate(now) < next_month:
        raise ValidationError({"month": [_("A month can be frozen only after it has ended.")]})
    existing = AssessmentSnapshot.objects.filter(month=month, level=level).first()
    if existing is not None:
        return existing
    weights = current_weights()
    lines = assessment(month, level, now=now, weights=weights)
    try:
        with transaction.atomic():
            snapshot = AssessmentSnapshot.objects.create(
                month=month,
                level=level,
                weights={k: str(v) for k, v in weights.items()},
                frozen_at=now,
                frozen_by=actor if getattr(actor, "pk", None) else None,
            )
            AssessmentRow.objects.bulk_create(
                [
                    AssessmentRow(
                        snapshot=snapshot,
                        crew_id=line.key if level == AssessmentLevel.CREW else None,
                        worker_id=line.key if level == AssessmentLevel.WORKER else None,
                        label=line.label[:80],
                        kpis=line.as_json(),
                        score=line.score if line.score is not None else Decimal("0"),
                        rank=line.rank,
                        veto=line.veto,
                    )
                    for line in lines
                ]
            )
    except IntegrityError:  # frozen a moment ago by another request or the beat
        return AssessmentSnapshot.objects.get(month=month, level=level)
    return snapshot


def freeze_previous_month(*, now: datetime | None = None) -> int:
    """The monthly beat: freeze last month at both levels if not yet done. Idempotent."""
    now = now or timezone.now()
    month = (timezone.localdate(now).replace(day=1) - timedelta(days=1)).replace(day=1)
    before = AssessmentSnapshot.objects.filter(month=month).count()
    for level in AssessmentLevel.values:
        freeze_assessment(actor=None, month=month, level=level, now=now)
    return AssessmentSnapshot.objects.filter(month=month).count() - before


def record_reward_penalty(
    *,
    actor,
    kind: str,
    crew: Crew | None,
    worker: Worker | None = None,
    reason: str,
    points: Any = "0",
    amount: Any = "0",
    date: date | None = None,
    complaint: Complaint | None = None,
    inspection: QualityInspection | None = None,
    praise: Praise | None = None,
    now: datetime | None = None,
) -> RewardPenalty:
    """A manager records a reward or a penalty (奖惩) for a crew or one of its workers, with its reason, points
    and/or an amount of money, and what it rests on (a complaint, an inspection or a praise of that crew).
    It feeds the assessment of its month (a frozen month keeps its published figures)."""
    _require_manager(actor, _("Only managers may record rewards and penalties."))
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if kind not in RewardKind.values:
        errors["kind"] = [_("Choose reward or penalty.")]
    if worker is not None:
        if crew is not None and worker.crew_id != crew.pk:
            errors["worker"] = [_("This worker is not in the chosen crew.")]
        crew = crew or worker.crew
    if crew is None:
        errors["crew"] = [_("Choose the crew (and the worker, if it concerns one person).")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Give the reason.")]
    clean = {}
    for name, value in (("points", points), ("amount", amount)):
        try:
            number = Decimal(str(value if value not in (None, "") else "0").strip())
            if not number.is_finite() or number < 0 or number >= Decimal("1000000"):
                raise InvalidOperation
            clean[name] = number.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors[name] = [_("A number of 0 or more.")]
    if not errors and not (clean["points"] > 0 or clean["amount"] > 0):
        errors["points"] = [_("Give points, an amount, or both.")]
    if crew is not None:
        for name, linked in (("complaint", complaint), ("inspection", inspection), ("praise", praise)):
            if linked is not None and getattr(linked, "crew_id", None) not in (None, crew.pk):
                errors[name] = [_("It concerns another crew.")]
    if errors:
        raise ValidationError(errors)
    return RewardPenalty.objects.create(
        kind=kind,
        date=date or timezone.localdate(now),
        crew=crew,
        worker=worker,
        reason=reason[:300],
        points=clean["points"],
        amount=clean["amount"],
        complaint=complaint,
        inspection=inspection,
        praise=praise,
        entered_by=actor,
        created_at=now,
    )


def start_export(*, actor, kind: str, params: dict[str, Any], total: int) -> ExportJob:
    """Queue a large export as a Celery task (after commit); the browser polls the job for its progress."""
    job = ExportJob.objects.create(kind=kind, params=params, user=actor, total=total)
    job_id = job.pk
    transaction.on_commit(lambda: enqueue(_task("run_export_task"), job_id))
    return job


def run_export(*, job_id: int, now: datetime | None = None) -> bool:
    """Write the export's workbook to default storage, saving progress every few hundred rows. The job is
    claimed by a conditional UPDATE (pending → running), so a retried task or a second worker does nothing."""
    from django.core.files.base import ContentFile

    from .exports import orders_export

    now = now or timezone.now()
    if not ExportJob.objects.filter(pk=job_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING, started_at=now
    ):
        return False
    job = ExportJob.objects.select_related("user").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(done=done, total=total)

    try:
        filename, content = orders_export(job.user, job.params, progress=progress)
        job.file.save(filename, ContentFile(content), save=False)
        ExportJob.objects.filter(pk=job_id).update(
            file=job.file.name, status=ExportStatus.DONE, finished_at=timezone.now()
        )
    except Exception as exc:  # the job must never stay "running" forever; the error is shown to the user
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        raise
    return True


# --- Demo data -------------------------------------------------------------------------------------------


def seed_demo_follow_ups(*, rng, now: datetime) -> dict[str, int]:
    """Follow-ups for the demo orders, in bulk, so the workbench, reports and dashboard have data on a fresh
    `make run`: closed orders get a done follow-up with a reached attempt (mostly satisfied), completed ones a
    due follow-up in the queue. Deterministic for the rng; does nothing when any follow-up exists."""
    if FollowUp.objects.exists():
        return {}
    orders = list(
        WorkOrder.objects.filter(status__in=[Status.COMPLETED, Status.CLOSED], completed_at__isnull=False)
        .order_by("id")
        .values_list(
            "id", "status", "urgency", "completed_at", "closed_at", "rework_count", "crew_id", "worker_id"
        )
    )
    follow_ups, answers = [], []
    for order_id, status, urgency, completed_at, closed_at, round_, crew_id, worker_id in orders:
        due = completed_at + timedelta(days=1)
        if status == Status.COMPLETED:
            follow_ups.append(
                FollowUp(
                    work_order_id=order_id,
                    round=round_,
                    status=FollowUpStatus.DUE if due <= now else FollowUpStatus.SCHEDULED,
                    is_emergency=urgency == Urgency.EMERGENCY,
                    due_at=due,
                    released_at=due if due <= now else None,
                    crew_id=crew_id,
                    worker_id=worker_id,
                    created_at=completed_at,
                )
            )
            continue
        draw = rng.random()
        verdict = (
            Verdict.SATISFIED
            if draw < 0.9
            else Verdict.BASICALLY_SATISFIED
            if draw < 0.98
            else Verdict.DISSATISFIED
        )
        done_at = closed_at or due
        base = 5 if verdict == Verdict.SATISFIED else 4 if verdict == Verdict.BASICALLY_SATISFIED else 2
        answer = {
            "at": done_at,
            "outcome": Outcome.REACHED,
            "resolved": True,
            "verdict": verdict,
            **{f"rating_{key}": max(1, base - (rng.random() < 0.2)) for key in RATING_KEYS},
            **{f"seen_{key}": rng.random() < 0.95 for key in SEEN_KEYS},
        }
        answers.append(answer)
        follow_ups.append(
            FollowUp(
                work_order_id=order_id,
                round=round_,
                status=FollowUpStatus.DONE,
                outcome=Outcome.REACHED,
                verdict=verdict,
                resolved=True,
                is_emergency=urgency == Urgency.EMERGENCY,
                due_at=due,
                released_at=due,
                done_at=done_at,
                crew_id=crew_id,
                worker_id=worker_id,
                created_at=completed_at,
                # The answer's 五心 on the follow-up too, as _finish copies them (the reports read them there).
                **{name: answer[name] for name in RATING_FIELDS},
            )
        )
    with transaction.atomic():
        made = FollowUp.objects.bulk_create(follow_ups, batch_size=2000)
        done = [f for f in made if f.status == FollowUpStatus.DONE]
        FollowUpAttempt.objects.bulk_create(
            [FollowUpAttempt(follow_up=f, **a) for f, a in zip(done, answers, strict=True)], batch_size=2000
        )
    return {"follow_ups": len(made), "answered": len(done)}
