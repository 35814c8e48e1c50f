"""Preventive rounds (巡检): templates (managers), generation by beat (once per due time), the worker's walk
(start, record each check, finish), missed rounds and the overdue watch. A reading outside its range or a
failed check registers a hazard (one per check)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crews.models import Crew
from crews.permissions import is_manager
from crews.selectors import on_duty, worker_of

from .. import signals
from ..choices import (
    ROUND_MISSED_AFTER_HOURS,
    SYSTEM_OF_CREW_KIND,
    Frequency,
    ItemKind,
    RoundStatus,
    Severity,
)
from ..models import Hazard, Round, RoundItem, RoundTemplate, RoundTemplateItem
from ..services import Conflict, escalate_late
from .hazards import checked_photo, report_hazard


class RoundConflict(Conflict):
    """The round's state does not allow this (a 409): recording after finishing, finishing before starting."""


# --- Templates (managers) -----------------------------------------------------------------------------------


def _template_rows(items: list[dict]) -> list[RoundTemplateItem]:
    """The checklist lines, checked: a known kind and a name each; a reading has its unit and, when both ends
    are given, low < high. Errors name the line (`items.<i>.<field>`) so a form can mark it."""
    from workorders.actions import clean_text

    if not items:
        raise ValidationError({"items": [_("Give at least one checklist item.")]})
    rows = []
    for i, item in enumerate(items):
        kind, low, high = item.get("kind"), item.get("low"), item.get("high")
        if kind not in ItemKind.values:
            raise ValidationError({f"items.{i}.kind": [_("Choose pass/fail, reading or photo.")]})
        label = clean_text(item.get("label"), f"items.{i}.label", _("Name the item."), max_length=100)
        unit = (item.get("unit") or "").strip()[:20]
        if kind == ItemKind.READING and not unit:
            raise ValidationError({f"items.{i}.unit": [_("A reading needs its unit (MPa, ℃, m…).")]})
        if kind == ItemKind.READING and low is not None and high is not None and low >= high:
            raise ValidationError(
                {f"items.{i}.low": [_("The low end of the range must be below the high end.")]}
            )
        reading = kind == ItemKind.READING
        rows.append(
            RoundTemplateItem(
                position=i,
                label=label,
                kind=kind,
                unit=unit if reading else "",
                low=low if reading else None,
                high=high if reading else None,
            )
        )
    return rows


def _template_fields(
    *, name: str, frequency: str, weekdays: list[int] | None, month_day: int, facilities, buildings
) -> dict:
    """The template's own fields, checked: a name, a known frequency, weekdays 0–6 (required for `weekdays`
    and `weekly`), a day of the month 1–28, at least one place."""
    from workorders.actions import clean_text

    name = clean_text(name, "name", _("Name the round."), max_length=100)
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": [_("Choose daily, weekly, monthly or given weekdays.")]})
    weekdays = sorted(set(weekdays or []))
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
        raise ValidationError({"weekdays": [_("Weekdays are 0 (Monday) to 6 (Sunday).")]})
    if frequency == Frequency.WEEKDAYS and not weekdays:
        raise ValidationError({"weekdays": [_("Choose the weekdays.")]})
    if not 1 <= month_day <= 28:
        raise ValidationError({"month_day": [_("The day of the month is 1 to 28.")]})
    facilities, buildings = list(facilities), list(buildings)
    if not facilities and not buildings:
        raise ValidationError({"facilities": [_("Give the places of the round: facilities or buildings.")]})
    return {
        "name": name,
        "frequency": frequency,
        "weekdays": weekdays,
        "month_day": month_day,
        "facilities": facilities,
        "buildings": buildings,
    }


def _save_template(template: RoundTemplate, fields: dict, rows: list[RoundTemplateItem]) -> RoundTemplate:
    facilities, buildings = fields.pop("facilities"), fields.pop("buildings")
    for key, value in fields.items():
        setattr(template, key, value)
    if template.pk:
        template.save(update_fields=[*fields, "crew", "due_time"])
    else:
        template.save()
    template.facilities.set(facilities)
    template.buildings.set(buildings)
    # Rounds already generated keep their own copy of the checklist: replacing the lines changes only the
    # rounds still to come.
    template.items.all().delete()
    for row in rows:
        row.template = template
    RoundTemplateItem.objects.bulk_create(rows)
    return template


def _may_define(actor) -> None:
    if not is_manager(actor):
        raise PermissionDenied(_("Only managers define rounds."))


def create_round_template(
    *,
    actor,
    crew: Crew,
    name: str,
    items: list[dict],
    frequency: str,
    due_time: time,
    weekdays: list[int] | None = None,
    month_day: int = 1,
    facilities=(),
    buildings=(),
) -> RoundTemplate:
    """A manager defines a round for a crew: at least one place and one checklist item; a reading has a unit
    and, when both ends are given, low < high; weekdays are 0–6 and required for `weekdays`."""
    return _define(
        actor,
        None,
        crew=crew,
        due_time=due_time,
        items=items,
        name=name,
        frequency=frequency,
        weekdays=weekdays,
        month_day=month_day,
        facilities=facilities,
        buildings=buildings,
    )


