"""The v1 read API: the search, one provider, vocabularies, hotlines and places.

A "provider" here is a listing: one service at one location (HSDS service_at_location); its
id is that listing's UUID.
"""

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from api import schema
from api.base import ApiViewMixin, FastJSONRenderer, GeoJSONRenderer, conditional_response
from api.filters import PlaceForm, ProviderSearchForm, TermFilter, parse, resolve_place
from api.pagination import PagePagination
from api.serializers import (
    HotlineSerializer,
    LanguageSerializer,
    ProviderSearchSerializer,
    ProviderSerializer,
    ResolvedPlaceSerializer,
    TermSerializer,
)
from providers import search
from providers.listings import build_listings
from providers.models import Hotline, Language, Term
from providers.search import KM_PER_MI, InvalidSearch, RankedIds


def _feature(listing: dict) -> dict:
    """A provider as a GeoJSON Feature; a confidential location has no geometry."""
    location = listing["location"]
    geometry = None
    if location["lat"] is not None and location["lng"] is not None:
        geometry = {"type": "Point", "coordinates": [location["lng"], location["lat"]]}
    return {
        "type": "Feature",
        "id": listing["id"],
        "geometry": geometry,
        "properties": {
            "name": listing["name"],
            "organization": listing["organization"]["name"],
            "services": listing["services"],
            "city": location["city"],
            "state": location["state"],
            "address_confidential": location["address_confidential"],
            "distance_mi": listing["distance_mi"],
            "distance_km": listing["distance_km"],
            "open_now": listing["open_now"],
        },
    }


GEOJSON_SCHEMA = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "count": {"type": "integer"},
        "next": {"type": "string", "nullable": True},
        "previous": {"type": "string", "nullable": True},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "id", "geometry", "properties"],
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "id": {"type": "string", "format": "uuid"},
                    "geometry": {"type": "object", "nullable": True},
                    "properties": {"type": "object"},
                },
            },
        },
    },
}


class ProviderSearchView(ApiViewMixin, generics.GenericAPIView):
    """Search providers near a place, nearest first; without a place, a listing by name."""

    renderer_classes = [FastJSONRenderer, GeoJSONRenderer]
    pagination_class = PagePagination
    serializer_class = ProviderSerializer
    no_store = True
    filter_backends: list = []

    @extend_schema(
        operation_id="providers_search",
        parameters=schema.SEARCH_PARAMETERS,
        responses={
            (200, "application/json"): ProviderSearchSerializer,
            (200, "application/geo+json"): OpenApiResponse(GEOJSON_SCHEMA),
            **schema.ERRORS,
        },
    )
    def get(self, request):
        form = parse(ProviderSearchForm, request)
        arguments, point = form.search_arguments()
        every_remote = form.cleaned_data["remote"] == "all"
        # Not self.paginator, which the view keeps: DRF's view and request refer to each
        # other, so whatever the view holds (the page, the search) waits for the collector.
        paginator = self.pagination_class()
        geojson = request.accepted_renderer.format == "geojson"
        try:
            # Words are read from four tables for each listing reached: an anonymous
            # client's search with words may reach only so many (a 400 past that).
            words_limit = (
                None if request.user.is_authenticated else settings.SEARCH_WORDS_MAX_LISTINGS
            )
            results = search.search(**arguments, words_limit=words_limit)
            pairs = paginator.paginate_queryset(RankedIds(results), request, view=self)
            covering = [] if geojson else results.remote_ids  # a map shows places only
        except InvalidSearch as error:
            raise ValidationError({error.field: [error.message]}) from None
        # The first few, as the results page shows them; `remote_next` carries them all.
        remote_ids = covering if every_remote else covering[: search.REMOTE_FIRST]
        # The page and the remote section in one batch of queries.
        listings = build_listings([*pairs, *((pk, None) for pk in remote_ids)], now=timezone.now())
        remote_keys = {str(pk) for pk in remote_ids}
        data = [listing for listing in listings if listing["id"] not in remote_keys]
        remote = [listing for listing in listings if listing["id"] in remote_keys]
        if geojson:
            return Response(
                {
                    "type": "FeatureCollection",
                    "count": paginator.page.paginator.count,
                    "next": paginator.get_next_link(),
                    "previous": paginator.get_previous_link(),
                    "features": [_feature(listing) for listing in data],
                },
                content_type="application/geo+json",
            )
        radius_mi = results.radius_mi
        return paginator.get_paginated_response(
            data,
            remote=remote,
            remote_count=len(covering),
            remote_next=(
                replace_query_param(request.build_absolute_uri(), "remote", "all")
                if len(remote_ids) < len(covering)
                else None
            ),
            place=({"label": point.label, "lat": point.lat, "lng": point.lng} if point else None),
            radius_mi=radius_mi,
            radius_km=round(radius_mi * KM_PER_MI, 1) if radius_mi is not None else None,
        )


class ProviderDetailView(ApiViewMixin, generics.GenericAPIView):
    """One provider (a service at a location) by the UUID the search returned."""

    serializer_class = ProviderSerializer
    filter_backends: list = []

    @extend_schema(
        operation_id="providers_detail",
        parameters=[
            schema.path_id(
                "The `id` of a search result (a service at a location).",
                "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            )
        ],
        responses={200: ProviderSerializer, 304: OpenApiResponse(description="Not modified.")}
        | schema.ERRORS,
    )
    def get(self, request, pk):
        listings = build_listings([(pk, None)], now=timezone.now())
        if not listings:
            raise Http404("No such provider.")
        return conditional_response(request, listings[0])


class ServiceTypeListView(ApiViewMixin, generics.ListAPIView):
    """Our needs list: the service types a search can filter by (`service=`)."""

    queryset = Term.objects.service_types().order_by("position", "slug", "id")
    serializer_class = TermSerializer
    pagination_class = None
    filter_backends: list = []


class TermListView(ApiViewMixin, generics.ListAPIView):
    """Every vocabulary term (service types, victimization, populations, accessibility)."""

    queryset = Term.objects.order_by("kind", "position", "slug", "id")
    serializer_class = TermSerializer
    pagination_class = None
    filter_backends = [DjangoFilterBackend]
    filterset_class = TermFilter

    @extend_schema(parameters=[schema.TERM_KIND], responses={200: TermSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class LanguageListView(ApiViewMixin, generics.ListAPIView):
    """Languages by ISO 639 code (`language=`)."""

    queryset = Language.objects.order_by("name", "code")
    serializer_class = LanguageSerializer
    pagination_class = None
    filter_backends: list = []


class HotlineListView(ApiViewMixin, generics.ListAPIView):
    """National hotlines shown on every page."""

    queryset = Hotline.objects.order_by("position", "name", "id")
    serializer_class = HotlineSerializer
    pagination_class = None
    filter_backends: list = []


class PlaceView(ApiViewMixin, generics.GenericAPIView):
    """Resolve a typed place to coordinates with the offline geocoder (nothing leaves the
    server); an unknown place is a 400 with suggestions."""

    serializer_class = ResolvedPlaceSerializer
    filter_backends: list = []
    no_store = True

    @extend_schema(
        operation_id="places_resolve",
        parameters=[schema.PLACE_Q],
        responses={200: ResolvedPlaceSerializer, **schema.ERRORS},
    )
    def get(self, request):
        text = parse(PlaceForm, request).cleaned_data["q"]
        place = resolve_place(text, field="q")
        return Response(ResolvedPlaceSerializer(place).data)
