"""The OpenAPI document and its readers, served from our own static files (no CDN)."""

from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView


class SchemaView(SpectacularAPIView):
    pass


class SwaggerView(SpectacularSwaggerView):
    url_name = "api:schema"


class RedocView(SpectacularRedocView):
    url_name = "api:schema"
    template_name = "api/redoc.html"
