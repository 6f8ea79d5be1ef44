"""Clearly labelled, made-up providers for demonstration and development.

`load_sample_data()` replaces every sample organization (`is_sample=True`) with a fresh,
identical set: the same seed gives the same names, ids, coordinates and texts on every
run, and records that are not sample data are never touched. Names start with "[SAMPLE]",
descriptions say the listing is not real, phones are in the fictional 555-01xx range and
websites end in `.example`.

Roughly 500 organizations over the 85 cities of fixtures/sample_cities.json (Alaska,
Hawaii and Puerto Rico included), weighted by population, so New York has dozens; every
city has at least a legal aid office and an advocacy centre. Some shelters keep their
address confidential, some services are remote only (nationwide, a list of states, or a
radius), a few listings are draft or retired, and some were last verified over a year ago.
"""

import json
from collections import defaultdict
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from providers.filter_choices import filter_choices_changed
from providers.models import (
    Language,
    Location,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Term,
)
from providers.sample_builder import SampleBuilder
from providers.sample_text import ARCHETYPES, LABEL, REGIONS, REMOTE_PROGRAMS

SEED = 20261124
# Verification dates count back from a fixed day, so two loads are identical whatever the
# clock says (about one listing in six was verified more than a year before it: stale).
VERIFIED_AS_OF = date(2026, 11, 1)
PHYSICAL_ORGANIZATIONS = 470
CITIES_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "sample_cities.json"
_SAME_CITY_OFFICES = ["Downtown office", "Eastside office", "Westside office", "Northside office"]


class SampleDataError(RuntimeError):
    pass


def sample_cities() -> list[dict]:
    """The committed US cities: city, state, postcode, lat, lng, timezone, area_code, population."""
    return json.loads(CITIES_FILE.read_text(encoding="utf-8"))


def _organizations_per_city(builder: SampleBuilder, cities: list[dict]) -> list[int]:
    # At least two per city, the rest by population (damped, so small places still show up).
    counts = [2] * len(cities)
    weights = [city["population"] ** 0.6 for city in cities]
    extra = PHYSICAL_ORGANIZATIONS - sum(counts)
    for index in builder.rng.choices(range(len(cities)), weights=weights, k=extra):
        counts[index] += 1
    return counts


def _physical_organization(builder: SampleBuilder, kind: str, city: dict, nearby: list[dict]):
    rng = builder.rng
    archetype = ARCHETYPES[kind]
    area_code = city["area_code"]
    name, slug = builder.unique_name(rng.choice(archetype.nouns), city["city"])
    organization = builder.organization(
        name=name, slug=slug, state_hint=f"{city['city']}, {city['state']}"
    )
    builder.phone(area_code=area_code, note="Main line", organization=organization)
    if rng.random() < 0.05:
        builder.phone(area_code=area_code, kind=Phone.Kind.FAX, organization=organization)

    confidential = kind == "shelter" and rng.random() < 0.7
    primary = builder.physical_location(
        organization,
        city,
        label="Confidential shelter" if confidential else "Main office",
        confidential=confidential,
    )
    if confidential:
        builder.phone(
            area_code=area_code, kind=Phone.Kind.HOTLINE, note="24-hour line", location=primary
        )
    locations = [primary]
    if rng.random() < 0.15:
        labels = iter(rng.sample(_SAME_CITY_OFFICES, k=2))
        for _ in range(rng.randint(1, 2)):
            other = rng.choice(nearby)
            label = next(labels) if other is city else f"{other['city']} office"
            if any(loc.name.endswith(f"— {label}") for loc in locations):
                continue
            location = builder.physical_location(organization, other, label=label)
            builder.phone(area_code=other["area_code"], location=location)
            locations.append(location)

    templates = rng.sample(archetype.services, k=rng.choice([1, 2, 2, 3, 3, 4]))
    for position, template in enumerate(templates):
        service = builder.service(
            organization,
            name=template.name,
            types=template.types,
            description=template.description,
            archetype=archetype,
            city=city,
            fee_ok=template.fee_ok,
            confidential=confidential,
        )
        if rng.random() < 0.3:
            builder.phone(area_code=area_code, service=service)
        if rng.random() < 0.2:
            note = "Text us; we reply within an hour during opening hours."
            builder.phone(area_code=area_code, kind=Phone.Kind.TEXT, note=note, service=service)
        if rng.random() < 0.1:
            note = "TTY for Deaf and hard-of-hearing callers."
            builder.phone(area_code=area_code, kind=Phone.Kind.TTY, note=note, service=service)
        for location in locations if position == 0 or rng.random() < 0.3 else [primary]:
            builder.link(service, location)

    if rng.random() < 0.12:
        _remote_service(builder, organization, archetype, city)


