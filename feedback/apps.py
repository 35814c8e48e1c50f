from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Follow-ups, complaints and assessment")

    def ready(self) -> None:
        from workorders import signals

        from . import receivers

        signals.order_created.connect(receivers.on_order_created, dispatch_uid="feedback.order_created")
        signals.order_status_changed.connect(
            receivers.on_order_status_changed, dispatch_uid="feedback.order_status_changed"
        )
        signals.order_completed.connect(receivers.on_order_completed, dispatch_uid="feedback.order_completed")
        signals.order_moved.connect(receivers.on_order_moved, dispatch_uid="feedback.order_moved")
        signals.order_escalated.connect(receivers.on_order_escalated, dispatch_uid="feedback.order_escalated")

        from operations import signals as operations_signals

        operations_signals.round_escalated.connect(
            receivers.on_round_escalated, dispatch_uid="feedback.round_escalated"
        )
        operations_signals.hazard_escalated.connect(
            receivers.on_hazard_escalated, dispatch_uid="feedback.hazard_escalated"
        )
