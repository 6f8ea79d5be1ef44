"""Service area centres kept to a tenth of a degree (providers.geometry.area_centre)."""

from django.db import migrations
from django.db.models import Q


def round_centres(apps, schema_editor):
    Service = apps.get_model("providers", "Service")
    services = Service.objects.filter(
        Q(service_area_lat__isnull=False) | Q(service_area_lng__isnull=False)
    ).only("service_area_lat", "service_area_lng")
    for service in services.iterator():
        lat, lng = service.service_area_lat, service.service_area_lng
        Service.objects.filter(pk=service.pk).update(
            service_area_lat=None if lat is None else round(lat, 1),
            service_area_lng=None if lng is None else round(lng, 1),
        )


class Migration(migrations.Migration):
    dependencies = [("providers", "0018_organization_verified_by_provider")]

    operations = [migrations.RunPython(round_centres, migrations.RunPython.noop)]
