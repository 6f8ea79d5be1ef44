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
    # Referrer-Policy: SecurityMiddleware's "no-referrer", unless the page chose another one
    # (see set_referrer_policy below).
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a public view: CSP, Permissions-Policy and `Cache-Control: no-store`."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return send_referrer_policy(request, add_public_headers(view(request, *args, **kwargs)))

    return wrapper


# --- Referrer-Policy ----------------------------------------------------------------------
# Survivor-facing pages send no referrer at all (SECURE_REFERRER_POLICY = "no-referrer"): a
# search URL names a place. But under no-referrer Chromium sends `Origin: null` with a form
# POST, and Django's CSRF check refuses it ("Origin checking failed - null does not match").
# Pages that carry POST forms therefore use "same-origin": the Referer and Origin go to our
# own site only, never to another one. The admin gets it from AdminReferrerPolicyMiddleware.
# The page's <meta name="referrer"> (directory/base.html) reads the same choice, so the
# header and the document always agree.

NO_REFERRER = "no-referrer"
SAME_ORIGIN = "same-origin"


def signed_in(request: HttpRequest) -> bool:
    """Is someone signed in? Without a session cookie the session is not even looked at, so
    a visitor's page stays exactly the same (no query, no `Vary: Cookie`)."""
    user = getattr(request, "user", None)
    if user is None:
        return False
    if hasattr(request, "session") and settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False  # nobody signs in without a session cookie
    return user.is_authenticated


def set_referrer_policy(request: HttpRequest, policy: str) -> None:
    """Choose this page's policy before it is rendered (the meta tag reads it)."""
    request.referrer_policy = policy


def send_referrer_policy(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Send the policy the page chose (if it chose one) as the header too."""
    policy = getattr(request, "referrer_policy", None)
    if policy:
        response.headers["Referrer-Policy"] = policy
    return response


def same_origin_referrer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view whose pages carry POST forms: `Referrer-Policy: same-origin`."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        set_referrer_policy(request, SAME_ORIGIN)
        return send_referrer_policy(request, view(request, *args, **kwargs))

    return wrapper
