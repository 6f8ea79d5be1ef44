"""export_hsds / export_csv: the package validates against the HSDS 3.0 schemas, holds only
published records, never reveals a confidential address, and imports back to the same
directory."""

import csv
import io
import json
import zipfile
from datetime import date, time

import pytest
from django.core.management import call_command
from hsds_support import SchemaValidator, write_csv

from providers.importers.csv_flat import import_csv
from providers.importers.export import export_hsds
from providers.importers.export_flat import export_csv
from providers.importers.hsds import import_hsds
from providers.models import (
    Location,
    LocationKind,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Status,
)


def build_directory(make_provider) -> None:
    """A small directory touching every exported field (no confidential address)."""
    legal = make_provider(
        name="Harbor Legal Aid",
        services=("legal-assistance", "immigration-services"),
        victimizations=("labor-trafficking", "sex-trafficking"),
        populations=("immigrants",),
        languages=("en", "es", "ht"),
        accessibility=("wheelchair", "asl"),
        cost="sliding_scale",
        cost_note="Sliding scale by income",
        eligibility="Survivors of trafficking",
        how_to_get_help="Call the intake line",
        website="https://harbor.example/legal",
        hours=((1, time(9), time(17)), (2, time(9), time(17)), (6, time(10), time(14))),
        street="350 Fifth Avenue",
        city="New York",
        state="NY",
        postcode="10118",
        lat=40.7484,
        lng=-73.9857,
        phone="+12125550100",
    )
    legal.location.hours_note = "Closed on public holidays"
    legal.location.address_2 = "Suite 100"
    legal.location.save()
    Phone.objects.create(location=legal.location, number="+12125550111", kind=Phone.Kind.TTY)
    Phone.objects.create(
        service=legal.service,
        number="+12125550122",
        extension="12",
        kind=Phone.Kind.TEXT,
        note="Text us",
        position=1,
    )
    org = legal.service.organization
    org.description, org.website, org.email = (
        "Free legal help.",
        "https://harbor.example",
        ("intake@harbor.example"),
    )
    org.last_verified_on = date(2026, 3, 1)
    org.save()
    make_provider(
        name="Lakeside Counseling",
        services=("counseling-support-groups",),
        populations=("youth-minors",),
        cost="fee",
        open_24_7=True,
        street="1 Main St",
        city="Chicago",
        state="IL",
        postcode="60601",
        lat=41.8853,
        lng=-87.6229,
        timezone="America/Chicago",
        service_area=ServiceArea.STATES,
        service_area_states=["IL", "IN"],
    )
    make_provider(
        name="National Helpline",
        kind=LocationKind.REMOTE,
        city="",
        state="",
        postcode="",
        service_area=ServiceArea.NATIONWIDE,
        phone="+18005550199",
    )
    # A line with no address keeps its hours in its own zone (it came back in New York's).
    # Arizona's serving California: HSDS's offset, -7, would read as California's summer time
    # (or Denver's); the zone's name goes with it (x_timezone).
    make_provider(
        name="Westside Warmline",
        kind=LocationKind.REMOTE,
        city="",
        state="",
        postcode="",
        service_area=ServiceArea.STATES,
        service_area_states=["CA"],
        phone="+18005550177",
        timezone="America/Phoenix",
        # Friday night (as exported, 17:00-08:00): it came back as 17:00-20:00.
        hours=((1, time(8), time(18)), (3, time(8), time(18)), (5, time(17), time(8))),
    )
    radius = make_provider(
        name="Mobile Advocates",
        services=("victim-advocacy",),
        street="1 Congress St",
        city="Boston",
        state="MA",
        postcode="02108",
        lat=42.3601,
        lng=-71.0589,
        timezone="America/New_York",
    )
    # Saved, as the admin and the API save it (the centre is kept to a tenth of a degree).
    service = Service.objects.get(pk=radius.service_id)
    service.service_area = ServiceArea.RADIUS
    service.service_area_lat, service.service_area_lng = 42.36, -71.06
    service.service_area_radius_mi = 40.0
    service.save()


