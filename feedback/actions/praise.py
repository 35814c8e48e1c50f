"""Praise (表扬) for a crew or a worker."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from crews.models import Crew, Worker
from workorders.actions import clean_text
from workorders.models import WorkOrder

from ..choices import PraiseSource
from ..models import Praise
from ..permissions import can_record_praise

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
    unattributed: bool = False,
    now: datetime | None = None,
) -> Praise:
    """A praise (表扬) for a worker or crew; defaults to the linked order's crew and worker. With
    `unattributed` (a desk call naming nobody known) it is recorded without a crew for a manager to attribute."""
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
    if crew is None and not unattributed:
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
