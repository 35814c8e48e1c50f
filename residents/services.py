"""Writes about places and people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import AuditEntry, PhoneAccessLog, Residency, Resident, Room
from .selectors import can_see_full_phone


@transaction.atomic
def register_resident(
    *,
    name: str,
    phone: str,
    alt_phone: str = "",
    notes: str = "",
    room: Room | None = None,
    actor=None,
) -> Resident:
    """Register a caller the hotline did not know, optionally with the room they live in (as owner). The
    registration is audited (who added whom) in the same transaction."""
    resident = Resident.objects.create(name=name, phone=phone, alt_phone=alt_phone, notes=notes)
    changes = {
        "name": [None, name],
        "phone": [None, phone],
        "alt_phone": [None, alt_phone],
        "notes": [None, notes],
    }
    if room is not None:
        Residency.objects.create(resident=resident, room=room)
        changes["room"] = [None, audit_value(room)]
    record_audit(actor=actor, obj=resident, action=AuditEntry.Action.ADD, changes=changes)
    return resident


# --- Privacy: who saw full phone numbers -------------------------------------------------------------------


def log_phone_views(*, user, residents: Iterable[Resident], where: str, path: str = "", at=None) -> int:
    """Log that `user` was shown the full phone numbers of `residents` on screen `where`: one INSERT for all
    of them (the caller screen's query count stays fixed), nothing when the user only sees masked numbers.
    Returns the number of rows written."""
    if not can_see_full_phone(user):
        return 0
    at = at or timezone.now()
    seen: dict[int, Resident] = {}
    for resident in residents:
        seen.setdefault(resident.pk, resident)
    if not seen:
        return 0
    PhoneAccessLog.objects.bulk_create(
        PhoneAccessLog(user=user, at=at, resident_id=pk, where=where[:40], path=path[:200]) for pk in seen
    )
    return len(seen)


# --- Audit of master data ----------------------------------------------------------------------------------


def audit_value(value: Any) -> Any:
    """A JSON-safe form of a field value: objects as "str (#pk)", querysets and lists item by item."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return f"{value} (#{value.pk})"
    if isinstance(value, models.QuerySet | list | tuple | set):
        return [audit_value(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def model_snapshot(obj: models.Model) -> dict[str, list]:
    """{field: [value, None]} of every concrete field (what a deleted row held)."""
    return {
        field.name: [audit_value(getattr(obj, field.attname)), None]
        for field in obj._meta.concrete_fields
        if not field.primary_key
    }


def form_changes(form, *, adding: bool) -> dict[str, list]:
    """{field: [before, after]} for the fields a ModelForm changed: `form.initial` against `cleaned_data`."""
    changes = {}
    for name in form.changed_data:
        after = form.cleaned_data.get(name)
        before = None if adding else form.initial.get(name)
        if isinstance(before, list) and name in form.fields and hasattr(form.fields[name], "queryset"):
            # Many-to-many initial values are objects or pks; show them as the objects.
            before = list(form.fields[name].queryset.filter(pk__in=[getattr(b, "pk", b) for b in before]))
        changes[name] = [audit_value(before), audit_value(after)]
    return changes


def audit_entry(
    *,
    actor,
    obj: models.Model,
    action: str,
    changes: Mapping[str, list] | None = None,
    at=None,
    label: str | None = None,
) -> AuditEntry:
    """An unsaved audit row: who (`actor`, None for the system), which object, add/change/delete, before/after.
    `label` stands for `str(obj)` where that would load related rows (a residency names its resident and room)."""
    return AuditEntry(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=at or timezone.now(),
        model=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=(str(obj) if label is None else label)[:200],
        action=action,
        changes=dict(changes or {}),
    )


def record_audit(
    *, actor, obj: models.Model, action: str, changes: Mapping[str, list] | None = None
) -> AuditEntry:
    """One audit row (see `audit_entry`), saved."""
    entry = audit_entry(actor=actor, obj=obj, action=action, changes=changes)
    entry.save()
    return entry


def record_audits(entries: Iterable[AuditEntry]) -> int:
    """Many audit rows (built with `audit_entry`) in bulk: the register imports audit every change this way."""
    return len(AuditEntry.objects.bulk_create(list(entries), batch_size=2000))
