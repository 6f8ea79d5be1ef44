"""API shapes for referrals and resource lists. Fields listed explicitly, always.

Client fields appear only in a referral's detail (and each such read is logged); lists,
events and list items carry none.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from providers.models import ServiceAtLocation, Term
from referrals.forms import clean_referral_fields
from referrals.models import (
    ContactMethod,
    DeclineReason,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ResourceList,
    ResourceListItem,
)


class ReferralEventSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = ReferralEvent
        fields = ["status", "reason", "by", "at"]

    def get_by(self, event) -> str:
        return event.by.get_username() if event.by else ""


class ReferralSerializer(serializers.ModelSerializer):
    short_id = serializers.CharField(read_only=True)
    agency = serializers.CharField(source="agency.name", read_only=True)
    organization = serializers.SerializerMethodField()
    service_at_location = serializers.UUIDField(source="service_at_location_id", read_only=True)
    service = serializers.SerializerMethodField()
    needs = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    client_data_available = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "short_id",
            "agency",
            "organization",
            "service_at_location",
            "service",
            "needs",
            "status",
            "decline_reason",
            "consent_expires_on",
            "client_data_available",
            "created_at",
            "updated_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_organization(self, referral) -> dict:
        return {"id": str(referral.organization_id), "name": referral.organization.name}

    def get_service(self, referral) -> str:
        sal = referral.service_at_location
        return sal.service.name if sal else ""

    def get_client_data_available(self, referral) -> bool:
        return referral.client_data_available()


class ReferralDetailSerializer(ReferralSerializer):
    client = serializers.SerializerMethodField()
    events = ReferralEventSerializer(many=True, read_only=True)

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "consent_given_on", "client", "events"]
        read_only_fields = fields

    def get_client(self, referral) -> dict | None:
        if not referral.client_data_available():
            return None
        return {
            "client_reference": referral.client_reference,
            "contact_method": referral.contact_method,
            "contact_value": referral.contact_value,
            "note": referral.note,
        }


class ReferralCreateSerializer(serializers.ModelSerializer):
    service_at_location = serializers.PrimaryKeyRelatedField(
        queryset=ServiceAtLocation.objects.listed()
    )
    needs = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Term.objects.service_types()
    )
    client_reference = serializers.CharField(max_length=20)
    contact_method = serializers.ChoiceField(choices=ContactMethod.choices)
    consent_given = serializers.BooleanField()

    class Meta:
        model = Referral
        fields = [
            "service_at_location",
            "needs",
            "client_reference",
            "contact_method",
            "contact_value",
            "note",
            "consent_given",
            "consent_given_on",
            "consent_expires_on",
        ]

    def validate_needs(self, value):
        if not value:
            raise serializers.ValidationError("Choose at least one need.")
        return value

    def validate(self, attrs):
        try:
            return clean_referral_fields(attrs, today=timezone.localdate())
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    reason = serializers.ChoiceField(choices=DeclineReason.choices, required=False, default="")


class ResourceListItemSerializer(serializers.ModelSerializer):
    service_at_location = serializers.UUIDField(source="service_at_location_id")
    organization = serializers.CharField(
        source="service_at_location.service.organization.name", read_only=True
    )
    service = serializers.CharField(source="service_at_location.service.name", read_only=True)

    class Meta:
        model = ResourceListItem
        fields = ["id", "service_at_location", "organization", "service", "position"]
        read_only_fields = ["id", "organization", "service", "position"]


class ResourceListSerializer(serializers.ModelSerializer):
    items = ResourceListItemSerializer(many=True, read_only=True)
    share_url = serializers.SerializerMethodField()

    class Meta:
        model = ResourceList
        fields = [
            "id",
            "title",
            "language",
            "items",
            "share_url",
            "share_expires_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "items", "share_url", "share_expires_at", "created_at"]

    def get_share_url(self, resource_list) -> str | None:
        if not resource_list.is_shared():
            return None
        path = reverse("share:list", kwargs={"token": resource_list.share_token})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class AddItemSerializer(serializers.Serializer):
    service_at_location = serializers.PrimaryKeyRelatedField(
        queryset=ServiceAtLocation.objects.listed()
    )
