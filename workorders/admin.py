from django.contrib import admin

from residents.admin import AuditedAdminMixin

from .models import (
    Category,
    CategorySynonym,
    Escalation,
    Holiday,
    Incident,
    ServiceCommitment,
    WorkingCalendar,
    WorkOrder,
    WorkOrderEvent,
)


class WorkOrderEventInline(admin.TabularInline):
    model = WorkOrderEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "kind", "from_status", "to_status", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EscalationInline(admin.TabularInline):
    model = Escalation
    extra = 0
    can_delete = False
    fields = ["created_at", "deadline", "level", "due_at", "round"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only view of orders: every change goes through the services (the order pages and the API)."""

    list_display = [
        "number",
        "status",
        "urgency",
        "category",
        "location_label",
        "crew",
        "worker",
        "created_at",
    ]
    list_filter = ["status", "urgency", "crew", "is_rework"]
    search_fields = ["number", "reporter_phone", "location_label"]
    list_select_related = ["category", "category__parent", "crew", "worker"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [WorkOrderEventInline, EscalationInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "parent", "crew_kind", "default_urgency", "default_area", "active"]
    list_filter = ["crew_kind", "default_urgency", "active"]
    search_fields = ["code", "name", "pinyin"]
    list_select_related = ["parent"]


@admin.register(CategorySynonym)
class CategorySynonymAdmin(admin.ModelAdmin):
    list_display = ["word", "means"]
    search_fields = ["word", "means"]


@admin.register(ServiceCommitment)
class ServiceCommitmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "urgency",
        "crew_kind",
        "category",
        "respond_minutes",
        "respond_basis",
        "arrive_minutes",
        "night_arrive_minutes",
        "complete_minutes",
        "complete_basis",
    ]


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "work_start", "work_end", "night_start", "night_end", "working_weekdays"]


@admin.register(Holiday)
class HolidayAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["date", "name", "is_working_day"]
    date_hierarchy = "date"


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "system", "kind", "district", "starts_at", "expected_end_at", "ended_at"]
    list_filter = ["system", "kind", "district"]
    filter_horizontal = ["buildings"]
    raw_id_fields = ["units"]
