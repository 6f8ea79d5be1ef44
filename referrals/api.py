"""API for referrals and resource lists, token-authenticated, with the pages' rules.

Another agency's referral or list is a 404 (its existence is not revealed); anonymous is 401.
"""

import django_filters
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.shortcuts import get_object_or_404
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from referrals.access import Role, agency_of, roles_for, visible_lists, visible_referrals
from referrals.models import (
    ClientDataAccess,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ResourceListItem,
)
from referrals.serializers import (
    AddItemSerializer,
    ReferralCreateSerializer,
    ReferralDetailSerializer,
    ReferralSerializer,
    ResourceListSerializer,
    StatusChangeSerializer,
)
from referrals.workflow import TransitionError, change_status, mark_received, send_referral

# Token first, so an anonymous request gets 401 with a WWW-Authenticate header.
AUTHENTICATION = [TokenAuthentication, SessionAuthentication]


class Pages(PageNumberPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ReferralStatus.choices)
    sent_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    sent_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Referral
        fields = ["status", "sent_after", "sent_before"]


class ReferralViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    pagination_class = Pages
    filterset_class = ReferralFilter
    lookup_value_converter = "uuid"

    def get_queryset(self):
        qs = visible_referrals(self.request.user).select_related(
            "agency", "organization", "service_at_location__service"
        )
        qs = qs.prefetch_related("needs")
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch("events", queryset=ReferralEvent.objects.select_related("by"))
            )
        return qs.order_by("-created_at", "id")

    def get_serializer_class(self):
        if self.action == "create":
            return ReferralCreateSerializer
        if self.action == "retrieve":
            return ReferralDetailSerializer
        if self.action == "status":
            return StatusChangeSerializer
        return ReferralSerializer

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        roles = roles_for(request.user, referral)
        if Role.PROVIDER in roles and referral.status == ReferralStatus.SENT:
            mark_received(referral, by=request.user)
            referral = self.get_object()
        if referral.client_data_available():
            ClientDataAccess.objects.create(
                referral=referral, user=request.user, via=ClientDataAccess.Via.API
            )
        return Response(ReferralDetailSerializer(referral, context={"request": request}).data)

    def create(self, request, *args, **kwargs):
        agency = agency_of(request.user)
        if agency is None:
            raise PermissionDenied("Only advocates of an agency can send referrals.")
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        needs = data.pop("needs")
        referral = Referral(agency=agency, **data)
        send_referral(referral=referral, needs=needs, by=request.user)
        body = ReferralSerializer(referral, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Move the referral on: {"status": "accepted"}, {"status": "declined", "reason": ...}."""
        referral = self.get_object()
        serializer = StatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            change_status(
                referral,
                to=serializer.validated_data["status"],
                by=request.user,
                roles=roles_for(request.user, referral),
                reason=serializer.validated_data["reason"],
            )
        except TransitionError as error:
            raise ValidationError({"status": [str(error.message)]}) from None
        return Response(ReferralSerializer(referral, context={"request": request}).data)


class ResourceListViewSet(viewsets.ModelViewSet):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    pagination_class = Pages
    serializer_class = ResourceListSerializer
    filter_backends: list = []

    def get_queryset(self):
        items = ResourceListItem.objects.select_related(
            "service_at_location__service__organization"
        )
        return visible_lists(self.request.user).prefetch_related(Prefetch("items", queryset=items))

    def perform_create(self, serializer):
        agency = agency_of(self.request.user)
        if agency is None:
            raise PermissionDenied("Only advocates of an agency can make resource lists.")
        serializer.save(agency=agency, created_by=self.request.user)

    @action(detail=True, methods=["post"], serializer_class=AddItemSerializer)
    def items(self, request, pk=None):
        """Add a listing: {"service_at_location": "<uuid>"}."""
        resource_list = self.get_object()
        serializer = AddItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        position = (resource_list.items.aggregate(top=Max("position"))["top"] or 0) + 1
        try:
            with transaction.atomic():
                ResourceListItem.objects.create(
                    resource_list=resource_list,
                    service_at_location=serializer.validated_data["service_at_location"],
                    position=position,
                )
        except IntegrityError:
            raise ValidationError({"service_at_location": ["Already on this list."]}) from None
        resource_list.save(update_fields=["updated_at"])
        return Response(self._fresh(resource_list), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["delete"], url_path=r"items/(?P<item_pk>[0-9]+)")
    def remove_item(self, request, pk=None, item_pk=None):
        resource_list = self.get_object()
        get_object_or_404(resource_list.items, pk=item_pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        """A fresh link valid for REFERRAL_LIST_SHARE_DAYS; any older link stops working."""
        resource_list = self.get_object()
        resource_list.share()
        return Response(self._fresh(resource_list))

    @action(detail=True, methods=["post"])
    def unshare(self, request, pk=None):
        resource_list = self.get_object()
        resource_list.unshare()
        return Response(self._fresh(resource_list))

    def _fresh(self, resource_list):
        return ResourceListSerializer(
            self.get_queryset().get(pk=resource_list.pk), context={"request": self.request}
        ).data