def update_round_template(*, actor, template_id: int, **definition) -> RoundTemplate:
    """A manager changes a round (the keywords of `create_round_template`, the same rules). The rounds already
    generated keep what they were generated with; the next ones follow the change."""
    return _define(actor, template_id, **definition)


def _define(
    actor, template_id: int | None, *, crew: Crew, due_time: time, items: list[dict], **fields
) -> RoundTemplate:
    _may_define(actor)
    checked, rows = _template_fields(**fields), _template_rows(items)
    with transaction.atomic():
        if template_id is None:
            template = RoundTemplate(crew=crew, due_time=due_time)
        else:
            template = RoundTemplate.objects.select_for_update().get(pk=template_id)
            template.crew, template.due_time = crew, due_time
        return _save_template(template, checked, rows)


def set_round_template_active(*, actor, template_id: int, active: bool) -> RoundTemplate:
    """Deactivate a round (beat generates no more of it; its past rounds stay) or activate it again. The same
    state again is a no-op."""
    _may_define(actor)
    with transaction.atomic():
        template = RoundTemplate.objects.select_for_update().get(pk=template_id)
        if template.active != active:
            template.active = active
            template.save(update_fields=["active"])
    return template


# --- Generation (beat) ---------------------------------------------------------------------------------------


def generate_due_rounds(*, now: datetime | None = None) -> int:
    """Every active template due today gets its round for today's due time, once: the unique (template,
    due_at) makes a second beat (or two at once) insert nothing. The round goes to the crew's worker on duty
    at the due time, or to nobody (the leader assigns it). Its checks are the template's items at each
    place. Returns how many rounds were created."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    created = 0
    templates = RoundTemplate.objects.filter(active=True, crew__active=True).select_related("crew")
    templates = templates.prefetch_related("items", "facilities", "buildings")
    existing = set(
        Round.objects.filter(due_at__date__gte=today - timedelta(days=1)).values_list("template_id", "due_at")
    )
    for template in templates:
        if not template.is_due_on(today):
            continue
        due_at = timezone.make_aware(datetime.combine(today, template.due_time))
        if (template.pk, due_at) in existing:
            continue
        if _create_round(template, due_at, now):
            created += 1
    return created


def _create_round(template: RoundTemplate, due_at: datetime, now: datetime) -> Round | None:
    from django.db import IntegrityError

    worker = on_duty(template.crew.kind, due_at).filter(crew_id=template.crew_id).order_by("id").first()
    try:
        with transaction.atomic():
            round_ = Round.objects.create(
                template=template, crew=template.crew, worker=worker, due_at=due_at, created_at=now
            )
    except IntegrityError:  # another beat generated it first
        return None
    places = [("facility", f) for f in template.facilities.all()] + [
        ("building", b) for b in template.buildings.all()
    ]
    RoundItem.objects.bulk_create(
        [
            RoundItem(
                round=round_,
                position=p * 100 + item.position,
                label=item.label,
                kind=item.kind,
                unit=item.unit,
                low=item.low,
                high=item.high,
                **{field: place},
            )
            for p, (field, place) in enumerate(places)
            for item in template.items.all()
        ]
    )
    return round_


def mark_missed_rounds(*, now: datetime | None = None) -> int:
    """Rounds nobody started within ROUND_MISSED_AFTER_HOURS of their due time are missed (kept, visible),
    with the reason when nobody was assigned."""
    now = now or timezone.now()
    late = Round.objects.filter(
        status=RoundStatus.DUE, due_at__lt=now - timedelta(hours=ROUND_MISSED_AFTER_HOURS)
    )
    unassigned = late.filter(worker__isnull=True).update(
        status=RoundStatus.MISSED, missed_reason=_("Nobody was on duty; the leader did not assign it.")
    )
    return unassigned + late.update(status=RoundStatus.MISSED, missed_reason=_("Not started in time."))


def escalate_overdue_rounds(*, now: datetime | None = None) -> int:
    """Rounds not finished by their due time (due, in progress or missed) escalate like orders: the crew's
    leader at once, the managers ESCALATE_TO_MANAGER_AFTER_HOURS later; each step once (`escalate_late`)."""
    now = now or timezone.now()
    late = Round.objects.filter(
        status__in=[RoundStatus.DUE, RoundStatus.IN_PROGRESS, RoundStatus.MISSED], due_at__lt=now
    )
    return escalate_late(late, now=now, signal=signals.round_escalated, id_name="round_id")


# --- The walk (worker) -------------------------------------------------------------------------------------


def _may_walk(actor, round_: Round) -> bool:
    """The assigned worker, or any member of the crew when it was left unassigned (the leader too)."""
    worker = worker_of(actor)
    if worker is None or worker.crew_id != round_.crew_id:
        return False
    return round_.worker_id is None or round_.worker_id == worker.pk or worker.is_leader


def _locked(round_id: int, actor) -> Round:
    round_ = Round.objects.select_for_update().get(pk=round_id)
    if not _may_walk(actor, round_):
        raise PermissionDenied(_("This round is not yours."))
    return round_


def start_round(*, actor, round_id: int, now: datetime | None = None) -> Round:
    """Due or missed → in progress (a missed round may still be walked late); taking an unassigned round
    assigns it to the one who starts it. Starting again is a no-op; a finished round is a 409."""
    now = now or timezone.now()
    with transaction.atomic():
        round_ = _locked(round_id, actor)
        if round_.status == RoundStatus.IN_PROGRESS:
            return round_
        if round_.status == RoundStatus.DONE:
            raise RoundConflict(_("This round is finished."))
        _begin(round_, actor, now)
    return round_


def _begin(round_: Round, actor, now: datetime) -> None:
    """Due or missed → in progress; an unassigned round becomes the starter's."""
    round_.status, round_.started_at = RoundStatus.IN_PROGRESS, now
    if round_.worker_id is None:
        round_.worker = worker_of(actor)
    round_.save(update_fields=["status", "started_at", "worker"])


