"""The pieces of a sample provider (rows in memory); providers/sample_data.py assembles them.

Every random choice comes from one seeded `random.Random` and every id from uuid5, so the
same seed builds the same rows.
"""

import math
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.utils.text import slugify

from providers.models import (
    Cost,
    Location,
    LocationKind,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    Status,
    Term,
)
from providers.sample_text import (
    ARCHETYPES,
    CITY_LANGUAGES,
    DISCLAIMER,
    ELIGIBILITY,
    HOW_TO,
    HOW_TO_CONFIDENTIAL,
    LABEL,
    NAME_WORDS,
    OTHER_LANGUAGES,
    SPANISH,
    STREETS,
    Archetype,
)

SOURCE = "sample"
_NAMESPACE = uuid.UUID("6f1c5b2e-8d0a-4b7e-9c51-3a2d7e9f0b14")
_WEEKDAYS = (1, 2, 3, 4, 5)
_ACCESSIBILITY_ODDS = {
    "wheelchair": 0.7,
    "transit": 0.5,
    "service-animals": 0.4,
    "asl": 0.15,
    "tty": 0.1,
    "large-print": 0.15,
    "braille": 0.05,
}


@dataclass
class Plan:
    """Unsaved rows, plus the many-to-many links by slug or code (resolved when saving)."""

    organizations: list[Organization] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    links: list[ServiceAtLocation] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    hours: list[OpeningHours] = field(default_factory=list)
    service_terms: list[tuple[uuid.UUID, str, str]] = field(default_factory=list)
    service_languages: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    location_accessibility: list[tuple[uuid.UUID, str]] = field(default_factory=list)


