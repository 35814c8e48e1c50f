"""Desk pages: thin — parse, call a selector or a service, render or redirect. The same URL answers htmx with
its fragment (`request.htmx and not request.htmx.boosted`)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.htmx import apply_validation_error, is_fragment, safe_next
from crews.choices import Role
from crews.models import Crew
from crews.permissions import is_manager, roles_of
from crews.selectors import staff_figures, worker_of
from residents.models import District
from residents.selectors import (
    AddressError,
    can_see_full_phone,
    place_figures,
    resolve_place,
    show_phone,
    suggest_places,
)
from residents.services import log_phone_views, register_resident
from workorders.actions import TransitionNotAllowed
from workorders.choices import CancelReason, Channel, Move, Status, Urgency
from workorders.filtersets import WorkOrderFilterSet
from workorders.lifecycle import ACTIVE
from workorders.models import Category, Incident
from workorders.moves import MOVES
from workorders.selectors import category_synonyms, work_orders_visible_to

from . import services
from .choices import ANSWERED_TYPES, CallType
from .filtersets import CallFilterSet
from .forms import (
    AnswerCallForm,
    BoardActionForm,
    CloseCallForm,
    HandOverForm,
    IncidentForm,
    IntakeForm,
    RegisterCallerForm,
)
from .permissions import can_handle_call, desk_required
from .selectors import (
    SEARCH_MAX_LENGTH,
    LookupInputError,
    SearchInputError,
    board_counts,
    board_orders,
    caller_screen,
    calls_visible_to,
    crew_to_suggest,
    desk_colleagues,
    duplicate_orders,
    hand_backs,
    incidents_for,
    intake_categories,
    is_desk,
    manager_calls,
    parse_phone,
    pending_screen_pop,
    should_suggest_incident,
    suggest_crew,
    system_of,
    with_call_relations,
)
from .selectors import (
    intake_times as intake_time_rows,
)
from .selectors import (
    search as search_everything,
)


@login_required
def home(request):
    """Each role's home is its to-do list (DESIGN §1): the manager's dashboard, the dispatcher's desk, the
    leader's queue, the worker's orders. Anyone else (no role, or no crew row yet) gets the site overview."""
    target = _todo_list(request.user)
    if target:
        return redirect(target)
    return overview(request)


def _todo_list(user) -> str:
    roles = roles_of(user)
    worker = worker_of(user)
    if Role.MANAGER in roles:
        return reverse("feedback:dashboard")
    if Role.DISPATCHER in roles:
        return reverse("hotline:intake")
    if Role.CREW_LEADER in roles and worker is not None and worker.is_leader:
        return reverse("workorders:crew_queue")
    if Role.WORKER in roles and worker is not None:
        return reverse("workorders:mine")
    return ""


@login_required
def overview(request):
    """Greets the user by role and shows live figures of the site from the database."""
    now = timezone.now()
    context = {
        "now": now,
        "role_names": sorted(roles_of(request.user)),
        "places": place_figures(),
        "staff": staff_figures(now),
    }
    return render(request, "hotline/home.html", context)


# --- Search -----------------------------------------------------------------------------------------------


def _search_target_url(target) -> str:
    kind, value = target
    if kind == "order":
        return reverse("workorders:detail", args=[value])
    return f"{reverse('hotline:lookup')}?{urlencode({kind: value})}"


@login_required
@require_GET
def search(request):
    """The navigation's search box: one match opens its page (the order, or the caller screen for a caller or a
    room), several are listed. A query the search cannot take is a 400 with the reason."""
    query = request.GET.get("q", "")
    try:
        results = search_everything(user=request.user, query=query)
    except SearchInputError as exc:
        context = {"error": exc.message, "search_query": query[:SEARCH_MAX_LENGTH]}
        return render(request, "hotline/search.html", context, status=400)
    if results.target is not None:
        return redirect(_search_target_url(results.target))
    log_phone_views(user=request.user, residents=results.callers, where="hotline.search", path=request.path)
    for caller in results.callers:
        caller.shown_phone = show_phone(request.user, caller.phone)
    context = {
        "results": results,
        "search_query": results.query,
        "found": bool(results.orders or results.callers or results.rooms),
        "callers_linked": can_see_full_phone(request.user),
    }
    return render(request, "hotline/search.html", context)


# --- Caller screen ----------------------------------------------------------------------------------------


def _screen_context(request, screen, error: str = "") -> dict:
    # Full numbers shown on the panel are logged (one INSERT); masked ones are not.
    log_phone_views(user=request.user, residents=screen.residents, where="hotline.panel", path=request.path)
    residents = [
        {
            "resident": r,
            "phone": show_phone(request.user, r.phone),
            "alt_phone": show_phone(request.user, r.alt_phone),
        }
        for r in screen.residents
    ]
    return {
        "screen": screen,
        "residents": residents,
        "lookup_error": error,
        "shown_phone": show_phone(request.user, screen.phone),
        "now": timezone.now(),
    }


@desk_required
@require_GET
def lookup(request):
    """The caller screen for `?phone=` or `?address=`: a panel for htmx, a page otherwise."""
    phone, address = request.GET.get("phone", "").strip(), request.GET.get("address", "").strip()
    error = ""
    screen = None
    if phone or address:
        try:
            screen = caller_screen(user=request.user, phone=phone or None, address=address or None)
        except LookupInputError as exc:
            error = exc.message
    context = {**_screen_context(request, screen, error)} if screen else {"lookup_error": error}
    context["asked"] = bool(phone or address)
    context["typed_phone"] = phone
    template = "hotline/partials/caller_panel.html" if is_fragment(request) else "hotline/lookup.html"
    return render(request, template, context)


@desk_required
@require_POST
def register_caller(request):
    """Register an unknown caller from the panel (name, number, optional address); answers with the panel."""
    form = RegisterCallerForm(request.POST)
    context: dict = {"asked": True, "typed_phone": request.POST.get("phone", "")}
    if form.is_valid():
        try:
            phone = parse_phone(form.cleaned_data["phone"])
        except LookupInputError as exc:
            form.add_error("phone", exc.message)
        else:
            register_resident(
                name=form.cleaned_data["name"].strip(),
                phone=phone,
                room=form.cleaned_data["address"],
                actor=request.user,
            )
            screen = caller_screen(user=request.user, phone=phone)
            context.update(_screen_context(request, screen))
            context["registered"] = True
            return render(request, "hotline/partials/caller_panel.html", context)
    context["register_errors"] = [e for errors in form.errors.values() for e in errors]
    try:
        screen = caller_screen(user=request.user, phone=context["typed_phone"])
        context.update(_screen_context(request, screen))
    except LookupInputError as exc:
        context["lookup_error"] = exc.message
    return render(request, "hotline/partials/caller_panel.html", context)


@desk_required
@require_GET
def room_options(request):
    """Address suggestions as the dispatcher types: rooms, a named building's common areas, public facilities
    (residents.selectors.suggest_places)."""
    text = request.GET.get("address", "").strip()
    places = suggest_places(text, limit=8) if text else []
    return render(request, "hotline/partials/room_options.html", {"places": places})


# --- Intake -----------------------------------------------------------------------------------------------


def _check_context(*, place, category, now) -> dict:
    """Duplicates, incidents covering the building, the incident suggestion and the crew that would go."""
    if place is None or category is None:
        return {"place": place, "category": category}
    return {
        "place": place,
        "category": category,
        "duplicates": duplicate_orders(place=place, category=category),
        "incidents": incidents_for(place=place, category=category, now=now),
        "suggest_incident": should_suggest_incident(place=place, category=category, now=now, pending=1),
        "system": system_of(category),
        "suggested_crew": suggest_crew(category=category, district_id=place.district_id, at=now),
    }


@desk_required
@require_GET
def intake_check(request):
    """The check panel: re-rendered whenever the address or the category changes."""
    now = timezone.now()
    place, category, error = None, None, ""
    address = request.GET.get("address", "").strip()
    if address:
        try:
            place = resolve_place(address)
        except AddressError as exc:
            error = exc.message
    category_id = request.GET.get("category", "")
    if category_id.isdigit():
        category = Category.objects.filter(pk=category_id, parent__isnull=False).first()
    context = _check_context(place=place, category=category, now=now)
    context["address_error"] = error
    return render(request, "hotline/partials/check_panel.html", context)


# The services' field names where the desk's forms call them otherwise.
FORM_FIELDS = {
    "room": "address",
    "building": "address",
    "facility": "address",
    "unit": "address",
    "location_detail": "address",
    "description": "summary",
    "work_order": None,
}


def _success_message(result) -> str:
    call = result.call
    if result.order is not None and call.call_type == CallType.REMINDER:
        return _("Reminder recorded on order %(n)s (reminders: %(c)s).") % {
            "n": result.order.number,
            "c": result.order.remind_count,
        }
    if result.order is not None and result.dispatched_to is not None:
        return _("Call logged; order %(n)s dispatched to %(crew)s.") % {
            "n": result.order.number,
            "crew": result.dispatched_to.name,
        }
    if result.order is not None:
        return _("Call logged; order %(n)s is waiting to be dispatched (no crew found).") % {
            "n": result.order.number
        }
    if call.incident_id:
        return _("Call logged and attached to the incident “%(t)s”.") % {"t": call.incident.title}
    return _("Call logged: %(type)s.") % {"type": call.get_call_type_display()}


def _take_call(request, data: dict, *, channel: str, call_type: str, incident, now):
    """The intake form's answers handed to take_call; the call started `intake_ms` before it was logged."""
    return services.take_call(
        actor=request.user,
        call_type=call_type,
        channel=channel,
        phone=data["phone"],
        caller_name=data["caller_name"],
        summary=data["summary"],
        place=data["place"],
        category=data["category"],
        urgency=data["urgency"] or None,
        crew=data["crew"],
        answer=data["answer"],
        subject=data["subject"],
        remind_order_id=data.get("remind_order"),
        incident=incident,
        allow_duplicate=data["confirm_duplicate"],
        started_at=now - timedelta(milliseconds=data["intake_ms"] or 0),
        now=now,
        appointment_at=data["appointment_at"],
        charge=data["charge"],
        area=data["area"],
    )


