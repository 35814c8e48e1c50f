"""Work-order pages for crew leaders, workers and the desk: thin views that parse a form, call one service and
redirect or render (STYLE). Every order is looked up through `work_orders_visible_to`, so an order the user
may not see is a 404; which buttons show comes from `available_moves`; the services decide the rest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from functools import wraps

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.files import file_view, send_file
from config.htmx import apply_validation_error, is_fragment, safe_next
from crews.models import Crew, Worker
from crews.permissions import is_crew_leader, is_dispatcher, is_manager, is_worker
from crews.selectors import worker_of
from crews.services import set_sms_notices

from . import forms as f
from .actions import TransitionNotAllowed
from .actions.attachments import add_attachment
from .actions.field_work import complete_order
from .actions.proactive import open_on_the_spot
from .choices import CHECKLIST_ITEMS, URGENCY_RANK, AttachmentKind, Move, Status, Urgency
from .extensions import findings_actions
from .filtersets import WorkOrderFilterSet
from .lifecycle import available_moves
from .models import Attachment, Category, WorkOrder
from .moves import MOVES
from .permissions import (
    can_see_full_phone,
    can_see_reporter_phone,
    is_assigned_worker,
    is_desk,
    reporter_phone_in_full,
)
from .selectors import (
    crew_workers_with_load,
    list_version,
    stacked_rooms,
    timeline,
    with_list_relations,
    work_orders_visible_to,
)

QUEUE_LIMIT = 200
# The leader's queue shows this many cards a page: each unassigned card carries its assign select (one option
# per worker), so a page of 20 stays far below 100 KB of HTML for a crew of 40 (tests/workorders).
QUEUE_PAGE = 20
# The leader's queue, grouped in this order: orders nobody has yet come first.
QUEUE_GROUPS = [Status.DISPATCHED, Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE, Status.ON_HOLD]
WORKER_OPEN = [Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE, Status.ON_HOLD]
# How often the lists people keep open ask whether anything changed (seconds; the templates' hx-trigger).
POLL_SECONDS = 15

STATUS_ORDER = Case(
    *[When(status=value, then=Value(rank)) for rank, value in enumerate(QUEUE_GROUPS)],
    default=Value(9),
    output_field=IntegerField(),
)
URGENCY_ORDER = Case(
    *[When(urgency=value, then=Value(rank)) for value, rank in URGENCY_RANK.items()],
    default=Value(9),
    output_field=IntegerField(),
)


def _by_urgency_and_deadline(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    return qs.order_by(URGENCY_ORDER, F("due_at").asc(nulls_last=True), "created_at")


def _leader_or_404(user) -> Worker:
    worker = worker_of(user)
    if worker is None or not is_crew_leader(user) or not worker.is_leader:
        raise Http404(_("This page is for crew leaders."))
    return worker


def _worker_or_404(user) -> Worker:
    worker = worker_of(user)
    if worker is None or not is_worker(user):
        raise Http404(_("This page is for workers."))
    return worker


def _suggest(workers: list[Worker]) -> Worker | None:
    """Who should take the next order: the least-loaded worker on duty, else the least-loaded worker."""
    on_duty = [w for w in workers if w.on_duty]
    pool = on_duty or workers
    return min(pool, key=lambda w: (w.load, w.name)) if pool else None


# --- Polling ----------------------------------------------------------------------------------------------


def poll_unchanged(scope: str):
    """Answer an htmx poll that carries the version the page already shows (`?since=`) with an empty 204
    when nothing changed: the session and one aggregate (`list_version`), without loading the user. Any
    other request, or a changed version, goes to the view, which checks everything as usual."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            since = request.GET.get("since", "")
            if since and request.htmx:
                user_id = request.session.get(SESSION_KEY)
                if user_id is not None and since == list_version(user_id=user_id, scope=scope):
                    return HttpResponse(status=204)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query.pop("since", None)
    query["page"] = str(number)
    return f"{request.path}?{query.urlencode()}"


