"""Admins manage agencies, advocates and provider staff; referrals are shown without client
fields here (client details are read on the referral page, where each view is logged)."""

from django.contrib import admin

from referrals.models import (
    Agency,
    AgencyMembership,
    ClientDataAccess,
    ProviderMembership,
    Referral,
    ReferralEvent,
    ResourceList,
)


class AgencyMembershipInline(admin.TabularInline):
    model = AgencyMembership
    fields = ["user", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]
    extra = 1


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    fields = ["name", "is_active"]
    inlines = [AgencyMembershipInline]


@admin.register(ProviderMembership)
class ProviderMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "created_at"]
    search_fields = ["user__username", "user__email", "organization__name"]
    fields = ["user", "organization"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["organization"]


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    fields = ["status", "reason", "by", "at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    """Read-only and without client fields: the workflow is worked on the referral pages."""

    list_display = ["short_id", "agency", "organization", "status", "created_at", "closed_at"]
    list_filter = ["status", "agency"]
    search_fields = ["agency__name", "organization__name"]
    fields = [
        "agency",
        "organization",
        "service_at_location",
        "status",
        "decline_reason",
        "consent_given",
        "consent_given_on",
        "consent_expires_on",
        "client_data_purged_at",
        "created_at",
        "closed_at",
    ]
    readonly_fields = fields
    inlines = [ReferralEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ResourceList)
class ResourceListAdmin(admin.ModelAdmin):
    list_display = ["title", "agency", "language", "share_expires_at", "updated_at"]
    list_filter = ["language", "agency"]
    fields = ["agency", "title", "language", "share_expires_at"]
    readonly_fields = ["share_expires_at"]


@admin.register(ClientDataAccess)
class ClientDataAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "referral", "via"]
    list_filter = ["via"]
    fields = ["at", "user", "referral", "via"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