def _tell_the_desk(request, result, *, caller_name: str) -> None:
    """What the logged call did, the suggestion to declare an incident when calls pile up, and the caller kept
    for "same caller, another fault" (the next intake offers them again in one key)."""
    messages.success(request, _success_message(result))
    request.session["same_caller"] = {
        "phone": result.call.phone,
        "caller_name": caller_name,
        "address": _address_of(result),
    }
    if result.suggest_incident:
        messages.warning(
            request,
            _(
                "Three or more calls about this system in this building within 30 minutes: "
                "consider declaring an incident (Alt+I on the intake page)."
            ),
        )
        request.session["suggest_incident"] = {
            "address": _address_of(result),
            "system": result.call.system,
        }


def _address_of(result) -> str:
    """What the next intake's address field offers again: the call's room, or the order's place."""
    if result.call.room is not None:
        return result.call.room.label
    return result.order.location_label[:100] if result.order is not None else ""


@desk_required
def intake(request, channel: str = Channel.PHONE):
    """The one-page intake (phone or walk-in window): one submit logs the call and, for a repair, creates
    and dispatches the order; the check panel's buttons turn it into a reminder or an incident attachment."""
    walk_in = channel == Channel.WALK_IN
    check: dict = {}
    now = timezone.now()
    if request.method == "POST":
        form = IntakeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            remind_id, incident_id = data.get("remind_order"), data.get("attach_incident")
            incident = Incident.objects.filter(pk=incident_id).first() if incident_id else None
            if incident_id and incident is None:
                form.add_error(None, _("That incident no longer exists."))
            else:
                call_type = CallType.REMINDER if remind_id else data["call_type"]
                if incident is not None:
                    call_type = CallType.REPAIR
                try:
                    result = _take_call(
                        request, data, channel=channel, call_type=call_type, incident=incident, now=now
                    )
                except services.DuplicateFound as exc:
                    form.add_error(
                        None,
                        _("This place already has an open order of this category: is it a reminder (催单)?"),
                    )
                    check = {"duplicates": exc.duplicates, "ask_confirm": True}
                except ValidationError as exc:
                    apply_validation_error(form, exc, FORM_FIELDS)
                except (TransitionNotAllowed, PermissionDenied) as exc:
                    form.add_error(None, getattr(exc, "message", None) or str(exc))
                else:
                    _tell_the_desk(request, result, caller_name=data["caller_name"])
                    return redirect(reverse("hotline:window" if walk_in else "hotline:intake"))
        if not check and form.is_bound and getattr(form, "cleaned_data", None):
            check = _check_context(
                place=form.cleaned_data.get("place"), category=form.cleaned_data.get("category"), now=now
            )
    else:
        # `?address=`: a linked order opened from another (the flat above or below, workorders' detail);
        # `?phone=&caller_name=&address=`: "same caller, another fault".
        form = IntakeForm(
            initial={k: request.GET.get(k, "")[:100] for k in ("phone", "caller_name", "address")}
        )
    categories = list(intake_categories())
    selected = form["category"].value()
    context = {
        "form": form,
        "walk_in": walk_in,
        "channel": channel,
        "categories": categories,
        "selected_category": next((c for c in categories if str(c.id) == str(selected)), None),
        "check": check,
        "suggest_incident": request.session.pop("suggest_incident", None),
        "manager_types": [CallType.COMPLAINT, CallType.PRAISE],
        "category_synonyms": json.dumps(category_synonyms(), ensure_ascii=False),
        "same_caller": _same_caller_url(request, walk_in),
    }
    # The caller panel stays after a rejected submit, and opens with the number of "same caller again".
    context.update(_panel_for(request, str(form["phone"].value() or "")))
    return render(request, "hotline/call_form.html", context)


