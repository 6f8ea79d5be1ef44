"""Public "suggest a correction" and "suggest a new provider": no login, no personal data.

Spam is held off by a honeypot field (a filled one is thanked and dropped) and a rate
limit per client. The limit keys on a salted hash of the address, kept only in the cache
for an hour; the address itself is never stored or logged. There is no CSRF cookie: a form
sent from another site is refused instead (`anonymous_form` in directory/http.py).
"""

from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from directory.http import add_public_headers, anonymous_form, public_page, same_origin_referrer
from directory.limits import over_limit
from directory.suggest_forms import CorrectionForm, NewProviderForm
from providers.models import ServiceAtLocation
from providers.suggestions import current_values, submit_correction, submit_new_provider

RATE_WINDOW_S = 3600


def over_rate_limit(request: HttpRequest) -> bool:
    """Count this submission; True when the client has sent too many this hour."""
    limit = settings.SUGGESTION_RATE_PER_HOUR
    return over_limit(request, scope="suggest", limit=limit, window_s=RATE_WINDOW_S)


def _limited(request: HttpRequest) -> HttpResponse:
    response = add_public_headers(
        render(request, "directory/suggest_limited.html", status=HTTPStatus.TOO_MANY_REQUESTS)
    )
    response["Retry-After"] = str(RATE_WINDOW_S)
    return response


def _thanks(request: HttpRequest, listing: ServiceAtLocation | None = None) -> HttpResponse:
    return render(request, "directory/suggest_thanks.html", {"listing": listing})


@public_page
@same_origin_referrer
@anonymous_form
def suggest_correction(request: HttpRequest, pk) -> HttpResponse:
    listing = get_object_or_404(
        ServiceAtLocation.objects.listed().select_related("service__organization", "location"),
        pk=pk,
    )
    initial = current_values(listing, public=True)
    if request.method == "POST":
        if over_rate_limit(request):
            return _limited(request)
        form = CorrectionForm(request.POST, initial=initial)
        if form.is_bot():
            return _thanks(request, listing)
        if form.is_valid():
            submit_correction(listing, form.changes(), form.cleaned_data["message"].strip())
            return _thanks(request, listing)
    else:
        form = CorrectionForm(initial=initial)
    context = {"form": form, "listing": listing, "organization": listing.service.organization}
    return render(request, "directory/suggest_correction.html", context)


@public_page
@same_origin_referrer
@anonymous_form
def suggest_provider(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if over_rate_limit(request):
            return _limited(request)
        form = NewProviderForm(request.POST)
        if form.is_bot():
            return _thanks(request)
        if form.is_valid():
            submit_new_provider(form.values(), form.cleaned_data["message"].strip())
            return _thanks(request)
    else:
        form = NewProviderForm()
    return render(request, "directory/suggest_provider.html", {"form": form})
