"""States and kinds of the operations app: outage notice events and delivery, and the outage's state."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workorders.choices import SYSTEM_OF_CREW_KIND as _SYSTEM_OF_CREW_KIND


class OutageState(models.TextChoices):
    """Derived from the incident's times (never stored): upcoming before the start, active until ended."""

    UPCOMING = "upcoming", _("Upcoming")
    ACTIVE = "active", _("In progress")
    ENDED = "ended", _("Ended")


class NoticeEvent(models.TextChoices):
    """The moments a resident hears about an outage: ahead (the chosen lead time), a reminder shortly before,
    a new expected end, and the end (restored)."""

    ADVANCE = "advance", _("Advance notice")
    REMINDER = "reminder", _("Reminder")
    EXTENDED = "extended", _("Extended")
    RESTORED = "restored", _("Restored")


class NoticeStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


# The crew kind whose leaders plan outages of each system (the inverse of workorders' SYSTEM_OF_CREW_KIND).
CREW_KIND_OF_SYSTEM = {"water": "water", "power": "electrical", "drainage": "drainage"}

# Notice timing: the reminder goes this long before the start; lead times offered on the planning page.
REMINDER_MINUTES = 60
LEAD_TIME_CHOICES = [
    (60 * 24 * 3, _("3 days before")),
    (60 * 24 * 2, _("2 days before")),
    (60 * 24, _("1 day before")),
    (60 * 12, _("12 hours before")),
    (60 * 4, _("4 hours before")),
]
# An outage shows on the caller screen from this long before its start.
UPCOMING_HOURS = 48


# --- Rounds (巡检) ------------------------------------------------------------------------------------------


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    WEEKDAYS = "weekdays", _("On given weekdays")


class ItemKind(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Pass / fail")
    READING = "reading", _("Reading")
    PHOTO = "photo", _("Photo")


class RoundStatus(models.TextChoices):
    DUE = "due", pgettext_lazy("round status", "Due")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", pgettext_lazy("round status", "Done")
    MISSED = "missed", _("Missed")


# A round not started this long after its due time is missed (visible on the list, never dropped); a round
# not finished by its due time is overdue and escalates: the leader at once, the manager after this long.
ROUND_MISSED_AFTER_HOURS = 12
ESCALATE_TO_MANAGER_AFTER_HOURS = 4

# --- Hazards (隐患台账) ---------------------------------------------------------------------------------------


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


class HazardStatus(models.TextChoices):
    FOUND = "found", _("Found")
    RECTIFYING = "rectifying", _("Rectifying")
    RECTIFIED = "rectified", _("Rectified")
    VERIFIED = "verified", _("Verified")


class HazardMove(models.TextChoices):
    START_RECTIFYING = "start_rectifying", _("Start rectifying")
    MARK_RECTIFIED = "mark_rectified", _("Mark rectified")
    VERIFY = "verify", _("Verify")
    TO_WORK_ORDER = "to_work_order", _("Turn into a work order")


# The transition table: move → (the states it may start from, the state it leads to). Forms, templates and
# the API derive the buttons from it; the service refuses anything else (a 409).
HAZARD_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    HazardMove.START_RECTIFYING: (frozenset({HazardStatus.FOUND}), HazardStatus.RECTIFYING),
    HazardMove.TO_WORK_ORDER: (frozenset({HazardStatus.FOUND}), HazardStatus.RECTIFYING),
    HazardMove.MARK_RECTIFIED: (frozenset({HazardStatus.RECTIFYING}), HazardStatus.RECTIFIED),
    HazardMove.VERIFY: (frozenset({HazardStatus.RECTIFIED}), HazardStatus.VERIFIED),
}
HAZARD_OPEN = frozenset({HazardStatus.FOUND, HazardStatus.RECTIFYING})  # the due date runs

# Days to rectify by severity.
HAZARD_DUE_DAYS = {Severity.CRITICAL: 1, Severity.MAJOR: 7, Severity.MINOR: 30}

# The system a crew's trade runs (maintenance crews run none of the three): workorders' one table.
SYSTEM_OF_CREW_KIND = _SYSTEM_OF_CREW_KIND
