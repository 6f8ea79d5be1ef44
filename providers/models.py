"""The directory's data, shaped after HSDS 3.0.

organization -> service -> service_at_location <- location, with phones, opening hours,
languages and taxonomy terms (our needs list, victimization types, populations and
accessibility features) around them. Public ids are UUIDs; integer keys stay internal.
"""

import math
import random
import uuid
from datetime import date, timedelta
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, gettext, to_locale
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from providers.geometry import offset_point


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


def _spanish() -> bool:
    return (get_language() or "").startswith("es")


def translated(text: str) -> str:
    """A vocabulary text in the active language: the catalogs translate the fixtures' texts.

    Spanish may come from the database's *_es column instead (see Bilingual); a text no
    catalog knows (a term an admin added) stays as it is.
    """
    return gettext(text) if text else ""


@lru_cache(maxsize=64)
def _cldr_language_names(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(to_locale(language)).languages)
    except (ValueError, UnknownLocaleError):
        return {}


class Bilingual(models.Model):
    """A name and description in English and Spanish, read in the active language.

    Other languages translate the English through the catalogs (`translated`).
    """

    name = models.CharField(_("name"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        if _spanish() and self.name_es:
            return self.name_es
        return translated(self.name)

    @property
    def local_description(self) -> str:
        if _spanish() and self.description_es:
            return self.description_es
        return translated(self.description)


class TermQuerySet(models.QuerySet):
    def service_types(self):
        return self.filter(kind=Term.Kind.SERVICE_TYPE)

    def victimization_types(self):
        return self.filter(kind=Term.Kind.VICTIMIZATION)

    def populations(self):
        return self.filter(kind=Term.Kind.POPULATION)

    def accessibility_features(self):
        return self.filter(kind=Term.Kind.ACCESSIBILITY)


class Term(Bilingual):
    """A term of one of our taxonomies (HSDS taxonomy_term); the needs list is one of them."""

    class Kind(models.TextChoices):
        SERVICE_TYPE = "service_type", _("Service type")
        VICTIMIZATION = "victimization", _("Victimization type")
        POPULATION = "population", _("Population served")
        ACCESSIBILITY = "accessibility", _("Accessibility")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    slug = models.SlugField(_("slug"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="term_unique_kind_slug"),
        ]


class Language(models.Model):
    """A language by its ISO 639 code (639-1 where one exists, else 639-3, e.g. ASL = ase)."""

    code = models.CharField(_("ISO 639 code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    name_es = models.CharField(_("name (Spanish)"), max_length=100, blank=True)
    native_name = models.CharField(_("name in the language"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        """The name in the reader's language: CLDR's (Babel), else the catalogs', else English."""
        language = get_language() or settings.LANGUAGE_CODE
        if language.startswith("es") and self.name_es:
            return self.name_es
        if language.startswith("en"):
            return self.name
        name = _cldr_language_names(language).get(self.code)
        # CLDR writes some languages' names in lower case ("ruso", "anglais"); in a list
        # of choices they start with a capital.
        return name[:1].upper() + name[1:] if name else translated(self.name)


class Sourced(models.Model):
    """Where an imported record came from, so a re-import updates instead of duplicating."""

    source = models.CharField(_("source"), max_length=100, blank=True)
    source_id = models.CharField(_("id at the source"), max_length=250, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


# The stale list's order: never verified first, then the longest since verification.
OLDEST_VERIFIED_FIRST = (models.F("last_verified_on").asc(nulls_first=True), "name")


class OrganizationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def stale(self, *, today: date | None = None, days: int | None = None):
        days = settings.STALE_AFTER_DAYS if days is None else days
        cutoff = (today or timezone.localdate()) - timedelta(days=days)
        return self.filter(
            models.Q(last_verified_on__isnull=True) | models.Q(last_verified_on__lt=cutoff)
        )


class Organization(Sourced):
    """A provider: the agency or programme a person would call."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=250)
    alternate_name = models.CharField(_("alternate name"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True, max_length=500)
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    last_verified_on = models.DateField(_("last verified"), null=True, blank=True)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # True when the provider itself confirmed the listing through an e-mailed link
    # (providers/confirmations.py), not an editor.
    verified_by_provider = models.BooleanField(_("confirmed by the provider"), default=False)
    is_sample = models.BooleanField(
        _("sample data"), default=False, help_text=_("Made-up listing used for demonstration.")
    )

    objects = OrganizationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["source", "source_id"], name="org_source_idx"),
            # The listing without a place (search.listing) walks organizations by name:
            # a page of 20 at 100k listings in 3 ms instead of sorting them all (130 ms).
            models.Index(fields=["name"], name="org_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_stale(self, *, today: date | None = None) -> bool:
        if self.last_verified_on is None:
            return True
        cutoff = (today or timezone.localdate()) - timedelta(days=settings.STALE_AFTER_DAYS)
        return self.last_verified_on < cutoff

    def mark_verified(self, *, user, on: date | None = None, by_provider: bool = False) -> None:
        self.last_verified_on = on or timezone.localdate()
        self.last_verified_by = user
        self.verified_by_provider = by_provider
        fields = ["last_verified_on", "last_verified_by", "verified_by_provider", "updated_at"]
        self.save(update_fields=fields)


class Cost(models.TextChoices):
    # Blank: the source said nothing about cost. Never assume "free" (issue 16).
    NOT_STATED = "", _("Not stated")
    FREE = "free", _("Free")
    SLIDING_SCALE = "sliding_scale", _("Sliding scale")
    FEE = "fee", _("Fee")


class ServiceArea(models.TextChoices):
    LOCAL = "local", _("At its locations only")
    NATIONWIDE = "nationwide", _("Nationwide")
    STATES = "states", _("Listed states")
    RADIUS = "radius", _("Within a distance")


class ServiceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED, organization__status=Status.PUBLISHED)


class Service(Sourced):
    """What an organization offers (HSDS service)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(_("name"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True, max_length=500)
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PUBLISHED
    )
    terms = models.ManyToManyField(Term, blank=True, related_name="services")
    # Needs an import inferred from the service's own words (no mapped code): also in `terms`,
    # listed here until an editor confirms or removes them.
    inferred_terms = models.ManyToManyField(
        Term,
        blank=True,
        related_name="inferred_for_services",
        verbose_name=_("needs inferred, not yet confirmed"),
    )
    languages = models.ManyToManyField(Language, blank=True, related_name="services")
    cost = models.CharField(
        _("cost"), max_length=20, choices=Cost.choices, default=Cost.NOT_STATED, blank=True
    )
    cost_note = models.CharField(_("about the cost"), max_length=300, blank=True)
    eligibility = models.TextField(_("who is eligible"), blank=True)
    how_to_get_help = models.TextField(_("how to get help / next steps"), blank=True)
    service_area = models.CharField(
        _("service area"), max_length=12, choices=ServiceArea.choices, default=ServiceArea.LOCAL
    )
    service_area_states = models.JSONField(
        _("states served"), default=list, blank=True, help_text=_("Two-letter state codes.")
    )
    service_area_lat = models.FloatField(
        _("service area centre latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    service_area_lng = models.FloatField(
        _("service area centre longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    service_area_radius_mi = models.FloatField(
        _("service area radius (miles)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1), MaxValueValidator(3000)],
    )

    objects = ServiceQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[terms, languages])

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["source", "source_id"], name="service_source_idx")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.service_area == ServiceArea.STATES and not self.service_area_states:
            raise ValidationError({"service_area_states": _("List the states served.")})
        if self.service_area == ServiceArea.RADIUS and None in (
            self.service_area_lat,
            self.service_area_lng,
            self.service_area_radius_mi,
        ):
            raise ValidationError(
                {"service_area_radius_mi": _("Give the centre and radius of the area served.")}
            )
        codes = [str(code).strip().upper() for code in self.service_area_states or []]
        self.service_area_states = sorted(set(codes))


def random_bearing() -> float:
    """A direction for a public point's offset, in radians clockwise from north."""
    return random.SystemRandom().uniform(0, 2 * math.pi)


def random_offset_mi() -> float:
    """How far a confidential location's public point lies from it: 1 to 2 miles."""
    return random.SystemRandom().uniform(1.0, 2.0)


class LocationKind(models.TextChoices):
    PHYSICAL = "physical", _("A place people can visit")
    REMOTE = "remote", _("Remote only (phone, text, online)")


class Location(Sourced):
    """Where a service is delivered (HSDS location + its physical address)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="locations"
    )
    name = models.CharField(_("name"), max_length=250, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=LocationKind.choices, default=LocationKind.PHYSICAL
    )
    address_1 = models.CharField(_("street address"), max_length=250, blank=True)
    address_2 = models.CharField(_("address line 2"), max_length=250, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True)
    postcode = models.CharField(_("ZIP code"), max_length=10, blank=True)
    country = models.CharField(_("country"), max_length=2, default="US")
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    coordinates_approximate = models.BooleanField(
        _("coordinates are approximate"),
        default=False,
        help_text=_("Placed at the ZIP or city centre, not the street address."),
    )
    address_confidential = models.BooleanField(
        _("address is confidential"),
        default=False,
        help_text=_(
            "Shelters and safe houses: the street address and exact position are never shown "
            "to the public; people are asked to call first."
        ),
    )
    # A confidential location is searched and measured from its public point: the real point
    # moved by this offset, drawn at random once when the location is created (1-2 miles in
    # any direction) and never drawn again, so no number of searches narrows the real point
    # to under a mile (docs/public-pages.md). Only the search copies use it (search_index.py).
    offset_bearing = models.FloatField(default=random_bearing, editable=False)
    offset_mi = models.FloatField(default=random_offset_mi, editable=False)
    timezone = models.CharField(_("time zone"), max_length=64, default="America/New_York")
    open_24_7 = models.BooleanField(_("open 24 hours, 7 days"), default=False)
    hours_note = models.CharField(_("about the hours"), max_length=300, blank=True)
    accessibility = models.ManyToManyField(
        Term,
        blank=True,
        related_name="locations",
        limit_choices_to={"kind": Term.Kind.ACCESSIBILITY},
    )
    services = models.ManyToManyField(
        Service, through="ServiceAtLocation", related_name="locations", blank=True
    )

    history = HistoricalRecords(
        m2m_fields=[accessibility], excluded_fields=["offset_bearing", "offset_mi"]
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="location_lat_lng_idx"),
            models.Index(fields=["source", "source_id"], name="location_source_idx"),
        ]

    def __str__(self) -> str:
        return self.name or ", ".join(p for p in (self.city, self.state) if p) or str(self.id)

    def clean(self) -> None:
        self.state = self.state.strip().upper()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        if self.kind == LocationKind.PHYSICAL and self.latitude is None:
            raise ValidationError(
                {"latitude": _("A place people can visit needs coordinates (or a ZIP code).")}
            )

    # The redacted view: interfaces read these, never the raw fields, for public output.
    @property
    def public_street(self) -> str:
        return "" if self.address_confidential else self.address_1

    @property
    def public_street_2(self) -> str:
        return "" if self.address_confidential else self.address_2

    @property
    def public_point(self) -> tuple[float, float] | None:
        """Exact (lat, lng) for a map pin, or None when confidential or unknown."""
        if self.address_confidential or self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    @property
    def public_postcode(self) -> str:
        """The ZIP code, or nothing when confidential (a ZIP+4 is often one building, and a
        small ZIP little more: the city and state are as far as the public gets)."""
        return "" if self.address_confidential else self.postcode

    @property
    def search_point(self) -> tuple[float, float] | None:
        """The point the search measures from (its copies hold the same): the public point
        of a confidential location, else the real one; None without coordinates. For tests
        and editors: public output never shows a confidential location's point at all."""
        if self.latitude is None or self.longitude is None:
            return None
        if not self.address_confidential:
            return (self.latitude, self.longitude)
        return offset_point(
            lat=self.latitude, lng=self.longitude, bearing=self.offset_bearing, miles=self.offset_mi
        )

    def public_address(self) -> dict[str, str]:
        return {
            "address_1": self.public_street,
            "address_2": self.public_street_2,
            "city": self.city,
            "state": self.state,
            "postcode": self.public_postcode,
            "country": self.country,
        }


class ServiceAtLocationQuerySet(models.QuerySet):
    def listed(self):
        """What the public may see: published services of published organizations."""
        return self.filter(
            service__status=Status.PUBLISHED,
            service__organization__status=Status.PUBLISHED,
        )


class ServiceAtLocation(models.Model):
    """A service offered at a location: the unit a search returns."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    description = models.TextField(_("description"), blank=True)
    # Internal copies for the radius search (providers/search_index.py keeps them in step
    # with database triggers), so a search reads one index instead of joining five tables.
    # Never output them: public coordinates come from `location.public_point`.
    search_lat = models.FloatField(null=True, editable=False)
    search_lng = models.FloatField(null=True, editable=False)
    search_band = models.IntegerField(null=True, editable=False)  # 1/20-degree latitude band
    search_listed = models.BooleanField(default=False, editable=False)
    search_types = models.TextField(default="", editable=False)  # ",slug,slug,"

    objects = ServiceAtLocationQuerySet.as_manager()
    # The search copies change with other rows (by trigger); they are not this row's history.
    history = HistoricalRecords(
        excluded_fields=["search_lat", "search_lng", "search_band", "search_listed", "search_types"]
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="sal_unique_pair"),
        ]
        indexes = [
            # Covers the whole radius search without reading a row: listed, a latitude band
            # and a longitude range per seek, then the latitude for the distance, the service
            # types, the service for the other filters, and the id for ranking.
            models.Index(
                fields=[
                    "search_listed",
                    "search_band",
                    "search_lng",
                    "search_lat",
                    "search_types",
                    "service",
                    "id",
                ],
                name="sal_search_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"

    @property
    def distance_mi(self) -> float | None:
        """Distance for the public, to 0.1 mi. The search measures a confidential location
        from its public point (1-2 mi off), so this never tells where it is, and the order
        and the distances shown always agree."""
        return public_miles(getattr(self, "exact_distance_mi", None))

    @property
    def distance_km(self) -> float | None:
        return public_km(self.distance_mi)


def public_miles(exact: float | None) -> float | None:
    """`ServiceAtLocation.distance_mi` from the miles the search measured."""
    return None if exact is None else round(exact, 1)


def public_km(miles: float | None) -> float | None:
    """`ServiceAtLocation.distance_km` from its public miles."""
    return None if miles is None else round(miles * 1.609344, 1)


class Phone(models.Model):
    """A number to call or text, attached to an organization, service or location."""

    class Kind(models.TextChoices):
        VOICE = "voice", _("Call")
        TEXT = "text", _("Text")
        HOTLINE = "hotline", _("Hotline")
        TTY = "tty", _("TTY")
        FAX = "fax", _("Fax")

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=40)
    extension = models.CharField(_("extension"), max_length=10, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VOICE)
    note = models.CharField(_("note"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.number

    @property
    def tel_uri(self) -> str:
        digits = "".join(ch for ch in self.number if ch.isdigit() or ch == "+")
        return f"tel:{digits}" + (f";ext={self.extension}" if self.extension else "")

    @property
    def sms_uri(self) -> str:
        digits = "".join(ch for ch in self.number if ch.isdigit() or ch == "+")
        return f"sms:{digits}"


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


class OpeningHours(models.Model):
    """One opening period on one weekday, in the location's time zone.

    A period that closes before it opens runs past midnight into the next day.
    """

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens"))
    closes_at = models.TimeField(_("closes"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["weekday", "opens_at"]
        verbose_name_plural = _("opening hours")
        indexes = [models.Index(fields=["weekday", "opens_at"], name="hours_day_idx")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"

    def clean(self) -> None:
        if self.opens_at == self.closes_at:
            raise ValidationError(_("Opening and closing times must differ."))


class Hotline(Bilingual):
    """A national hotline shown on every public page."""

    slug = models.SlugField(unique=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_display = models.CharField(_("phone as shown"), max_length=60, blank=True)
    text_number = models.CharField(_("text number"), max_length=40, blank=True)
    text_keyword = models.CharField(_("text keyword"), max_length=40, blank=True)
    chat_url = models.URLField(_("chat or web"), blank=True)
    hours = models.CharField(_("hours"), max_length=100, blank=True)
    hours_es = models.CharField(_("hours (Spanish)"), max_length=100, blank=True)
    is_emergency = models.BooleanField(_("emergency number"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]

    @property
    def local_hours(self) -> str:
        if _spanish() and self.hours_es:
            return self.hours_es
        return translated(self.hours)


# Staff memberships and public suggestions live in their own module (moderation); importing
# them here registers them with the app.
# --- Importers (issue #5): taxonomy mapping and import runs live with the importers. ------
from providers.importers.models import ImportRun, TaxonomyMapping  # noqa: E402, F401
from providers.moderation import StaffMembership, Suggestion  # noqa: E402, F401
