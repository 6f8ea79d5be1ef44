"""What a provider offers: services, with their cost and service area."""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from providers.geometry import area_centre
from providers.models.common import Sourced, Status
from providers.models.organizations import Organization
from providers.models.vocabulary import Language, Term
from providers.translations import SERVICE_FIELDS, translations_field


class Cost(models.TextChoices):
    # Blank: the source said nothing about cost. Never assume "free".
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
    # Inferred needs an editor removed: a re-import does not infer them again (rejected_terms).
    rejected_terms = models.ManyToManyField(
        Term,
        blank=True,
        related_name="+",
        verbose_name=_("inferred needs an editor removed"),
    )
    languages = models.ManyToManyField(Language, blank=True, related_name="services")
    cost = models.CharField(
        _("cost"), max_length=20, choices=Cost.choices, default=Cost.NOT_STATED, blank=True
    )
    cost_note = models.CharField(_("about the cost"), max_length=300, blank=True)
    eligibility = models.TextField(_("who is eligible"), blank=True)
    how_to_get_help = models.TextField(_("how to get help / next steps"), blank=True)
    translations = translations_field(SERVICE_FIELDS)
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
        indexes = [
            models.Index(fields=["source", "source_id"], name="service_source_idx"),
            # HSDS /services pages walk services in this order: at 100k listings a page took
            # 37 ms on SQLite and 79 on PostgreSQL sorting them all, under 1 ms with it.
            models.Index(fields=["name", "id"], name="service_name_idx"),
        ]

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

    def save(self, *args, **kwargs):
        self.service_area_lat = area_centre(self.service_area_lat)
        self.service_area_lng = area_centre(self.service_area_lng)
        super().save(*args, **kwargs)
