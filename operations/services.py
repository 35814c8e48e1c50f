"""Every change of the operations app: planning, extending and ending outages, and their SMS notices.

Notices: each event of an outage (advance, reminder, extended, restored) is one `OutageNoticeRun`, unique per
incident, event and round, with one `OutageNotice` per distinct phone in scope (unique per run and phone). A
Celery task sends a run's pending notices in batches, claiming each batch with a conditional UPDATE, so a task
that runs twice or a second worker finds nothing left to claim; a worker killed mid-batch leaves a stale claim
that the sweep returns to pending. Nothing here is sent twice for the same outage, event and phone."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from config.celery import enqueue
from residents.models import Building, District, Facility, Unit
from workorders.actions import clean_text
from workorders.choices import IncidentKind, System
from workorders.models import Incident

from .choices import ESCALATE_TO_MANAGER_AFTER_HOURS, REMINDER_MINUTES, NoticeEvent, NoticeStatus
from .models import OutageNotice, OutageNoticeRun
from .permissions import can_plan_outage, can_run_outage
from .selectors import Scope, count_affected_homes, phones_in_scope

NOTICE_BATCH_SIZE = 200
NOTICE_MAX_TRIES = 3
NOTICE_CLAIM_TIMEOUT = 300  # seconds after which a claim of a vanished worker counts as lost


class Conflict(Exception):
    """The state of an outage, a round or a hazard does not allow this change: a 409 in the API, a message on
    the page. Each kind of record has its subclass."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OutageConflict(Conflict):
    """The outage has ended already."""


def escalate_late(late: QuerySet, *, now: datetime, signal, id_name: str) -> int:
    """The overdue watch's steps over late rounds or hazards (`late`): level 1 (the crew's leader) at once,
    level 2 (the managers) ESCALATE_TO_MANAGER_AFTER_HOURS after the due time. Each row takes each step once:
    a conditional UPDATE on its level claims it, so a watch that runs twice (or two at once) does nothing
    twice; `signal` goes on commit with `<id_name>=row id, level=…` for the notices. Returns the steps taken."""
    steps = 0
    manager_due = now - timedelta(hours=ESCALATE_TO_MANAGER_AFTER_HOURS)
    candidates = late.filter(
        Q(escalation_level__lt=1) | Q(escalation_level=1, due_at__lt=manager_due)
    ).values_list("pk", "escalation_level", "due_at")
    for pk, level, due_at in list(candidates):
        target = 2 if due_at < manager_due else 1
        for step in range(level + 1, target + 1):
            claimed = late.model.objects.filter(pk=pk, escalation_level=step - 1).update(
                escalation_level=step, escalated_at=now
            )
            if not claimed:
                break
            steps += 1
            transaction.on_commit(
                lambda pk=pk, step=step: signal.send(sender=late.model, **{id_name: pk, "level": step})
            )
    return steps


def _task(name: str):
    from . import tasks

    return getattr(tasks, name)


# --- Planning ---------------------------------------------------------------------------------------------


def _check_scope(
    district: District, buildings: list[Building], units: list[Unit], facilities: list[Facility]
) -> None:
    if (
        any(b.district_id != district.pk for b in buildings)
        or any(u.building.district_id != district.pk for u in units)
        or any(f.district_id != district.pk for f in facilities)
    ):
        raise ValidationError(
            {"buildings": [_("Buildings, units and facilities must be in the outage's district.")]}
        )


