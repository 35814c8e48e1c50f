"""Feedback enumerations: follow-up states and answers, notifications, complaints, inspections (DESIGN §6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DUE = "due", _("Due")
    LINK_SENT = "link_sent", _("Rating link sent")
    DONE = "done", _("Done")
    UNREACHABLE = "unreachable", _("Unreachable")


FOLLOW_UP_OPEN = frozenset({FollowUpStatus.SCHEDULED, FollowUpStatus.DUE, FollowUpStatus.LINK_SENT})

# action → (states it may start from, state it leads to). Only feedback.actions.follow_ups.move_follow_ups
# writes a follow-up's status, and only along this table.
FOLLOW_UP_TRANSITIONS = {
    "release": (frozenset({FollowUpStatus.SCHEDULED}), FollowUpStatus.DUE),
    "send_link": (frozenset({FollowUpStatus.DUE}), FollowUpStatus.LINK_SENT),
    "finish": (frozenset({FollowUpStatus.DUE, FollowUpStatus.LINK_SENT}), FollowUpStatus.DONE),
    "give_up": (frozenset({FollowUpStatus.LINK_SENT}), FollowUpStatus.UNREACHABLE),
}


class Outcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    REFUSED = "refused", _("Refused")


# Outcomes that count towards the three failed attempts before the SMS link.
FAILED_OUTCOMES = frozenset({Outcome.NO_ANSWER, Outcome.WRONG_NUMBER})


class Verdict(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class AttemptChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    LINK = "link", _("Rating link")


# The 五心 ratings, 1–5: field suffix → label.
RATINGS = (
    ("care", _("Caring service (服务贴心)")),
    ("workmanship", _("Careful workmanship (维修精心)")),
    ("safety", _("Safety (安全放心)")),
    ("quality", _("Quality (质量称心)")),
    ("comfort", _("Overall comfort (用户舒心)")),
)
RATING_KEYS = tuple(key for key, _label in RATINGS)

# The 六个一 as the resident saw them: key → question.
SEEN_CHECKLIST = (
    ("greeting", _("Did the worker greet you and introduce themselves?")),
    ("shoe_covers", _("Did the worker wear shoe covers?")),
    ("cleaned", _("Was the work area cleaned up afterwards?")),
    ("note_left", _("Was a service note (contact card) left?")),
)
SEEN_KEYS = tuple(key for key, _label in SEEN_CHECKLIST)


class NotificationKind(models.TextChoices):
    ORDER_RECEIVED = "order_received", _("Order received")
    WORKER_ON_WAY = "worker_on_way", _("Worker on the way")
    ORDER_COMPLETED = "order_completed", _("Order completed")
    RATING_LINK = "rating_link", _("Rating link")
    # To staff: a worker's new work, reminders and supervision; the overdue watch telling the crew's leader.
    WORKER_ASSIGNED = "worker_assigned", _("New order for the worker")
    WORKER_REMINDED = "worker_reminded", _("Reminder for the worker")
    WORKER_SUPERVISED = "worker_supervised", _("Supervision for the worker")
    LEADER_ESCALATED = "leader_escalated", _("Overdue order for the crew leader")
    LEADER_ROUND_LATE = "leader_round_late", _("Overdue round for the crew leader")
    LEADER_HAZARD_LATE = "leader_hazard_late", _("Overdue hazard for the crew leader")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class AlertKind(models.TextChoices):
    DISSATISFIED = "dissatisfied", _("Dissatisfied follow-up")
    UNRESOLVED = "unresolved", _("Fault not resolved")
    COMPLAINT_OVERDUE = "complaint_overdue", _("Complaint overdue")
    INSPECTION_FAILED = "inspection_failed", _("Inspection failed")
    ORDER_OVERDUE = "order_overdue", _("Order overdue")
    ROUND_OVERDUE = "round_overdue", _("Round overdue")
    HAZARD_OVERDUE = "hazard_overdue", _("Hazard past its rectification date")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    INVESTIGATING = "investigating", _("Investigating")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class ComplaintEventKind(models.TextChoices):
    """The lines of a complaint's timeline (ComplaintEvent.kind)."""

    RECEIVED = "received", _("Complaint received")
    INVESTIGATE = "investigate", _("Complainant contacted, investigation started")
    RESOLVE = "resolve", _("Investigation concluded")
    CLOSE = "close", _("Complaint closed")
    ESCALATE = "escalate", _("Escalated (overdue)")


# action → (states it may start from, state it leads to). Only feedback.actions.complaints._complaint_step
# writes a complaint's status, and only along this table.
COMPLAINT_TRANSITIONS = {
    "investigate": (frozenset({ComplaintStatus.RECEIVED}), ComplaintStatus.INVESTIGATING),
    "resolve": (frozenset({ComplaintStatus.INVESTIGATING}), ComplaintStatus.RESOLVED),
    "close": (frozenset({ComplaintStatus.RESOLVED}), ComplaintStatus.CLOSED),
}


class ComplaintSource(models.TextChoices):
    CALL = "call", _("Hotline call")
    FOLLOW_UP = "follow_up", _("Follow-up call")
    WINDOW = "window", _("Service window")


class Severity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    SERIOUS = "serious", _("Serious")
    URGENT = "urgent", _("Urgent")


class Accountability(models.TextChoices):
    NONE = "none", _("None")
    WARNING = "warning", _("Warning")
    POINTS = "points", _("Points deducted")
    FINE = "fine", _("Fine")
    NOTICE = "notice", _("Public notice (通报)")


class EscalationStage(models.IntegerChoices):
    NONE = 0, _("Not escalated")
    CONTACT = 1, _("Complainant not contacted in time")
    DECIDE = 2, _("Not decided in time")
    CLOSE = 3, _("Not closed in time")


class PraiseSource(models.TextChoices):
    CALL = "call", _("Hotline call")
    FOLLOW_UP = "follow_up", _("Follow-up call")
    WINDOW = "window", _("Service window")
    LETTER = "letter", _("Letter or banner")


class InspectionReason(models.TextChoices):
    RANDOM = "random", _("Random sample")
    COMPLAINT = "complaint", _("Complaint")


class InspectionStatus(models.TextChoices):
    PENDING = "pending", _("To inspect")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class RewardKind(models.TextChoices):
    REWARD = "reward", _("Reward")
    PENALTY = "penalty", _("Penalty")


class AssessmentLevel(models.TextChoices):
    CREW = "crew", _("Crew")
    WORKER = "worker", _("Worker")


class ExportKind(models.TextChoices):
    ORDERS = "orders", _("Work orders")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
