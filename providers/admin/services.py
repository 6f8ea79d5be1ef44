"""Services: tags as checkboxes, phones, and where each is offered."""

from django.contrib import admin

from providers.admin.forms import ServiceForm
from providers.admin.scoping import SameOrganizationInline, ScopedAdmin
from providers.models import Phone, Service, ServiceAtLocation


class ServicePhoneInline(admin.TabularInline):
    model = Phone
    fk_name = "service"
    fields = ["number", "extension", "kind", "note", "position"]
    extra = 0


class LocationsInline(SameOrganizationInline):
    model = ServiceAtLocation
    fk_name = "service"
    prefix = "locations_here"
    choice_field = "location"
    fields = ["location", "description"]
    extra = 0


@admin.register(Service)
class ServiceAdmin(ScopedAdmin):
    form = ServiceForm
    list_display = ["name", "organization", "status", "cost"]
    list_filter = ["status", "cost", "service_area"]
    list_select_related = ["organization"]
    search_fields = ["name", "organization__name", "description"]
    fieldsets = [
        (None, {"fields": ["organization", "name", "status", "description"]}),
        (None, {"fields": ["service_types", "victimization_types", "populations", "languages"]}),
        (
            None,
            {
                "fields": [
                    "website",
                    "email",
                    "cost",
                    "cost_note",
                    "eligibility",
                    "how_to_get_help",
                ]
            },
        ),
        (
            None,
            {
                "fields": [
                    "service_area",
                    "service_area_states",
                    ("service_area_lat", "service_area_lng", "service_area_radius_mi"),
                ]
            },
        ),
    ]
    inlines = [ServicePhoneInline, LocationsInline]