def _here(request: HttpRequest) -> str:
    """This page's address without the poller's version: where a form on it returns to (`next`)."""
    query = request.GET.copy()
    query.pop("since", None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _poll_url(request: HttpRequest, version: str) -> str:
    """This page's address (filters and page kept) with the version it shows, for its poller."""
    query = request.GET.copy()
    query["since"] = version
    return f"{request.path}?{query.urlencode()}"


def _page_number(request: HttpRequest, pages: int) -> int:
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), max(pages, 1))


# --- Leader queue -----------------------------------------------------------------------------------------


@poll_unchanged("crew")
@login_required
def crew_queue(request: HttpRequest) -> HttpResponse:
    """The crew's active orders as cards, unassigned first, a page at a time; filters; each worker's load.
    An htmx poll with the version the page shows gets a 204 when nothing changed (`poll_unchanged`)."""
    leader = _leader_or_404(request.user)
    now = timezone.now()
    version = list_version(user_id=request.user.pk, scope="crew")
    base = work_orders_visible_to(request.user).filter(status__in=QUEUE_GROUPS)
    filterset = WorkOrderFilterSet(request.GET, queryset=base, request=request)
    filterset.filters["worker"].queryset = Worker.objects.filter(crew_id=leader.crew_id, active=True)
    filterset.filters["category"].queryset = Category.objects.filter(
        crew_kind=leader.crew.kind, active=True
    ).select_related("parent")
    qs = filterset.qs
    figures = qs.aggregate(
        total=Count("id"),
        overdue=Count("id", filter=Q(due_at__lt=now)),
        hold_requests=Count("id", filter=~Q(hold_requested_reason="")),
    )
    pages = -(-figures["total"] // QUEUE_PAGE)
    page = _page_number(request, pages)
    start = (page - 1) * QUEUE_PAGE
    ordered = with_list_relations(qs).order_by(
        STATUS_ORDER, URGENCY_ORDER, F("due_at").asc(nulls_last=True), "created_at", "id"
    )
    orders = list(ordered[start : start + QUEUE_PAGE])
    workers = list(crew_workers_with_load(leader.crew_id, now))
    groups = [
        {"status": status, "label": Status(status).label, "orders": [o for o in orders if o.status == status]}
        for status in QUEUE_GROUPS
    ]
    for order in orders:
        order.moves = available_moves(request.user, order)
    suggested = _suggest(workers)
    context = {
        "crew": leader.crew,
        "now": now,
        "filterset": filterset,
        "urgency_choices": Urgency.choices,
        "selected_urgency": request.GET.getlist("urgency"),
        "groups": groups,
        "total": figures["total"],
        "page": page,
        "pages": pages,
        "previous_url": _page_url(request, page - 1) if page > 1 else "",
        "next_url": _page_url(request, page + 1) if page < pages else "",
        "overdue_count": figures["overdue"],
        "hold_requests": figures["hold_requests"],
        "workers": workers,
        "on_duty_count": sum(1 for w in workers if w.on_duty),
        "suggested": suggested,
        "poll_url": _poll_url(request, version),
        "here": _here(request),
        "poll_seconds": POLL_SECONDS,
        # The same options on every assignable card: rendered once, not once per card (bench/README.md).
        "worker_options": render_to_string(
            "workorders/partials/worker_options.html", {"workers": workers, "suggested": suggested}
        ),
        "hold_reasons": f.HoldReason.choices,
    }
    template = "workorders/partials/queue.html" if is_fragment(request) else "workorders/workorder_queue.html"
    return render(request, template, context)


# --- Worker's orders --------------------------------------------------------------------------------------


@poll_unchanged("mine")
@login_required
def my_orders(request: HttpRequest) -> HttpResponse:
    """The worker's open orders by urgency and deadline, and what they finished today, for a phone. An htmx
    poll with the version the page shows gets a 204 when nothing changed (`poll_unchanged`)."""
    worker = _worker_or_404(request.user)
    full_phone = can_see_full_phone(request.user)
    now = timezone.now()
    version = list_version(user_id=request.user.pk, scope="mine")
    today = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    qs = work_orders_visible_to(request.user).filter(
        Q(status__in=WORKER_OPEN) | Q(status=Status.COMPLETED, completed_at__gte=today)
    )
    qs = (
        _by_urgency_and_deadline(qs)
        .select_related("category", "category__parent", "reporter")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "id")))
    )
    orders = list(qs[:QUEUE_LIMIT])
    for order in orders:
        order.moves = available_moves(request.user, order)
        order.full_phone = reporter_phone_in_full(
            order.status, order.worker_id, full_phone=full_phone, viewer_worker_id=worker.id
        )
    context = {
        "now": now,
        "open_orders": [o for o in orders if o.status != Status.COMPLETED],
        "done_today": [o for o in orders if o.status == Status.COMPLETED],
        "poll_url": _poll_url(request, version),
        "here": _here(request),
        "poll_seconds": POLL_SECONDS,
    }
    template = "workorders/partials/mine.html" if is_fragment(request) else "workorders/workorder_mine.html"
    return render(request, template, context)


