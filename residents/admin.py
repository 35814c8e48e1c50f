from django.contrib import admin

from .models import Building, District, Facility, Residency, Resident, Room, Unit


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]
    search_fields = ["name"]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["label", "district", "number"]
    list_filter = ["district"]
    search_fields = ["label"]
    list_select_related = ["district"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["label", "building", "number"]
    search_fields = ["label"]
    list_select_related = ["building"]
    raw_id_fields = ["building"]


class ResidencyInline(admin.TabularInline):
    model = Residency
    extra = 0
    raw_id_fields = ["room", "resident"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
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
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["label", "district", "kind"]
    list_filter = ["district", "kind"]
    search_fields = ["label", "name"]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "alt_phone", "notes"]
    search_fields = ["name", "phone", "alt_phone", "residencies__room__label"]
    inlines = [ResidencyInline]
