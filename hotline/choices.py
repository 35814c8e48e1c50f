"""Hotline enumerations: what a call is about (DESIGN §2, API.md call_type)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CallType(models.TextChoices):
    REPAIR = "repair", _("Repair")
    INQUIRY = "inquiry", _("Inquiry")
    COMPLAINT = "complaint", _("Complaint")
    PRAISE = "praise", _("Praise")
    SUGGESTION = "suggestion", _("Suggestion")
    HELP = "help", _("Request for help")
    REMINDER = "reminder", _("Reminder")


# Calls a manager must see and mark handled (the feedback app later turns complaints/praise into records).
MANAGER_TYPES = frozenset({CallType.COMPLAINT, CallType.PRAISE, CallType.SUGGESTION, CallType.HELP})

# How many repair calls about one system in one building within the window suggest an incident.
INCIDENT_SUGGEST_CALLS = 3
INCIDENT_SUGGEST_MINUTES = 30

# Calls a caller waits for an answer to (求助, 建议): their owner answers them; the answer closes the call.
ANSWERED_TYPES = frozenset({CallType.SUGGESTION, CallType.HELP})

# A screen pop the phone system announced is shown on the agent's intake page for this long, then dropped.
SCREEN_POP_SECONDS = 60
# Screen pops are kept this long (to answer "did the phone system announce that call?"), then purged daily.
SCREEN_POP_KEEP_DAYS = 7

# The longest a call can have taken from the first keystroke (or the screen pop) to being logged; an intake
# start further back (a page left open overnight) is not a call time and is refused.
INTAKE_MAX_SECONDS = 2 * 3600
