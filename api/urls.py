"""API URLs: /api/v1/ (ours), /api/hsds/ (Open Referral HSDS 3.0), /api/schema/ and docs."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api import docs, hsds_taxonomy_views, hsds_views, views, write_views

app_name = "api"

router = SimpleRouter()
router.register("organizations", write_views.OrganizationViewSet, basename="organization")
router.register("services", write_views.ServiceViewSet, basename="service")
router.register("locations", write_views.LocationViewSet, basename="location")

v1 = [
    path("providers/", views.ProviderSearchView.as_view(), name="provider-list"),
    path("providers/<uuid:pk>/", views.ProviderDetailView.as_view(), name="provider-detail"),
    path("service-types/", views.ServiceTypeListView.as_view(), name="service-type-list"),
    path("terms/", views.TermListView.as_view(), name="term-list"),
    path("languages/", views.LanguageListView.as_view(), name="language-list"),
    path("hotlines/", views.HotlineListView.as_view(), name="hotline-list"),
    path("places/", views.PlaceView.as_view(), name="place"),
    path("", include(router.urls)),
]

hsds = [
    path("", hsds_views.RootView.as_view(), name="hsds-root"),
    path("services", hsds_views.ServiceListView.as_view(), name="hsds-service-list"),
    path("services/<uuid:pk>", hsds_views.ServiceDetailView.as_view(), name="hsds-service-detail"),
    path(
        "service_at_locations",
        hsds_views.ServiceAtLocationListView.as_view(),
        name="hsds-service-at-location-list",
    ),
    path(
        "service_at_locations/<uuid:pk>",
        hsds_views.ServiceAtLocationDetailView.as_view(),
        name="hsds-service-at-location-detail",
    ),
    path("organizations", hsds_views.OrganizationListView.as_view(), name="hsds-organization-list"),
    path(
        "organizations/<uuid:pk>",
        hsds_views.OrganizationDetailView.as_view(),
        name="hsds-organization-detail",
    ),
    path("taxonomies", hsds_taxonomy_views.TaxonomyListView.as_view(), name="hsds-taxonomy-list"),
    path(
        "taxonomies/<uuid:pk>",
        hsds_taxonomy_views.TaxonomyDetailView.as_view(),
        name="hsds-taxonomy-detail",
    ),
    path(
        "taxonomy_terms",
        hsds_taxonomy_views.TaxonomyTermListView.as_view(),
        name="hsds-taxonomy-term-list",
    ),
    path(
        "taxonomy_terms/<uuid:pk>",
        hsds_taxonomy_views.TaxonomyTermDetailView.as_view(),
        name="hsds-taxonomy-term-detail",
    ),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("hsds/", include(hsds)),
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.SwaggerView.as_view(), name="docs"),
    path("redoc/", docs.RedocView.as_view(), name="redoc"),
]