def _same_caller_url(request, walk_in: bool) -> str:
    last = request.session.pop("same_caller", None)
    if not last or not last.get("phone"):
        return ""
    query = urlencode({k: v for k, v in last.items() if v})
    return f"{reverse('hotline:window' if walk_in else 'hotline:intake')}?{query}"


def _panel_for(request, phone: str) -> dict:
    """The caller panel's context for a number already on the form, or nothing (the panel then waits for
    the number to be typed)."""
    if not phone.strip():
        return {}
    try:
        screen = caller_screen(user=request.user, phone=phone)
    except LookupInputError:
        return {}
    return {**_screen_context(request, screen), "asked": True, "typed_phone": phone, "panel_shown": True}


@desk_required
def incident_new(request):
    """Declare an incident over a building (or district) for one system; recent calls there attach to it."""
    if request.method == "POST":
        form = IncidentForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                incident = services.report_incident(
                    actor=request.user,
                    title=d["title"],
                    system=d["system"],
                    kind=d["kind"],
                    room=d["address"],
                    whole_district=d["whole_district"],
                    description=d["description"],
                    expected_end_at=d["expected_end_at"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc, FORM_FIELDS)
            else:
                messages.success(
                    request,
                    _("Incident “%(t)s” declared; %(n)s recent calls attached.")
                    % {"t": incident.title, "n": incident.calls.count()},
                )
                return redirect("hotline:intake")
    else:
        form = IncidentForm(
            initial={"address": request.GET.get("address", ""), "system": request.GET.get("system", "")}
        )
    return render(request, "hotline/incident_form.html", {"form": form})


# --- Calls ------------------------------------------------------------------------------------------------


@desk_required
@require_GET
def call_list(request):
    """Every call, newest first, filtered by number, type, taker and day."""
    filterset = CallFilterSet(
        request.GET, queryset=with_call_relations(calls_visible_to(request.user)), request=request
    )
    qs = filterset.qs
    page = Paginator(qs.order_by("-started_at", "-id"), 50).get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "page": page,
        "call_types": CallType.choices,
    }
    for call in page.object_list:
        call.shown_phone = show_phone(request.user, call.phone)
    template = "hotline/partials/call_rows.html" if is_fragment(request) else "hotline/call_list.html"
    return render(request, template, context)


