"""Editors' endpoints: list, read, create and update organizations, services and locations.

Signed-in users only (token or session). Model permissions decide what a user may do at all
(view/add/change); the rules in `providers.permissions` decide which organizations
(`organizations_for`, `can_edit_organization`), who may make something public
(`can_publish`) and who may mark it verified (`can_verify`), exactly as in the admin.
Anonymous users get 401: these views show unredacted addresses.
"""

import django_filters
from django.db import transaction
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import PermissionDenied

from api import schema
from api.base import ApiViewMixin, conditional_response
from api.pagination import PagePagination
from api.write_serializers import (
    LocationWriteSerializer,
    OrganizationWriteSerializer,
    ServiceWriteSerializer,
)
from providers.models import Location, Organization, Service, Status
from providers.permissions import (
    can_edit_organization,
    can_publish,
    can_verify,
    organizations_for,
    publishes,
)


class EditorPermission(permissions.DjangoModelPermissions):
    """Model permissions for every method (reading included), then the organization."""

    # No DELETE: listings are retired (status), never deleted through the API (405).
    perms_map = {
        **{
            method: perms
            for method, perms in permissions.DjangoModelPermissions.perms_map.items()
            if method != "DELETE"
        },
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_object_permission(self, request, view, obj) -> bool:
        organization = obj if isinstance(obj, Organization) else obj.organization
        if request.method in permissions.SAFE_METHODS:
            return True  # the queryset already holds only editable organizations
        return can_edit_organization(request.user, organization)


class OrganizationIdFilter(django_filters.FilterSet):
    organization = django_filters.UUIDFilter(field_name="organization_id")


class ServiceFilter(OrganizationIdFilter):
    class Meta:
        model = Service
        fields = ["organization"]


class LocationFilter(OrganizationIdFilter):
    class Meta:
        model = Location
        fields = ["organization"]


ID = schema.path_id("The record's UUID.", "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
ORGANIZATION = schema.query(
    "organization",
    {"type": "string", "format": "uuid"},
    "Only records of this organization.",
    "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
)


class EditorViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    # Token first, so an anonymous request gets 401 with `WWW-Authenticate: Token`.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [EditorPermission]
    pagination_class = PagePagination
    filter_backends = [DjangoFilterBackend]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return conditional_response(request, self.get_serializer(instance).data)

    def _check_organization(self, organization) -> None:
        if not can_edit_organization(self.request.user, organization):
            raise PermissionDenied("You may not edit this organization's listings.")

    def _check_publication(self, serializer, organization) -> None:
        data, instance, user = serializer.validated_data, serializer.instance, self.request.user
        if "status" in data:
            old = instance.status if instance is not None else None
            if publishes(old, data["status"]) and not can_publish(user, organization):
                raise PermissionDenied("Making a listing public needs an editor's review.")
        if data.get("last_verified_on") and not can_verify(user):
            raise PermissionDenied("Only an editor may mark a listing verified.")

    def perform_create(self, serializer):
        organization = serializer.validated_data["organization"]
        self._check_organization(organization)
        self._check_publication(serializer, organization)
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        organization = serializer.validated_data.get("organization")
        if organization is not None:
            self._check_organization(organization)
        self._check_publication(serializer, organization or serializer.instance.organization)
        with transaction.atomic():
            serializer.save()


PAGING = [schema.PAGE, schema.PAGE_SIZE]


@extend_schema_view(
    list=extend_schema(parameters=PAGING),
    retrieve=extend_schema(parameters=[ID]),
    update=extend_schema(parameters=[ID]),
    partial_update=extend_schema(parameters=[ID]),
)
class OrganizationViewSet(EditorViewSet):
    serializer_class = OrganizationWriteSerializer
    filter_backends: list = []

    def get_queryset(self):
        return (
            organizations_for(self.request.user).prefetch_related("phones").order_by("name", "id")
        )

    def perform_create(self, serializer):
        # A new organization belongs to nobody yet: the model permission is the check.
        self._check_publication(serializer, None)
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        self._check_publication(serializer, serializer.instance)
        with transaction.atomic():
            serializer.save()


@extend_schema_view(
    list=extend_schema(parameters=[*PAGING, ORGANIZATION]),
    retrieve=extend_schema(parameters=[ID]),
    update=extend_schema(parameters=[ID]),
    partial_update=extend_schema(parameters=[ID]),
)
class ServiceViewSet(EditorViewSet):
    serializer_class = ServiceWriteSerializer
    filterset_class = ServiceFilter

    def perform_create(self, serializer):
        # A service is live by default; one added by someone who may not publish starts
        # as a draft for an editor to review (as in the admin).
        organization = serializer.validated_data["organization"]
        if "status" not in serializer.validated_data and not can_publish(
            self.request.user, organization
        ):
            serializer.validated_data["status"] = Status.DRAFT
        super().perform_create(serializer)

    def get_queryset(self):
        return (
            Service.objects.filter(organization__in=organizations_for(self.request.user))
            .select_related("organization")
            .prefetch_related("phones", "terms", "languages", "locations")
            .order_by("name", "id")
        )


@extend_schema_view(
    list=extend_schema(parameters=[*PAGING, ORGANIZATION]),
    retrieve=extend_schema(parameters=[ID]),
    update=extend_schema(parameters=[ID]),
    partial_update=extend_schema(parameters=[ID]),
)
class LocationViewSet(EditorViewSet):
    serializer_class = LocationWriteSerializer
    filterset_class = LocationFilter

    def get_queryset(self):
        return (
            Location.objects.filter(organization__in=organizations_for(self.request.user))
            .prefetch_related("phones", "hours", "accessibility")
            .order_by("name", "id")
        )
