"""The made-up sample providers: labelled, deterministic, idempotent, and broad enough to demo."""

import re
from datetime import time
from io import StringIO
from time import process_time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from providers import search
from providers.models import (
    Cost,
    Location,
    LocationKind,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Status,
    Term,
)
from providers.sample_data import (
    VERIFIED_AS_OF,
    build_plan,
    clear_sample_data,
    load_sample_data,
    sample_cities,
)
from providers.sample_text import DISCLAIMER, LABEL

NYC_10001 = {"lat": 40.7484, "lng": -73.9967}
FICTIONAL_PHONE = re.compile(r"^\+1 \d{3} 555 01\d\d$")


@pytest.fixture(scope="module")
def sample(django_db_setup, django_db_blocker):
    """The sample data, loaded once for this module and removed afterwards."""
    with django_db_blocker.unblock():
        counts = load_sample_data()
    yield counts
    with django_db_blocker.unblock():
        clear_sample_data()


def snapshot() -> list[tuple]:
    return sorted(
        (str(loc.id), loc.organization.name, loc.name, loc.latitude, loc.longitude)
        for loc in Location.objects.select_related("organization")
    )


def test_the_plan_is_the_same_on_every_build():
    first, second = build_plan(), build_plan()
    assert [o.name for o in first.organizations] == [o.name for o in second.organizations]
    assert [(loc.id, loc.latitude, loc.longitude) for loc in first.locations] == [
        (loc.id, loc.latitude, loc.longitude) for loc in second.locations
    ]
    assert [p.number for p in first.phones] == [p.number for p in second.phones]
    assert first.service_terms == second.service_terms


def test_loading_again_replaces_the_sample_without_duplicates(db, sample):
    before = snapshot()
    counts = load_sample_data()
    assert counts == sample
    assert snapshot() == before
    assert Organization.objects.count() == sample["organizations"]
    assert 400 <= sample["organizations"] <= 600
    names = list(Organization.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))


def test_loading_and_clearing_never_touch_real_records(db, sample, make_provider):
    real = make_provider(name="Real Org", services=("legal-assistance",))
    Organization.objects.filter(pk=real.service.organization_id).update(is_sample=False)
    load_sample_data()
    assert Organization.objects.filter(name="Real Org", is_sample=False).exists()
    out = StringIO()
    call_command("load_sample_data", "--clear", stdout=out)
    assert f"Removed {sample['organizations']} sample organizations" in out.getvalue()
    assert list(Organization.objects.values_list("name", flat=True)) == ["Real Org"]
    assert ServiceAtLocation.objects.get() == real


def test_the_command_loads_quickly_with_a_bounded_number_of_queries(
    db, sample, django_assert_max_num_queries
):
    out = StringIO()
    # CPU time, not wall-clock time: the test machine may be busy with other jobs.
    started = process_time()
    # Bulk inserts and cascaded deletes in batches (~235 on SQLite: the history app's delete
    # signals keep Django from fast-deleting), never a query per row (that would be ~8,000).
    with django_assert_max_num_queries(300):
        call_command("load_sample_data", stdout=out)
    assert process_time() - started < 10
    assert f"{sample['organizations']} organizations" in out.getvalue()


def test_every_name_is_clearly_labelled_as_sample(db, sample):
    assert not Organization.objects.filter(is_sample=False).exists()
    for organization in Organization.objects.all():
        assert organization.name.startswith(LABEL)
        assert organization.description.startswith(DISCLAIMER)
        host = urlsplit(organization.website).hostname
        assert host.endswith(".example") or host == "www.example.org"
        assert organization.email.endswith(".example")
    for service in Service.objects.all():
        assert service.name.startswith(LABEL)
        assert service.description.startswith(DISCLAIMER)
    assert all(name.startswith(LABEL) for name in Location.objects.values_list("name", flat=True))


def test_every_phone_is_in_the_fictional_555_01xx_range(db, sample):
    numbers = list(Phone.objects.values_list("number", flat=True))
    assert numbers and all(FICTIONAL_PHONE.match(number) for number in numbers)
    kinds = set(Phone.objects.values_list("kind", flat=True))
    assert {Phone.Kind.VOICE, Phone.Kind.TEXT, Phone.Kind.TTY, Phone.Kind.HOTLINE} <= kinds


