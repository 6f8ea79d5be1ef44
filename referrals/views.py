"""Pages for advocates and provider staff: dashboards, search, referrals, export.

A referral that is not yours is a 404, never a 403: its existence is not revealed.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from directory.maps_adapter import results_map
from directory.presenters import present_search
from providers import search as core_search
from providers.models import ServiceAtLocation, Term
from referrals import reports
from referrals.access import (
    Role,
    agency_of,
    is_site_admin,
    organizations_of,
    roles_for,
    visible_referrals,
)
from referrals.forms import AdvocateSearchForm, ReferralFilterForm, ReferralForm, StatusForm
from referrals.models import ClientDataAccess, Referral, ReferralEvent
from referrals.workflow import (
    TransitionError,
    allowed_moves,
    change_status,
    mark_received,
    send_referral,
)

PER_PAGE = 25  # nearby results a page shows; the next ones on ?page=2


def advocate_required(view):
    """Signed in and a member of an active agency (else 403: the page is not for you)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if agency_of(request.user) is None:
            raise PermissionDenied(_("This page is for advocates of an agency."))
        return view(request, *args, **kwargs)

    return wrapper


def _listing_rows(referrals):
    return (
        referrals.select_related("agency", "organization", "service_at_location__service")
        .prefetch_related(Prefetch("needs", queryset=Term.objects.order_by("position")))
        .order_by("-created_at", "id")
    )


@never_cache
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The advocate's agency referrals by status and age; the provider's incoming ones."""
    user = request.user
    agency = agency_of(user)
    organizations = list(organizations_of(user))
    if agency is None and not organizations and not is_site_admin(user):
        raise PermissionDenied(_("Your account is not linked to an agency or a provider yet."))
    form = ReferralFilterForm(request.GET or None)
    context = {"agency": agency, "organizations": organizations, "form": form}
    if agency is not None:
        mine = Referral.objects.filter(agency=agency)
        context["agency_table"] = reports.status_age_table(mine)
        context["agency_rows"] = _listing_rows(form.apply(mine))[:100]
    if organizations:
        incoming = Referral.objects.filter(organization__in=organizations)
        context["inbox_table"] = reports.status_age_table(incoming)
        context["inbox_rows"] = _listing_rows(form.apply(incoming))[:100]
    if is_site_admin(user) and agency is None and not organizations:
        context["admin_table"] = reports.status_age_table(Referral.objects.all())
    return render(request, "referrals/dashboard.html", context)


def _locate(near: str):
    """(lat, lng, state) of a typed place, via the offline geocoder."""
    try:
        from providers.geocode import PlaceNotFound, geocode
    except ImportError:  # the geocoder lands on main separately
        raise core_search.InvalidSearch(
            "near", _("Searching by place is not available yet: choose a need or type words.")
        ) from None
    try:
        place = geocode(near)
    except PlaceNotFound as error:
        raise core_search.InvalidSearch("near", error.message) from None
    return place.lat, place.lng, place.state


@advocate_required
def advocate_search(request: HttpRequest) -> HttpResponse:
    """Search the directory with Add to list and Refer buttons on every result."""
    form = AdvocateSearchForm(request.GET or None)
    context: dict = {"form": form, "results": None, "remote": []}
    if form.is_valid():
        data = form.cleaned_data
        service = data["service"]
        filters = core_search.Filters(services=(service.slug,) if service else (), text=data["q"])
        try:
            place = _locate(data["near"]) if data["near"] else None
            if place:
                found = core_search.search(
                    lat=place[0], lng=place[1], state=place[2], filters=filters
                )
            else:
                found = core_search.search(filters=filters)
            # The public results page's pager: counted and ranked by the search itself.
            page = Paginator(core_search.RankedIds(found), PER_PAGE).page(
                request.GET.get("page") or 1
            )
            # The cards the public sees, built in one go, numbered as the map's pins are.
            results, remote = present_search(
                page.object_list,
                found.remote_ids if page.number == 1 else [],
                start=page.start_index(),
            )
        except core_search.InvalidSearch as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except InvalidPage:
            form.add_error(None, _("There is no such page of these results."))
        else:
            context |= {"results": results, "remote": remote, "page_obj": page}
            if place and results:  # the public page's map: confidential places get no pin
                context["results_map"] = results_map(results, center=(place[0], place[1]))
    return render(request, "referrals/search.html", context)


@never_cache
@advocate_required
def referral_new(request: HttpRequest, sal_pk) -> HttpResponse:
    sal = get_object_or_404(
        ServiceAtLocation.objects.listed().select_related("service__organization", "location"),
        pk=sal_pk,
    )
    form = ReferralForm(request.POST or None, initial={"needs": sal.service.terms.service_types()})
    if request.method == "POST" and form.is_valid():
        referral = form.save(commit=False)
        referral.agency = agency_of(request.user)
        referral.service_at_location = sal
        send_referral(referral=referral, needs=form.cleaned_data["needs"], by=request.user)
        messages.success(request, _("Referral %(id)s sent.") % {"id": referral.short_id})
        return redirect("referrals:referral-detail", pk=referral.pk)
    return render(request, "referrals/referral_new.html", {"form": form, "sal": sal})


def _visible_referral(request: HttpRequest, pk) -> tuple[Referral, set[str]]:
    referral = get_object_or_404(
        visible_referrals(request.user).select_related(
            "agency",
            "organization",
            "service_at_location__service",
            "service_at_location__location",
        ),
        pk=pk,
    )
    roles = roles_for(request.user, referral)
    if not roles:  # visible_referrals and roles_for must agree; refuse if they ever do not
        raise Http404
    return referral, roles


@never_cache
@login_required
def referral_detail(request: HttpRequest, pk) -> HttpResponse:
    referral, roles = _visible_referral(request, pk)
    if Role.PROVIDER in roles:
        mark_received(referral, by=request.user)
    show_client = referral.client_data_available()
    if show_client:
        ClientDataAccess.objects.create(
            referral=referral, user=request.user, via=ClientDataAccess.Via.PAGE
        )
    moves = allowed_moves(referral, roles)
    events = ReferralEvent.objects.filter(referral=referral).select_related("by")
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "roles": roles,
            "show_client": show_client,
            "events": events,
            "needs": referral.needs.order_by("position"),
            "status_form": StatusForm(moves=moves) if moves else None,
            "today": timezone.localdate(),
        },
    )


@require_POST
@login_required
def referral_status(request: HttpRequest, pk) -> HttpResponse:
    referral, roles = _visible_referral(request, pk)
    form = StatusForm(request.POST, moves=allowed_moves(referral, roles))
    if form.is_valid():
        try:
            change_status(
                referral,
                to=form.cleaned_data["status"],
                by=request.user,
                roles=roles,
                reason=form.cleaned_data["reason"],
            )
        except TransitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Status changed to “%(s)s”.") % {"s": referral.get_status_display()}
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("referrals:referral-detail", pk=referral.pk)


@advocate_required
def export_counts(request: HttpRequest) -> HttpResponse:
    """The agency's referral counts by month, status and need, as CSV: no client data."""
    agency = agency_of(request.user)
    body = reports.export_csv(Referral.objects.filter(agency=agency))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="referral-counts-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
