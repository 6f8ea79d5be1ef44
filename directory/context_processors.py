"""Values every public page needs: Quick Exit target, site name, hotlines, language links."""

import functools
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import (
    NoReverseMatch,
    ResolverMatch,
    get_script_prefix,
    get_urlconf,
    reverse,
    translate_url,
)
from django.utils.translation import get_language, get_language_info, override

from providers.models import Hotline

HOTLINES_CACHE_SECONDS = 300
# Changed (deleted, so the next reader sets a new one) when a hotline's change commits: the
# hotlines and the markup that shows them (the footer) are kept under it.
HOTLINES_VERSION_KEY = "directory:hotlines:version"


def hotlines_version() -> str:
    """The hotlines' version in the shared cache ("" when the cache is down: nothing kept)."""
    try:
        return cache.get_or_set(HOTLINES_VERSION_KEY, lambda: uuid.uuid4().hex, None)
    except Exception:  # the shared cache is down
        return ""


def hotlines_changed() -> None:
    """A hotline was saved or deleted: every process reads them and renders them again."""
    try:
        cache.delete(HOTLINES_VERSION_KEY)
    except Exception:  # the shared cache is down: nothing in it to go stale
        pass


def national_hotlines() -> list[Hotline]:
    """The hotlines in the header and footer of every page, read at most every 5 minutes
    and again as soon as one is saved or deleted.

    Model instances are cached (not rendered text): `local_name` follows the language of
    the page that shows them.
    """
    version = hotlines_version()
    if not version:
        return list(Hotline.objects.all())
    try:
        return cache.get_or_set(
            f"directory:hotlines:{version}",
            lambda: list(Hotline.objects.all()),
            HOTLINES_CACHE_SECONDS,
        )
    except Exception:  # the shared cache is down: the hotlines are shown all the same
        return list(Hotline.objects.all())


def language_links(request: HttpRequest) -> list[dict]:
    """This same page in each language (links, not the set_language POST, which sets a cookie)."""
    current = get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    match = request.resolver_match
    links = []
    for code, _name in settings.LANGUAGES:
        name = get_language_info(code)["name_local"]
        links.append(
            {
                "code": code,
                # Only the first letter: str.capitalize() would make "Tiếng Việt" "Tiếng việt".
                "name": name[:1].upper() + name[1:],
                "url": in_language(match, path, code),
                "current": code == current,
            }
        )
    return links


def in_language(match: ResolverMatch | None, path: str, code: str) -> str:
    """`translate_url(path, code)` for the page being served: its URL already resolved to
    `match`, which translate_url would resolve again for each of the twelve languages."""
    if match is None or not match.url_name:
        return translate_url(path, code)
    kwargs = tuple(sorted(match.kwargs.items()))
    url = _reversed(get_urlconf(), get_script_prefix(), match.view_name, match.args, kwargs, code)
    if url is None:
        return translate_url(path, code)
    query = urlsplit(path).query
    return f"{url}?{query}" if query else url


@functools.lru_cache(maxsize=4096)
def _reversed(urlconf, prefix, view_name, args, kwargs, code) -> str | None:
    """A page's path in a language: the URL patterns do not change while a process runs,
    and reversing twelve of them was a tenth of a results page's time."""
    with override(code):
        try:
            return reverse(view_name, args=args, kwargs=dict(kwargs))
        except NoReverseMatch:
            return None


def site(request: HttpRequest) -> dict:
    return {
        "quick_exit_url": settings.QUICK_EXIT_URL,
        "site_name": settings.SITE_NAME,
        # Off by default; when set, result maps load the vendored Leaflet and these tiles.
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        # Off by default; when set, result maps load the vendored MapLibre and this style.
        "map_vector_style_url": settings.MAP_VECTOR_STYLE_URL,
        # Callables: the template calls them only on pages that show them (not the admin).
        "hotlines": national_hotlines,
        "hotlines_version": hotlines_version,
        "language_links": lambda: language_links(request),
    }
