"""The Open Referral HSDS read API (/api/hsds/), after the HSDS `openapi.json`: HSDS 3.1,
or the 3.0 shape with `version=3.0`.

Lists use the HSDS `Page` envelope; `format=ndjson` streams every item instead. Query
parameters are cumulative (AND). Only published listings appear, through the redacting
mapping in `providers.hsds`: a confidential location has no address and no coordinates.
"""

import json
from collections import defaultdict

from django import forms
from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from api import schema
from api.base import ApiViewMixin, FastJSONRenderer, NDJSONRenderer, conditional_response
from api.filters import (
    FlagsForm,
    HsdsOrganizationFilter,
    HsdsServiceAtLocationFilter,
    HsdsServiceFilter,
    VersionForm,
    parse,
    resolve_place,
)
from api.pagination import Chain, HsdsPagination
from providers import hsds, search
from providers.geocode import state_for
from providers.importers.writer import chunks
from providers.models import Organization, Phone, Service, ServiceAtLocation
from providers.search_rows import NearbyQuerySet, ranked_ids

STREAM_BATCH = 200
METRES_PER_MI = 1609.344

PAGE_SCHEMA = {
    "type": "object",
    "required": ["total_items", "total_pages", "page_number", "size", "contents"],
    "properties": {
        "total_items": {"type": "integer"},
        "total_pages": {"type": "integer"},
        "page_number": {"type": "integer"},
        "size": {"type": "integer"},
        "first_page": {"type": "boolean"},
        "last_page": {"type": "boolean"},
        "empty": {"type": "boolean"},
        "contents": {"type": "array", "items": {"type": "object"}},
    },
}
ITEM_SCHEMA = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
LIST_RESPONSES = {
    (200, "application/json"): OpenApiResponse(PAGE_SCHEMA, description="An HSDS Page."),
    (200, "application/x-ndjson"): OpenApiResponse(
        {"type": "string"}, description="Every item, one JSON object a line."
    ),
    **schema.ERRORS,
}
DETAIL_RESPONSES = {200: OpenApiResponse(ITEM_SCHEMA), **schema.ERRORS}
LIST_PARAMETERS = [
    schema.HSDS_SEARCH,
    schema.HSDS_PAGE,
    schema.HSDS_PER_PAGE,
    schema.HSDS_FORMAT,
    schema.HSDS_VERSION,
]


def requested_version(request) -> str:
    """The HSDS version the client asked for (`version`), or a 400 naming the choices."""
    return parse(VersionForm, request).cleaned_data["version"] or hsds.HSDS_VERSION


def full_services(services: list[Service], *, version: str) -> list[dict]:
    """Fully nested services, with a fixed number of queries for any number of services."""
    prefetch_related_objects(
        services,
        *hsds.SERVICE_PREFETCH,
        Prefetch("organization__phones", queryset=Phone.objects.order_by("position", "id")),
    )
    sals = list(
        ServiceAtLocation.objects.listed()
        .filter(service__in=services)
        .select_related("location")
        .order_by("id")
    )
    prefetch_related_objects([sal.location for sal in sals], *hsds.LOCATION_PREFETCH)
    by_service = defaultdict(list)
    for sal in sals:
        by_service[sal.service_id].append(sal)
    return [
        hsds.service_to_hsds(service, service_at_locations=by_service[service.id], version=version)
        for service in services
    ]


