from django.contrib import admin

from residents.admin import AuditedAdminMixin

from .models import Crew, DutyShift, Worker


class WorkerInline(admin.TabularInline):
    model = Worker
    extra = 0
    fields = ["name", "role", "phone", "active"]
    show_change_link = True


@admin.register(Crew)
class CrewAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "active"]
    list_filter = ["kind", "active"]
    filter_horizontal = ["districts"]
    inlines = [WorkerInline]


@admin.register(Worker)
class WorkerAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "crew", "role", "phone", "active"]
    list_filter = ["crew", "role", "active"]
    search_fields = ["name", "phone", "user__username"]
    list_select_related = ["crew"]
    raw_id_fields = ["user"]


@admin.register(DutyShift)
class DutyShiftAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["worker", "kind", "starts_at", "ends_at"]
    list_filter = ["kind"]
    date_hierarchy = "starts_at"
    list_select_related = ["worker"]
    raw_id_fields = ["worker"]
