"""Write serializers for editors: organizations, services and locations, fully validated.

Nested `phones` (and `hours` of a location) replace the whole list when given; leave the
key out of a PATCH to keep them. These serializers show unredacted addresses: they are only
reachable by signed-in editors (see api/write_views.py).
"""

import re
from functools import cache
from zoneinfo import available_timezones

import phonenumbers
from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema_field
from phonenumbers import shortnumberinfo
from rest_framework import serializers

from api.serializers import LocalTimeField
from providers import translations
from providers.geocode import STATES, geocode_address, timezone_for
from providers.models import (
    Language,
    Location,
    LocationKind,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceArea,
    Term,
)

POSTCODE = re.compile(r"^\d{5}(-\d{4})?$")
HTTP_URL = URLValidator(schemes=["http", "https"])


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def normalise_phone(value: str) -> str:
    """A US number in E.164 (+12125550100), or a valid short number such as 988 or 211."""
    try:
        parsed = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    digits = re.sub(r"[^0-9]", "", value)
    if 3 <= len(digits) <= 6 and digits == value.strip():
        try:
            short = phonenumbers.parse(digits, "US")
        except phonenumbers.NumberParseException:
            short = None
        if short is not None and shortnumberinfo.is_valid_short_number(short):
            return digits
    raise serializers.ValidationError(
        "Enter a valid phone number, e.g. (212) 555-0100 or +1 212 555 0100."
    )


class HttpUrlField(serializers.URLField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)
        self.validators.append(HTTP_URL)


class TranslationsMixin:
    """`translations` (providers/translations.py): the model's validator names a wrong
    language or field; empty texts are dropped, as the admin drops them."""

    def validate_translations(self, value):
        return translations.cleaned(value)


class PhoneWriteSerializer(TranslationsMixin, serializers.ModelSerializer):
    class Meta:
        model = Phone
        fields = ["number", "extension", "kind", "note", "translations"]

    def validate_number(self, value: str) -> str:
        return normalise_phone(value)

    def validate_extension(self, value: str) -> str:
        if value and not value.isdigit():
            raise serializers.ValidationError("Digits only.")
        return value


class HoursWriteSerializer(serializers.ModelSerializer):
    opens_at = LocalTimeField()
    closes_at = LocalTimeField()

    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens_at", "closes_at"]

    def validate(self, attrs):
        if attrs["opens_at"] == attrs["closes_at"]:
            raise serializers.ValidationError(
                {"closes_at": "Opening and closing times must differ."}
            )
        return attrs


@extend_schema_field(serializers.ListField(child=serializers.SlugField()))
class TermSlugsField(serializers.Field):
    """The slugs of one kind of term on a service (the M2M holds every kind together)."""

    def __init__(self, *, kind: str, **kwargs):
        kwargs.update(source="*", required=False)
        super().__init__(**kwargs)
        self.kind = kind

    def to_representation(self, service: Service) -> list[str]:
        return sorted(term.slug for term in service.terms.all() if term.kind == self.kind)

    def to_internal_value(self, data) -> dict:
        if not isinstance(data, list) or not all(isinstance(slug, str) for slug in data):
            raise serializers.ValidationError({self.field_name: ["Give a list of slugs."]})
        slugs = list(dict.fromkeys(data))
        terms = list(Term.objects.filter(kind=self.kind, slug__in=slugs))
        unknown = sorted(set(slugs) - {term.slug for term in terms})
        if unknown:
            raise serializers.ValidationError(
                {self.field_name: [f"Unknown {self.kind} terms: {', '.join(unknown)}."]}
            )
        return {f"terms__{self.kind}": terms}


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


