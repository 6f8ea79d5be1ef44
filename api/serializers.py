"""Read serializers of the v1 API. Public output reads the redacted view of a location
(`public_street`, `public_point`), never its raw address fields."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from providers.hours import is_open
from providers.listings import build_listing, load_related
from providers.models import (
    Hotline,
    Language,
    Location,
    LocationKind,
    OpeningHours,
    Phone,
    ServiceArea,
    ServiceAtLocation,
    Term,
)
from providers.phones import (
    OWNER_LOCATION,
    OWNER_ORGANIZATION,
    OWNER_SERVICE,
    OWNERS,
    owned_phones,
)


@extend_schema_field(
    {
        "type": "object",
        "description": "The record's text in other languages, by language code (`es`, "
        "`zh-hans`, ...): each an object of field name to text. The fields above are "
        "in the original language (English); a field missing here is not translated.",
        "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}},
        "example": {"es": {"eligibility": "Adultos del condado"}},
    }
)
class TranslationsField(serializers.JSONField):
    """`translations` of providers/translations.py."""


class PhoneSerializer(serializers.ModelSerializer):
    """A listing's number; `context["owner"]` says whose (`owned_phones` of providers/phones.py:
    a number may be on two owners' lists). Without it, the first owner the row names."""

    tel_uri = serializers.CharField(read_only=True)
    translations = TranslationsField()
    owner = serializers.SerializerMethodField()

    class Meta:
        model = Phone
        fields = ["number", "extension", "kind", "note", "translations", "tel_uri", "owner"]

    @extend_schema_field(
        serializers.ChoiceField(
            choices=OWNERS,
            help_text="Whose line it is: the service's own, its location's, or the organization's.",
        )
    )
    def get_owner(self, phone: Phone) -> str:
        if "owner" in self.context:
            return self.context["owner"]
        if phone.service_id is not None:
            return OWNER_SERVICE
        return OWNER_LOCATION if phone.location_id is not None else OWNER_ORGANIZATION


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "09:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the location's own time zone, "HH:MM" (no offset: it has none)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        super().__init__(**kwargs)


class HoursSerializer(serializers.ModelSerializer):
    opens_at = LocalTimeField()
    closes_at = LocalTimeField()

    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens_at", "closes_at"]


class LanguageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Language
        fields = ["code", "name", "name_es", "native_name"]


class TermSerializer(serializers.ModelSerializer):
    class Meta:
        model = Term
        fields = ["slug", "kind", "name", "name_es", "description", "description_es"]


class HotlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hotline
        fields = [
            "slug",
            "name",
            "name_es",
            "description",
            "description_es",
            "phone",
            "phone_display",
            "text_number",
            "text_keyword",
            "chat_url",
            "hours",
            "hours_es",
            "is_emergency",
        ]