# --- Work the crew starts itself ---------------------------------------------------------------------------


@login_required
def open_on_the_spot_view(request: HttpRequest) -> HttpResponse:
    """A crew member opens an order on the spot (主动服务). `?from=<order>` links it to the order where it was
    found and `?room=<id>` / `?description=` fill the form (a 一次通检 finding, the flat above or below)."""
    from residents.models import Room

    me = worker_of(request.user)
    if me is None or not me.active or not (is_worker(request.user) or is_crew_leader(request.user)):
        raise Http404(_("This page is for crew members."))
    workers = Worker.objects.filter(crew_id=me.crew_id, active=True, role="member") if me.is_leader else None
    params = request.POST if request.method == "POST" else request.GET
    linked = None
    if params.get("from", "").isdigit() and len(params["from"]) <= 18:  # an id, bounded before int()
        linked = work_orders_visible_to(request.user).filter(pk=int(params["from"])).first()
    if request.method == "POST":
        form = f.OnTheSpotForm(request.POST, request.FILES, worker=me, workers=workers)
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = open_on_the_spot(
                    actor=request.user,
                    category=data["category"],
                    description=data["description"],
                    room=data["room"],
                    facility=None if data["room"] else data["facility"],
                    worker=data.get("worker"),
                    start=data["start"],
                    photo=data["photo"],
                    linked_from=linked,
                )
            except PermissionDenied as exc:
                raise Http404(str(exc)) from exc
            except ValidationError as exc:
                apply_validation_error(form, exc, {"room": "address"})
            else:
                messages.success(request, _("Order %(number)s opened.") % {"number": order.number})
                return redirect("workorders:detail", pk=order.pk)
        status = 400
    else:
        initial = {"description": request.GET.get("description", "")[:2000]}
        if request.GET.get("room", "").isdigit():
            room = Room.objects.filter(pk=int(request.GET["room"])).first()
            initial["address"] = room.label if room else ""
        if linked is not None:
            initial.setdefault("category", linked.category_id)
        form = f.OnTheSpotForm(initial=initial, worker=me, workers=workers)
        status = 200
    return render(request, "workorders/workorder_form.html", {"form": form, "linked": linked}, status=status)


@login_required
def stacked(request: HttpRequest, pk: int) -> HttpResponse:
    """The rooms above and below the order's room with their open orders (loaded when the panel opens), and
    one step to open a linked order there: on the spot for the crew, at the intake desk for the desk."""
    order = _visible_order(request.user, pk)
    if order.room_id is None:
        raise Http404(_("This order is not in a home."))
    context = {
        "order": order,
        "rows": stacked_rooms(order.room),
        "crew_member": _is_crew_member(request.user),
        "desk": is_dispatcher(request.user) or is_manager(request.user),
    }
    return render(request, "workorders/partials/stacked.html", context)