class NoNulMixin:
    """A NUL character anywhere in a field is a 400 for that field, before any lookup:
    PostgreSQL refuses NUL in text, and a lookup with one would be a 500."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            bad = {
                key: ["Null characters are not allowed."] for key, v in data.items() if _has_nul(v)
            }
            if bad:
                raise serializers.ValidationError(bad)
        return super().to_internal_value(data)


class NestedListsMixin:
    """Create/update with nested lists that replace the related rows when given."""

    nested: dict[str, tuple[type, str]] = {}  # field -> (model, foreign key name)

    def _pop_nested(self, validated_data: dict) -> dict:
        return {name: validated_data.pop(name) for name in self.nested if name in validated_data}

    def _write_nested(self, instance, lists: dict) -> None:
        for name, items in lists.items():
            model, fk = self.nested[name]
            model.objects.filter(**{fk: instance}).delete()
            rows = []
            for position, item in enumerate(items):
                if model is Phone:
                    item = {**item, "position": position}
                rows.append(model(**{fk: instance}, **item))
            model.objects.bulk_create(rows)

    def create(self, validated_data):
        lists = self._pop_nested(validated_data)
        instance = super().create(validated_data)
        self._write_nested(instance, lists)
        return instance

    def update(self, instance, validated_data):
        lists = self._pop_nested(validated_data)
        instance = super().update(instance, validated_data)
        self._write_nested(instance, lists)
        return instance


class OrganizationWriteSerializer(
    NoNulMixin, TranslationsMixin, NestedListsMixin, serializers.ModelSerializer
):
    nested = {"phones": (Phone, "organization")}
    phones = PhoneWriteSerializer(many=True, required=False)
    website = HttpUrlField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "alternate_name",
            "description",
            "translations",
            "website",
            "email",
            "status",
            "last_verified_on",
            "phones",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class ServiceWriteSerializer(
    NoNulMixin, TranslationsMixin, NestedListsMixin, serializers.ModelSerializer
):
    nested = {"phones": (Phone, "service")}
    phones = PhoneWriteSerializer(many=True, required=False)
    website = HttpUrlField()
    service_types = TermSlugsField(kind=Term.Kind.SERVICE_TYPE)
    victimizations = TermSlugsField(kind=Term.Kind.VICTIMIZATION)
    populations = TermSlugsField(kind=Term.Kind.POPULATION)
    languages = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=Language.objects.all(), required=False
    )
    locations = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Location.objects.all(), required=False
    )
    service_area_states = serializers.ListField(
        child=serializers.CharField(max_length=2), required=False, max_length=60
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "organization",
            "name",
            "description",
            "website",
            "email",
            "status",
            "service_types",
            "victimizations",
            "populations",
            "languages",
            "cost",
            "cost_note",
            "eligibility",
            "how_to_get_help",
            "translations",
            "service_area",
            "service_area_states",
            "service_area_lat",
            "service_area_lng",
            "service_area_radius_mi",
            "locations",
            "phones",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_service_area_states(self, value: list[str]) -> list[str]:
        codes = sorted({code.strip().upper() for code in value})
        unknown = [code for code in codes if code not in STATES]
        if unknown:
            raise serializers.ValidationError(f"Unknown state codes: {', '.join(unknown)}.")
        return codes

    def validate(self, attrs):
        def current(name, default=None):
            if name in attrs:
                return attrs[name]
            return getattr(self.instance, name, default) if self.instance else default

        area = current("service_area", ServiceArea.LOCAL)
        states = current("service_area_states", []) or []
        circle = {
            name: current(name)
            for name in ("service_area_lat", "service_area_lng", "service_area_radius_mi")
        }
        errors = {}
        if area == ServiceArea.STATES and not states:
            errors["service_area_states"] = "List the states served."
        if area != ServiceArea.STATES and states:
            errors["service_area_states"] = "Only for service_area=states."
        if area == ServiceArea.RADIUS:
            for name, value in circle.items():
                if value is None:
                    errors[name] = "Required when service_area=radius."
        elif any(value is not None for value in circle.values()):
            errors["service_area_radius_mi"] = "Centre and radius only for service_area=radius."
        organization = current("organization")
        for location in attrs.get("locations", []):
            if organization and location.organization_id != organization.id:
                errors["locations"] = f"Location {location.id} belongs to another organization."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def _write_terms(self, service: Service, validated_terms: dict) -> None:
        for key, terms in validated_terms.items():
            kind = key.removeprefix("terms__")
            service.terms.remove(*service.terms.filter(kind=kind))
            service.terms.add(*terms)

    def _pop_terms(self, validated_data: dict) -> dict:
        return {k: validated_data.pop(k) for k in list(validated_data) if k.startswith("terms__")}

    def create(self, validated_data):
        terms = self._pop_terms(validated_data)
        service = super().create(validated_data)
        self._write_terms(service, terms)
        return service

    def update(self, instance, validated_data):
        terms = self._pop_terms(validated_data)
        service = super().update(instance, validated_data)
        self._write_terms(service, terms)
        return service


class LocationWriteSerializer(
    NoNulMixin, TranslationsMixin, NestedListsMixin, serializers.ModelSerializer
):
    nested = {"phones": (Phone, "location"), "hours": (OpeningHours, "location")}
    phones = PhoneWriteSerializer(many=True, required=False)
    hours = HoursWriteSerializer(many=True, required=False)
    accessibility = serializers.SlugRelatedField(
        many=True,
        slug_field="slug",
        queryset=Term.objects.accessibility_features(),
        required=False,
    )
    timezone = serializers.CharField(max_length=64, required=False)

    class Meta:
        model = Location
        fields = [
            "id",
            "organization",
            "name",
            "kind",
            "address_1",
            "address_2",
            "city",
            "state",
            "postcode",
            "country",
            "latitude",
            "longitude",
            "coordinates_approximate",
            "address_confidential",
            "timezone",
            "open_24_7",
            "hours_note",
            "translations",
            "accessibility",
            "phones",
            "hours",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_state(self, value: str) -> str:
        code = value.strip().upper()
        if code and code not in STATES:
            raise serializers.ValidationError("Use a two-letter US state code, e.g. NY.")
        return code

    def validate_postcode(self, value: str) -> str:
        value = value.strip()
        if value and not POSTCODE.match(value):
            raise serializers.ValidationError("Use a 5-digit ZIP code (or ZIP+4: 10001-1234).")
        return value

    def validate_country(self, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{2}", value):
            raise serializers.ValidationError("Use a two-letter ISO country code, e.g. US.")
        return value

    def validate_timezone(self, value: str) -> str:
        if value not in _timezones():
            raise serializers.ValidationError("Use an IANA time zone, e.g. America/Chicago.")
        return value

    def validate(self, attrs):
        def current(name, default=None):
            if name in attrs:
                return attrs[name]
            return getattr(self.instance, name, default) if self.instance else default

        kind = current("kind", LocationKind.PHYSICAL)
        lat, lng = current("latitude"), current("longitude")
        if (lat is None) != (lng is None):
            raise serializers.ValidationError(
                {"longitude" if lng is None else "latitude": "Give both latitude and longitude."}
            )
        if kind == LocationKind.REMOTE:
            if current("address_1") or lat is not None:
                raise serializers.ValidationError(
                    {"kind": "A remote location has no street address or coordinates."}
                )
        elif lat is None:
            place = geocode_address(
                street=current("address_1", ""),
                city=current("city", ""),
                state=current("state", ""),
                postcode=current("postcode", ""),
            )
            if place is None:
                raise serializers.ValidationError(
                    {"latitude": "A place people can visit needs coordinates or a known ZIP code."}
                )
            attrs |= {"latitude": place.lat, "longitude": place.lng}
            attrs["coordinates_approximate"] = True
            lat, lng = place.lat, place.lng
        if "timezone" not in attrs and self.instance is None and lat is not None:
            attrs["timezone"] = timezone_for(lat=lat, lng=lng) or "America/New_York"
        return attrs
