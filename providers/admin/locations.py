"""Locations: address placed offline on save, hours, phones, services there, map preview."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from providers.admin.hours_grid import HoursGridForm, grid_rows
from providers.admin.scoping import SameOrganizationInline, ScopedAdmin
from providers.admin.steps import ListingStepsAdmin
from providers.admin.translations import PhoneForm, translation_fieldsets
from providers.maps import Pin, render_map
from providers.models import Location, Phone, ServiceAtLocation
from providers.translations import LOCATION_FIELDS


class LocationPhoneInline(admin.TabularInline):
    model = Phone
    fk_name = "location"
    form = PhoneForm
    fields = ["number", "extension", "kind", "note", "translations", "position"]
    extra = 0


class ServicesHereInline(SameOrganizationInline):
    model = ServiceAtLocation
    fk_name = "location"
    prefix = "services_here"
    choice_field = "service"
    fields = ["service", "description"]
    extra = 0
    verbose_name = _("service offered here")
    verbose_name_plural = _("services offered here")


def map_preview_html(location: Location) -> str:
    """A small offline map (our own SVG renderer: no tile host is contacted)."""
    if location.latitude is None or location.longitude is None:
        return str(_("No coordinates yet: save the address to place it."))
    svg = render_map(
        pins=[Pin(lat=location.latitude, lng=location.longitude, number=1, title=str(location))],
        label=str(_("Position of %(name)s") % {"name": location}),
    )
    note = _("Approximate (ZIP or city centre).") if location.coordinates_approximate else ""
    return format_html('<div style="max-width: 320px">{}</div><p>{}</p>', svg, note)


@admin.register(Location)
class LocationAdmin(ListingStepsAdmin, ScopedAdmin):
    form = HoursGridForm
    list_display = ["__str__", "organization", "city", "state", "address_confidential"]
    list_filter = ["state", "kind", "address_confidential", "coordinates_approximate"]
    list_select_related = ["organization"]
    search_fields = ["name", "organization__name", "address_1", "city", "postcode"]
    readonly_fields = ["map_preview"]
    fieldsets = [
        (None, {"fields": ["organization", "name", "kind"]}),
        (
            _("Address"),
            {
                "fields": [
                    "address_1",
                    "address_2",
                    ("city", "state", "postcode"),
                    "address_confidential",
                ]
            },
        ),
        (
            _("Position"),
            {
                "fields": [
                    ("latitude", "longitude", "keep_coordinates"),
                    "coordinates_approximate",
                    "timezone",
                    "map_preview",
                ]
            },
        ),
        (
            _("Weekly hours"),
            {
                "fields": [*grid_rows(), "copy_monday"],
                "description": _(
                    "Times in the location's time zone; a period that closes before it "
                    "opens runs past midnight. Leave a day empty when closed."
                ),
            },
        ),
        (_("Hours and access"), {"fields": ["open_24_7", "hours_note", "accessibility"]}),
        *translation_fieldsets(LOCATION_FIELDS),
    ]
    inlines = [LocationPhoneInline, ServicesHereInline]

    def save_related(self, request, form, formsets, change):
        form.save_hours()
        super().save_related(request, form, formsets, change)

    @admin.display(description=_("map"))
    def map_preview(self, obj):
        return map_preview_html(obj)
