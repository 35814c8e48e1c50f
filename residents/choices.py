from django.db import models
from django.utils.translation import gettext_lazy as _


class FacilityKind(models.TextChoices):
    PUMP_HOUSE = "pump_house", _("Pump house")
    SUBSTATION = "substation", _("Substation")
    BOILER_ROOM = "boiler_room", _("Boiler room")
    ROAD = "road", _("Road")
    OFFICE = "office", _("Office building")
    SCHOOL = "school", _("School")
    CLINIC = "clinic", _("Clinic")
    OTHER = "other", _("Other")


class Relation(models.TextChoices):
    OWNER = "owner", _("Owner")
    TENANT = "tenant", _("Tenant")
    FAMILY = "family", _("Family member")