class PublicLocationSerializer(serializers.Serializer):
    """A location as the public may see it: no street, ZIP or point when confidential."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=LocationKind.choices)
    address_1 = serializers.CharField(source="public_street")
    address_2 = serializers.CharField(source="public_street_2")
    city = serializers.CharField()
    state = serializers.CharField()
    postcode = serializers.CharField(source="public_postcode")
    country = serializers.CharField()
    lat = serializers.SerializerMethodField()
    lng = serializers.SerializerMethodField()
    address_confidential = serializers.BooleanField()
    coordinates_approximate = serializers.BooleanField(source="public_coordinates_approximate")
    timezone = serializers.CharField()
    open_24_7 = serializers.BooleanField()
    hours_note = serializers.CharField()
    translations = TranslationsField()
    accessibility = serializers.SerializerMethodField(help_text="Accessibility feature slugs.")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_accessibility(self, location: Location) -> list[str]:
        return [term.slug for term in location.accessibility.all()]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_lat(self, location: Location) -> float | None:
        point = location.public_point
        return point[0] if point else None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_lng(self, location: Location) -> float | None:
        point = location.public_point
        return point[1] if point else None


class OrganizationSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    alternate_name = serializers.CharField()
    website = serializers.CharField()
    email = serializers.CharField()


class ServiceAreaSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ServiceArea.choices, source="service_area")
    states = serializers.ListField(child=serializers.CharField(), source="service_area_states")
    radius_mi = serializers.FloatField(source="service_area_radius_mi", allow_null=True)


def _slugs(kind: str):
    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def method(self, sal: ServiceAtLocation) -> list[str]:
        return [term.slug for term in sal.service.terms.all() if term.kind == kind]

    return method


# The declared fields (with their methods) are the OpenAPI schema and the reference that
# tests compare with; `to_representation` builds the same output by hand
# (providers/listings.py) from `context["related"]`, which a view loads for a whole page with
# `load_related`. (The class docstring is the schema's description.)
class ProviderSerializer(serializers.Serializer):
    """One listing: a service at a location, with its organization."""

    id = serializers.UUIDField(help_text="The id of this service at this location.")
    service_id = serializers.UUIDField()
    name = serializers.CharField(source="service.name")
    description = serializers.CharField(source="service.description")
    organization = OrganizationSummarySerializer(source="service.organization")
    services = serializers.SerializerMethodField(help_text="Service-type slugs.")
    victimization = serializers.SerializerMethodField()
    populations = serializers.SerializerMethodField()
    languages = LanguageSerializer(source="service.languages", many=True)
    cost = serializers.SerializerMethodField(
        help_text="`free`, `sliding_scale` or `fee`; null when the source does not say."
    )
    cost_note = serializers.CharField(source="service.cost_note")
    eligibility = serializers.CharField(source="service.eligibility")
    how_to_get_help = serializers.CharField(source="service.how_to_get_help")
    translations = TranslationsField(source="service.translations")
    website = serializers.CharField(source="service.website")
    email = serializers.CharField(source="service.email")
    service_area = ServiceAreaSerializer(source="service")
    location = PublicLocationSerializer()
    phones = serializers.SerializerMethodField()
    hours = HoursSerializer(source="location.hours", many=True)
    open_now = serializers.SerializerMethodField()
    distance_mi = serializers.FloatField(allow_null=True)
    distance_km = serializers.FloatField(allow_null=True)
    last_verified = serializers.DateField(
        source="service.organization.last_verified_on", allow_null=True
    )

    @extend_schema_field(
        serializers.ChoiceField(choices=["free", "sliding_scale", "fee"], allow_null=True)
    )
    def get_cost(self, sal: ServiceAtLocation) -> str | None:
        return sal.service.cost or None

    get_services = _slugs(Term.Kind.SERVICE_TYPE)
    get_victimization = _slugs(Term.Kind.VICTIMIZATION)
    get_populations = _slugs(Term.Kind.POPULATION)

    def to_representation(self, instance: ServiceAtLocation) -> dict:
        related = self.context.get("related")
        if related is None:
            related = load_related([instance])
        return build_listing(instance, related=related, now=self.context.get("now"))

    @extend_schema_field(PhoneSerializer(many=True))
    def get_phones(self, sal: ServiceAtLocation) -> list[dict]:
        """The listing's numbers in the one order of providers/phones.py."""
        phones = owned_phones(
            sal.service.phones.all(),
            sal.location.phones.all(),
            sal.service.organization.phones.all(),
        )
        return [PhoneSerializer(phone, context={"owner": owner}).data for owner, phone in phones]

    @extend_schema_field(serializers.BooleanField())
    def get_open_now(self, sal: ServiceAtLocation) -> bool:
        location = sal.location
        return is_open(
            open_24_7=location.open_24_7,
            periods=location.hours.all(),
            tz_name=location.timezone,
            now=self.context.get("now") or timezone.now(),
        )


class PlaceSerializer(serializers.Serializer):
    label = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()


class ResolvedPlaceSerializer(PlaceSerializer):
    kind = serializers.CharField()
    state = serializers.CharField(allow_blank=True)
    postcode = serializers.CharField(allow_blank=True)
    timezone = serializers.CharField(allow_blank=True)
    approximate = serializers.BooleanField()


class ProviderSearchSerializer(serializers.Serializer):
    """The search page (documentation only; the view builds it)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProviderSerializer(many=True)
    remote = ProviderSerializer(
        many=True,
        help_text="Remote services (phone, text, online) covering the place, most local "
        "first: the first 5, or all of them with `remote=all`.",
    )
    remote_count = serializers.IntegerField(
        help_text="How many remote services cover the place (at most 50)."
    )
    remote_next = serializers.URLField(
        allow_null=True,
        help_text="This search with `remote=all` (every remote service); null when `remote` "
        "already holds them all.",
    )
    place = PlaceSerializer(allow_null=True)
    radius_mi = serializers.FloatField(allow_null=True)
    radius_km = serializers.FloatField(allow_null=True)