def plan_outage(
    *,
    actor,
    title: str,
    system: str,
    district: District,
    kind: str = IncidentKind.PLANNED,
    description: str = "",
    starts_at: datetime | None = None,
    expected_end_at: datetime | None = None,
    buildings: Iterable[Building] = (),
    units: Iterable[Unit] = (),
    facilities: Iterable[Facility] = (),
    notice_lead_minutes: int | None = None,
    now: datetime | None = None,
) -> Incident:
    """Plan an outage (计划停水/停电/停排) of one system over an area, or record a sudden one. Leaders of the
    system's crew and managers only. The scope lies in one district; the expected end follows the start. The
    count of affected homes is stamped; the notices that are already due are queued on commit, the later ones
    by the beat (`queue_due_notices`)."""
    now = now or timezone.now()
    if system not in System.values:
        raise ValidationError({"system": [_("Unknown system.")]})
    if not can_plan_outage(actor, system):
        raise PermissionDenied(_("Only managers and leaders of the system's crew may plan outages."))
    if kind not in IncidentKind.values:
        raise ValidationError({"kind": [_("Unknown incident kind.")]})
    title = clean_text(title, "title", _("Give the outage a title."), max_length=100)
    description = clean_text(description, "description", "", required=False)
    buildings, units, facilities = list(buildings), list(units), list(facilities)
    _check_scope(district, buildings, units, facilities)
    starts_at = starts_at or now
    if expected_end_at is None:
        raise ValidationError({"expected_end_at": [_("Give the expected end.")]})
    if expected_end_at <= starts_at:
        raise ValidationError({"expected_end_at": [_("The expected end must be after the start.")]})
    if kind == IncidentKind.PLANNED and starts_at < now - timedelta(minutes=5):
        raise ValidationError({"starts_at": [_("A planned outage cannot start in the past.")]})
    lead = 1440 if notice_lead_minutes is None else notice_lead_minutes
    if not 0 <= lead <= 60 * 24 * 14:
        raise ValidationError({"notice_lead_minutes": [_("The lead time is between 0 and 14 days.")]})
    scope = Scope(
        district_id=district.pk,
        building_ids=tuple(b.pk for b in buildings),
        unit_ids=tuple(u.pk for u in units),
        facility_ids=tuple(f.pk for f in facilities),
    )
    with transaction.atomic():
        incident = Incident.objects.create(
            title=title,
            system=system,
            kind=kind,
            district=district,
            description=description,
            starts_at=starts_at,
            expected_end_at=expected_end_at,
            notice_lead_minutes=lead,
            affected_homes=count_affected_homes(scope),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        if buildings:
            incident.buildings.set(buildings)
        if units:
            incident.units.set(units)
        if facilities:
            incident.facilities.set(facilities)
        queue_due_notices_for(incident=incident, scope=scope, now=now)
    return incident


def _locked_running(incident_id: int, actor) -> Incident:
    """The outage, locked, when the actor may run it and it has not ended (403, 409 otherwise)."""
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    if not can_run_outage(actor, incident):
        raise PermissionDenied(_("You may not change this outage."))
    if incident.ended_at is not None:
        raise OutageConflict(_("This outage has already ended."))
    return incident


def extend_outage(
    *, actor, incident_id: int, expected_end_at: datetime, note: str = "", now: datetime | None = None
) -> Incident:
    """A new expected end (延长停水), told to every phone in scope. 409 once ended; the new end must follow
    the start; the same end again is a no-op."""
    now = now or timezone.now()
    with transaction.atomic():
        incident = _locked_running(incident_id, actor)
        if expected_end_at <= incident.starts_at:
            raise ValidationError({"expected_end_at": [_("The expected end must be after the start.")]})
        if incident.expected_end_at == expected_end_at:
            return incident
        incident.expected_end_at = expected_end_at
        incident.save(update_fields=["expected_end_at"])
        if not _residents_know(incident, now):
            return incident  # the advance notice, when it goes, gives the new end
        last = incident.notice_runs.filter(event=NoticeEvent.EXTENDED).aggregate(n=Max("round"))["n"]
        _start_run(
            incident,
            NoticeEvent.EXTENDED,
            round=(last or 0) + 1,
            actor=actor,
            note=clean_text(note, "note", "", required=False, max_length=200),
            now=now,
        )
    return incident


def _residents_know(incident: Incident, now: datetime) -> bool:
    """Whether the homes in scope know of the outage: it has begun, or its advance notice has gone out. Until
    then an extension or a call-off tells nobody (a message about an outage never announced only confuses)."""
    return incident.starts_at <= now or incident.notice_runs.filter(event=NoticeEvent.ADVANCE).exists()


def end_outage(*, actor, incident_id: int, note: str = "", now: datetime | None = None) -> Incident:
    """End (restore) an outage, planned or sudden, early or on time, and tell the residents once. A second
    call is a 409 and queues nothing. Before its start, this calls the planned outage off."""
    now = now or timezone.now()
    with transaction.atomic():
        incident = _locked_running(incident_id, actor)
        incident.ended_at = now
        incident.save(update_fields=["ended_at"])
        if not _residents_know(incident, now):
            return incident  # called off before anyone was told: nothing to restore
        _start_run(
            incident,
            NoticeEvent.RESTORED,
            actor=actor,
            note=clean_text(note, "note", "", required=False, max_length=200),
            now=now,
        )
    return incident


# --- Notices ----------------------------------------------------------------------------------------------


def public_link(incident: Incident) -> str:
    return (
        f"{settings.SITE_URL}{reverse('outages_public')}?district={incident.district_id}#outage-{incident.pk}"
    )


def _area(incident: Incident) -> str:
    names = [b.label for b in incident.buildings.all()] + [u.label for u in incident.units.all()]
    names += [f.label for f in incident.facilities.all()]
    if not names:
        return incident.district.name
    if len(names) > 3:
        return _("%(first)s and %(n)s more") % {"first": "、".join(names[:3]), "n": len(names) - 3}
    return "、".join(names)


def _when(moment: datetime | None) -> str:
    return date_format(timezone.localtime(moment), "m-d H:i") if moment else "—"


def notice_text(incident: Incident, event: str) -> str:
    """The SMS of one event, in the residents' language (zh-hans)."""
    with override(settings.LANGUAGE_CODE):
        values = {
            "system": System(incident.system).label,
            "area": _area(incident),
            "start": _when(incident.starts_at),
            "end": _when(incident.expected_end_at),
            "title": incident.title,
            "link": public_link(incident),
        }
        texts = {
            NoticeEvent.ADVANCE: _(
                "[10196] Outage notice (%(system)s): %(area)s, %(start)s to %(end)s, %(title)s. "
                "Please prepare. Details: %(link)s"
            ),
            NoticeEvent.REMINDER: _(
                "[10196] Reminder (%(system)s): the outage in %(area)s starts at %(start)s, "
                "expected to end %(end)s. Details: %(link)s"
            ),
            NoticeEvent.EXTENDED: _(
                "[10196] The %(system)s outage in %(area)s is extended: now expected to end %(end)s. "
                "We apologise. Details: %(link)s"
            ),
            NoticeEvent.RESTORED: _(
                "[10196] The %(system)s outage in %(area)s is over (%(title)s). Call 10196 if anything "
                "is still wrong."
            ),
        }
        return texts[event] % values


def _start_run(
    incident: Incident,
    event: str,
    *,
    round: int = 0,
    actor=None,
    note: str = "",
    now: datetime,
    scope: Scope | None = None,
) -> OutageNoticeRun | None:
    """Create the run (once: the unique key makes a second attempt a no-op returning None) and one pending
    notice per distinct phone in scope, in bulk; the sending task is queued on commit."""
    try:
        with transaction.atomic():
            run = OutageNoticeRun.objects.create(
                incident=incident,
                event=event,
                round=round,
                body=notice_text(incident, event),
                note=note,
                actor=actor if getattr(actor, "pk", None) else None,
                created_at=now,
            )
    except IntegrityError:
        return None
    phones = list(phones_in_scope(scope or Scope.of(incident)))
    OutageNotice.objects.bulk_create(
        [OutageNotice(run=run, phone=phone) for phone in phones], batch_size=1000, ignore_conflicts=True
    )
    run.phones = len(phones)
    run.save(update_fields=["phones"])
    if phones:
        run_id = run.pk
        transaction.on_commit(lambda: enqueue(_task("send_outage_notices_task"), run_id))
    return run


def queue_due_notices_for(*, incident: Incident, now: datetime, scope: Scope | None = None) -> list[str]:
    """Start the runs of this outage that are due now: the advance notice from its lead time (at once for a
    sudden outage), the reminder within REMINDER_MINUTES of a planned start (unless the advance notice went
    out after the reminder's own time, or the start has passed). Returns the events started."""
    started: list[str] = []
    if incident.ended_at is not None:
        return started
    told_at = dict(incident.notice_runs.values_list("event", "created_at"))
    advance_at = incident.starts_at - timedelta(minutes=incident.notice_lead_minutes)
    reminder_at = incident.starts_at - timedelta(minutes=REMINDER_MINUTES)
    if incident.kind == IncidentKind.SUDDEN:
        advance_at = incident.starts_at
    if NoticeEvent.ADVANCE not in told_at and now >= advance_at:
        if _start_run(incident, NoticeEvent.ADVANCE, now=now, scope=scope):
            started.append(NoticeEvent.ADVANCE)
        told_at[NoticeEvent.ADVANCE] = now
    advance_told = told_at.get(NoticeEvent.ADVANCE)
    if (
        incident.kind == IncidentKind.PLANNED
        and advance_told is not None
        and advance_told < reminder_at  # told within the reminder's hour: no reminder on top
        and NoticeEvent.REMINDER not in told_at
        and reminder_at <= now < incident.starts_at
        and _start_run(incident, NoticeEvent.REMINDER, now=now, scope=scope)
    ):
        started.append(NoticeEvent.REMINDER)
    return started


def queue_due_notices(*, now: datetime | None = None) -> int:
    """The beat's sweep: start every due advance notice and reminder of the outages not ended that start
    within the longest lead time. Safe when two beats run (each run is unique)."""
    now = now or timezone.now()
    count = 0
    candidates = Incident.objects.filter(
        ended_at__isnull=True, starts_at__gte=now - timedelta(days=1), starts_at__lte=now + timedelta(days=15)
    ).select_related("district")
    for incident in candidates.prefetch_related("buildings", "units", "facilities"):
        with transaction.atomic():
            count += len(queue_due_notices_for(incident=incident, now=now))
    return count


def send_notice_batch(
    *, run_id: int, batch_size: int = NOTICE_BATCH_SIZE, now: datetime | None = None
) -> int:
    """Claim up to `batch_size` pending notices of the run with one conditional UPDATE (a token marks what
    this call claimed), send each through the SMS backend, mark it sent or failed. Returns how many were
    claimed; the task calls again while some remain."""
    from .sms import SmsMessage, get_connection

    now = now or timezone.now()
    token = uuid.uuid4().hex
    pending = OutageNotice.objects.filter(run_id=run_id, status=NoticeStatus.PENDING)
    claimed = OutageNotice.objects.filter(
        pk__in=list(pending.values_list("pk", flat=True)[:batch_size]), status=NoticeStatus.PENDING
    ).update(status=NoticeStatus.SENDING, claim=token, claimed_at=now, tries=F("tries") + 1)
    if not claimed:
        return 0
    run = OutageNoticeRun.objects.get(pk=run_id)
    connection = get_connection()
    for notice in OutageNotice.objects.filter(claim=token, status=NoticeStatus.SENDING):
        try:
            connection.send_messages([SmsMessage(phone=notice.phone, body=run.body, key=notice.key)])
        except Exception as exc:  # any gateway failure: recorded, retried by the sweep up to NOTICE_MAX_TRIES
            OutageNotice.objects.filter(pk=notice.pk, claim=token).update(
                status=NoticeStatus.FAILED, error=str(exc)[:300]
            )
            continue
        OutageNotice.objects.filter(pk=notice.pk, claim=token).update(
            status=NoticeStatus.SENT, sent_at=timezone.now(), error=""
        )
    return claimed


def runs_to_retry(*, now: datetime | None = None, stale_after: int = NOTICE_CLAIM_TIMEOUT) -> list[int]:
    """Return stale claims (a worker killed mid-batch) and failures with tries left to pending; list the runs
    that have pending notices, for the sweep to queue."""
    now = now or timezone.now()
    OutageNotice.objects.filter(
        status=NoticeStatus.SENDING, claimed_at__lte=now - timedelta(seconds=stale_after)
    ).update(status=NoticeStatus.PENDING, claim="")
    OutageNotice.objects.filter(status=NoticeStatus.FAILED, tries__lt=NOTICE_MAX_TRIES).update(
        status=NoticeStatus.PENDING, claim=""
    )
    return list(
        OutageNotice.objects.filter(status=NoticeStatus.PENDING)
        .values_list("run_id", flat=True)
        .distinct()
        .order_by("run_id")[:100]
    )
