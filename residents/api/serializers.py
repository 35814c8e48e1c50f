from rest_framework import serializers

from ..models import Building, District, Facility, Residency, Resident, Room, Unit
from ..selectors import PhoneError, clean_phone, show_phone


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "number", "name"]


class BuildingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Building
        fields = ["id", "district", "number", "label"]


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "building", "number", "label"]


class RoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "district", "building", "unit", "number", "floor", "label"]


class FacilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Facility
        fields = ["id", "district", "name", "kind", "label"]


class ResidencySerializer(serializers.ModelSerializer):
    room_label = serializers.CharField(source="room.label", read_only=True)

    class Meta:
        model = Residency
        fields = ["room", "room_label", "relation", "since"]


class ResidentSerializer(serializers.ModelSerializer):
    """Phones are masked unless the requesting user may see full numbers (residents.view_full_phone)."""

    residencies = ResidencySerializer(many=True, read_only=True)
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.all(), write_only=True, required=False, help_text="room the resident lives in"
    )

    class Meta:
        model = Resident
        fields = ["id", "name", "phone", "alt_phone", "notes", "residencies", "room"]

    def validate_phone(self, value: str) -> str:
        try:
            return clean_phone(value, required=True)
        except PhoneError as exc:
            raise serializers.ValidationError(exc.message) from None

    def validate_alt_phone(self, value: str) -> str:
        if not value:
            return ""
        return self.validate_phone(value)

    def create(self, validated_data):
        from ..services import register_resident

        request = self.context.get("request")
        return register_resident(**validated_data, actor=getattr(request, "user", None))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        data["phone"] = show_phone(user, data["phone"])
        data["alt_phone"] = show_phone(user, data["alt_phone"])
        return data


class ResolvedRoomSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.name")
    building = serializers.IntegerField(source="building.number")
    unit = serializers.IntegerField(source="unit.number")

    class Meta:
        model = Room
        fields = ["id", "district", "building", "unit", "number", "label"]
