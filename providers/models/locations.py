"""Where a service is offered: locations (with the public point of a confidential one)
and the service-at-location pairs a search returns as listings."""

import math
import random
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from providers import redaction
from providers.geometry import offset_point
from providers.models.common import Sourced, Status
from providers.models.organizations import Organization
from providers.models.services import Service
from providers.models.vocabulary import Term
from providers.translations import LOCATION_FIELDS, translations_field


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
    translations = translations_field(LOCATION_FIELDS)
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
            # The time zones in use, for "open now" (one clause per zone): read from this index.
            models.Index(fields=["timezone"], name="location_timezone_idx"),
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

    # The redacted view (the one rule, providers/redaction.py): interfaces read these, never
    # the raw fields, for public output.
    public_street = property(redaction.public_street)
    public_street_2 = property(redaction.public_street_2)
    public_point = property(redaction.public_point)
    public_postcode = property(redaction.public_postcode)
    public_coordinates_approximate = property(redaction.public_coordinates_approximate)

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
    # Listed: the service and its organization are both published. Two copies, each written
    # by its own table's trigger, so two editors publishing or retiring them at the same
    # moment cannot leave one's view of the other behind (docs/search.md).
    search_service_published = models.BooleanField(default=False, editable=False)
    search_organization_published = models.BooleanField(default=False, editable=False)
    search_listed = models.GeneratedField(
        expression=Q(search_service_published=True, search_organization_published=True),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    search_types = models.TextField(default="", editable=False)  # ",slug,slug,"

    objects = ServiceAtLocationQuerySet.as_manager()
    # The search copies change with other rows (by trigger); they are not this row's history.
    history = HistoricalRecords(
        excluded_fields=[
            "search_lat",
            "search_lng",
            "search_band",
            "search_service_published",
            "search_organization_published",
            "search_listed",
            "search_types",
        ]
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