def _remote_service(builder: SampleBuilder, organization, archetype, city: dict) -> None:
    """A phone and online service of a local organization, for its state or a radius."""
    rng = builder.rng
    template = rng.choice(archetype.services)
    always_open = rng.random() < 0.5
    if rng.random() < 0.5:
        area = {"service_area": ServiceArea.STATES, "service_area_states": [city["state"]]}
    else:
        area = {
            "service_area": ServiceArea.RADIUS,
            "service_area_lat": city["lat"],
            "service_area_lng": city["lng"],
            "service_area_radius_mi": float(rng.choice([50, 75, 100, 150])),
        }
    location = builder.remote_location(organization, city=city, always_open=always_open)
    service = builder.service(
        organization,
        name=f"{template.name} by phone and online",
        types=template.types,
        description=template.description,
        archetype=archetype,
        city=city,
        **area,
    )
    kind = Phone.Kind.HOTLINE if always_open else Phone.Kind.VOICE
    builder.phone(area_code=city["area_code"], kind=kind, location=location)
    builder.link(service, location)


def _remote_organizations(builder: SampleBuilder, cities: list[dict]) -> None:
    """Remote-only programmes: nationwide lines, regional (listed states) and metro (radius)."""
    rng = builder.rng
    first_city = {}
    for city in cities:
        first_city.setdefault(city["state"], city)
    metros = [city for city in cities if city["population"] > 400_000 or city["state"] == "AK"]
    archetypes = list(ARCHETYPES.values())
    for program, service_name, types, area_kind in REMOTE_PROGRAMS:
        if area_kind == "nationwide":
            places: list = [None]
        elif area_kind == "states":
            places = rng.sample(REGIONS, k=3)
        else:
            places = rng.sample(metros, k=3)
        for place in places:
            if area_kind == "nationwide":
                base, city = program, None
                area = {"service_area": ServiceArea.NATIONWIDE}
            elif area_kind == "states":
                base, city = f"{'-'.join(place)} {program}", first_city[place[0]]
                area = {"service_area": ServiceArea.STATES, "service_area_states": list(place)}
            else:
                base, city = f"{place['city']} {program}", place
                area = {
                    "service_area": ServiceArea.RADIUS,
                    "service_area_lat": place["lat"],
                    "service_area_lng": place["lng"],
                    "service_area_radius_mi": float(rng.choice([25, 50, 100, 200])),
                }
            builder.names.add(base)
            organization = builder.organization(
                name=f"{LABEL}{base} (demo)", slug=slugify(base), state_hint=""
            )
            always_open = rng.random() < 0.6
            location = builder.remote_location(organization, city=city, always_open=always_open)
            service = builder.service(
                organization,
                name=service_name,
                types=types,
                description="Help by phone, text or video, wherever you are in the area served.",
                archetype=rng.choice(archetypes),
                city=city,
                **area,
            )
            area_code = city["area_code"] if city else "202"
            builder.phone(area_code=area_code, kind=Phone.Kind.HOTLINE, location=location)
            if rng.random() < 0.5:
                builder.phone(area_code=area_code, kind=Phone.Kind.TEXT, location=location)
            if rng.random() < 0.3:
                builder.phone(area_code=area_code, kind=Phone.Kind.TTY, service=service)
            builder.link(service, location)


