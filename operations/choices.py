"""States and kinds of the operations app: outage notice events and delivery, and the outage's state."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
