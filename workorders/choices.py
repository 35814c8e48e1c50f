"""Work-order enumerations (DESIGN §3). What may happen to an order, in which state and by whom, is
`workorders.lifecycle`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    ASSIGNED = "assigned", _("Assigned")
    ACCEPTED = "accepted", _("Accepted")
    ON_SITE = "on_site", _("On site")
    ON_HOLD = "on_hold", _("On hold")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    NORMAL = "normal", _("Normal")
    APPOINTMENT = "appointment", _("Appointment")
    PLANNED = "planned", _("Planned")


URGENCY_RANK = {Urgency.EMERGENCY: 0, Urgency.NORMAL: 1, Urgency.APPOINTMENT: 2, Urgency.PLANNED: 3}


class Area(models.TextChoices):
    INDOOR = "indoor", _("Indoor")
    BUILDING_COMMON = "building_common", _("Building common area")
    OUTDOOR_PUBLIC = "outdoor_public", _("Outdoor public facility")


class Charge(models.TextChoices):
    FREE = "free", _("Free of charge")
    PAID = "paid", _("Paid")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in window")
    WEB = "web", _("Web")
    # Opened by a crew member on the spot (主动服务): a finding of the 一次通检, the flat upstairs, a walk.
    SELF = "self", _("Self-initiated")


class System(models.TextChoices):
    """The three systems the center runs; incidents are outages of one of them."""

    WATER = "water", _("Water supply")
    POWER = "power", _("Power supply")
    DRAINAGE = "drainage", _("Drainage")


# Which system a crew kind's categories belong to (maintenance belongs to none).
SYSTEM_OF_CREW_KIND = {"water": System.WATER, "electrical": System.POWER, "drainage": System.DRAINAGE}


class HandBackReason(models.TextChoices):
    NOT_OUR_TRADE = "not_our_trade", _("Not our trade")
    NOT_OUR_AREA = "not_our_area", _("Not our area")
    NOT_OUR_PROPERTY = "not_our_property", _("Not our property")
    INFORMATION_MISSING = "information_missing", _("Information missing")


class HoldReason(models.TextChoices):
    WAITING_PARTS = "waiting_parts", _("Waiting for parts")
    RESIDENT_AWAY = "resident_away", _("Resident away")
    NEEDS_OUTAGE = "needs_outage", _("Needs an outage")
    OUTSIDE_CONTRACTOR = "outside_contractor", _("Outside contractor")


class CancelReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate")
    MALICIOUS = "malicious", _("Malicious or prank call")
    OUT_OF_SCOPE = "out_of_scope", _("Outside our scope")
    WITHDRAWN = "withdrawn", _("Resident withdrew")


class AttachmentKind(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")
    OTHER = "other", _("Other")


class IncidentKind(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SUDDEN = "sudden", _("Sudden")


class DeadlineBasis(models.TextChoices):
    CLOCK = "clock", _("Clock time (24×7)")
    WORKING_MINUTES = "working_minutes", _("Working minutes")
    WORKING_DAYS = "working_days", _("Working days")


class Move(models.TextChoices):
    """Every change an order can undergo; each writes one WorkOrderEvent of the same kind."""

    CREATE = "create", _("Received")
    DISPATCH = "dispatch", _("Dispatch")
    ASSIGN = "assign", _("Assign")
    ACCEPT = "accept", _("Accept")
    ARRIVE = "arrive", _("Arrive")
    REQUEST_HOLD = "request_hold", _("Request hold")
    REFUSE_HOLD = "refuse_hold", _("Refuse hold")
    HOLD = "hold", _("Hold")
    RESUME = "resume", _("Resume")
    COMPLETE = "complete", _("Complete")
    CLOSE = "close", _("Close")
    CANCEL = "cancel", _("Cancel")
    HAND_BACK = "hand_back", _("Hand back")
    TRANSFER = "transfer", _("Transfer")
    REMIND = "remind", _("Reminder")
    SUPERVISE = "supervise", _("Supervise")
    REWORK = "rework", _("Rework")
    REQUEST_EXTENSION = "request_extension", _("Request extension")
    EXTEND = "extend", _("Extend deadline")
    ATTACH = "attach", _("Photo added")
    ESCALATE = "escalate", _("Overdue escalation")


class DeadlineKind(models.TextChoices):
    RESPOND = "respond", _("Response")
    ARRIVE = "arrive", _("Arrival")
    COMPLETE = "complete", _("Completion")


class EscalationLevel(models.IntegerChoices):
    """Who is told when a deadline has passed, step by step (DESIGN §7)."""

    LEADER = 1, _("Crew leader notified")
    MANAGER = 2, _("Manager notified")
    SUPERVISION = 3, _("Supervision (督办)")


# The five items the worker answers at the door (六个一); the sixth, the follow-up call, is the center's.
# (key, the item's name as the center's rules say it, what it means). The one list: the completion form, the
# API's checklist, the order's `checklist_<key>` columns, the service's checks and the assessment use it.
CHECKLIST_ITEMS = (
    ("greeting", "一声问好", _("Greeted the resident")),
    ("shoe_covers", "一副鞋套", _("Wore shoe covers indoors")),
    ("cloth", "一块抹布", _("Cleaned up with a cloth")),
    ("inspection", "一次通检", _("Checked the whole installation")),
    ("note_left", "一张留言条", _("Left a service note")),
)
CHECKLIST_KEYS = tuple(key for key, _name, _hint in CHECKLIST_ITEMS)
CHECKLIST_FIELDS = tuple(f"checklist_{key}" for key in CHECKLIST_KEYS)
