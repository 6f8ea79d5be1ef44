"""Response headers every public page sends: nothing may leave for another host, nothing kept.

The Content-Security-Policy is the backstop for "no third-party request": even a template
mistake (a CDN link, an inline script) is refused by the browser. Pages are `no-store` so a
shared phone's browser cache holds no copy of a search or a provider a person looked at.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control


def _tile_source() -> str:
    """The one extra image host allowed when an admin configured a tile server (off by default)."""
    url = settings.MAP_TILE_URL
    if not url:
        return ""
    parts = urlsplit(url)
    # Leaflet-style "{s}.tile.example.org" becomes the CSP wildcard "*.tile.example.org".
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def content_security_policy() -> str:
    img_src = " ".join(filter(None, ["'self' data:", _tile_source()]))
    return "; ".join(
        [
            "default-src 'self'",
            f"img-src {img_src}",
            "style-src 'self'",
            "script-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


def add_public_headers(response: HttpResponse) -> HttpResponse:
    response.headers["Content-Security-Policy"] = content_security_policy()
    response.headers["Permissions-Policy"] = (
        "geolocation=(self), camera=(), microphone=(), browsing-topics=()"
    )
    # Referrer-Policy comes from SecurityMiddleware (SECURE_REFERRER_POLICY = "no-referrer").
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a public view: CSP, Permissions-Policy and `Cache-Control: no-store`."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return add_public_headers(view(request, *args, **kwargs))

    return wrapper
