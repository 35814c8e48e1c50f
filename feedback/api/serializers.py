"""Explicit fields; `status` is read-only everywhere (it changes only through the actions)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from crews.models import Crew, Worker
from workorders.models import WorkOrder

from ..choices import Accountability, ComplaintSource, Outcome, Severity, Verdict
from ..models import Complaint, ComplaintType, FollowUp, FollowUpAttempt


class RatingsSerializer(serializers.Serializer):
    care = serializers.IntegerField(min_value=1, max_value=5)
    workmanship = serializers.IntegerField(min_value=1, max_value=5)
    safety = serializers.IntegerField(min_value=1, max_value=5)
    quality = serializers.IntegerField(min_value=1, max_value=5)
    comfort = serializers.IntegerField(min_value=1, max_value=5)


class RatingsOutSerializer(serializers.Serializer):
    """The scores an attempt recorded: null when the call did not reach the resident (or they declined)."""

    care = serializers.IntegerField(min_value=1, max_value=5, allow_null=True)
    workmanship = serializers.IntegerField(min_value=1, max_value=5, allow_null=True)
    safety = serializers.IntegerField(min_value=1, max_value=5, allow_null=True)
    quality = serializers.IntegerField(min_value=1, max_value=5, allow_null=True)
    comfort = serializers.IntegerField(min_value=1, max_value=5, allow_null=True)


class SeenSerializer(serializers.Serializer):
    greeting = serializers.BooleanField(required=False, allow_null=True, default=None)
    shoe_covers = serializers.BooleanField(required=False, allow_null=True, default=None)
    cleaned = serializers.BooleanField(required=False, allow_null=True, default=None)
    note_left = serializers.BooleanField(required=False, allow_null=True, default=None)


class AttemptSerializer(serializers.ModelSerializer):
    # Declared so the schema says "" is a value (DRF drops allow_blank from read-only model fields).
    verdict = serializers.ChoiceField(choices=Verdict.choices, allow_blank=True, read_only=True)

    ratings = RatingsOutSerializer(read_only=True)

    class Meta:
        model = FollowUpAttempt
        fields = [
            "id",
            "at",
            "channel",
            "outcome",
            "resolved",
            "ratings",
            "seen_greeting",
            "seen_shoe_covers",
            "seen_cleaned",
            "seen_note_left",
            "fee_fair",
            "verdict",
            "comment",
        ]
        read_only_fields = fields


class AttemptInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    resolved = serializers.BooleanField(required=False, allow_null=True, default=None)
    ratings = RatingsSerializer(required=False)
    seen = SeenSerializer(required=False)
    fee_fair = serializers.BooleanField(required=False, allow_null=True, default=None)
    verdict = serializers.ChoiceField(choices=Verdict.choices, required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class FollowUpSerializer(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
    verdict = serializers.ChoiceField(choices=Verdict.choices, allow_blank=True, read_only=True)

    work_order_number = serializers.CharField(source="work_order.number", read_only=True)
    attempts = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "work_order",
            "work_order_number",
            "round",
            "status",
            "is_emergency",
            "due_at",
            "failed_attempts",
            "next_attempt_after",
            "link_sent_at",
            "link_expires_at",
            "outcome",
            "verdict",
            "resolved",
            "done_at",
            "attempts",
        ]
        read_only_fields = fields


_COMPLAINT_FIELDS = [
    "id",
    "number",
    "status",
    "source",
    "summary",
    "work_order",
    "crew",
    "worker",
    "type",
    "severity",
    "received_at",
    "contact_by",
    "decide_by",
    "close_by",
    "contacted_at",
    "decided_at",
    "resolved_at",
    "closed_at",
    "overdue",
    "escalation",
    "findings",
    "responsible_person",
    "valid",
    "accountability",
    "points",
    "fine",
    "rectification",
    "callback_at",
    "callback_note",
    "callback_satisfied",
]


class ComplaintCrewSerializer(serializers.ModelSerializer):
    """What the crew complained about sees: everything but who complained."""

    type = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = _COMPLAINT_FIELDS
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class ComplaintSerializer(ComplaintCrewSerializer):
    """The desk's and managers' view, with the complainant."""

    class Meta(ComplaintCrewSerializer.Meta):
        fields = [*_COMPLAINT_FIELDS, "complainant_name", "complainant_phone"]
        read_only_fields = fields


class ComplaintCreateSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=ComplaintSource.choices)
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    summary = serializers.CharField(max_length=2000)
    work_order = serializers.PrimaryKeyRelatedField(
        queryset=WorkOrder.objects.all(), required=False, allow_null=True
    )
    crew = serializers.PrimaryKeyRelatedField(queryset=Crew.objects.all(), required=False, allow_null=True)
    worker = serializers.PrimaryKeyRelatedField(
        queryset=Worker.objects.all(), required=False, allow_null=True
    )
    type = serializers.SlugRelatedField(
        slug_field="code", queryset=ComplaintType.objects.filter(active=True), required=False, allow_null=True
    )
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.NORMAL)


class InvestigateSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class ResolveSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    findings = serializers.CharField(max_length=4000)
    responsible_person = serializers.CharField(max_length=40)
    accountability = serializers.ChoiceField(choices=Accountability.choices, default=Accountability.NONE)
    points = serializers.IntegerField(min_value=0, max_value=100, default=0)
    fine = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0, default=0)
    rectification = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class CloseSerializer(serializers.Serializer):
    callback_note = serializers.CharField(max_length=2000)
    callback_satisfied = serializers.BooleanField()


# --- Reports (read-only; the rows are the report dataclasses of feedback.reports) -----------------------------


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(source="last_day", help_text="Last day, inclusive.")
    label = serializers.CharField()


class RatingAveragesSerializer(serializers.Serializer):
    care = serializers.FloatField(allow_null=True)
    workmanship = serializers.FloatField(allow_null=True)
    safety = serializers.FloatField(allow_null=True)
    quality = serializers.FloatField(allow_null=True)
    comfort = serializers.FloatField(allow_null=True)


class SatisfactionRowSerializer(serializers.Serializer):
    key = serializers.JSONField(help_text="Id of the crew, worker, district or category; null for the total.")
    label = serializers.CharField()
    due = serializers.IntegerField()
    contacted = serializers.IntegerField()
    reached = serializers.IntegerField()
    follow_up_rate = serializers.FloatField(allow_null=True)
    satisfied = serializers.IntegerField()
    basically_satisfied = serializers.IntegerField()
    dissatisfied = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    prev_reached = serializers.IntegerField()
    prev_good = serializers.IntegerField()
    prev_rate = serializers.FloatField(allow_null=True)
    delta_pp = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    significant = serializers.BooleanField(allow_null=True)
    ratings = RatingAveragesSerializer()


@extend_schema_serializer(many=False)  # one report object, though served by the viewset's list
class SatisfactionReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    previous = PeriodSerializer()
    group_by = serializers.CharField()
    rows = SatisfactionRowSerializer(many=True)
    total = SatisfactionRowSerializer()


class SlaRowSerializer(serializers.Serializer):
    key = serializers.JSONField(help_text="Id of the crew or category, or the urgency; null for the total.")
    label = serializers.CharField()
    orders = serializers.IntegerField()
    respond_due = serializers.IntegerField()
    respond_ok = serializers.IntegerField()
    respond_rate = serializers.FloatField(allow_null=True)
    arrive_due = serializers.IntegerField()
    arrive_ok = serializers.IntegerField()
    arrive_rate = serializers.FloatField(allow_null=True)
    complete_due = serializers.IntegerField()
    complete_ok = serializers.IntegerField()
    complete_rate = serializers.FloatField(allow_null=True)


@extend_schema_serializer(many=False)  # one report object, though served by the viewset's list
class SlaReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    group_by = serializers.CharField()
    rows = SlaRowSerializer(many=True)
    total = SlaRowSerializer()


class KpiValuesSerializer(serializers.Serializer):
    on_time_accept = serializers.FloatField(allow_null=True)
    on_time_arrive = serializers.FloatField(allow_null=True)
    on_time_complete = serializers.FloatField(allow_null=True)
    first_fix = serializers.FloatField(allow_null=True)
    rework = serializers.FloatField(allow_null=True)
    follow_up = serializers.FloatField(allow_null=True)
    satisfaction = serializers.FloatField(allow_null=True)
    valid_complaints = serializers.FloatField(allow_null=True)
    checklist = serializers.FloatField(allow_null=True)
    rounds_on_time = serializers.FloatField(
        allow_null=True, help_text="Rounds due in the month done on time."
    )
    hazards_on_time = serializers.FloatField(
        allow_null=True, help_text="Hazards found in the month rectified by their due date."
    )
    inspection = serializers.FloatField(allow_null=True, help_text="Average inspection total, 0–100.")


class AssessmentRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(help_text="Crew or worker id.")
    label = serializers.CharField()
    crew = serializers.CharField(help_text="The worker's crew (worker level).")
    rank = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    base_score = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    veto = serializers.BooleanField(help_text="一票否决: a valid conduct complaint in the month.")
    kpis = KpiValuesSerializer(source="values")
    counts = serializers.DictField(child=serializers.IntegerField())
    reward_points = serializers.DecimalField(max_digits=8, decimal_places=2)
    penalty_points = serializers.DecimalField(max_digits=8, decimal_places=2)


@extend_schema_serializer(many=False)  # one report object, though served by the viewset's list
class AssessmentReportSerializer(serializers.Serializer):
    month = serializers.CharField()
    level = serializers.CharField()
    figures = serializers.ChoiceField(choices=["live", "frozen"])
    frozen_at = serializers.DateTimeField(allow_null=True)
    weights = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2))
    rows = AssessmentRowSerializer(many=True)