@desk_required
@require_GET
def call_inbox(request):
    """The managers' list: open help requests, suggestions, complaints and praise to act on."""
    page = Paginator(manager_calls(request.user), 50).get_page(request.GET.get("page"))
    for call in page.object_list:
        call.shown_phone = show_phone(request.user, call.phone)
    context = {"page": page}
    return render(request, "hotline/call_inbox.html", context)


@desk_required
@require_GET
def call_detail(request, pk: int):
    """One call: who took it, who owns it now (首问负责), what it produced; its owner hands it over or, for a
    help request or suggestion, records the answer the caller is told."""
    call = get_object_or_404(with_call_relations(calls_visible_to(request.user)), pk=pk)
    call.shown_phone = show_phone(request.user, call.phone)
    may_handle = can_handle_call(request.user, call)
    context = {
        "call": call,
        "may_handle": may_handle and call.closed_at is None,
        "answerable": call.call_type in ANSWERED_TYPES,
        "colleagues": list(desk_colleagues(request.user)) if may_handle and call.closed_at is None else [],
    }
    return render(request, "hotline/call_detail.html", context)


@desk_required
@require_POST
def call_hand_over(request, pk: int):
    """首问负责 handed to a named colleague; only the call's current owner (or a manager) may."""
    call = get_object_or_404(calls_visible_to(request.user), pk=pk)
    form = HandOverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the colleague who takes the call over."))
        return redirect("hotline:call", pk=call.pk)
    try:
        services.hand_over_call(
            actor=request.user,
            call_id=call.id,
            to_user=form.cleaned_data["to"],
            note=form.cleaned_data["note"],
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        to = form.cleaned_data["to"]
        messages.success(
            request, _("Call handed over to %(name)s.") % {"name": to.get_full_name() or to.username}
        )
    return redirect("hotline:call", pk=call.pk)


@desk_required
@require_POST
def call_answer(request, pk: int):
    """The owner of a help request or suggestion records the answer the caller is told (closes the call)."""
    call = get_object_or_404(calls_visible_to(request.user), pk=pk)
    form = AnswerCallForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the answer the caller is told."))
        return redirect("hotline:call", pk=call.pk)
    try:
        services.answer_call(actor=request.user, call_id=call.id, answer=form.cleaned_data["answer"])
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Answer recorded; the call is handled."))
    return redirect("hotline:call", pk=call.pk)


@desk_required
@require_POST
def call_close(request, pk: int):
    call = get_object_or_404(calls_visible_to(request.user), pk=pk)
    form = CloseCallForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say how the call was handled."))
    else:
        services.close_call(actor=request.user, call_id=call.id, note=form.cleaned_data["note"])
        messages.success(request, _("Marked handled."))
    return redirect("hotline:inbox")


# --- Dispatch board ---------------------------------------------------------------------------------------

BOARD_PAGE = 50


@desk_required
@require_GET
def board(request):
    """Active orders, most urgent deadline first, filtered by the shared WorkOrderFilterSet; htmx polls it."""
    now = timezone.now()
    data = request.GET.copy()
    statuses = [s for s in data.getlist("status") if s in ACTIVE]
    data.pop("status", None)
    data.pop("page", None)
    filterset = WorkOrderFilterSet(data, queryset=board_orders(request.user))
    qs = filterset.qs
    counts = board_counts(qs, now)
    if statuses:
        qs = qs.filter(status__in=statuses)
    paginator = Paginator(qs, BOARD_PAGE)
    # The counts per state already add up to the page's total: no second COUNT over the active orders.
    paginator.count = sum(counts[f"n_{s}"] for s in (statuses or ACTIVE))
    page = paginator.get_page(request.GET.get("page"))
    crews = list(Crew.objects.filter(active=True).order_by("kind", "name"))
    returned = hand_backs([o.id for o in page.object_list if o.status == Status.RECEIVED])
    for order in page.object_list:
        order.hand_back = returned.get(order.id)
        order.suggested_crew_id = crew_to_suggest(
            crews, kind=order.category.crew_kind, refused_id=order.hand_back and order.hand_back["crew_id"]
        )
    context = {
        "page": page,
        "now": now,
        "filters": filterset.form.cleaned_data if filterset.is_valid() else {},
        "filterset": filterset,
        "states": [(s, Status(s).label, counts[f"n_{s}"]) for s in Status.values if s in ACTIVE],
        "selected_statuses": statuses,
        "overdue_count": counts["overdue"],
        "crews": crews,
        "districts": list(District.objects.order_by("number")),
        "urgencies": Urgency.choices,
        "is_manager": is_manager(request.user),
        "cancel_reasons": CancelReason.choices,
        "full_path": request.get_full_path(),
    }
    template = "hotline/partials/board_table.html" if is_fragment(request) else "hotline/board.html"
    return render(request, template, context)


def _board_kwargs(d: dict) -> dict[str, dict]:
    """The board's form fields as each of its moves' service keywords (the moves come from the registry)."""
    return {
        Move.DISPATCH: {"crew": d["crew"]},
        Move.TRANSFER: {"crew": d["crew"], "reason": d["reason"]},
        Move.CANCEL: {"reason": d["cancel_reason"], "note": d["note"]},
        Move.SUPERVISE: {"note": d["note"]},
    }


BOARD_ACTIONS = {Move.DISPATCH, Move.TRANSFER, Move.CANCEL, Move.SUPERVISE}


def _board_done(action: str, order, d: dict) -> str:
    if action == Move.DISPATCH:
        return _("Order %(n)s dispatched to %(c)s.") % {"n": order.number, "c": d["crew"].name}
    if action == Move.TRANSFER:
        return _("Order %(n)s transferred to %(c)s.") % {"n": order.number, "c": d["crew"].name}
    if action == Move.CANCEL:
        return _("Order %(n)s cancelled.") % {"n": order.number}
    return _("Order %(n)s is under supervision.") % {"n": order.number}


@desk_required
@require_POST
def board_action(request, pk: int, action: str):
    """dispatch / transfer / cancel / supervise from the board, through the moves registry
    (workorders.moves). A board that showed another state than the order has now (someone else acted) is
    refused with a clear message."""
    if action not in BOARD_ACTIONS:
        raise Http404
    order = get_object_or_404(work_orders_visible_to(request.user), pk=pk)
    form = BoardActionForm(request.POST)
    back = safe_next(request, "hotline:board")
    if not form.is_valid():
        messages.error(request, _("The action was incomplete; nothing was changed."))
        return redirect(back)
    d = form.cleaned_data
    if d["status"] != order.status:
        messages.warning(
            request,
            _("Order %(n)s is now “%(s)s” (the board was out of date); nothing was changed.")
            % {"n": order.number, "s": order.get_status_display()},
        )
        return redirect(back)
    try:
        if action in (Move.DISPATCH, Move.TRANSFER) and d["crew"] is None:
            raise ValidationError({"crew": [_("Choose the crew.")]})
        MOVES[action].perform(actor=request.user, order=order, **_board_kwargs(d)[action])
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _board_done(action, order, d))
    return redirect(back)