def snapshot() -> list:
    """The directory as the public sees it, without database ids."""
    out = []
    for org in Organization.objects.order_by("name"):
        services = []
        for svc in Service.objects.filter(organization=org).order_by("name"):
            locations = []
            for sal in ServiceAtLocation.objects.filter(service=svc).select_related("location"):
                loc = sal.location
                locations.append(
                    (
                        loc.name,
                        loc.kind,
                        loc.address_1,
                        loc.address_2,
                        loc.city,
                        loc.state,
                        loc.postcode,
                        loc.country,
                        loc.latitude,
                        loc.longitude,
                        loc.address_confidential,
                        loc.timezone,
                        loc.open_24_7,
                        loc.hours_note,
                        sorted(loc.accessibility.values_list("slug", flat=True)),
                        [(h.weekday, h.opens_at, h.closes_at) for h in loc.hours.all()],
                        sorted((p.number, p.extension, p.kind, p.note) for p in loc.phones.all()),
                    )
                )
            services.append(
                (
                    svc.name,
                    svc.description,
                    svc.website,
                    svc.email,
                    svc.status,
                    svc.cost,
                    svc.cost_note,
                    svc.eligibility,
                    svc.how_to_get_help,
                    svc.service_area,
                    svc.service_area_states,
                    svc.service_area_lat,
                    svc.service_area_lng,
                    svc.service_area_radius_mi,
                    sorted(svc.terms.values_list("slug", flat=True)),
                    sorted(svc.languages.values_list("code", flat=True)),
                    sorted((p.number, p.extension, p.kind, p.note) for p in svc.phones.all()),
                    sorted(locations, key=repr),
                )
            )
        out.append(
            (
                org.name,
                org.description,
                org.website,
                org.email,
                org.status,
                org.last_verified_on,
                org.is_sample,
                services,
            )
        )
    return out


@pytest.mark.django_db
def test_export_validates_against_the_hsds_schemas(make_provider, tmp_path):
    build_directory(make_provider)
    make_provider(name="Safe Haven", confidential=True, services=("food-shelter-housing",))

    counts = export_hsds(tmp_path / "package")

    assert counts["organizations.csv"] == 6  # build_directory's five and Safe Haven
    assert counts["attributes.csv"] > 0
    assert SchemaValidator().errors(tmp_path / "package") == []


@pytest.mark.django_db
def test_export_validates_against_the_hsds_3_1_schemas_too(make_provider, tmp_path):
    build_directory(make_provider)
    make_provider(name="Safe Haven", confidential=True, services=("food-shelter-housing",))

    export_hsds(tmp_path / "package")

    assert SchemaValidator("3.1").errors(tmp_path / "package") == []


@pytest.mark.django_db
def test_a_3_1_package_with_areas_on_the_service_at_location_imports_them(make_provider, tmp_path):
    build_directory(make_provider)
    before = snapshot()
    export_hsds(tmp_path / "p")
    with open(tmp_path / "p" / "service_at_location.csv", newline="", encoding="utf-8") as stream:
        sal_of = {row["service_id"]: row["id"] for row in csv.DictReader(stream)}
    with open(tmp_path / "p" / "service_areas.csv", newline="", encoding="utf-8") as stream:
        areas = list(csv.DictReader(stream))
    assert areas
    for area in areas:  # HSDS 3.1: the area of a service at a location
        area["service_at_location_id"] = sal_of[area.pop("service_id")]
    write_csv(tmp_path / "p" / "service_areas.csv", list(areas[0]), areas)
    Organization.objects.all().delete()

    report = import_hsds(tmp_path / "p", source="round-trip")

    assert report.ok, report.as_text()
    assert snapshot() == before


@pytest.mark.django_db
def test_export_as_zip_holds_the_same_package(make_provider, tmp_path):
    build_directory(make_provider)
    call_command("export_hsds", str(tmp_path / "out.zip"), stdout=io.StringIO())
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        archive.extractall(tmp_path / "unzipped")
        names = set(archive.namelist())

    assert {"datapackage.json", "organizations.csv", "services.csv", "locations.csv"} <= names
    assert json.loads((tmp_path / "unzipped" / "datapackage.json").read_text())["profile"] == (
        "tabular-data-package"
    )
    assert SchemaValidator().errors(tmp_path / "unzipped") == []


@pytest.mark.django_db
def test_the_package_says_when_it_was_made_as_a_moment_in_utc(tmp_path):
    """Not the server's local date: in a New York evening that was already tomorrow."""
    from datetime import UTC, datetime, timedelta

    from django.utils import timezone

    export_hsds(tmp_path)
    created = json.loads((tmp_path / "datapackage.json").read_text())["created"]
    moment = datetime.fromisoformat(created)
    assert moment.utcoffset() == timedelta(0), created
    assert abs(timezone.now() - moment.astimezone(UTC)) < timedelta(minutes=1)


@pytest.mark.django_db
def test_export_holds_only_published_records(make_provider, tmp_path):
    make_provider(name="Published Org")
    make_provider(name="Draft Org", status=Status.DRAFT)
    make_provider(name="Retired Service Org", service_status=Status.RETIRED)

    export_hsds(tmp_path / "p")
    organizations = (tmp_path / "p" / "organizations.csv").read_text()
    services = (tmp_path / "p" / "services.csv").read_text()

    assert "Published Org" in organizations
    assert "Draft Org" not in organizations
    assert "Retired Service Org services" not in services


