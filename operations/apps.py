from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """The three systems in operation (三大系统运行): outage notices and calendar, preventive rounds (巡检) and
    the hazard register (隐患台账). Sits between workorders (below) and feedback (above)."""

    name = "operations"
    verbose_name = _("Operations")
