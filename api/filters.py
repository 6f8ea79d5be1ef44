"""Query parameters: parsed by Forms and FilterSets so bad input is a 400 naming the field.

The searched place is read here and handed to the core; it is never logged or stored.
"""

import math
from dataclasses import dataclass
from datetime import UTC

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError as FormError
from django.db.models import Exists, OuterRef, Q
from rest_framework.exceptions import ValidationError

from providers.geocode import PlaceNotFound, geocode, state_for
from providers.hsds import HSDS_VERSIONS
from providers.models import Cost, Language, Organization, Service, ServiceAtLocation, Term
from providers.search import KM_PER_MI, Filters

MAX_VALUES = 20
MAX_TEXT = 200
UNITS = {"mi": 1.0, "km": 1 / KM_PER_MI}
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def raise_form_errors(form: forms.Form) -> None:
    """Turn a Form's errors into the API's 400 body: {"field": ["reason", ...]}."""
    errors = {
        ("non_field_errors" if field == "__all__" else field): [str(e["message"]) for e in items]
        for field, items in form.errors.get_json_data().items()
    }
    extra = getattr(form, "error_extra", {})
    raise ValidationError({**errors, **extra})


class StrictBooleanField(forms.Field):
    """true/false, 1/0, yes/no, on/off; anything else is an error, not a silent True."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise FormError("Use true or false.", code="invalid")


class CodeListField(forms.Field):
    """A repeatable parameter (`?service=a&service=b`, or comma-separated) from a known set."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, allowed=None, label_plural: str, list_allowed: bool = True, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.allowed = allowed
        self.label_plural = label_plural
        self.list_allowed = list_allowed

    def to_python(self, value) -> tuple[str, ...]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        codes: list[str] = []
        for raw in values:
            for part in str(raw).split(","):
                code = part.strip().lower()
                if code and code not in codes:
                    codes.append(code)
        if len(codes) > MAX_VALUES:
            raise FormError(f"Give at most {MAX_VALUES} values.", code="too_many")
        return tuple(codes)

    def validate(self, value) -> None:
        super().validate(value)
        if not value:
            return
        allowed = self.allowed() if callable(self.allowed) else self.allowed
        unknown = [code for code in value if code not in allowed]
        if unknown:
            message = f"Unknown {self.label_plural}: {', '.join(u[:40] for u in unknown)}."
            if self.list_allowed:
                message += f" Known: {', '.join(sorted(allowed))}."
            raise FormError(message, code="unknown")


def _term_slugs(kind: str):
    return lambda: set(Term.objects.filter(kind=kind).values_list("slug", flat=True))


def _language_codes() -> set[str]:
    return set(Language.objects.values_list("code", flat=True))


class TextField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_TEXT)
        super().__init__(**kwargs)


@dataclass(frozen=True)
class Point:
    lat: float
    lng: float
    label: str
    state: str = ""


def resolve_place(text: str, *, field: str):
    """The geocoder's Place for a typed place, or a 400 naming `field`, with suggestions."""
    try:
        return geocode(text)
    except PlaceNotFound as error:
        raise ValidationError(
            {field: [error.message], "suggestions": list(error.suggestions)}
        ) from None


def geocode_place(text: str, *, field: str) -> Point:
    """A typed place (ZIP, "City, ST", "lat, lng") as a point, or a 400 with suggestions."""
    place = resolve_place(text, field=field)
    return Point(lat=place.lat, lng=place.lng, label=place.label, state=place.state or "")


