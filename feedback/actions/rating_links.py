"""The resident's rating link (SMS): sending it, rating by it, and closing follow-ups nobody answered."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workorders.actions import TransitionNotAllowed
from workorders.actions.closing import close_order

from .. import conf
from ..choices import AttemptChannel, FollowUpStatus, NotificationKind, Outcome
from ..models import FollowUp, FollowUpAttempt, Notification, RatingToken
from .follow_ups import _attempt_fields, _finish, clean_answers, move_follow_ups
from .notifications import _phone_of, queue_notification

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
        claimed = move_follow_ups(
            FollowUp.objects.filter(
                pk=follow_up_id, failed_attempts__gte=conf.get("FOLLOWUP_MAX_FAILED_ATTEMPTS")
            ),
            "send_link",
            link_sent_at=now,
            link_expires_at=expires,
        )
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


def rate_by_link(*, token: str, now: datetime | None = None, **said: Any) -> FollowUpAttempt:
    """The resident answers through the link (`said`: the answers as `clean_answers` takes them): the token is
    spent by a conditional UPDATE (single use even under a double submit), the answers recorded, and the
    follow-up finished like a reached call."""
    now = now or timezone.now()
    follow_up = follow_up_for_token(token, now=now)
    answers = clean_answers(order=follow_up.work_order, **said)
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
            if not move_follow_ups(FollowUp.objects.filter(pk=fid), "give_up", done_at=now):
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
