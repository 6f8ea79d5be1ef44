"""The OpenAPI document and its readers, served from our own static files (no CDN).

The reader pages also send a Content-Security-Policy that lets the browser fetch only from
us: ReDoc's bundle would otherwise load its logo from cdn.redoc.ly. Neither sets a cookie.
"""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api.base import FastJSONRenderer

DOCS_CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class LocalOnlyMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CSP
        response["Referrer-Policy"] = "no-referrer"
        return response


class SchemaView(SpectacularAPIView):
    def perform_content_negotiation(self, request, force=False):
        if force:
            # An error (an unknown format, an Accept it cannot answer) is JSON, as every error
            # under /api/ is, not the YAML the document defaults to.
            return (FastJSONRenderer(), FastJSONRenderer.media_type)
        return super().perform_content_negotiation(request, force=force)


class SwaggerView(LocalOnlyMixin, SpectacularSwaggerView):
    url_name = "api:schema"

    @extend_schema(exclude=True)  # as the parent's: the page is not part of the API
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not request.user.is_authenticated:
            # Rendering a CSRF token would set the csrftoken cookie, and a visitor gets no
            # cookie; a visitor's writes go with an API token, which needs no CSRF token.
            response.data["csrf_token"] = ""
        return response


class RedocView(LocalOnlyMixin, SpectacularRedocView):
    url_name = "api:schema"
    template_name = "api/redoc.html"