def _is_crew_member(user) -> bool:
    """A worker or leader with their Worker row (the roles first: the desk is answered without a query)."""
    if not (is_worker(user) or is_crew_leader(user)):
        return False
    worker = worker_of(user)
    return bool(worker and worker.active)


# --- The staff member's own settings ---------------------------------------------------------------------


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """A crew member's profile: who they are, and whether new work, reminders and 督办 also come by SMS."""
    worker = worker_of(request.user)
    if worker is None:
        raise Http404(_("This page is for crew members."))
    if request.method == "POST":
        enabled = request.POST.get("sms_notices") == "on"
        set_sms_notices(actor=request.user, enabled=enabled)
        messages.success(
            request,
            _("SMS notices are on.")
            if enabled
            else _("SMS notices are off; your list still shows new work."),
        )
        return redirect("workorders:profile")
    return render(request, "workorders/worker_profile.html", {"worker": worker})


# --- Detail, slip, photos ---------------------------------------------------------------------------------


def _visible_order(user, pk: int) -> WorkOrder:
    """The order with what every order page shows. Only five joins: PostgreSQL's join-order search grows
    exponentially with them, and for a one-row lookup planning ten joins costs more than the query. The
    first-contact owner comes with the timeline (`timeline`); the reporter and the incident load only when a
    page shows them (a reporter without a typed-in name, an order linked to an incident)."""
    qs = work_orders_visible_to(user).select_related(
        "category", "category__parent", "crew", "worker", "district"
    )
    return get_object_or_404(qs, pk=pk)


def _form_kwargs(move: str, order: WorkOrder, user, workers: list[Worker] | None = None) -> dict:
    """What the move's form is built with. `workers`: the crew's workers with their load, when the page has
    already loaded them (shown as they are); without them the form gets a queryset (a POST)."""
    kwargs: dict = {"order": order, "user": user}
    if move == Move.ASSIGN:
        kwargs["workers"] = crew_workers_with_load(order.crew_id) if workers is None else workers
    elif move == Move.TRANSFER:
        if workers is None:
            kwargs["workers"] = crew_workers_with_load(order.crew_id).exclude(pk=order.worker_id)
        else:
            kwargs["workers"] = [w for w in workers if w.pk != order.worker_id]
        if is_desk(user):
            kwargs["crews"] = Crew.objects.filter(active=True).exclude(pk=order.crew_id)
    return kwargs


def _shown_moves(order: WorkOrder, moves: list[str]) -> list[str]:
    """The moves the user may make now (`available_moves`), minus those that make no sense for this order's
    details."""
    hide = {move for move in moves if MOVES[move].form is None}  # completion is a page of its own
    if not order.hold_requested_reason:
        hide.add(Move.REFUSE_HOLD)
    else:
        hide.add(Move.REQUEST_HOLD)
    if order.urgency != Urgency.PLANNED or order.extension_requested_until:
        hide.add(Move.REQUEST_EXTENSION)
    if order.extension_requested_until is None:
        hide.add(Move.EXTEND)
    return [m for m in moves if m not in hide]


def _move_forms(user, order: WorkOrder, moves: list[str], bound: dict | None = None) -> list[dict]:
    bound = bound or {}
    result = []
    # The crew's workers with their load, one query for the assign and transfer forms and the suggestion.
    workers = None
    if {Move.ASSIGN, Move.TRANSFER} & set(moves) - set(bound):
        workers = list(crew_workers_with_load(order.crew_id))
    for move in moves:
        spec = MOVES[move]
        form = bound.get(move)
        if form is None:
            initial = {}
            if move == Move.HOLD and order.hold_requested_reason:
                initial["reason"] = order.hold_requested_reason
            if move == Move.ASSIGN:
                suggested = _suggest(workers)
                initial["worker"] = suggested.pk if suggested else None
            form = spec.form(initial=initial, **_form_kwargs(move, order, user, workers))
        result.append(
            {"move": move, "label": spec.label, "form": form, "simple": spec.simple, "danger": spec.danger}
        )
    return result