class HsdsListView(ApiViewMixin, generics.GenericAPIView):
    renderer_classes = [FastJSONRenderer, NDJSONRenderer]
    pagination_class = HsdsPagination
    filter_backends = [DjangoFilterBackend]
    no_store = True  # lists search by postcode or point
    items = ""  # what the list holds, as a refused word search names them ("": not bounded)
    # The parameters that narrow what a word search reads (an index leads to their rows),
    # and how a refusal says so. The others (terms, taxonomies, dates) are tested with the
    # words, item by item: they narrow the answer, not the items whose words are read.
    narrowing: tuple[str, ...] = ()
    narrowed_by = ""
    _reach_checked = False

    def represent(self, rows: list, flags: dict) -> list[dict]:
        raise NotImplementedError

    def rows(self, request):
        return self.filter_queryset(self.get_queryset())

    def filter_queryset(self, queryset):
        self._check_words_reach(queryset)
        return super().filter_queryset(queryset)

    def _check_words_reach(self, queryset) -> None:
        """Refuse an anonymous word search (`search`) that would test its words on more than
        SEARCH_WORDS_MAX_LISTINGS items, as API v1 refuses `q`: unbounded, one request read
        the words of every item of the directory (about 0.2 s at 100k listings). The reach
        is the list (near a place: within its proximity) with the `narrowing` parameters,
        counted before any item's words are read."""
        words = self.request.query_params.get("search", "")
        anonymous = not self.request.user.is_authenticated
        if self._reach_checked or not (words.strip() and anonymous and self.items):
            return
        self._reach_checked = True  # once a request (a list near a place filters two parts)
        narrowing = QueryDict(mutable=True)
        for name in self.narrowing:
            narrowing.setlist(name, self.request.query_params.getlist(name))
        filterset = self.filterset_class(narrowing, queryset=queryset, request=self.request)
        if not filterset.is_valid():
            return  # the filtering itself answers with the reason
        reach, limit = filterset.qs.count(), settings.SEARCH_WORDS_MAX_LISTINGS
        if reach > limit:
            narrow = f"Narrow it with {self.narrowed_by}, or use" if self.narrowed_by else "Use"
            raise ValidationError(
                {
                    "search": [
                        f"Without an API token a word search may reach at most {limit:,}"
                        f" {self.items}, and this one reaches {reach:,} {self.items}."
                        f" {narrow} an API token."
                    ]
                }
            )

    def get(self, request, *args, **kwargs):
        flags = parse(FlagsForm, request).cleaned_data | {"version": requested_version(request)}
        rows = self.rows(request)
        if request.accepted_renderer.format == "ndjson":
            return StreamingHttpResponse(
                self._stream(rows, flags), content_type="application/x-ndjson"
            )
        page = self.paginator.paginate_queryset(rows, request, view=self)
        return self.paginator.get_paginated_response(self.represent(page, flags))

    def _stream(self, rows, flags):
        for batch in self._batches(rows):
            for item in self.represent(batch, flags):
                yield json.dumps(item, cls=JSONEncoder, separators=(",", ":")) + "\n"

    def _batches(self, rows):
        """`rows` in batches of STREAM_BATCH, in their order: their ids read first (a search
        near a place ranked once), then each batch by its ids. Sliced, each batch's OFFSET
        read every row before it again, and a 100k-listing feed took minutes. A row deleted
        or unpublished meanwhile is left out."""
        if isinstance(rows, list):  # already in hand (the taxonomies)
            yield from chunks(rows, STREAM_BATCH)
            return
        if isinstance(rows, Chain):  # near a place, then the services whose area covers it
            yield from self._batches(rows.queryset)
            yield from chunks(rows.tail, STREAM_BATCH)
            return
        ids = None
        if isinstance(rows, NearbyQuerySet) and (radius := rows.direct()) is not None:
            ranked = ranked_ids(radius, low=0, high=None, known=None, using=rows.db)
            ids = None if ranked is None else [pk for pk, _ in ranked]
        if ids is None:  # a whole-directory list, a filtered search, too wide a circle: ids
            ids = list(rows.values_list("pk", flat=True))
        for part in chunks(ids, STREAM_BATCH):
            found = self.get_queryset().in_bulk(part)
            yield [found[pk] for pk in part if pk in found]


class RootView(ApiViewMixin, generics.GenericAPIView):
    """HSDS version and profile of this API, and where its OpenAPI document is."""

    filter_backends: list = []

    @extend_schema(
        operation_id="hsds_root",
        parameters=[schema.HSDS_VERSION],
        responses={
            200: OpenApiResponse(
                {
                    "type": "object",
                    "properties": {
                        "version": {"type": "string"},
                        "profile": {"type": "string", "format": "uri"},
                        "openapi_url": {"type": "string", "format": "uri"},
                        "description": {"type": "string"},
                        "publisher": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string"},
                                "website": {"type": "string", "format": "uri"},
                            },
                        },
                    },
                }
            ),
            **schema.ERRORS,
        },
    )
    def get(self, request):
        version = requested_version(request)
        body = {
            "version": version,
            "profile": hsds.HSDS_PROFILE_URLS[version],
            "openapi_url": request.build_absolute_uri(reverse("api:schema")),
        }
        if version != "3.0":
            body |= {
                "description": f"{settings.SITE_NAME}: services for victims of crime (HSDS).",
                "publisher": {"name": settings.SITE_NAME, "website": settings.SITE_URL + "/"},
            }
        return Response(body)


