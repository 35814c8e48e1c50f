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