class SampleBuilder:
    def __init__(self, *, seed: int, as_of: date) -> None:
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.plan = Plan()
        self.names: set[str] = set()
        self.serial = Counter()
        self.phone_serial: Counter = Counter()  # per area code
        self.phone_position: Counter = Counter()  # per owner

    def uid(self, kind: str) -> uuid.UUID:
        self.serial[kind] += 1
        return uuid.uuid5(_NAMESPACE, f"{kind}-{self.serial[kind]}")

    # -- organizations -------------------------------------------------------------------

    def organization(self, *, name: str, slug: str, state_hint: str = "") -> Organization:
        index = len(self.plan.organizations)
        rng = self.rng
        status = Status.PUBLISHED
        if index % 47 == 13:
            status = Status.DRAFT
        elif index % 97 == 41:
            status = Status.RETIRED
        roll = rng.random()
        if roll < 0.04:
            verified = None
        elif roll < 0.2:
            verified = self.as_of - timedelta(days=rng.randint(400, 900))  # stale
        else:
            verified = self.as_of - timedelta(days=rng.randint(0, 330))
        website = (
            f"https://{slug}.example/"
            if rng.random() < 0.8
            else f"https://www.example.org/sample/{slug}/"
        )
        organization = Organization(
            id=self.uid("organization"),
            name=name,
            description=f"{DISCLAIMER} Made-up provider used to try out the directory"
            + (f" in {state_hint}." if state_hint else "."),
            website=website,
            email=f"help@{slug}.example",
            status=status,
            last_verified_on=verified,
            is_sample=True,
            source=SOURCE,
            source_id=f"organization-{index + 1}",
        )
        self.plan.organizations.append(organization)
        return organization

    def unique_name(self, noun: str, place: str) -> tuple[str, str]:
        for attempt in range(60):
            word = self.rng.choice(NAME_WORDS)
            base = f"{word} {noun} of {place}" if attempt < 40 else f"{word} {noun} {attempt}"
            if base not in self.names:
                self.names.add(base)
                return f"{LABEL}{base}", slugify(base)
        raise RuntimeError(f"no free sample name for {noun} in {place}")  # pragma: no cover

    # -- phones --------------------------------------------------------------------------

    def phone(self, *, area_code: str, kind: str = Phone.Kind.VOICE, note: str = "", **owner):
        # 555-0100 to 555-0199 are reserved for fiction in every North American area code.
        suffix = 100 + self.phone_serial[area_code] % 100
        self.phone_serial[area_code] += 1
        extension = str(self.rng.randint(10, 99)) if self.rng.random() < 0.05 else ""
        (owner_key,) = [f"{key}-{value.id}" for key, value in owner.items()]
        self.phone_position[owner_key] += 1
        self.plan.phones.append(
            Phone(
                number=f"+1 {area_code} 555 {suffix:04d}",
                extension=extension,
                kind=kind,
                note=note,
                position=self.phone_position[owner_key],
                **owner,
            )
        )

    # -- locations -----------------------------------------------------------------------

    def physical_location(
        self, organization: Organization, city: dict, *, label: str, confidential: bool = False
    ) -> Location:
        rng = self.rng
        spread_mi = 1.0 + 2.5 * min(1.0, (city["population"] / 1_000_000) ** 0.5)
        north_mi = max(-2 * spread_mi, min(2 * spread_mi, rng.gauss(0, spread_mi)))
        east_mi = max(-2 * spread_mi, min(2 * spread_mi, rng.gauss(0, spread_mi)))
        lat = city["lat"] + north_mi / 69.0
        lng = city["lng"] + east_mi / (69.0 * max(0.2, _cos_deg(city["lat"])))
        location = Location(
            id=self.uid("location"),
            organization=organization,
            name=f"{organization.name} — {label}",
            kind=LocationKind.PHYSICAL,
            address_1=f"{rng.randint(10, 2999)} {rng.choice(STREETS)}",
            address_2=rng.choice(["", "", "", "Suite 200", "2nd floor", "Unit B"]),
            city=city["city"],
            state=city["state"],
            postcode=city["postcode"],
            latitude=round(lat, 5),
            longitude=round(lng, 5),
            address_confidential=confidential,
            timezone=city["timezone"],
            open_24_7=confidential,
            hours_note=("Open day and night; call first." if confidential else _pick_note(rng)),
            source=SOURCE,
            source_id=f"location-{self.serial['location']}",
        )
        self.plan.locations.append(location)
        for slug, odds in _ACCESSIBILITY_ODDS.items():
            if rng.random() < odds:
                self.plan.location_accessibility.append((location.id, slug))
        if not confidential:
            self.opening_hours(location)
        return location

    def remote_location(
        self, organization: Organization, *, city: dict | None, always_open: bool
    ) -> Location:
        location = Location(
            id=self.uid("location"),
            organization=organization,
            name=f"{organization.name} — by phone, text and online",
            kind=LocationKind.REMOTE,
            city="",
            state=city["state"] if city else "",
            timezone=city["timezone"] if city else "America/New_York",
            open_24_7=always_open,
            hours_note="" if always_open else "Answered by trained volunteers.",
            source=SOURCE,
            source_id=f"location-{self.serial['location']}",
        )
        self.plan.locations.append(location)
        if not always_open:
            for weekday in (*_WEEKDAYS, 6):
                self._period(location, weekday, time(8), time(20))
        return location

    def opening_hours(self, location: Location) -> None:
        pattern = self.rng.choices(
            ["office", "evening", "saturday", "split", "overnight", "always"],
            weights=[40, 25, 15, 10, 6, 4],
        )[0]
        if pattern == "always":
            location.open_24_7 = True
            return
        if pattern == "overnight":
            # A night drop-in centre: every night from 8 pm to 8 am the next morning.
            for weekday in range(1, 8):
                self._period(location, weekday, time(20), time(8))
            return
        for weekday in _WEEKDAYS:
            if pattern == "split" and weekday != 5:
                self._period(location, weekday, time(9), time(12))
                self._period(location, weekday, time(13), time(17))
            elif pattern == "evening" and weekday in (2, 4):
                self._period(location, weekday, time(9), time(20, 30))
            else:
                self._period(
                    location, weekday, time(8, 30) if pattern == "saturday" else time(9), time(17)
                )
        if pattern == "saturday":
            self._period(location, 6, time(10), time(14))

    def _period(self, location: Location, weekday: int, opens_at: time, closes_at: time) -> None:
        self.plan.hours.append(
            OpeningHours(location=location, weekday=weekday, opens_at=opens_at, closes_at=closes_at)
        )

    # -- services ------------------------------------------------------------------------

    def service(
        self,
        organization: Organization,
        *,
        name: str,
        types: tuple[str, ...],
        description: str,
        archetype: Archetype | None,
        city: dict | None,
        fee_ok: bool = False,
        confidential: bool = False,
        **area,
    ) -> Service:
        rng = self.rng
        index = self.serial["service"]
        # Some listings, as in real data, do not say what they cost.
        cost = rng.choices(
            [Cost.FREE, Cost.SLIDING_SCALE, Cost.FEE, Cost.NOT_STATED], weights=[68, 18, 7, 7]
        )[0]
        if cost == Cost.FEE and not fee_ok:
            cost = Cost.SLIDING_SCALE
        cost_note = {
            Cost.NOT_STATED: "",
            Cost.FREE: "",
            Cost.SLIDING_SCALE: "Based on household income; no one is turned away.",
            Cost.FEE: "$25 first visit; ask about fee waivers.",
        }[cost]
        eligibility = rng.choice(ELIGIBILITY)
        how_to = HOW_TO_CONFIDENTIAL if confidential else rng.choice(HOW_TO)
        service = Service(
            id=self.uid("service"),
            organization=organization,
            name=f"{LABEL}{name}",
            description=f"{DISCLAIMER} {description}",
            status=Status.RETIRED if index % 61 == 30 else Status.PUBLISHED,
            cost=cost,
            cost_note=cost_note,
            eligibility=eligibility,
            how_to_get_help=how_to,
            translations={
                "es": {"eligibility": SPANISH[eligibility], "how_to_get_help": SPANISH[how_to]}
            },
            source=SOURCE,
            source_id=f"service-{index + 1}",
            **area,
        )
        self.plan.services.append(service)
        all_types = [t for a in ARCHETYPES.values() for s in a.services for t in s.types]
        chosen = list(types)
        if rng.random() < 0.1:
            extra = rng.choice(all_types)
            chosen += [] if extra in chosen else [extra]
        self.plan.service_terms += [(service.id, Term.Kind.SERVICE_TYPE, t) for t in chosen]
        if archetype is not None:
            for kind, pool in (
                (Term.Kind.VICTIMIZATION, archetype.victimizations),
                (Term.Kind.POPULATION, archetype.populations),
            ):
                picked = rng.sample(pool, k=rng.randint(1, min(3, len(pool))))
                self.plan.service_terms += [(service.id, kind, slug) for slug in picked]
        self.plan.service_languages += [(service.id, code) for code in self.languages(city)]
        return service

    def languages(self, city: dict | None) -> list[str]:
        rng = self.rng
        spanish_first = city is not None and city["state"] == "PR"
        codes = ["es"] if spanish_first else ["en"]
        if spanish_first and rng.random() < 0.7:
            codes.append("en")
        if not spanish_first and rng.random() < 0.55:
            codes.append("es")
        local = CITY_LANGUAGES.get(city["city"], []) if city else []
        for code in local:
            if rng.random() < 0.25:
                codes.append(code)
        if rng.random() < 0.08:
            codes.append(rng.choice(OTHER_LANGUAGES))
        if rng.random() < 0.08:
            codes.append("ase")  # American Sign Language
        return list(dict.fromkeys(codes))

    def link(self, service: Service, location: Location) -> None:
        self.plan.links.append(
            ServiceAtLocation(
                id=self.uid("service-at-location"), service=service, location=location
            )
        )


def _cos_deg(degrees: float) -> float:
    return math.cos(math.radians(degrees))


def _pick_note(rng: random.Random) -> str:
    return rng.choice(
        ["", "", "", "Closed on federal holidays.", "Walk-ins until 3 pm; call for evenings."]
    )
