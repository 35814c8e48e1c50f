from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

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


# --- API tokens (crews.tokens): listed and revoked here; issued by signing in or `manage.py issue_token` ---
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Who holds a token and until when. Only a digest is stored, so no key can be shown; deleting a row (or
    the "delete selected" action on a user's rows) revokes those tokens at once."""

    list_display = ["user", "key_begins", "created", "expiry"]
    list_filter = ["created", "expiry"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    ordering = ["-created"]
    fields = ["user", "key_begins", "created", "expiry"]
    readonly_fields = fields

    @admin.display(description=_("key begins"))
    def key_begins(self, obj):
        return f"{obj.token_key[:8]}…"

    def has_add_permission(self, request):
        return False  # the key would have to be shown once: `manage.py issue_token USER --hours N` does that

    def has_change_permission(self, request, obj=None):
        return False
