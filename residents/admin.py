from django.contrib import admin

from .fields import PhoneAdminMixin
from .models import AuditEntry, Building, District, Facility, PhoneAccessLog, Residency, Resident, Room, Unit
from .services import form_changes, model_snapshot, record_audit


class AuditedAdminMixin:
    """Every add, change and delete made in this admin (and in its inlines) leaves an AuditEntry with the
    fields' before/after values (`form.initial` against the cleaned data). Used by every master-data admin."""

    def save_model(self, request, obj, form, change):
        changes = form_changes(form, adding=not change)
        super().save_model(request, obj, form, change)
        if changes or not change:
            action = AuditEntry.Action.CHANGE if change else AuditEntry.Action.ADD
            record_audit(actor=request.user, obj=obj, action=action, changes=changes)

    def delete_model(self, request, obj):
        snapshot, pk = model_snapshot(obj), obj.pk
        super().delete_model(request, obj)
        obj.pk = pk
        record_audit(actor=request.user, obj=obj, action=AuditEntry.Action.DELETE, changes=snapshot)

    def delete_queryset(self, request, queryset):
        gone = [(obj, model_snapshot(obj)) for obj in queryset]
        super().delete_queryset(request, queryset)
        for obj, snapshot in gone:
            record_audit(actor=request.user, obj=obj, action=AuditEntry.Action.DELETE, changes=snapshot)

    def save_formset(self, request, form, formset, change):
        changes = {
            id(f): form_changes(f, adding=f.instance.pk is None)
            for f in formset.forms
            if f.has_changed()
            and f.is_valid()
            and not (formset.can_delete and formset._should_delete_form(f))
        }
        deleted = [(f.instance, model_snapshot(f.instance), f.instance.pk) for f in formset.deleted_forms]
        added = {id(f) for f in formset.forms if f.instance.pk is None}
        super().save_formset(request, form, formset, change)
        for f in formset.forms:
            if id(f) in changes and f.instance.pk is not None:
                action = AuditEntry.Action.ADD if id(f) in added else AuditEntry.Action.CHANGE
                record_audit(actor=request.user, obj=f.instance, action=action, changes=changes[id(f)])
        for obj, snapshot, pk in deleted:
            obj.pk = pk
            record_audit(actor=request.user, obj=obj, action=AuditEntry.Action.DELETE, changes=snapshot)


class ReadOnlyAdminMixin:
    """A log browsable in the admin (by those with its view permission: managers) and never edited there."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor", "model", "object_repr", "action"]
    list_filter = ["model", "action", "at", "actor"]
    search_fields = ["object_repr", "object_id", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    fields = ["at", "actor", "model", "object_id", "object_repr", "action", "changes"]


@admin.register(PhoneAccessLog)
class PhoneAccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "user", "resident", "where", "path"]
    list_filter = ["where", "at", "user"]
    search_fields = ["user__username", "resident__name", "resident__phone"]
    date_hierarchy = "at"
    list_select_related = ["user", "resident"]
    fields = ["at", "user", "resident", "where", "path"]


@admin.register(District)
class DistrictAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "name"]
    search_fields = ["name"]


@admin.register(Building)
class BuildingAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["label", "district", "number"]
    list_filter = ["district"]
    search_fields = ["label"]
    list_select_related = ["district"]


@admin.register(Unit)
class UnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["label", "building", "number"]
    search_fields = ["label"]
    list_select_related = ["building"]
    raw_id_fields = ["building"]


class ResidencyInline(admin.TabularInline):
    model = Residency
    extra = 0
    raw_id_fields = ["room", "resident"]


@admin.register(Room)
class RoomAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["label", "floor"]
    list_filter = ["district"]
    search_fields = ["label"]
    raw_id_fields = ["unit"]
    inlines = [ResidencyInline]

    def save_model(self, request, obj, form, change):
        # The denormalised parents follow the unit (rooms never move between units).
        obj.building_id = obj.unit.building_id
        obj.district_id = obj.unit.building.district_id
        if not obj.label:
            obj.label = f"{obj.unit.label}{obj.number}室"
        super().save_model(request, obj, form, change)


@admin.register(Facility)
class FacilityAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["label", "district", "kind"]
    list_filter = ["district", "kind"]
    search_fields = ["label", "name"]


@admin.register(Resident)
class ResidentAdmin(PhoneAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    phone_fields = ("phone", "alt_phone")  # the one phone rule (residents.fields), as the API and the desk
    list_display = ["name", "phone", "alt_phone", "notes"]
    search_fields = ["name", "phone", "alt_phone", "residencies__room__label"]
    inlines = [ResidencyInline]
