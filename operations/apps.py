from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """The three systems in operation (三大系统运行): outage notices and calendar, preventive rounds (巡检) and
    the hazard register (隐患台账). Sits between workorders (below) and feedback (above)."""

    name = "operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from django.urls import reverse

        from workorders.extensions import FindingsAction, add_findings_action

        add_findings_action(
            FindingsAction(
                label=_("Report it as a hazard"),
                url=lambda order: f"{reverse('operations:hazard_new')}?order={order.pk}",
            )
        )
