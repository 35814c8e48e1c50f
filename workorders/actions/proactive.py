"""Work the crew starts itself (主动服务, DESIGN §1, issue 15): a fault found during the 一次通检 in the same
home, the neighbour's leak (楼上楼下), a hazard seen on a walk. The crew member opens the order on the spot and
it goes on like any other: the same timeline, deadlines, completion and follow-up."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crews.models import Worker
from crews.selectors import worker_of

from ..choices import AttachmentKind, Channel, Status
from ..models import Category, WorkOrder
from .attachments import add_attachment
from .dispatching import assign_order
from .field_work import accept_order, arrive_order
from .intake import create_order

# Where an order opened on the spot starts: the worker has it in hand (accepted) or is already there.
START_STATES = (Status.ACCEPTED, Status.ON_SITE)


def open_on_the_spot(
    *,
    actor,
    category: Category,
    description: str,
    room=None,
    facility=None,
    worker: Worker | None = None,
    start: str = Status.ON_SITE,
    photo: UploadedFile | None = None,
    linked_from: WorkOrder | None = None,
    now: datetime | None = None,
) -> WorkOrder:
    """Open a self-initiated order (channel `self`) in one transaction: created, dispatched to the crew,
    assigned to the worker, accepted and, when `start` is on_site, arrived — each step an event by the actor,
    so the timeline and the SLA stamps read as for any order. A worker opens it for themself; a crew leader
    names a worker of their crew (default: none, so the leader must choose). `photo` is kept as the
    "before" photo; `linked_from`, an order the actor may see, is where it was found (一次通检, 楼上楼下)."""
    now = now or timezone.now()
    me = worker_of(actor)
    if me is None or not me.active:
        raise PermissionDenied(_("Only crew members may open an order on the spot."))
    if worker is None and not me.is_leader:
        worker = me
    if worker is None:
        raise ValidationError({"worker": [_("Choose the worker who takes it.")]})
    if me.is_leader:
        if worker.crew_id != me.crew_id or not worker.active:
            raise ValidationError({"worker": [_("The worker is not in your crew.")]})
    elif worker.pk != me.pk:
        raise PermissionDenied(_("A worker opens an order on the spot for themself."))
    if start not in START_STATES:
        raise ValidationError({"start": [_("Start at accepted or on site.")]})
    with transaction.atomic():
        order = create_order(
            actor=actor,
            category=category,
            description=description,
            room=room,
            facility=facility,
            channel=Channel.SELF,
            dispatch_to=me.crew,
            by_system=True,  # the crew member's own finding: the desk's right to create is not needed
            now=now,
        )
        if linked_from is not None:
            order.linked_from = linked_from
            order.save(update_fields=["linked_from", "updated_at"])
        assign_order(actor=actor, order_id=order.id, worker=worker, now=now)
        # The leader makes the worker's steps on their behalf (they are standing there together).
        on_behalf = worker.user_id != actor.pk
        accept_order(actor=actor, order_id=order.id, by_system=on_behalf, now=now)
        if start == Status.ON_SITE:
            order = arrive_order(actor=actor, order_id=order.id, by_system=on_behalf, now=now)
        if photo is not None:
            add_attachment(actor=actor, order=order, file=photo, kind=AttachmentKind.BEFORE)
    order.refresh_from_db()
    return order
