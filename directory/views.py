"""The search page (home): parse the GET form, geocode offline, call the one search, render.

Nothing here logs: a searched place must never be written anywhere (see directory/logging.py).
"""

from http import HTTPStatus

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.directions import add_directions
from directory.forms import SearchForm
from directory.http import SAME_ORIGIN, public_page, render_page, set_referrer_policy, signed_in
from directory.limits import over_limit, parse_rate
from directory.maps_adapter import results_map
from directory.presenters import Vocabulary, present_search
from providers import search
from providers.geocode import PlaceNotFound, geocode
from providers.models import ServiceAtLocation

PER_PAGE = 20
# Pages up to this one are read with their count in one statement; a larger ?page= is left to
# the paginator's check, as its offset could overflow the SQL's 64-bit integer (as api/pagination).
EXPECTED_PAGES = 10_000


def place_problem_message(problem: PlaceNotFound, *, text: str) -> str:
    """A translated sentence for each reason a place was not found."""
    messages = {
        "empty": _("Type a ZIP code, or a city and state, to search near that place."),
        "too_long": _("That is too long for a place. Type a ZIP code or a city and state."),
        "unknown_zip": _(
            "We could not find the ZIP code “%(text)s”. Check the five digits, "
            "or type a city and state."
        ),
        "unknown_place": _(
            "We could not find “%(text)s”. Try a ZIP code, or a city and its state, "
            "like Houston, TX."
        ),
        "ambiguous": _(
            "There is more than one place called “%(text)s”. Choose one below, or add the state."
        ),
        "out_of_range": _(
            "“%(text)s” is outside the area this directory covers (the United States). "
            "Try a US ZIP code or city."
        ),
    }
    fallback = _("We could not find that place. Try a ZIP code, or a city and its state.")
    return messages.get(problem.code, fallback) % {"text": text}


def locate(data: dict):
    """(place, label, problem): the searched point, how to name it, or why it was not found."""
    if data["point"] is not None:
        lat, lng = data["point"]
        try:
            place = geocode(f"{lat},{lng}")
        except PlaceNotFound as problem:
            return None, "", problem
        return place, _("your location"), None
    try:
        place = geocode(data["near"])
    except PlaceNotFound as problem:
        return None, "", problem
    return place, place.label, None


def page_of_places(ranked: search.RankedIds, number) -> tuple[Page, list]:
    """A results page and its (id, miles) pairs, with the place of its last service whole.

    A place's services share one card (presenters.by_place) and one distance, and rank
    together unless another place sits at the very same point. A place whose services
    straddle a page's end would show on two pages: the page takes the rest of its last
    place's services from the next page (those within a page of it), and the next page
    leaves out the ones it took; both judge by the page's nominal last service, and read
    the location of only the services at its distance (none, mostly). The pager still
    counts services. The count and the window around the page come from one statement.
    """
    try:
        expected = int(number)
    except (TypeError, ValueError):
        expected = 1
    if 1 <= expected <= EXPECTED_PAGES:
        offset = (expected - 1) * PER_PAGE
        # From the previous page's last service (did it take this page's first place?) to the
        # end of the next page (the rest of this page's last place).
        ranked.expect(max(offset - 1, 0), offset + 2 * PER_PAGE)
    page = Paginator(ranked, PER_PAGE).get_page(number)
    pairs = list(page.object_list)
    low, high = page.start_index() - 1, page.end_index()
    if pairs and page.has_next():
        taken = _same_place(pairs[-1], ranked[high : high + PER_PAGE])
        pairs += taken
        if high + len(taken) >= page.paginator.count:
            # It took every service left: no next page to offer ("Page 1 of 1").
            page.paginator.num_pages = page.number
    if pairs and page.has_previous():
        taken = {pk for pk, _miles in _same_place(ranked[low - 1 : low][0], page.object_list)}
        pairs = [pair for pair in pairs if pair[0] not in taken]
    return page, pairs


def _same_place(last: tuple, following: list) -> list:
    """The pairs of `following` at the same place as `last`: the same miles, location and
    organization (a card's place, presenters.by_place)."""
    tied = [pair for pair in following if last[1] is not None and pair[1] == last[1]]
    if not tied:
        return []
    places = {
        pk: (location, organization)
        for pk, location, organization in ServiceAtLocation.objects.filter(
            pk__in=[last[0], *(pk for pk, _ in tied)]
        ).values_list("pk", "location_id", "service__organization_id")
    }
    return [pair for pair in tied if places.get(pair[0]) == places.get(last[0])]


def run_search(request: HttpRequest, form: SearchForm) -> dict:
    data = form.cleaned_data
    place, label, problem = locate(data)
    if problem is not None:
        text = data["near"] or _("your location")
        return {
            "place_problem": place_problem_message(problem, text=text),
            "suggestions": list(problem.suggestions or [])[:5],
        }
    now = timezone.now()
    filters = form.filters()
    try:
        results = search.search(
            lat=place.lat, lng=place.lng, radius_mi=data["radius"], state=place.state,
            filters=filters, now=now,
        )  # fmt: skip
        page, pairs = page_of_places(search.RankedIds(results), request.GET.get("page"))
    except search.InvalidSearch:
        form.add_error(None, _("Something in this search could not be used. Please try again."))
        return {}
    remote_ids = results.remote_ids if page.number == 1 else []
    if request.GET.get("remote") != "all":
        remote_ids = remote_ids[: search.REMOTE_FIRST]  # "Show all" (?remote=all): every one
    cards, remote = present_search(
        pairs,
        remote_ids,
        now=now,
        start=page.start_index(),
        vocabulary=Vocabulary(form.terms),
        places=True,
    )
    add_directions(cards, request)
    return {
        "searched": True,
        "place": place,
        "place_label": label,
        "radius_mi": data["radius"],
        "page_obj": page,
        "cards": cards,
        "remote_cards": remote,
        "remote_count": len(results.remote_ids),
        "has_filters": filters != search.Filters(),
        "wider_radii": form.radius_choices_wider(data["radius"]),
        "results_map": results_map(cards, center=(place.lat, place.lng)) if cards else None,
    }


SEARCH_KEYS = {
    "near",
    "lat",
    "lng",
    "radius",
    "service",
    "victimization",
    "population",
    "language",
    "free",
    "open",
}


def searched_too_often(request: HttpRequest) -> bool:
    """Count an anonymous search; True over SEARCH_PAGE_RATE (a calm page, not the results)."""
    limit, window_s = parse_rate(settings.SEARCH_PAGE_RATE)
    return over_limit(request, scope="search", limit=limit, window_s=window_s)


@public_page
def home(request: HttpRequest) -> HttpResponse:
    """The search form, and the results when it was submitted (a GET: nothing is stored)."""
    submitted = any(key in request.GET for key in SEARCH_KEYS | {"page"})
    if submitted and not signed_in(request) and searched_too_often(request):
        window_s = parse_rate(settings.SEARCH_PAGE_RATE)[1]
        context = {"wait_minutes": max(window_s // 60, 1)}
        response = render(
            request, "directory/search_limited.html", context, status=HTTPStatus.TOO_MANY_REQUESTS
        )
        response["Retry-After"] = str(window_s)
        return response
    form = SearchForm(request.GET if submitted else None)
    context: dict = {"form": form, "searched": False}
    if signed_in(request):
        # An advocate's result cards carry "Add to list" forms (POST): see directory/http.py.
        set_referrer_policy(request, SAME_ORIGIN)
        context["show_messages"] = True
    if submitted and form.is_valid():
        context.update(run_search(request, form))
    return render_page(request, "directory/search.html", context)