class ServiceListView(HsdsListView):
    filterset_class = HsdsServiceFilter
    items = "services"
    narrowing = ("organization_id",)
    narrowed_by = "organization_id"

    def get_queryset(self):
        return Service.objects.published().select_related("organization").order_by("name", "id")

    def represent(self, rows, flags):
        if flags["minimal"]:
            return [hsds.service_brief_to_hsds(service) for service in rows]
        if flags["full"]:
            return full_services(rows, version=flags["version"])
        return [hsds.service_to_hsds(service) for service in rows]

    @extend_schema(
        operation_id="hsds_services",
        parameters=[
            *LIST_PARAMETERS,
            schema.HSDS_TERM,
            schema.HSDS_TAXONOMY,
            schema.HSDS_ORGANIZATION,
            schema.HSDS_MODIFIED_AFTER,
            schema.HSDS_MINIMAL,
            schema.HSDS_FULL,
        ],
        responses=LIST_RESPONSES,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ServiceDetailView(ApiViewMixin, generics.GenericAPIView):
    filter_backends: list = []

    @extend_schema(
        operation_id="hsds_service",
        parameters=[
            schema.path_id("A service id.", "ac148810-d857-441c-9679-408f346de14b"),
            schema.HSDS_VERSION,
        ],
        responses=DETAIL_RESPONSES,
    )
    def get(self, request, pk):
        queryset = Service.objects.published().select_related("organization")
        service = get_object_or_404(queryset, pk=pk)
        version = requested_version(request)
        return conditional_response(request, full_services([service], version=version)[0])


class PointForm(forms.Form):
    """Where /service_at_locations searches around: a postcode, or lat and lng."""

    postcode = forms.RegexField(
        required=False,
        regex=r"^\s*\d{5}(-\d{4})?\s*$",
        error_messages={"invalid": "Enter a 5-digit US ZIP code."},
    )
    proximity = forms.FloatField(required=False)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180)

    def clean(self):
        data = super().clean()
        lat, lng, postcode = data.get("lat"), data.get("lng"), data.get("postcode")
        if (lat is None) != (lng is None) and "lat" not in self.errors and "lng" not in self.errors:
            self.add_error("lng" if lng is None else "lat", "Give both lat and lng.")
        if postcode and lat is not None:
            self.add_error("postcode", "Give either postcode or lat and lng, not both.")
        proximity = data.get("proximity")
        limit = round(settings.SEARCH_MAX_RADIUS_MI * METRES_PER_MI)
        if proximity is not None:
            if not 0 < proximity <= limit:
                self.add_error("proximity", f"Give metres, more than 0 and at most {limit}.")
            elif not postcode and lat is None and "postcode" not in self.errors:
                self.add_error("proximity", "Give a postcode (or lat and lng) to measure from.")
        return data


class ServiceAtLocationListView(HsdsListView):
    filterset_class = HsdsServiceAtLocationFilter
    items = "service_at_locations"
    narrowed_by = "a postcode (or lat and lng) and a proximity"

    def get_queryset(self):
        return ServiceAtLocation.objects.listed().select_related(
            "service", "service__organization", "location"
        )

    def rows(self, request):
        point = parse(PointForm, request).cleaned_data
        if point["postcode"]:
            place = resolve_place(point["postcode"].strip(), field="postcode")
            lat, lng, state = place.lat, place.lng, place.state
        elif point["lat"] is not None:
            lat, lng = point["lat"], point["lng"]
            state = state_for(lat=lat, lng=lng)
        else:
            listing = self.get_queryset().order_by(
                "service__organization__name", "service__name", "id"
            )
            return self.filter_queryset(listing)
        proximity = point["proximity"]
        radius_mi = proximity / METRES_PER_MI if proximity else None
        nearby = self.filter_queryset(search.nearby(lat=lat, lng=lng, radius_mi=radius_mi))
        if proximity:
            return nearby
        # Without a distance, services whose area covers the point come after those near it.
        remote = search.covering(lat=lat, lng=lng, state=state)
        kept = set(
            self.filter_queryset(
                self.get_queryset().filter(id__in=[sal.id for sal in remote])
            ).values_list("id", flat=True)
        )
        return Chain(nearby, [sal for sal in remote if sal.id in kept])

    def represent(self, rows, flags):
        prefetch_related_objects([sal.location for sal in rows], *hsds.LOCATION_PREFETCH)
        version = flags["version"]
        if not flags["full"]:
            return [hsds.service_at_location_to_hsds(sal, version=version) for sal in rows]
        services = {sal.service_id: sal.service for sal in rows}
        full = full_services(list(services.values()), version=version)
        nested = dict(zip(services, full, strict=True))
        for item in nested.values():
            item.pop("service_at_locations", None)
        return [
            hsds.service_at_location_to_hsds(sal, service=nested[sal.service_id], version=version)
            for sal in rows
        ]

    @extend_schema(
        operation_id="hsds_service_at_locations",
        parameters=[
            *LIST_PARAMETERS,
            schema.HSDS_TERM,
            schema.HSDS_TAXONOMY,
            schema.HSDS_ORGANIZATION,
            schema.HSDS_MODIFIED_AFTER,
            schema.HSDS_FULL,
            schema.HSDS_POSTCODE,
            schema.HSDS_PROXIMITY,
            schema.HSDS_LAT,
            schema.HSDS_LNG,
        ],
        responses=LIST_RESPONSES,
    )
    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except search.InvalidSearch as error:
            raise ValidationError({error.field: [error.message]}) from None