def test_every_term_language_and_cost_is_used(db, sample):
    used_terms = set(
        Term.objects.filter(services__isnull=False).values_list("kind", "slug").distinct()
    )
    for kind in (Term.Kind.SERVICE_TYPE, Term.Kind.VICTIMIZATION, Term.Kind.POPULATION):
        every = set(Term.objects.filter(kind=kind).values_list("kind", "slug"))
        assert every <= used_terms, f"unused {kind}: {every - used_terms}"
    accessibility = set(Term.objects.filter(locations__isnull=False).values_list("slug", flat=True))
    assert accessibility == set(
        Term.objects.accessibility_features().values_list("slug", flat=True)
    )
    languages = set(Service.objects.values_list("languages__code", flat=True))
    assert {"en", "es", "zh", "vi", "ko", "ar", "ht", "tl", "ru", "fr", "ase"} <= languages
    assert set(Service.objects.values_list("cost", flat=True)) == set(Cost.values)


def test_confidential_shelters_keep_coordinates_but_redact_them(db, sample):
    shelters = Location.objects.filter(address_confidential=True)
    assert shelters.count() >= 10
    for shelter in shelters:
        assert shelter.latitude is not None and shelter.longitude is not None
        assert shelter.address_1  # stored, so admins can see it ...
        assert shelter.public_street == "" and shelter.public_point is None  # ... public can't
        assert shelter.open_24_7


def test_remote_services_cover_each_kind_of_area(db, sample):
    remote = ServiceAtLocation.objects.listed().filter(location__kind=LocationKind.REMOTE)
    areas = set(remote.values_list("service__service_area", flat=True))
    assert areas == {ServiceArea.NATIONWIDE, ServiceArea.STATES, ServiceArea.RADIUS}
    assert not remote.filter(location__latitude__isnull=False).exists()
    near_nyc = search.covering(**NYC_10001, state="NY")
    kinds = {row.service.service_area for row in near_nyc}
    assert ServiceArea.NATIONWIDE in kinds and ServiceArea.STATES in kinds


def test_new_york_has_many_providers_including_legal_help_within_25_miles(db, sample):
    legal = search.nearby(
        **NYC_10001, radius_mi=25, filters=search.Filters(services=("legal-assistance",))
    )
    rows = list(legal)
    assert len(rows) >= 15
    distances = [row.exact_distance_mi for row in rows]
    assert distances == sorted(distances) and distances[-1] <= 25
    assert search.nearby(**NYC_10001, radius_mi=25).count() >= 60


def test_cities_span_the_states_and_territories(db):
    cities = sample_cities()
    assert 60 <= len(cities) <= 90
    assert {"AK", "HI", "PR", "NY", "CA", "TX"} <= {city["state"] for city in cities}
    for city in cities:
        ZoneInfo(city["timezone"])  # a real IANA zone
        assert re.fullmatch(r"\d{5}", city["postcode"])
        assert re.fullmatch(r"\d{3}", city["area_code"])


def test_every_city_has_sample_listings(db, sample):
    cities = {(city["city"], city["state"]) for city in sample_cities()}
    located = set(
        Location.objects.filter(kind=LocationKind.PHYSICAL).values_list("city", "state").distinct()
    )
    assert cities == located


def test_drafts_and_retired_listings_are_hidden(db, sample):
    listed = ServiceAtLocation.objects.listed()
    hidden = ServiceAtLocation.objects.exclude(pk__in=listed.values("pk"))
    statuses = set(hidden.values_list("service__organization__status", "service__status"))
    assert (Status.DRAFT, Status.PUBLISHED) in statuses
    assert (Status.RETIRED, Status.PUBLISHED) in statuses
    assert (Status.PUBLISHED, Status.RETIRED) in statuses
    assert not listed.exclude(service__status=Status.PUBLISHED).exists()
    assert not listed.exclude(service__organization__status=Status.PUBLISHED).exists()


def test_verification_dates_vary_and_some_are_stale(db, sample):
    stale = Organization.objects.stale(today=VERIFIED_AS_OF).count()
    assert 0.05 * sample["organizations"] < stale < 0.4 * sample["organizations"]
    assert Organization.objects.values("last_verified_on").distinct().count() > 100


def test_hours_include_evenings_overnight_and_around_the_clock(db, sample):
    assert OpeningHours.objects.filter(closes_at__gte=time(20), opens_at__lt=time(12)).exists()
    overnight = [h for h in OpeningHours.objects.all() if h.closes_at <= h.opens_at]
    assert overnight
    assert Location.objects.filter(open_24_7=True, kind=LocationKind.PHYSICAL).exists()
    assert OpeningHours.objects.filter(weekday=6).exists()


def test_organizations_have_several_services_and_locations(db, sample):
    per_org = {}
    for organization_id, kind in Location.objects.values_list("organization_id", "kind"):
        if kind == LocationKind.PHYSICAL:
            per_org[organization_id] = per_org.get(organization_id, 0) + 1
    assert sum(1 for count in per_org.values() if count > 1) >= 20
    services = Service.objects.values_list("organization_id", flat=True)
    assert max(list(services).count(org) for org in set(services)) >= 4
