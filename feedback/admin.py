from django.contrib import admin

from residents.admin import AuditedAdminMixin

from .models import Alert, Complaint, ComplaintType, FollowUp, Notification, Praise, QualityInspection


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
class ComplaintAdmin(admin.ModelAdmin):
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


admin.site.register(Praise)
admin.site.register(QualityInspection)
admin.site.register(Alert)
