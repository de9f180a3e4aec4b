"""Open-data REST API: datasets, their table rows, applications, grants.

Reads through selectors/access, writes through services, data reads through
``services.data_read`` (checked and logged). Data API keys (``od_…``) are accepted besides the
platform's tokens and sessions.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ceyuan.api.authentication import ApiTokenAuthentication

from .. import access, applications, dpstats, selectors, services
from ..auth import DataApiKeyAuthentication
from ..models import AccessLog, ApiKey, Application, Dataset, Grant
from .serializers import (
    ApplicationSerializer,
    DatasetSerializer,
    DecisionSerializer,
    DpStatisticSerializer,
    GrantSerializer,
    RevokeSerializer,
)

# query parameters of ``rows`` that are not field filters
_ROWS_PARAMS = frozenset({"resource", "filters", "sort", "limit", "offset", "format"})

AUTH = [DataApiKeyAuthentication, ApiTokenAuthentication, SessionAuthentication]


class DataKeysOnlyRead(BasePermission):
    """A data API key (``od_…``) reads data; every write needs a personal token or a session."""

    message = "A data API key can only read; use an API token to write."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in SAFE_METHODS or not isinstance(request.auth, ApiKey)


class DatasetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Dataset],
):
    """The catalogue. ``q`` searches (Chinese-aware); ``zone``, ``publisher``, ``theme``,
    ``level``, ``format`` filter; ``sort`` orders."""

    serializer_class = DatasetSerializer
    authentication_classes = AUTH
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, DataKeysOnlyRead]
    lookup_value_regex = "[^/]+"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Dataset]:
        return (
            selectors.datasets_visible(self.request.user)
            .select_related("publisher", "zone")
            .prefetch_related("themes", "resources", "derived_from")
            .order_by("-updated_at", "pk")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(n, str)
            for n in ("q", "zone", "publisher", "theme", "level", "format", "sort")
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        q = request.query_params.get("q", "")
        filters = {
            n: request.query_params.getlist(n)
            for n in ("zone", "publisher", "theme", "level", "format")
        }
        paginator = self.paginator
        assert paginator is not None
        try:
            page = max(int(request.query_params.get("page", "1")), 1)
        except ValueError:
            page = 1
        size = paginator.get_page_size(request) or 50  # type: ignore[attr-defined]
        result = selectors.search(
            request.user,
            q=q,
            filters=filters,
            sort=request.query_params.get("sort", ""),
            start=(page - 1) * size,
            rows=size,
        )
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(result.datasets, "themes", "resources", "derived_from")
        return Response(
            {
                "count": result.count,
                "page": page,
                "results": DatasetSerializer(result.datasets, many=True).data,
            }
        )

    def get_object(self) -> Dataset:
        return access.access_dataset(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer: serializers.BaseSerializer[Dataset]) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.dataset_create(
            actor=self.request.user,
            name=data.pop("name"),
            title_zh=data.pop("title_zh"),
            publisher=data.pop("publisher"),
            opening_level=data.pop("opening_level"),
            themes=data.pop("themes", None),
            derived_from=[
                access.access_dataset(self.request.user, d.pk) for d in data.pop("derived_from", [])
            ],
            **data,
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Dataset]) -> None:
        data = dict(serializer.validated_data)
        data.pop("derived_from", None)  # fixed at creation
        serializer.instance = services.dataset_update(
            actor=self.request.user,
            dataset=self.get_object(),
            themes=data.pop("themes", None),
            **data,
        )

    @extend_schema(responses=DpStatisticSerializer(many=True))
    @action(detail=True, methods=["get"])
    def statistics(self, request: Request, pk: str | None = None) -> Response:
        """The dataset's published differentially private statistics."""
        dataset = self.get_object()
        statistics = dpstats.published_statistics(dataset)
        return Response(DpStatisticSerializer(statistics, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("resource", str),
            OpenApiParameter(
                "filters",
                str,
                description='JSON object {"field": value or [values]}, for any field name',
            ),
            OpenApiParameter("sort", str),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ]
    )
    @action(detail=True, methods=["get"])
    def rows(self, request: Request, pk: str | None = None) -> Response:
        """Rows of the dataset's table resource. Other query parameters filter by field (a
        repeated parameter matches any of its values); ``filters`` (JSON) reaches any field,
        including one named like a parameter. A refused query is not logged as a read."""
        dataset = self.get_object()
        resources = dataset.resources.filter(datastore_active=True)
        ref = request.query_params.get("resource")
        resource = resources.filter(uuid=ref).first() if ref else resources.first()
        if resource is None:
            raise DrfValidationError({"resource": ["This dataset has no queryable table."]})
        params = request.query_params
        filters: dict[str, Any] = {
            name: values[0] if len(values) == 1 else values
            for name, values in params.lists()
            if name not in _ROWS_PARAMS
        }
        if "filters" in params:
            try:
                given = json.loads(params["filters"])
            except ValueError:
                given = None
            if not isinstance(given, dict):
                raise DrfValidationError(
                    {"filters": ['Must be a JSON object: {"field": value or [values]}.']}
                )
            filters.update(given)
        with transaction.atomic():  # a refused query rolls its access-log entry back
            services.data_read(
                user=request.user,
                dataset=dataset,
                resource=resource,
                action=AccessLog.Action.API_READ,
                channel=AccessLog.Channel.API,
                api_key=request.auth if isinstance(request.auth, ApiKey) else None,
                ip=request.META.get("REMOTE_ADDR"),
            )
            try:
                limit = min(int(params.get("limit", "100")), 10000)
                offset = int(params.get("offset", "0"))
                if limit < 0 or offset < 0:
                    raise ValueError("limit and offset must not be negative")
                page = selectors.table_query(
                    resource,
                    filters=filters,
                    sort=params.get("sort", ""),
                    limit=limit,
                    offset=offset,
                )
            except ValueError as exc:
                raise DrfValidationError({"query": [str(exc)]}) from None
        return Response(
            {
                "resource": str(resource.uuid),
                "fields": [
                    {"name": c.name, "type": c.type, "description": c.description}
                    for c in page.fields
                ],
                "total": page.total,
                "records": page.records,
            }
        )