class ProviderSearchForm(forms.Form):
    """The parameters of GET /api/v1/providers/."""

    near = TextField()
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180)
    radius = forms.FloatField(required=False)
    unit = forms.ChoiceField(required=False, choices=[("mi", "miles"), ("km", "kilometres")])
    service = CodeListField(
        allowed=_term_slugs(Term.Kind.SERVICE_TYPE), label_plural="service types"
    )
    victimization = CodeListField(
        allowed=_term_slugs(Term.Kind.VICTIMIZATION), label_plural="victimization types"
    )
    population = CodeListField(
        allowed=_term_slugs(Term.Kind.POPULATION), label_plural="populations"
    )
    language = CodeListField(allowed=_language_codes, label_plural="languages", list_allowed=False)
    accessibility = CodeListField(
        allowed=_term_slugs(Term.Kind.ACCESSIBILITY), label_plural="accessibility features"
    )
    cost = CodeListField(allowed=set(Cost.values) - {""}, label_plural="costs")
    open_now = StrictBooleanField(required=False)
    q = TextField()
    remote = forms.ChoiceField(
        required=False,
        choices=[("all", "all")],
        error_messages={"invalid_choice": "Use all, or leave it out for the first few."},
    )

    def clean(self):
        data = super().clean()
        lat, lng, near = data.get("lat"), data.get("lng"), data.get("near")
        if (lat is None) != (lng is None) and not self._has_error_on("lat", "lng"):
            missing = "lng" if lng is None else "lat"
            self.add_error(missing, "Give both lat and lng.")
        if near and (lat is not None or lng is not None):
            self.add_error("near", "Give either near or lat and lng, not both.")
        radius = data.get("radius")
        unit = data.get("unit") or "mi"
        if radius is not None:
            limit_mi = settings.SEARCH_MAX_RADIUS_MI
            limit = limit_mi if unit == "mi" else math.floor(limit_mi * KM_PER_MI)
            if not 0 < radius <= limit:
                self.add_error(
                    "radius", f"The radius must be more than 0 and at most {limit} {unit}."
                )
        return data

    def _has_error_on(self, *names: str) -> bool:
        return any(name in self.errors for name in names)

    def search_arguments(self) -> tuple[dict, Point | None]:
        """Keyword arguments for `providers.search.search`, and the place searched around."""
        data = self.cleaned_data
        filters = Filters(
            services=data["service"],
            victimizations=data["victimization"],
            populations=data["population"],
            languages=data["language"],
            accessibility=data["accessibility"],
            costs=data["cost"],
            open_now=bool(data["open_now"]),
            text=data["q"],
        )
        point = None
        if data["near"]:
            point = geocode_place(data["near"], field="near")
        elif data["lat"] is not None:
            lat, lng = data["lat"], data["lng"]
            point = Point(
                lat=lat, lng=lng, label=f"{lat:.4f}, {lng:.4f}", state=state_for(lat=lat, lng=lng)
            )
        radius = data["radius"]
        radius_mi = None if radius is None else radius * UNITS[data["unit"] or "mi"]
        if radius_mi is not None:
            radius_mi = min(radius_mi, float(settings.SEARCH_MAX_RADIUS_MI))
        arguments = {"filters": filters, "radius_mi": radius_mi}
        if point:
            arguments |= {"lat": point.lat, "lng": point.lng, "state": point.state}
        return arguments, point


class PlaceForm(forms.Form):
    q = forms.CharField(max_length=MAX_TEXT)


class SearchForm(forms.Form):
    search = TextField()


class FlagsForm(forms.Form):
    """HSDS switches: full, full_service, minimal."""

    full = StrictBooleanField(required=False)
    full_service = StrictBooleanField(required=False)
    minimal = StrictBooleanField(required=False)


class VersionForm(forms.Form):
    """Which HSDS shape a client reads: 3.1 (the default) or 3.0 (older clients)."""

    version = forms.ChoiceField(
        required=False,
        choices=[(version, version) for version in HSDS_VERSIONS],
        error_messages={"invalid_choice": "Use one of: " + ", ".join(HSDS_VERSIONS) + "."},
    )


def parse(form_class, request):
    """The bound, valid form of the request's query parameters, or a 400."""
    form = form_class(request.query_params)
    if not form.is_valid():
        raise_form_errors(form)
    return form


# --- FilterSets for plain listings ---------------------------------------------------------


class UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, as UTC: PostgreSQL refuses offsets beyond ±15:59 (Python does not)."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise FormError("That moment is out of range.", code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


def _words(queryset, fields: tuple[str, ...], value: str):
    for word in value.split()[:8]:
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


class TermFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Term.Kind.choices)

    class Meta:
        model = Term
        fields = ["kind"]


class HsdsServiceFilter(django_filters.FilterSet):
    """HSDS /services parameters (cumulative, AND)."""

    search = django_filters.CharFilter(method="filter_search", max_length=MAX_TEXT)
    taxonomy_term_id = django_filters.UUIDFilter(method="filter_term")
    taxonomy_id = django_filters.UUIDFilter(method="filter_taxonomy")
    organization_id = django_filters.UUIDFilter(field_name="organization_id")
    modified_after = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    # The row's service, as seen from the model being filtered.
    service_ref = "pk"

    class Meta:
        model = Service
        fields = ["search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after"]

    def filter_search(self, queryset, name, value):
        return _words(queryset, ("name", "description", "organization__name"), value)

    def _terms(self, **condition):
        through = Service.terms.through
        return Exists(through.objects.filter(service_id=OuterRef(self.service_ref), **condition))

    def filter_term(self, queryset, name, value):
        return queryset.filter(self._terms(term_id=value))

    def filter_taxonomy(self, queryset, name, value):
        from providers.hsds import TAXONOMIES, taxonomy_id

        kinds = [kind for kind in TAXONOMIES if taxonomy_id(kind) == str(value)]
        return queryset.filter(self._terms(term__kind__in=kinds))


class HsdsServiceAtLocationFilter(HsdsServiceFilter):
    organization_id = django_filters.UUIDFilter(field_name="service__organization_id")
    modified_after = UtcDateTimeFilter(field_name="service__updated_at", lookup_expr="gte")
    service_ref = "service_id"

    class Meta(HsdsServiceFilter.Meta):
        model = ServiceAtLocation

    def filter_search(self, queryset, name, value):
        fields = ("service__name", "service__description", "service__organization__name")
        return _words(queryset, fields + ("location__name",), value)


class HsdsOrganizationFilter(django_filters.FilterSet):
    """HSDS 3.1 /organizations: words, and (new in 3.1) a term or taxonomy of a service."""

    search = django_filters.CharFilter(method="filter_search", max_length=MAX_TEXT)
    taxonomy_term_id = django_filters.UUIDFilter(method="filter_term")
    taxonomy_id = django_filters.UUIDFilter(method="filter_taxonomy")

    class Meta:
        model = Organization
        fields = ["search", "taxonomy_term_id", "taxonomy_id"]

    def filter_search(self, queryset, name, value):
        return _words(queryset, ("name", "alternate_name", "description"), value)

    def _with_service(self, **condition):
        services = Service.objects.published().filter(organization=OuterRef("pk"), **condition)
        return Exists(services)

    def filter_term(self, queryset, name, value):
        return queryset.filter(self._with_service(terms=value))

    def filter_taxonomy(self, queryset, name, value):
        from providers.hsds import TAXONOMIES, taxonomy_id

        kinds = [kind for kind in TAXONOMIES if taxonomy_id(kind) == str(value)]
        return queryset.filter(self._with_service(terms__kind__in=kinds))


class HsdsTaxonomyTermFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", max_length=MAX_TEXT)
    taxonomy_id = django_filters.UUIDFilter(method="filter_taxonomy")
    top_only = StrictBooleanFilter(method="filter_top_only")
    parent_id = django_filters.UUIDFilter(method="filter_parent")

    class Meta:
        model = Term
        fields = ["search", "taxonomy_id", "top_only", "parent_id"]

    def filter_search(self, queryset, name, value):
        return _words(queryset, ("name", "slug", "description"), value)

    def filter_taxonomy(self, queryset, name, value):
        from providers.hsds import TAXONOMIES, taxonomy_id

        kinds = [kind for kind in TAXONOMIES if taxonomy_id(kind) == str(value)]
        return queryset.filter(kind__in=kinds)

    def filter_top_only(self, queryset, name, value):
        return queryset  # Our taxonomies are flat: every term is a top term.

    def filter_parent(self, queryset, name, value):
        return queryset.none()  # No term has a parent.
