"""HSDS 3.0 taxonomies and taxonomy terms: our four vocabularies, the needs list first."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from api import schema
from api.base import ApiViewMixin, conditional_response
from api.filters import HsdsTaxonomyTermFilter, SearchForm, parse
from api.hsds_views import (
    DETAIL_RESPONSES,
    LIST_PARAMETERS,
    LIST_RESPONSES,
    HsdsListView,
    requested_version,
)
from providers import hsds
from providers.models import Term


class TaxonomyListView(HsdsListView):
    filter_backends: list = []

    def rows(self, request):
        words = parse(SearchForm, request).cleaned_data["search"]
        items = [hsds.taxonomy_to_hsds(kind) for kind in hsds.TAXONOMIES]
        for word in words.lower().split():
            items = [t for t in items if word in f"{t['name']} {t['description']}".lower()]
        return items

    def represent(self, rows, flags):
        return list(rows)

    @extend_schema(
        operation_id="hsds_taxonomies", parameters=LIST_PARAMETERS, responses=LIST_RESPONSES
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TaxonomyDetailView(ApiViewMixin, generics.GenericAPIView):
    filter_backends: list = []

    @extend_schema(
        operation_id="hsds_taxonomy",
        parameters=[
            schema.path_id("A taxonomy id.", hsds.taxonomy_id(Term.Kind.SERVICE_TYPE)),
            schema.HSDS_VERSION,
        ],
        responses=DETAIL_RESPONSES,
    )
    def get(self, request, pk):
        requested_version(request)  # the same in 3.0 and 3.1; an unknown one is a 400
        for kind in hsds.TAXONOMIES:
            if hsds.taxonomy_id(kind) == str(pk):
                return conditional_response(request, hsds.taxonomy_to_hsds(kind))
        raise Http404


class TaxonomyTermListView(HsdsListView):
    filterset_class = HsdsTaxonomyTermFilter

    def get_queryset(self):
        return Term.objects.order_by("kind", "position", "slug", "id")

    def represent(self, rows, flags):
        return [hsds.taxonomy_term_to_hsds(term) for term in rows]

    @extend_schema(
        operation_id="hsds_taxonomy_terms",
        parameters=[
            *LIST_PARAMETERS,
            schema.HSDS_TAXONOMY,
            schema.query("top_only", schema.BOOLEAN, "Only top-level terms (all of ours).", "true"),
            schema.query(
                "parent_id",
                {"type": "string", "format": "uuid"},
                "Terms under this parent (ours have none).",
                "6a0d8f0c-3c55-4a43-8f5b-2d7c9b1e4f10",
            ),
        ],
        responses=LIST_RESPONSES,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TaxonomyTermDetailView(ApiViewMixin, generics.GenericAPIView):
    filter_backends: list = []

    @extend_schema(
        operation_id="hsds_taxonomy_term",
        parameters=[
            schema.path_id("A taxonomy term id.", "6a0d8f0c-3c55-4a43-8f5b-2d7c9b1e4f10"),
            schema.HSDS_VERSION,
        ],
        responses=DETAIL_RESPONSES,
    )
    def get(self, request, pk):
        requested_version(request)  # the same in 3.0 and 3.1; an unknown one is a 400
        term = get_object_or_404(Term, pk=pk)
        return conditional_response(request, hsds.taxonomy_term_to_hsds(term))