def _decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip()[:30])
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e9"):
        raise ValidationError({field: [_("Enter a number.")]})
    return number.quantize(Decimal("0.001"))


def record_check(
    *,
    actor,
    round_id: int,
    item_id: int,
    passed: bool | None = None,
    value=None,
    note: str = "",
    photo=None,
    now: datetime | None = None,
) -> tuple[RoundItem, Hazard | None]:
    """Record one check of a round in progress (starting it if due): pass/fail, a reading, or a photo. A reading
    outside low..high or a failed check registers a hazard (major; once per check). After finish: 409."""
    from workorders.actions import clean_text

    now = now or timezone.now()
    if photo:
        photo = checked_photo(photo)
    with transaction.atomic():
        round_ = _locked(round_id, actor)
        if round_.status == RoundStatus.DONE:
            raise RoundConflict(_("This round is finished."))
        if round_.status != RoundStatus.IN_PROGRESS:
            _begin(round_, actor, now)
        item = (
            RoundItem.objects.select_related("facility", "building").filter(round=round_, pk=item_id).first()
        )
        if item is None:
            raise ValidationError({"item": [_("This check is not part of the round.")]})
        note = clean_text(note, "note", "", required=False, max_length=200)
        if item.kind == ItemKind.PASS_FAIL:
            if passed is None:
                raise ValidationError({"passed": [_("Say whether the check passed.")]})
            item.passed = bool(passed)
        elif item.kind == ItemKind.READING:
            if value is None or value == "":
                raise ValidationError({"value": [_("Enter the reading.")]})
            item.value = _decimal(value, "value")
            item.passed = not item.out_of_range
        else:
            if not photo and not item.photo:
                raise ValidationError({"photo": [_("Take the photo.")]})
            item.passed = True if passed is None else bool(passed)
        item.note, item.recorded_at = note, now
        item.save(update_fields=["passed", "value", "note", "recorded_at"])
        if photo:
            item.photo.save(photo.name, photo, save=True)
        hazard = None
        if item.passed is False:
            hazard = report_hazard(
                actor=actor,
                severity=Severity.MAJOR,
                system=SYSTEM_OF_CREW_KIND.get(round_.crew.kind, ""),
                description=_describe_finding(item),
                round_item=item,
                now=now,
            )
    return item, hazard


def _describe_finding(item: RoundItem) -> str:
    where = str(item.place)
    if item.kind == ItemKind.READING:
        return _("%(where)s: %(label)s reads %(value)s %(unit)s, normal %(low)s–%(high)s. %(note)s") % {
            "where": where,
            "label": item.label,
            "value": item.value.normalize(),
            "unit": item.unit,
            "low": "" if item.low is None else item.low.normalize(),
            "high": "" if item.high is None else item.high.normalize(),
            "note": item.note,
        }
    return _("%(where)s: %(label)s failed. %(note)s") % {
        "where": where,
        "label": item.label,
        "note": item.note,
    }


def finish_round(*, actor, round_id: int, now: datetime | None = None) -> Round:
    """In progress → done when every check is recorded. Finishing again is a no-op."""
    now = now or timezone.now()
    with transaction.atomic():
        round_ = _locked(round_id, actor)
        if round_.status == RoundStatus.DONE:
            return round_
        if round_.status != RoundStatus.IN_PROGRESS:
            raise RoundConflict(_("Start the round first."))
        missing = round_.items.filter(recorded_at__isnull=True).count()
        if missing:
            raise ValidationError({"items": [_("%(n)s checks are not recorded yet.") % {"n": missing}]})
        round_.status, round_.finished_at = RoundStatus.DONE, now
        round_.save(update_fields=["status", "finished_at"])
    return round_