class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Application],
):
    """Your applications, and those you review.

    ``approve`` issues a grant; ``refuse`` needs reasons."""

    serializer_class = ApplicationSerializer
    authentication_classes = AUTH
    permission_classes = [permissions.IsAuthenticated, DataKeysOnlyRead]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Application]:
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        user = self.request.user
        return (
            (selectors.applications_of(user) | selectors.applications_to_review(user))
            .distinct()
            .order_by("-created_at")
        )

    def get_object(self) -> Application:
        return access.access_application(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer: serializers.BaseSerializer[Application]) -> None:
        data = dict(serializer.validated_data)
        dataset = access.access_dataset(self.request.user, data.pop("dataset").pk)
        serializer.instance = applications.application_submit(
            actor=self.request.user, dataset=dataset, **data
        )

    @extend_schema(request=DecisionSerializer, responses=GrantSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        grant = applications.application_approve(
            actor=request.user,
            application=self.get_object(),
            expires_at=body.validated_data.get("expires_at"),
        )
        return Response(GrantSerializer(grant).data, status=201)

    @extend_schema(request=DecisionSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str | None = None) -> Response:
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = applications.application_refuse(
            actor=request.user,
            application=self.get_object(),
            reasons=body.validated_data.get("reasons", ""),
        )
        return Response(ApplicationSerializer(application).data)


class GrantViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Grant]
):
    serializer_class = GrantSerializer
    authentication_classes = AUTH
    permission_classes = [permissions.IsAuthenticated, DataKeysOnlyRead]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Grant]:
        if getattr(self, "swagger_fake_view", False):
            return Grant.objects.none()
        from ceyuan.accounts.permissions import is_coordinator, organisation_ids

        user = self.request.user
        qs = Grant.objects.select_related("dataset", "grantee")
        if is_coordinator(user):
            return qs
        from django.db.models import Q

        from ..permissions import PUBLISHING_ROLES

        return qs.filter(
            Q(grantee=user) | Q(dataset__publisher_id__in=organisation_ids(user, PUBLISHING_ROLES))
        )

    def get_object(self) -> Grant:
        return access.access_grant(self.request.user, self.kwargs["pk"])

    @extend_schema(request=RevokeSerializer, responses=GrantSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        body = RevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        grant = applications.grant_revoke(
            actor=request.user, grant=self.get_object(), reason=body.validated_data["reason"]
        )
        return Response(GrantSerializer(grant).data)
