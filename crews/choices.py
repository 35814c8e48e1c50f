from django.db import models
from django.utils.translation import gettext_lazy as _


class CrewKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("Community maintenance")
    ELECTRICAL = "electrical", _("Electrical")
    DRAINAGE = "drainage", _("Drainage")
    WATER = "water", _("Water supply")


class WorkerRole(models.TextChoices):
    LEADER = "leader", _("Crew leader")
    MEMBER = "member", _("Worker")


class Role(models.TextChoices):
    """Staff roles; each is a Django group of the same name (created by a data migration)."""

    DISPATCHER = "dispatcher", _("Dispatcher")
    CREW_LEADER = "crew_leader", _("Crew leader")
    WORKER = "worker", _("Worker")
    MANAGER = "manager", _("Manager")


class ImportKind(models.TextChoices):
    PLACES_RESIDENTS = "places_residents", _("Places and residents")
    STAFF = "staff", _("Staff and crews")
    FACILITIES = "facilities", _("Public facilities")


class ImportStatus(models.TextChoices):
    PREVIEWING = "previewing", _("Checking the file")
    READY = "ready", _("Ready to import")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