# --- CTI screen pop ---------------------------------------------------------------------------------------


@require_GET
def ringing(request):
    """Polled every second by the open intake page: 204 while nothing rings for this agent, two queries (the
    session, the pending pop) and the user is not even loaded. A ringing call is claimed once and answered
    with an `HX-Trigger: bst:ring {phone}` that fills the number and opens the caller screen (static/js)."""
    user_id = request.session.get(SESSION_KEY)
    if user_id is None:
        return HttpResponse(status=204)
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return HttpResponse(status=204)
    if pending_screen_pop(user_id=user_id, now=timezone.now()) is None:
        return HttpResponse(status=204)
    # Something rings: now check the user in full (session hash, active, desk) before showing a number.
    if not is_desk(request.user) or request.user.pk != user_id:
        return HttpResponse(status=204)
    pop = services.claim_screen_pop(user_id=user_id)
    if pop is None:
        return HttpResponse(status=204)
    response = HttpResponse(status=200)
    response["HX-Trigger"] = json.dumps(
        {"bst:ring": {"phone": pop.phone, "rang_at": pop.created_at.isoformat()}}
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Intake time (dashboard panel) ------------------------------------------------------------------------


@desk_required
@require_GET
def intake_times(request):
    """The desk's median intake time this month, per dispatcher and per day (managers; the dashboard loads
    it as a panel, and it is a page of its own)."""
    if not is_manager(request.user):
        raise PermissionDenied
    now = timezone.now()
    today = timezone.localdate(now)
    start = timezone.make_aware(datetime.combine(today.replace(day=1), time.min))
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    context = {
        "start": start,
        "by_person": intake_time_rows(start=start, end=end, by="taken_by"),
        "by_day": intake_time_rows(start=start, end=end, by="day"),
    }
    template = "hotline/partials/intake_times.html" if is_fragment(request) else "hotline/intake_times.html"
    return render(request, template, context)
