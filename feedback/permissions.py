"""Who may do what in feedback: plain predicates, plus the DRF classes that wrap them. Visibility of
complaints (404 for what may not be seen) is feedback.selectors' job."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from crews.permissions import is_manager
from workorders.permissions import is_desk


def can_follow_up(user) -> bool:
    """Dispatchers run the follow-up queue; managers may too."""
    return is_desk(user)


def can_register_complaint(user) -> bool:
    return is_desk(user)


def can_handle_complaint(user) -> bool:
    """Investigate, decide and close complaints: managers (中心管理)."""
    return is_manager(user)


def can_see_complainant(user) -> bool:
    """The complainant's name and phone: the desk and managers only — never the crew complained about."""
    return is_desk(user)


def can_record_praise(user) -> bool:
    return is_desk(user)


def can_inspect(user) -> bool:
    return is_manager(user)


def can_view_reports(user) -> bool:
    """Reports, the dashboard, assessments and exports of reports: managers (中心管理)."""
    return is_manager(user)


def can_view_satisfaction(user) -> bool:
    """The satisfaction report: managers, and the desk that runs the follow-up calls."""
    return is_desk(user)


def can_manage_assessment(user) -> bool:
    """Weights, freezing a month, rewards and penalties: managers."""
    return can_view_reports(user)


def can_export_orders(user) -> bool:
    """Any staff member may export the orders they can see (the export is scoped like the list)."""
    return getattr(user, "is_authenticated", False)


class IsManager(BasePermission):
    message = "Only managers may see reports."

    def has_permission(self, request, view) -> bool:
        return can_view_reports(request.user)


class CanReadSatisfaction(BasePermission):
    message = "Only managers and the desk may see the satisfaction report."

    def has_permission(self, request, view) -> bool:
        return can_view_satisfaction(request.user)


class IsDesk(BasePermission):
    message = "Only dispatchers and managers may use follow-ups."

    def has_permission(self, request, view) -> bool:
        return can_follow_up(request.user)


ROLE_MODEL_PERMISSIONS = {
    "dispatcher": [
        "feedback.view_followup",
        "feedback.view_complaint",
        "feedback.add_complaint",
        "feedback.view_praise",
        "feedback.add_praise",
        "feedback.view_notification",
    ],
    "manager": [
        "feedback.view_followup",
        "feedback.view_complaint",
        "feedback.change_complaint",
        "feedback.view_complainttype",
        "feedback.add_complainttype",
        "feedback.change_complainttype",
        "feedback.view_praise",
        "feedback.add_praise",
        "feedback.change_praise",
        "feedback.view_qualityinspection",
        "feedback.view_notification",
        "feedback.view_alert",
        "feedback.view_assessmentweight",
        "feedback.change_assessmentweight",
        "feedback.view_assessmentsnapshot",
        "feedback.view_rewardpenalty",
        "feedback.add_rewardpenalty",
    ],
}
