"""The moves registry: for each move an order can make, the service that performs it, the form the pages show,
the body the API reads, its label and whether its button warns. The order pages (workorders.views), the
dispatch board (hotline.views), the API's action routes (workorders.api.views) and the transition grid test
all read it, so a new move is added here once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django import forms
from rest_framework import serializers

from . import forms as f
from .actions import closing, dispatching, escalation, field_work
from .api import serializers as api
from .choices import Move
from .models import WorkOrder


@dataclass(frozen=True)
class MoveSpec:
    """One move. `form_fields` maps the page form's fields to the service's keywords; the API body's fields
    are the service's keywords already. `form` is None for a move with a page of its own (completion)."""

    move: str
    service: Callable[..., WorkOrder]
    serializer: type[serializers.Serializer] | None
    summary: str
    form: type[forms.Form] | None = f.NoteForm
    form_fields: Mapping[str, str] = field(default_factory=dict)
    danger: bool = False
    simple: bool = False

    @property
    def label(self) -> str:
        return Move(self.move).label

    @property
    def api_path(self) -> str:
        """The action's URL segment: /api/v1/work-orders/{id}/<api_path>/."""
        return self.move.replace("_", "-")

    @property
    def api_name(self) -> str:
        # Not `dispatch`: that is APIView's own request entry point.
        return "dispatch_to_crew" if self.move == Move.DISPATCH else self.move

    def kwargs_from_form(self, cleaned_data: Mapping) -> dict:
        return {keyword: cleaned_data.get(name) for name, keyword in self.form_fields.items()}

    def perform(self, *, actor, order: WorkOrder, **kwargs) -> WorkOrder:
        return self.service(actor=actor, order_id=order.pk, **kwargs)


NOTE = {"note": "note"}
REASON_NOTE = {"reason": "reason", "note": "note"}

MOVES: dict[str, MoveSpec] = {
    spec.move: spec
    for spec in (
        MoveSpec(
            Move.DISPATCH,
            dispatching.dispatch_order,
            api.DispatchSerializer,
            "Dispatch to a crew (received → dispatched)",
            f.DispatchForm,
            {"crew": "crew", "note": "note"},
        ),
        MoveSpec(
            Move.ASSIGN,
            dispatching.assign_order,
            api.AssignSerializer,
            "Name the worker (dispatched → assigned)",
            f.AssignForm,
            {"worker": "worker", "note": "note"},
        ),
        MoveSpec(
            Move.ACCEPT,
            field_work.accept_order,
            None,
            "The assigned worker accepts (assigned → accepted)",
            simple=True,
        ),
        MoveSpec(
            Move.ARRIVE,
            field_work.arrive_order,
            None,
            "The worker is on site (accepted → on_site)",
            simple=True,
        ),
        MoveSpec(
            Move.REQUEST_HOLD,
            field_work.request_hold,
            api.RequestHoldSerializer,
            "The worker asks to put the order on hold",
            f.HoldRequestForm,
            REASON_NOTE,
        ),
        MoveSpec(
            Move.REFUSE_HOLD,
            field_work.refuse_hold,
            api.NoteSerializer,
            "The leader refuses the hold request",
            form_fields=NOTE,
            danger=True,
        ),
        MoveSpec(
            Move.HOLD,
            field_work.hold_order,
            api.HoldSerializer,
            "Put on hold (the SLA clock pauses)",
            f.HoldForm,
            REASON_NOTE,
        ),
        MoveSpec(
            Move.RESUME,
            field_work.resume_order,
            api.NoteSerializer,
            "Resume (deadlines move by the time on hold)",
            form_fields=NOTE,
        ),
        MoveSpec(
            Move.COMPLETE,
            field_work.complete_order,
            api.CompleteSerializer,
            "Complete with the 六个一 checklist, materials and fee",
            form=None,
        ),
        MoveSpec(Move.CLOSE, closing.close_order, api.NoteSerializer, "Close (已办结)", form_fields=NOTE),
        MoveSpec(
            Move.CANCEL,
            closing.cancel_order,
            api.CancelSerializer,
            "Cancel (已撤销) with a reason",
            f.CancelForm,
            REASON_NOTE,
            danger=True,
        ),
        MoveSpec(
            Move.HAND_BACK,
            dispatching.hand_back_order,
            api.HandBackSerializer,
            "Hand back to the desk (退单)",
            f.HandBackForm,
            REASON_NOTE,
            danger=True,
        ),
        MoveSpec(
            Move.TRANSFER,
            dispatching.transfer_order,
            api.TransferSerializer,
            "Transfer (转派) to a crew or a worker",
            f.TransferForm,
            {"reason": "reason", "worker": "worker", "crew": "crew"},
        ),
        MoveSpec(
            Move.REMIND,
            escalation.remind_order,
            api.NoteSerializer,
            "The resident called again (催单)",
            form_fields=NOTE,
        ),
        MoveSpec(
            Move.SUPERVISE,
            escalation.supervise_order,
            api.RequiredNoteSerializer,
            "Supervise (督办)",
            f.RequiredNoteForm,
            NOTE,
        ),
        MoveSpec(
            Move.REWORK,
            closing.rework_order,
            api.ReasonSerializer,
            "Rework (返修): back to dispatched, flagged",
            f.ReworkForm,
            {"note": "reason"},
        ),
        MoveSpec(
            Move.REQUEST_EXTENSION,
            field_work.request_extension,
            api.ExtensionRequestSerializer,
            "Ask for more time on a planned job",
            f.ExtensionForm,
            {"until": "until", "note": "reason"},
        ),
        MoveSpec(
            Move.EXTEND,
            field_work.extend_deadline,
            api.NoteSerializer,
            "Approve the requested extension",
            form_fields=NOTE,
        ),
    )
}
