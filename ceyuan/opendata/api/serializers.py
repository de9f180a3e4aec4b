from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ceyuan.accounts.models import Organisation

from .. import permissions
from ..models import (
    Application,
    Dataset,
    DpStatistic,
    Grant,
    OpeningLevel,
    Resource,
    SecurityGrade,
    Theme,
    Zone,
)


class ResourceSerializer(serializers.ModelSerializer[Resource]):
    class Meta:
        model = Resource
        fields = [
            "id",
            "uuid",
            "name",
            "description",
            "kind",
            "format",
            "url",
            "size",
            "encoding",
            "row_count",
            "datastore_active",
            "created_at",
        ]


class DatasetSerializer(serializers.ModelSerializer[Dataset]):
    publisher = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    zone = serializers.SlugRelatedField(
        slug_field="code", queryset=Zone.objects.all(), required=False, allow_null=True
    )
    themes = serializers.SlugRelatedField(
        slug_field="code", queryset=Theme.objects.all(), many=True, required=False
    )
    opening_level = serializers.ChoiceField(choices=OpeningLevel.choices)
    security_grade = serializers.ChoiceField(choices=SecurityGrade.choices, required=False)
    keywords = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    resources = ResourceSerializer(many=True, read_only=True)
    access = serializers.CharField(
        read_only=True, help_text="Effective access: the stricter of opening level and grade."
    )
    derived_from = serializers.SlugRelatedField(
        slug_field="name", queryset=Dataset.objects.all(), many=True, required=False
    )

    class Meta:
        model = Dataset
        fields = [
            "id",
            "uuid",
            "name",
            "title_zh",
            "title_en",
            "description_zh",
            "description_en",
            "publisher",
            "zone",
            "themes",
            "keywords",
            "spatial",
            "temporal_start",
            "temporal_end",
            "frequency",
            "licence",
            "contact_name",
            "contact_email",
            "opening_level",
            "security_grade",
            "access",
            "status",
            "version",
            "is_training",
            "created_at",
            "updated_at",
            "published_at",
            "resources",
            "derived_from",
        ]
        read_only_fields = ["id", "uuid", "access", "created_at", "updated_at", "published_at"]
        validators: list[Any] = []  # uniqueness is checked by the service

    def get_extra_kwargs(self) -> dict[str, Any]:
        extra = super().get_extra_kwargs()
        extra["name"] = {"validators": []}
        return extra

    def to_representation(self, instance: Dataset) -> dict[str, Any]:
        data = super().to_representation(instance)
        # Name only the sources the reader may see: a not-open source stays hidden.
        request = self.context.get("request")
        user = getattr(request, "user", None)
        data["derived_from"] = [
            source.name
            for source in instance.derived_from.all()
            if permissions.can_view_metadata(user, source)
        ]
        return data


class ApplicationSerializer(serializers.ModelSerializer[Application]):
    dataset = serializers.SlugRelatedField(slug_field="name", queryset=Dataset.objects.all())
    applicant = serializers.CharField(source="applicant.username", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="submitted, approved, refused or withdrawn"
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "dataset",
            "applicant",
            "purpose",
            "scope",
            "period_start",
            "period_end",
            "security_commitment",
            "agreement_accepted",
            "status",
            "decided_at",
            "reasons",
            "created_at",
        ]
        read_only_fields = ["id", "applicant", "status", "decided_at", "reasons", "created_at"]


class DecisionSerializer(serializers.Serializer[Any]):
    reasons = serializers.CharField(required=False, allow_blank=True)
    expires_at = serializers.DateTimeField(required=False)


class GrantSerializer(serializers.ModelSerializer[Grant]):
    dataset = serializers.CharField(source="dataset.name", read_only=True)
    grantee = serializers.CharField(source="grantee.username", read_only=True)
    # the API's field name; it hides Serializer.is_valid(), never called on this read-only one
    is_valid = serializers.SerializerMethodField()  # type: ignore[assignment]

    class Meta:
        model = Grant
        fields = [
            "id",
            "application",
            "dataset",
            "grantee",
            "valid_from",
            "expires_at",
            "revoked_at",
            "revoke_reason",
            "is_valid",
        ]
        read_only_fields = fields

    def get_is_valid(self, grant: Grant) -> bool:
        return grant.is_valid()


class RevokeSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class DpStatisticSerializer(serializers.ModelSerializer[DpStatistic]):
    """A published differentially private statistic: the noisy value and how it was made."""

    value = serializers.JSONField(help_text="int (count), float (sum, mean), {category: int}")

    class Meta:
        model = DpStatistic
        fields = [
            "id",
            "label",
            "kind",
            "column",
            "categories",
            "lower",
            "upper",
            "epsilon",
            "scale",
            "value",
            "created_at",
        ]
