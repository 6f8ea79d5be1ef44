"""Site-wide response headers and bodies that depend on where a page is (see directory/http.py)."""

import functools
import re
from http import HTTPStatus

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.db import OperationalError
from django.http import HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import (
    Resolver404,
    get_script_prefix,
    get_urlconf,
    resolve,
    reverse,
    translate_url,
)
from django.utils import translation
from django.utils.cache import patch_vary_headers

from directory.http import SAME_ORIGIN, local_full_path


class AdminReferrerPolicyMiddleware:
    """Every admin page is a form: `Referrer-Policy: same-origin` under the admin's URL.

    Listed after SecurityMiddleware, so it sees the response first; SecurityMiddleware only
    sets its "no-referrer" where no policy is set yet.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(_admin_root(get_urlconf(), get_script_prefix())):
            response.headers.setdefault("Referrer-Policy", SAME_ORIGIN)
        return response


@functools.lru_cache(maxsize=16)
def _admin_root(urlconf, script_prefix: str) -> str:
    """The admin's URL under these URL patterns and script prefix: they do not change while
    a process runs, and reversing it for every request was about 1% of an API request's
    time."""
    return reverse("admin:index")


class ApiResponsesMiddleware:
    """Under /api/: every error is JSON, and every GET may be read from any origin.

    Errors raised before a DRF view runs (a path that does not resolve, an id that is not a
    UUID, a failed CSRF check, a bad Host) get Django's HTML pages; an API client gets
    `{"detail": "..."}` with the same status instead. django-cors-headers answers only
    requests that carry an `Origin`; a public GET says `Access-Control-Allow-Origin: *`
    either way, as HSDS validators expect (no credentials are ever allowed, see settings).
    Listed right after SecurityMiddleware, so it sees the responses of everything inside.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/"):
            return response
        if response.status_code >= 400 and "json" not in response.get("Content-Type", ""):
            response = _json_error(response)
        if request.method in ("GET", "HEAD"):
            response.headers.setdefault("Access-Control-Allow-Origin", "*")
        return response


_ERROR_DETAILS = {
    HTTPStatus.NOT_FOUND: "Not found: no such path, or an id that is not a UUID.",
}


def _json_error(response):
    status = HTTPStatus(response.status_code)
    error = JsonResponse({"detail": _ERROR_DETAILS.get(status, status.phrase + ".")}, status=status)
    for header in ("Allow", "Retry-After", "Vary", "Cache-Control"):
        if header in response:
            error[header] = response[header]
    return error


FILIPINO = re.compile(r"\bfil(?=[-,;\s]|$)", re.IGNORECASE)


class FirstVisitLanguageMiddleware:
    """A first visit to an English (unprefixed) page goes to the browser's language, if we have it.

    The URL carries the language and no cookie remembers it, so "first visit" means a
    navigation that did not start on this site: `Sec-Fetch-Site` is not "same-origin" (a typed
    address, a bookmark, a link from elsewhere; absent in old browsers). Choosing English in
    the language menu is a same-origin navigation, so it stays English. Listed after
    LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and request.headers.get("Sec-Fetch-Site") != "same-origin"
            and "HTTP_ACCEPT_LANGUAGE" in request.META
            and not translation.get_language_from_path(request.path_info)
        ):
            # Browsers send Filipino as "fil"; our Tagalog catalog is "tl" (the same language).
            header = request.META["HTTP_ACCEPT_LANGUAGE"]
            request.META["HTTP_ACCEPT_LANGUAGE"] = FILIPINO.sub("tl", header)
            preferred = translation.get_language_from_request(request)
            path = local_full_path(request)  # never "//another.host/..." (an open redirect)
            if preferred != settings.LANGUAGE_CODE and translate_url(path, preferred) != path:
                redirect = HttpResponseRedirect(translate_url(path, preferred))
                patch_vary_headers(redirect, ("Accept-Language", "Sec-Fetch-Site"))
                return redirect
        response = self.get_response(request)
        if not translation.get_language_from_path(request.path_info):
            patch_vary_headers(response, ("Accept-Language", "Sec-Fetch-Site"))
        return response


class RefuseNulMiddleware:
    """A query string with a NUL character ("%00") is a 400 with a reason, before any view.

    PostgreSQL cannot compare text with NUL, so such a value reaching a lookup (an admin list
    filter, a need's slug) was a 500 there. The reason is Django's own, translated, message.
    Under /api/ it is JSON naming each parameter, as a DRF validation error does. The results
    page is left to its search form, which already refuses NUL in any of its fields with the
    page's friendly message. Listed after LocaleMiddleware, so the reason is in the page's
    language.
    """

    FORMS_REFUSE_NUL = {"directory:home"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" not in request.META.get("QUERY_STRING", ""):
            return self.get_response(request)
        bad = sorted(
            {
                key.replace("\x00", "")
                for key, values in request.GET.lists()
                if "\x00" in key or any("\x00" in value for value in values)
            }
        )
        if not bad:
            return self.get_response(request)
        reason = str(ProhibitNullCharactersValidator.message)
        if request.path.startswith("/api/"):
            return JsonResponse({key: [reason] for key in bad}, status=HTTPStatus.BAD_REQUEST)
        try:
            view = resolve(request.path_info).view_name
        except Resolver404:
            view = None
        if view in self.FORMS_REFUSE_NUL:
            return self.get_response(request)
        return HttpResponseBadRequest(reason, content_type="text/plain; charset=utf-8")


class BusyDatabaseMiddleware:
    """SQLite's "database is locked" (another writer held the lock past the wait, such as a
    large import) is a 503 that says to try again, with Retry-After: not a 500. The page is
    a calm one with 911 and the hotlines; under /api/ it is JSON; in the admin it tells the
    editor whether their change was saved (it was not) and to save again.
    """

    RETRY_AFTER_S = 10

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # SQLite's words ("database is locked", "database table is locked"). PostgreSQL waits
        # for row locks; its own timeouts (none are set) would stay 500s.
        if not (isinstance(exception, OperationalError) and "is locked" in str(exception)):
            return None
        # A form sent (a save, a correction, a referral) must say it was not kept.
        context = {"saving": request.method not in ("GET", "HEAD", "OPTIONS")}
        status = HTTPStatus.SERVICE_UNAVAILABLE
        if request.path.startswith("/api/"):
            detail = "The directory is busy saving another change. Try again in a moment."
            response = JsonResponse({"detail": detail}, status=status)
        elif request.path.startswith(reverse("admin:index")):
            # An editor: whether their change was saved, not the public page's 911 and hotlines.
            response = render(request, "admin/busy.html", context, status=status)
        else:
            response = render(request, "directory/busy.html", context, status=status)
        response["Retry-After"] = str(self.RETRY_AFTER_S)
        return response
