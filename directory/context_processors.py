"""Values every public page needs: Quick Exit target, site name, hotlines, language links."""

import functools
import uuid
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import (
    NoReverseMatch,
    get_script_prefix,
    get_urlconf,
    reverse,
    translate_url,
)
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_info, override

from directory.http import local_full_path
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


def language_links(request: HttpRequest) -> SafeString:
    """The language menu's items: this same page in each language (links, not the
    set_language POST, which sets a cookie), the page's own language not a link."""
    match = request.resolver_match
    path = local_full_path(request)  # never "//another.host/..." (translate_url keeps it)
    query = urlsplit(path).query
    paths = None
    if match is not None and match.url_name:
        paths = _paths(
            get_urlconf(), get_script_prefix(), match.view_name, match.args,
            tuple(sorted(match.kwargs.items())),
        )  # fmt: skip
    links = []
    for index, (code, _name) in enumerate(settings.LANGUAGES):
        url = paths[index] if paths is not None else None
        if url is None:  # a page its name does not reverse (translate_url resolves it again)
            links.append((code, translate_url(path, code)))
        else:
            links.append((code, f"{url}?{query}" if query else url))
    return language_menu(links, current=get_language() or settings.LANGUAGE_CODE)


def language_menu(links: Iterable[tuple[str, str]], *, current: str) -> SafeString:
    """The `<li>` of each (language code, URL of this page in it): a link, or for the page's
    own language its name only. Made in Python: as a template loop it was a tenth of the
    template's time on a results page."""
    items = []
    for code, url in links:
        name = local_language_name(code)
        if code == current:
            items.append(
                format_html('<li><span aria-current="true" lang="{}">{}</span></li>', code, name)
            )
        else:
            items.append(
                format_html(
                    '<li><a href="{}" hreflang="{}" lang="{}">{}</a></li>', url, code, code, name
                )
            )
    return mark_safe("\n".join(items))  # format_html escaped every value


@functools.cache
def local_language_name(code: str) -> str:
    """A language's name in itself, first letter capitalised (only the first: str.capitalize()
    would make "Tiếng Việt" "Tiếng việt")."""
    name = get_language_info(code)["name_local"]
    return name[:1].upper() + name[1:]


@functools.lru_cache(maxsize=1024)
def _paths(urlconf, prefix, view_name, args, kwargs) -> tuple[str | None, ...]:
    """A page's path in each of settings.LANGUAGES (None where it does not reverse): the URL
    patterns do not change while a process runs, and reversing them for every language was
    a tenth of a results page's time."""
    paths = []
    for code, _name in settings.LANGUAGES:
        with override(code):
            try:
                paths.append(reverse(view_name, args=args, kwargs=dict(kwargs)))
            except NoReverseMatch:
                paths.append(None)
    return tuple(paths)


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
