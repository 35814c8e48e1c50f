"""SMS notifications (queued, delivered, retried) and the manager's alerts."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.celery import enqueue
from workorders.models import WorkOrder

from .. import conf
from ..choices import NotificationKind, NotificationStatus
from ..models import Alert, FollowUp, Notification
from ..permissions import can_handle_complaint
from . import _task

MAX_SEND_TRIES = 5


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
    # statement fewer than get_or_create's SELECT-then-INSERT on every order.
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
    from ..sms import send_sms

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


def raise_alert(
    *, key: str, kind: str, message: str, work_order=None, complaint=None, round=None, hazard=None
) -> Alert:
    """A row managers see, linked to what it is about; one per `key` however often it is raised."""
    about = {"work_order": work_order, "complaint": complaint, "round": round, "hazard": hazard}
    alert, _created = Alert.objects.get_or_create(
        key=key, defaults={"kind": kind, "message": message[:300], **about}
    )
    return alert


def acknowledge_alert(*, actor, alert_id: int, now: datetime | None = None) -> Alert:
    if not can_handle_complaint(actor):
        raise PermissionDenied(_("Only managers may acknowledge alerts."))
    now = now or timezone.now()
    Alert.objects.filter(pk=alert_id, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor
    )
    return get_object_or_404(Alert, pk=alert_id)
