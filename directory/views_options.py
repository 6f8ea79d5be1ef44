"""Know your options: plain guidance pages that lead into the search (GET only, nothing kept).

Every page reads the place of an earlier search from the URL, so its links into the
directory search there again; the self-check's form asks for the place if none is known.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from directory.forms import PLACE_MAX_LENGTH, SearchForm
from directory.http import public_page
from directory.options import NOTES, QUESTIONS, page_url, search_url, searched_place
from providers.models import Term

SECTION_PAGES = (
    "options",
    "options-basics",
    "options-questions",
    "options-help",
    "options-young-people",
    "options-other-countries",
)


def _render(request: HttpRequest, template: str, **context) -> HttpResponse:
    place = searched_place(request.GET)
    links = {
        "advocate": search_url(place=place, services=["victim-advocacy"]),
        "legal": search_url(place=place, services=["legal-assistance"]),
        "shelter": search_url(place=place, services=["food-shelter-housing"]),
        "counseling": search_url(place=place, services=["counseling-support-groups"]),
        "immigration": search_url(place=place, services=["immigration-services"]),
        "young": search_url(
            place=place, services=["victim-advocacy"], populations=["youth-minors"]
        ),
    }
    pages = {name.replace("-", "_"): page_url(name, place=place) for name in SECTION_PAGES}
    context.update(place=place, links=links, pages=pages)
    return render(request, f"directory/options/{template}", context)


@public_page
def options(request: HttpRequest) -> HttpResponse:
    return _render(request, "index.html")


@public_page
def basics(request: HttpRequest) -> HttpResponse:
    return _render(request, "basics.html")


@public_page
def questions(request: HttpRequest) -> HttpResponse:
    needs = {t.slug: t for t in Term.objects.service_types()}
    # The questions in a fixed order (most urgent first), for the needs that exist.
    choices = [(slug, text) for slug, text in QUESTIONS.items() if slug in needs]
    return _render(request, "questions.html", questions=choices)


@public_page
def needs(request: HttpRequest) -> HttpResponse:
    place = searched_place(request.GET)
    kinds = [
        {
            "slug": term.slug,
            "name": term.local_name,
            "description": term.local_description,
            "note": NOTES.get(term.slug, ""),
            "url": search_url(place=place, services=[term.slug]),
        }
        for term in Term.objects.service_types()
    ]
    return _render(request, "help.html", kinds=kinds)


@public_page
def young_people(request: HttpRequest) -> HttpResponse:
    return _render(request, "young_people.html")


@public_page
def other_countries(request: HttpRequest) -> HttpResponse:
    return _render(request, "other_countries.html")


@public_page
def find(request: HttpRequest) -> HttpResponse:
    """Needs chosen (by the self-check or a link): search them where the person is.

    With a place, this is the search itself (a redirect); without one, the search form with
    those needs already ticked asks where to look. Unknown needs are named, not searched.
    """
    chosen = request.GET.getlist("service")
    populations = request.GET.getlist("population")
    terms = Term.objects.filter(
        kind__in=[Term.Kind.SERVICE_TYPE, Term.Kind.POPULATION], slug__in=[*chosen, *populations]
    )
    known = {term.slug: term for term in terms}
    unknown = [slug for slug in [*chosen, *populations] if slug not in known]
    place = searched_place(request.GET)
    if place and not unknown:
        return redirect(search_url(place=place, services=chosen, populations=populations))
    form = SearchForm(
        initial={
            "service": [slug for slug in chosen if slug in known],
            "near": request.GET.get("near", "")[:PLACE_MAX_LENGTH],
        }
    )
    groups = [known[slug] for slug in populations if slug in known]
    return _render(request, "find.html", form=form, unknown=unknown, groups=groups)
