"""The page a provider reaches from the "please confirm your listing" e-mail.

No login and no cookie: the signed link is the key (providers/confirmations.py). Confirming
records a verification by the provider; a correction goes to the moderation queue. Either
spends the link: whoever gets the e-mail later cannot use it again in the provider's name.
"""

from http import HTTPStatus

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from directory.http import anonymous_form, public_page, same_origin_referrer
from directory.presenters import Vocabulary
from directory.suggest_forms import CorrectionForm
from directory.views_provider import listing_details
from providers.confirmations import InvalidLink, confirm, make_token, organization_for, spend
from providers.listings import build_listing, load_related
from providers.models import ServiceAtLocation
from providers.suggestions import current_values, display, submit_correction

FROM_PROVIDER = "[Sent by the provider through its confirmation link]"


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/confirm_invalid.html", status=HTTPStatus.GONE)


def _listings(organization):
    return (
        ServiceAtLocation.objects.filter(service__organization=organization)
        .select_related("service__organization", "location")
        .order_by("service__name", "location__name")
    )


@public_page
@same_origin_referrer
@anonymous_form
def confirm_listing(request: HttpRequest, token: str) -> HttpResponse:
    try:
        organization = organization_for(token)
    except InvalidLink:
        return _invalid(request)
    if request.method == "POST":
        try:
            with transaction.atomic():
                spend(organization)
                confirm(organization)
        except InvalidLink:  # another request used the link first
            return _invalid(request)
        return render(request, "directory/confirm_done.html", {"organization": organization})
    listings = []
    sals = list(_listings(organization))
    related = load_related(sals)
    vocabulary, now = Vocabulary(), timezone.now()
    for number, sal in enumerate(sals, start=1):
        values = current_values(sal, public=True)
        shown = {name: display(name, value) for name, value in values.items()}
        # What people see: the provider page's sections of the listing, redacted as there.
        built = build_listing(sal, related=related, now=now)
        details = listing_details(sal, built, vocabulary=vocabulary)
        listings.append(
            {
                "listing": sal,
                "values": shown,
                "details": details,
                "id_prefix": f"listing-{number}-",  # the sections' ids, unique on the page
            }
        )
    context = {"organization": organization, "token": token, "listings": listings}
    return render(request, "directory/confirm_listing.html", context)


@public_page
@same_origin_referrer
@anonymous_form
def correct_listing(request: HttpRequest, token: str, pk) -> HttpResponse:
    try:
        organization = organization_for(token)
    except InvalidLink:
        return _invalid(request)
    listing = get_object_or_404(_listings(organization), pk=pk)
    initial = current_values(listing, public=True)
    if request.method == "POST":
        form = CorrectionForm(request.POST, initial=initial)
        if form.is_bot():
            return redirect("directory:confirm-listing", token=token)
        if form.is_valid():
            message = f"{FROM_PROVIDER}\n{form.cleaned_data['message'].strip()}".strip()
            try:
                with transaction.atomic():
                    spend(organization)
                    submit_correction(listing, form.changes(), message)
            except InvalidLink:  # another request used the link first
                return _invalid(request)
            # Only the person who just used the link gets a new one, to go on correcting.
            next_link = reverse("directory:confirm-listing", args=[make_token(organization)])
            context = {"listing": None, "next_link": next_link}
            return render(request, "directory/suggest_thanks.html", context)
    else:
        form = CorrectionForm(initial=initial)
    context = {"form": form, "listing": listing, "organization": organization, "token": token}
    return render(request, "directory/confirm_correct.html", context)
