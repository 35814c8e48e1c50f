from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from residents.admin import AuditedAdminMixin
from residents.fields import PhoneAdminMixin

from .models import (
    Alert,
    AssessmentSnapshot,
    AssessmentWeight,
    Complaint,
    ComplaintType,
    ExportJob,
    FollowUp,
    Notification,
    Praise,
    QualityInspection,
    RewardPenalty,
)


@admin.register(ComplaintType)
class ComplaintTypeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "rule", "is_conduct", "sort", "active"]
    list_editable = ["sort", "active"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["work_order", "round", "status", "due_at", "failed_attempts", "verdict"]
    list_filter = ["status", "verdict"]
    raw_id_fields = ["work_order", "done_by"]
    readonly_fields = [f.name for f in FollowUp._meta.fields]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "phone", "status", "tries", "sent_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(Complaint)
class ComplaintAdmin(PhoneAdminMixin, admin.ModelAdmin):
    """The state moves only through the complaint's steps (feedback.actions.complaints): read-only here."""

    phone_fields = ("complainant_phone",)  # the one phone rule (residents.fields)

    list_display = ["__str__", "status", "source", "crew", "type", "severity", "received_at", "valid"]
    list_filter = ["status", "source", "severity", "valid"]
    raw_id_fields = [
        "work_order",
        "follow_up",
        "crew",
        "worker",
        "responsible_worker",
        "created_by",
        "handler",
    ]
    readonly_fields = ["status", "number", "received_at", "closed_at"]


admin.site.register(Praise)


@admin.register(QualityInspection)
class QualityInspectionAdmin(admin.ModelAdmin):
    """Inspections are drawn and scored on the inspection pages (feedback.actions.inspections): read-only."""

    list_display = ["week", "work_order", "crew", "reason", "status", "inspector", "inspected_at"]
    list_filter = ["status", "reason", "crew"]
    raw_id_fields = ["work_order"]
    readonly_fields = [f.name for f in QualityInspection._meta.fields]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Alerts are raised by the services and acknowledged on the manager's page: read-only."""

    list_display = ["created_at", "kind", "message", "acknowledged_at", "acknowledged_by"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Alert._meta.fields]


@admin.register(AssessmentWeight)
class AssessmentWeightAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("kpi", "kpi_label", "weight", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    @admin.display(description=_("KPI name"))
    def kpi_label(self, obj: AssessmentWeight) -> str:
        from .reports.assessment import KPIS

        return next((str(k.label) for k in KPIS if k.code == obj.kpi), obj.kpi)


@admin.register(RewardPenalty)
class RewardPenaltyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("date", "kind", "crew", "worker", "reason", "points", "amount", "entered_by")
    list_filter = ("kind", "crew")
    raw_id_fields = ("worker", "complaint", "inspection", "praise")


@admin.register(AssessmentSnapshot)
class AssessmentSnapshotAdmin(admin.ModelAdmin):
    """Read-only: a published ranking is never edited (freeze it again from a new snapshot if need be)."""

    list_display = ("month", "level", "frozen_at", "frozen_by")

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "user", "status", "done", "total", "created_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in ExportJob._meta.fields]