@pytest.mark.django_db
def test_export_never_reveals_a_confidential_address(make_provider, tmp_path):
    make_provider(
        name="Safe Haven", confidential=True, street="77 Hidden Lane", lat=40.712345, lng=-74.006789
    )

    export_hsds(tmp_path / "p")
    flat = io.StringIO()
    export_csv(flat)
    everything = flat.getvalue() + "".join(
        path.read_text() for path in (tmp_path / "p").glob("*.csv")
    )

    assert "Hidden Lane" not in everything
    assert "40.712345" not in everything and "74.006789" not in everything
    assert "Confidential address" in (tmp_path / "p" / "addresses.csv").read_text()


@pytest.mark.django_db
def test_export_then_import_into_an_empty_database_gives_the_same_directory(
    make_provider, tmp_path
):
    build_directory(make_provider)
    before = snapshot()
    export_hsds(tmp_path / "p")
    Organization.objects.all().delete()

    report = import_hsds(tmp_path / "p", source="round-trip")

    assert report.ok and not report.unmapped, report.as_text()
    assert snapshot() == before


@pytest.mark.django_db
def test_a_confidential_location_comes_back_confidential_and_approximate(make_provider, tmp_path):
    make_provider(
        name="Safe Haven",
        confidential=True,
        street="77 Hidden Lane",
        postcode="10001",
        lat=40.712345,
        lng=-74.006789,
        services=("food-shelter-housing",),
        victimizations=("domestic-violence",),
    )
    export_hsds(tmp_path / "p")
    Organization.objects.all().delete()

    import_hsds(tmp_path / "p")

    shelter = Location.objects.get()
    assert shelter.address_confidential
    assert shelter.address_1 == ""
    assert shelter.coordinates_approximate
    assert (shelter.latitude, shelter.longitude) == (40.7484, -73.9967)  # ZIP 10001's centre
    assert Organization.objects.get().is_sample


@pytest.mark.django_db
def test_spreadsheet_export_then_import_gives_the_same_directory(make_provider, tmp_path):
    build_directory(make_provider)
    # A place's timezone is read from its point again; a remote one's (Westside Warmline's
    # Phoenix) from the timezone column: it came back as New York's.
    before = snapshot()
    path = tmp_path / "directory.csv"
    call_command("export_csv", str(path), stdout=io.StringIO())
    Organization.objects.all().delete()

    report = import_csv(path)

    assert report.ok and not report.unmapped, report.as_text()
    after = snapshot()

    # The spreadsheet keeps one phone of each kind per row, on the location.
    def strip(snap):
        return [(o[:-1], [(s[:16], [loc[:16] for loc in s[17]]) for s in o[-1]]) for o in snap]

    assert strip(after) == strip(before)


@pytest.mark.django_db
def test_the_schema_check_catches_a_broken_export(make_provider, tmp_path):
    make_provider(name="Harbor Legal Aid")
    export_hsds(tmp_path / "p")
    services = tmp_path / "p" / "services.csv"
    services.write_text(services.read_text().replace(",active,", ",open,"))
    locations = tmp_path / "p" / "locations.csv"
    locations.write_text(locations.read_text().replace(",physical,", ",,"))

    errors = SchemaValidator().errors(tmp_path / "p")

    assert any("services.csv row 2: 'open' is not one of" in e for e in errors)
    assert any("locations.csv row 2: 'location_type' is a required property" in e for e in errors)


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["hsds", "spreadsheet"])
def test_an_approximate_place_is_exported_with_its_flag_and_comes_back_approximate(
    make_provider, tmp_path, form
):
    make_provider(name="Harbor Legal Aid", postcode="10001", lat=40.7484, lng=-73.9967)
    make_provider(name="Northside Counseling", postcode="10001", lat=40.7501, lng=-73.9990)
    Location.objects.filter(name__startswith="Harbor").update(coordinates_approximate=True)
    if form == "hsds":
        export_hsds(tmp_path / "p")
        with open(tmp_path / "p" / "locations.csv", newline="", encoding="utf-8") as stream:
            flags = {r["name"]: r["x_coordinates_approximate"] for r in csv.DictReader(stream)}
    else:
        call_command("export_csv", str(tmp_path / "d.csv"), stdout=io.StringIO())
        with open(tmp_path / "d.csv", newline="", encoding="utf-8") as stream:
            flags = {
                r["organization_name"]: r["coordinates_approximate"] for r in csv.DictReader(stream)
            }
    assert {name.split()[0]: bool(flag) for name, flag in flags.items()} == {
        "Harbor": True,
        "Northside": False,
    }
    Organization.objects.all().delete()

    if form == "hsds":
        import_hsds(tmp_path / "p", source="round-trip")
    else:
        import_csv(tmp_path / "d.csv", source="round-trip")

    approximate = dict(Location.objects.values_list("name", "coordinates_approximate"))
    assert {name.split()[0]: flag for name, flag in approximate.items()} == {
        "Harbor": True,
        "Northside": False,
    }