def _detail(request: HttpRequest, order: WorkOrder, bound: dict | None = None, status: int = 200):
    now = timezone.now()
    moves = available_moves(request.user, order)
    context = {
        "order": order,
        "now": now,
        "events": timeline(order),
        "materials": order.materials.all(),
        "photos": order.attachments.all(),
        "move_forms": _move_forms(request.user, order, _shown_moves(order, moves), bound),
        "can_complete": Move.COMPLETE in moves,
        "full_phone": can_see_reporter_phone(request.user, order),
        "checklist_items": CHECKLIST_ITEMS,
        "checklist": order.checklist,
        "findings_actions": findings_actions(order),
        "photo_form": f.PhotoForm() if _can_add_photos(request.user, order) else None,
        "crew_member": _is_crew_member(request.user),
        "back": _back_url(request.user),
    }
    return render(request, "workorders/workorder_detail.html", context, status=status)


def _can_add_photos(user, order: WorkOrder) -> bool:
    from .lifecycle import can
    from .permissions import is_crew_member_of

    return can(Move.DISPATCH, user, order) or is_crew_member_of(user, order)


def _back_url(user) -> str:
    if is_crew_leader(user) and worker_of(user) is not None:
        return reverse("workorders:crew_queue")
    if is_worker(user) and worker_of(user) is not None:
        return reverse("workorders:mine")
    return reverse("home")


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible_order(request.user, pk))


