"""Response headers every public page sends: nothing may leave for another host, nothing kept.

The Content-Security-Policy is the backstop for "no third-party request": even a template
mistake (a CDN link, an inline script) is refused by the browser. Pages are `no-store` so a
shared phone's browser cache holds no copy of a search or a provider a person looked at.
"""

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import Engine, RequestContext
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.csrf import csrf_exempt


def _tile_source() -> str:
    """The one extra image host allowed when an admin configured a tile server (off by default)."""
    url = settings.MAP_TILE_URL
    if not url:
        return ""
    parts = urlsplit(url)
    if not parts.netloc:  # the admin's own tiles on this site ("/basemap/{z}/{x}/{y}.png"): 'self'
        return ""
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


def local_full_path(request: HttpRequest) -> str:
    """`request.get_full_path()` with one leading slash. A path WSGI passes as it came
    ("//evil.example/", a request for `https://this-site//evil.example/`) is another host to
    urlsplit, so to translate_url, and to a browser following a link or a redirect."""
    return "/" + request.get_full_path().lstrip("/")


def render_page(
    request: HttpRequest, template_name: str, context: dict, *, status: int = HTTPStatus.OK
) -> HttpResponse:
    """`django.shortcuts.render`, leaving no garbage that only the cycle collector frees.

    render() pushes the view's context onto a RequestContext and leaves it there, and each
    dict pushed refers back to the context: the page's whole context (a results page's
    cards, listings and form, about 870 objects) became cyclic garbage, and collecting it was
    about a tenth of a results page's CPU time (bench/README.md). Here the view's context is
    popped once the page is rendered, and freed as soon as the view returns.
    """
    template = Engine.get_default().get_template(template_name)
    page_context = RequestContext(request)
    with page_context.push(context):
        html = template.render(page_context)
    return HttpResponse(html, status=status)


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


# --- Anonymous forms without a cookie ------------------------------------------------------
# Django's CSRF protection needs a csrftoken cookie, and a visitor must get no cookie at all
# (a cookie on a shared phone says this site was visited). The public suggestion forms are
# protected instead by what every current browser sends with a form POST: Sec-Fetch-Site and
# Origin name where the form came from, and a form from another site is refused. A request
# without either header came from no current browser, so a page elsewhere cannot make one;
# the honeypot and the rate limit hold such scripts off. Signed-in pages keep Django's check.

FORM_FROM_ELSEWHERE = "directory/form_from_elsewhere.html"


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def sent_from_this_site(request: HttpRequest) -> bool:
    """Was this POST sent by a page of this site (or by no browser at all)?"""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    ours = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin in ours  # "null" (a sandboxed or data: page) is not ours either
    referer = request.headers.get("Referer")
    if referer is not None:
        return _origin_of(referer) in ours
    return True


def anonymous_form(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a public form view: no CSRF cookie; a POST from another site gets a 403."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST" and not sent_from_this_site(request):
            return render(request, FORM_FROM_ELSEWHERE, status=HTTPStatus.FORBIDDEN)
        return view(request, *args, **kwargs)

    return wrapper