class ServiceAtLocationDetailView(ApiViewMixin, generics.GenericAPIView):
    filter_backends: list = []

    @extend_schema(
        operation_id="hsds_service_at_location",
        parameters=[
            schema.path_id("A service_at_location id.", "e94c9f38-1e8f-4564-91d4-d53501ab1765"),
            schema.HSDS_VERSION,
        ],
        responses=DETAIL_RESPONSES,
    )
    def get(self, request, pk):
        queryset = ServiceAtLocation.objects.listed().select_related(
            "service", "service__organization", "location"
        )
        sal = get_object_or_404(queryset, pk=pk)
        version = requested_version(request)
        prefetch_related_objects([sal.location], *hsds.LOCATION_PREFETCH)
        service = full_services([sal.service], version=version)[0]
        service.pop("service_at_locations", None)
        record = hsds.service_at_location_to_hsds(sal, service=service, version=version)
        return conditional_response(request, record)


def represent_organizations(organizations: list[Organization], flags: dict) -> list[dict]:
    prefetch_related_objects(
        organizations, Prefetch("phones", queryset=Phone.objects.order_by("position", "id"))
    )
    if not (flags["full"] or flags["full_service"]):
        return [hsds.organization_to_hsds(org) for org in organizations]
    prefetch_related_objects(
        organizations,
        Prefetch("services", queryset=Service.objects.published().order_by("name", "id")),
        "locations",
    )
    locations = [location for org in organizations for location in org.locations.all()]
    prefetch_related_objects(locations, *hsds.LOCATION_PREFETCH)
    services = [service for org in organizations for service in org.services.all()]
    if flags["full_service"]:
        full = full_services(services, version=flags["version"])
        nested = dict(zip([s.id for s in services], full, strict=True))
    else:
        nested = {s.id: hsds.service_brief_to_hsds(s) for s in services}
    return [
        hsds.organization_to_hsds(
            org,
            locations=org.locations.all(),
            services=[nested[service.id] for service in org.services.all()],
        )
        for org in organizations
    ]


class OrganizationListView(HsdsListView):
    filterset_class = HsdsOrganizationFilter
    items = "organizations"

    def get_queryset(self):
        return Organization.objects.published().order_by("name", "id")

    def represent(self, rows, flags):
        return represent_organizations(rows, flags)

    @extend_schema(
        operation_id="hsds_organizations",
        parameters=[
            *LIST_PARAMETERS,
            schema.HSDS_FULL,
            schema.HSDS_FULL_SERVICE,
            schema.HSDS_TERM,
            schema.HSDS_TAXONOMY,
        ],
        responses=LIST_RESPONSES,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OrganizationDetailView(ApiViewMixin, generics.GenericAPIView):
    filter_backends: list = []

    @extend_schema(
        operation_id="hsds_organization",
        parameters=[
            schema.path_id("An organization id.", "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"),
            schema.HSDS_FULL_SERVICE,
            schema.HSDS_VERSION,
        ],
        responses=DETAIL_RESPONSES,
    )
    def get(self, request, pk):
        flags = parse(FlagsForm, request).cleaned_data | {
            "full": True,
            "version": requested_version(request),
        }
        organization = get_object_or_404(Organization.objects.published(), pk=pk)
        return conditional_response(request, represent_organizations([organization], flags)[0])
