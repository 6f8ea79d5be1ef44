"""What still keeps an organization's listing out of search, named step by step.

A search returns a service at a location (`ServiceAtLocation`) whose service and
organization are published; a place search also needs the location's coordinates. The
admin links a service offered nowhere to the organization's only location on save (the
usual new provider: one service, one place), and warns with the steps still missing.
"""

from django.utils.translation import gettext as _

from providers.models import LocationKind, Organization, ServiceAtLocation, Status


def link_lone_location(organization: Organization) -> list[str]:
    """Offer every service that is offered nowhere at the organization's only location;
    returns the names of the services linked."""
    locations = list(organization.locations.all())
    if len(locations) != 1:
        return []
    linked = []
    for service in organization.services.all():
        offered = ServiceAtLocation.objects.filter(service=service).exists()
        if not offered:
            ServiceAtLocation.objects.create(service=service, location=locations[0])
            linked.append(service.name)
    return linked


def missing_steps(organization: Organization) -> list[str]:
    """Each step still needed before this organization's services show up in search."""
    steps = []
    if organization.status != Status.PUBLISHED:
        steps.append(
            _("publish the organization (its status is %(status)s)")
            % {"status": organization.get_status_display()}
        )
    services = list(organization.services.all())
    locations = list(organization.locations.all())
    if not services:
        steps.append(_("add a service"))
    if not locations:
        steps.append(_("add a location (a remote one for a hotline or online service)"))
    offered = set(
        ServiceAtLocation.objects.filter(service__organization=organization).values_list(
            "service_id", flat=True
        )
    )
    for service in services:
        if service.status != Status.PUBLISHED:
            steps.append(
                _("publish the service “%(name)s” (its status is %(status)s)")
                % {"name": service.name, "status": service.get_status_display()}
            )
        if locations and service.pk not in offered:
            steps.append(
                _(
                    "offer the service “%(name)s” at a location (“Services offered here” on "
                    "the location's page)"
                )
                % {"name": service.name}
            )
    for location in locations:
        unplaced = location.latitude is None or location.longitude is None
        if location.kind == LocationKind.PHYSICAL and unplaced:
            steps.append(
                _("give the location “%(name)s” an address that can be placed, or coordinates")
                % {"name": location}
            )
    return steps