def build_plan(*, seed: int = SEED, as_of: date = VERIFIED_AS_OF):
    """Every sample row, unsaved (no database access): a `providers.sample_builder.Plan`."""
    builder = SampleBuilder(seed=seed, as_of=as_of)
    cities = sample_cities()
    by_state: dict[str, list[dict]] = defaultdict(list)
    for city in cities:
        by_state[city["state"]].append(city)
    kinds = list(ARCHETYPES)
    weights = [archetype.weight for archetype in ARCHETYPES.values()]
    for city, count in zip(cities, _organizations_per_city(builder, cities), strict=True):
        for index in range(count):
            # Every city gets legal aid and an advocacy centre, then whatever the dice say.
            kind = (
                ("legal", "advocacy")[index]
                if index < 2
                else builder.rng.choices(kinds, weights)[0]
            )
            _physical_organization(builder, kind, city, by_state[city["state"]])
    _remote_organizations(builder, cities)
    return builder.plan


@contextmanager
def _without_history():
    # Made-up listings need no audit trail: deleting the ~8,000 rows of one load would
    # otherwise write as many history rows (django-simple-history), one query each.
    previous = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = previous


def clear_sample_data() -> int:
    """Delete sample organizations (and everything that belongs to them); returns how many."""
    with _without_history():
        _, per_model = Organization.objects.filter(is_sample=True).delete()
    return per_model.get(Organization._meta.label, 0)


def load_sample_data(*, seed: int = SEED, as_of: date = VERIFIED_AS_OF) -> dict[str, int]:
    """Replace the sample data with a fresh copy; returns row counts by kind."""
    plan = build_plan(seed=seed, as_of=as_of)
    term_ids = {
        (kind, slug): pk for pk, kind, slug in Term.objects.values_list("id", "kind", "slug")
    }
    codes = set(Language.objects.values_list("code", flat=True))
    missing = sorted(
        {f"{kind}:{slug}" for _, kind, slug in plan.service_terms if (kind, slug) not in term_ids}
        | {f"language:{code}" for _, code in plan.service_languages if code not in codes}
        | {
            f"accessibility:{slug}"
            for _, slug in plan.location_accessibility
            if (Term.Kind.ACCESSIBILITY, slug) not in term_ids
        }
    )
    if missing:
        raise SampleDataError(
            f"Reference data is missing ({', '.join(missing[:5])}); "
            "run `manage.py load_reference_data` first."
        )
    service_terms = Service.terms.through
    service_languages = Service.languages.through
    location_accessibility = Location.accessibility.through
    with transaction.atomic():
        clear_sample_data()
        Organization.objects.bulk_create(plan.organizations)
        Service.objects.bulk_create(plan.services)
        Location.objects.bulk_create(plan.locations)
        ServiceAtLocation.objects.bulk_create(plan.links)
        Phone.objects.bulk_create(plan.phones)
        OpeningHours.objects.bulk_create(plan.hours)
        service_terms.objects.bulk_create(
            service_terms(service_id=service_id, term_id=term_ids[(kind, slug)])
            for service_id, kind, slug in plan.service_terms
        )
        service_languages.objects.bulk_create(
            service_languages(service_id=service_id, language_id=code)
            for service_id, code in plan.service_languages
        )
        location_accessibility.objects.bulk_create(
            location_accessibility(
                location_id=location_id, term_id=term_ids[(Term.Kind.ACCESSIBILITY, slug)]
            )
            for location_id, slug in plan.location_accessibility
        )
        filter_choices_changed()  # bulk_create sends no signals
    return {
        "organizations": len(plan.organizations),
        "services": len(plan.services),
        "locations": len(plan.locations),
        "services at locations": len(plan.links),
        "phones": len(plan.phones),
        "opening hours": len(plan.hours),
    }
