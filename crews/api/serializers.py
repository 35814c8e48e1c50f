from rest_framework import serializers

from ..models import Crew, Worker


class CrewSerializer(serializers.ModelSerializer):
    districts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Crew
        fields = ["id", "name", "kind", "districts", "active"]


class WorkerSerializer(serializers.ModelSerializer):
    crew_name = serializers.CharField(source="crew.name", read_only=True)

    class Meta:
        model = Worker
        fields = ["id", "name", "crew", "crew_name", "role", "phone", "skills", "active"]