@login_required
def order_slip(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable slip (one A4/A5 page) for crews who still carry paper."""
    order = _visible_order(request.user, pk)
    context = {
        "order": order,
        "now": timezone.now(),
        "full_phone": can_see_reporter_phone(request.user, order),
        "checklist_items": CHECKLIST_ITEMS,
        "back": reverse("workorders:detail", args=[order.pk]),
    }
    return render(request, "workorders/workorder_slip.html", context)


@login_required
@file_view
def photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    """A photo of an order the user may see (media is never served unchecked; config.files sends it)."""
    order = get_object_or_404(work_orders_visible_to(request.user), pk=pk)
    attachment = get_object_or_404(Attachment, order=order, pk=photo_pk)
    return send_file(attachment.file, content_type=attachment.content_type)


@login_required
@require_POST
def add_photos(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request.user, pk)
    form = f.PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("workorders:detail", pk=order.pk)
    try:
        with transaction.atomic():
            for upload in form.cleaned_data["photos"]:
                add_attachment(actor=request.user, order=order, file=upload, kind=form.cleaned_data["kind"])
    except PermissionDenied as exc:
        return _denied(request, order, str(exc))
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect("workorders:detail", pk=order.pk)
    messages.success(request, _("Photos added."))
    return redirect("workorders:detail", pk=order.pk)


# --- Moves ------------------------------------------------------------------------------------------------


def _denied(request: HttpRequest, order: WorkOrder, message: str) -> HttpResponse:
    return render(
        request,
        "workorders/denied.html",
        {"order": order, "message": message or _("You may not do this on this order.")},
        status=403,
    )


def _after_move(request: HttpRequest, order: WorkOrder) -> HttpResponse:
    """Back where the form was (queue, my orders), else the order if still visible, else the user's list."""
    target = safe_next(request)
    if target:
        return redirect(target)
    if work_orders_visible_to(request.user).filter(pk=order.pk).exists():
        return redirect("workorders:detail", pk=order.pk)
    return redirect(_back_url(request.user))


@login_required
@require_POST
def order_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    """POST one move on an order. A stale form (the order moved meanwhile) gets the service's Chinese message
    and a redirect; a move the user may not make is a 403 page; bad input re-renders the form with errors."""
    order = _visible_order(request.user, pk)
    spec = MOVES.get(move)
    if spec is None or spec.form is None:
        raise Http404(_("Unknown action."))
    form = spec.form(request.POST, **_form_kwargs(move, order, request.user))
    if form.is_valid():
        refused = _run_move(
            request,
            order,
            form,
            lambda: spec.perform(actor=request.user, order=order, **spec.kwargs_from_form(form.cleaned_data)),
        )
        if refused is not None:
            return refused
    if form.errors:
        return _detail(request, order, bound={move: form}, status=400)
    messages.success(request, _done_message(order, spec.label, form.cleaned_data))
    return _after_move(request, order)


def _run_move(request: HttpRequest, order: WorkOrder, form, run: Callable[[], object]) -> HttpResponse | None:
    """Run a move from a valid form. A stale move (the order moved meanwhile) gets the service's message and
    goes back to the detail page, a move the user may not make the 403 page: that answer is returned. None
    when the move went through, or when its ValidationError was put on the form (`form.errors` says so)."""
    try:
        run()
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect("workorders:detail", pk=order.pk)
    except PermissionDenied as exc:
        return _denied(request, order, str(exc))
    except ValidationError as exc:
        apply_validation_error(form, exc)
    return None


def _done_message(order: WorkOrder, label: str, data: dict) -> str:
    """What the success message says, and to whom the order went when the move names someone (assign,
    transfer, dispatch)."""
    whom = data.get("worker") or data.get("crew")
    if whom is not None:
        return _("Order %(number)s: “%(move)s” to %(whom)s.") % {
            "number": order.number,
            "move": label,
            "whom": whom.name,
        }
    return _("Order %(number)s: “%(move)s” done.") % {"number": order.number, "move": label}


# --- Completion -------------------------------------------------------------------------------------------


def _materials(formset) -> list[dict]:
    return [
        {
            "name": row["name"],
            "quantity": str(row["quantity"]),
            "unit_price": str(row.get("unit_price") or "0"),
        }
        for row in (form.cleaned_data for form in formset.forms)
        if row and not row.get("DELETE")
    ]


@transaction.atomic
def _complete_with_photos(user, order: WorkOrder, form, formset) -> None:
    """Complete the order and attach its before/after photos: all or nothing."""
    complete_order(actor=user, order_id=order.pk, **form.service_kwargs(_materials(formset)))
    for kind, field in ((AttachmentKind.BEFORE, "before_photos"), (AttachmentKind.AFTER, "after_photos")):
        for upload in form.cleaned_data[field]:
            add_attachment(actor=user, order=order, file=upload, kind=kind)


@login_required
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    """The worker's completion form: 六个一, findings, resolution, materials, fee, before/after photos.
    Everything is checked before anything is written; photos are attached in the same transaction."""
    order = _visible_order(request.user, pk)
    if Move.COMPLETE not in available_moves(request.user, order):
        if order.status != Status.ON_SITE and is_assigned_worker(request.user, order):
            messages.error(request, TransitionNotAllowed(order, Move.COMPLETE).message)
            return redirect("workorders:detail", pk=order.pk)
        return _denied(
            request, order, _("You may not “%(move)s” this order.") % {"move": Move.COMPLETE.label}
        )
    if request.method == "POST":
        form = f.CompletionForm(request.POST, request.FILES, order=order)
        formset = f.MaterialFormSet(request.POST, prefix="materials")
        if form.is_valid() and formset.is_valid():
            refused = _run_move(
                request, order, form, lambda: _complete_with_photos(request.user, order, form, formset)
            )
            if refused is not None:
                return refused
            if not form.errors:
                messages.success(
                    request, _("Order %(number)s completed. Thank you!") % {"number": order.number}
                )
                return redirect("workorders:detail", pk=order.pk)
        status = 400
    else:
        form = f.CompletionForm(order=order)
        formset = f.MaterialFormSet(prefix="materials")
        status = 200
    context = {"order": order, "form": form, "formset": formset, "now": timezone.now()}
    return render(request, "workorders/workorder_complete_form.html", context, status=status)
