"""Demo calls: the desk's log behind the demo orders, so the call log, a caller's history and the dashboard's
intake times show a working desk. Each phone order gets the repair call it came from (taken by its first-contact
owner, lasting the 40 s to 4 min a dispatcher needs), and about one call in eight more is an inquiry answered on
the spot. Nothing is sent; rows are written in bulk. Does nothing when calls exist."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model

from crews.choices import Role
from workorders.choices import Channel
from workorders.models import WorkOrder

from .choices import CallType
from .models import Call
from .selectors import system_of

INQUIRIES = (
    ("停水什么时候恢复？", "已告知预计恢复时间，恢复后会短信通知。"),
    ("维修师傅几点到？", "已联系班组，师傅半小时内到。"),
    ("有偿维修怎么收费？", "按中心收费标准，材料另计，完工前告知费用。"),
)


def seed_demo_calls(*, rng, now: datetime) -> dict[str, int]:
    if Call.objects.exists():
        return {}
    desk = list(get_user_model().objects.filter(groups__name=Role.DISPATCHER).order_by("pk"))
    if not desk:
        return {}
    orders = (
        WorkOrder.objects.filter(channel=Channel.PHONE)
        .select_related("room", "category")
        .order_by("created_at", "pk")
    )
    calls = []
    for order in orders.iterator(chunk_size=500):
        started = order.created_at - timedelta(seconds=rng.randint(40, 240))
        calls.append(
            _call_about(
                order,
                call_type=CallType.REPAIR,
                summary=order.description[:200],
                taken_by_id=order.first_contact_owner_id or rng.choice(desk).pk,
                category_id=order.category_id,
                system=system_of(order.category),  # as take_call stamps it
                incident_id=order.incident_id,
                started_at=started,
                ended_at=order.created_at,
            )
        )
        if rng.random() < 0.125 and order.reporter_phone:
            question, answer = rng.choice(INQUIRIES)
            asked = min(order.created_at + timedelta(hours=rng.randint(1, 30)), now - timedelta(minutes=5))
            calls.append(
                _call_about(
                    order,
                    call_type=CallType.INQUIRY,
                    summary=question,
                    answer=answer,
                    taken_by_id=rng.choice(desk).pk,
                    started_at=asked - timedelta(seconds=rng.randint(30, 120)),
                    ended_at=asked,
                    closed_at=asked,
                )
            )
    Call.objects.bulk_create(calls, batch_size=1000)
    inquiries = sum(1 for c in calls if c.call_type == CallType.INQUIRY)
    return {"repair calls": len(calls) - inquiries, "inquiries": inquiries}


def _call_about(order: WorkOrder, **fields) -> Call:
    """A phone call by the order's reporter about the order's place."""
    return Call(
        channel=Channel.PHONE,
        phone=order.reporter_phone,
        caller_name=order.reporter_name,
        resident_id=order.reporter_id,
        room_id=order.room_id,
        building_id=order.room.building_id if order.room_id else order.building_id,
        work_order=order,
        **fields,
    )
