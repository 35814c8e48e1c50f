"""Admin for the desk's master data: the agents' phone extensions (the CTI names agents by extension)."""

from django.contrib import admin

from .models import AgentExtension


@admin.register(AgentExtension)
class AgentExtensionAdmin(admin.ModelAdmin):
    list_display = ["number", "user"]
    search_fields = ["number", "user__username", "user__first_name"]
    autocomplete_fields = ["user"]
