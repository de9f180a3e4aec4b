"""Accounts API: organisations, memberships, the current user, API tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ceyuan.accounts import access, selectors, services
from ceyuan.accounts.models import ApiToken, Membership, Organisation

from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenSerializer,
    MembershipSerializer,
    MeSerializer,
    OrganisationSerializer,
)


class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Organisation],
):
    """Organisations are public; coordinators create them; a unit officer edits their own."""

    serializer_class = OrganisationSerializer
    filterset_fields = ["kind", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    ordering_fields = ["code", "kind", "created_at"]

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.organisations_visible(self.request.user).order_by("kind", "code")

    def get_object(self) -> Organisation:
        return access.access_organisation(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer: serializers.BaseSerializer[Organisation]) -> None:
        serializer.instance = services.organisation_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Organisation]) -> None:
        serializer.instance = services.organisation_update(
            actor=self.request.user, organisation=self.get_object(), **serializer.validated_data
        )


class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Membership],
):
    serializer_class = MembershipSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["organisation", "role"]

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return selectors.memberships_visible(self.request.user)

    def get_object(self) -> Membership:
        return access.access_membership(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer: serializers.BaseSerializer[Membership]) -> None:
        data = serializer.validated_data
        serializer.instance = services.membership_add(
            actor=self.request.user,
            user=data["user"],
            organisation=data["organisation"],
            role=data["role"],
        )

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_remove(actor=self.request.user, membership=instance)


class MeViewSet(viewsets.ViewSet):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def list(self, request: Request) -> Response:
        return Response(MeSerializer(access.signed_in(request)).data)

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    @action(detail=False, methods=["patch"], url_path="language")
    def language(self, request: Request) -> Response:
        user = access.signed_in(request)
        services.user_set_language(actor=user, language=request.data.get("language", ""))
        return Response(MeSerializer(user).data)


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[ApiToken],
):
    """Your own API tokens. Creating returns the token once; deleting revokes it."""

    serializer_class = ApiTokenSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet[ApiToken]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ApiToken.objects.none()
        return selectors.tokens_of(self.request.user)

    def get_object(self) -> ApiToken:
        return access.access_token(self.request.user, self.kwargs["pk"])

    @extend_schema(responses={201: ApiTokenCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, raw = services.token_create(
            actor=access.signed_in(request),
            name=serializer.validated_data["name"],
            expires_at=serializer.validated_data.get("expires_at"),
        )
        data = ApiTokenSerializer(token).data
        data["token"] = raw
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        services.token_revoke(actor=access.signed_in(self.request), token=instance)
