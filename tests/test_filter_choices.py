"""The search form's choices come from the cache (providers.filter_choices), labelled in each
page's language, and follow every change to what they show once it commits: a language a
listed service starts or stops speaking, a listing retired, an import."""

import pytest
from django.utils import translation
from messy211 import write_messy_211

from directory.forms import SearchForm
from providers.importers.hsds import import_hsds
from providers.models import Language, Location, Status, Term

pytestmark = pytest.mark.django_db


def offered_languages() -> list[str]:
    return [code for code, _label in SearchForm().fields["language"].choices]


def test_a_second_form_reads_no_choices_from_the_database(make_provider, django_assert_num_queries):
    make_provider(languages=("en", "es"), services=("legal-assistance",))
    first = SearchForm()
    with django_assert_num_queries(0):
        second = SearchForm()
    for name in ("service", "victimization", "population", "language"):
        assert second.fields[name].choices == first.fields[name].choices
    assert [code for code, _label in second.fields["language"].choices] == ["en", "es"]
    assert second.service_hints == first.service_hints
    assert [term.slug for term in second.terms] == [term.slug for term in first.terms]


def test_cached_choices_are_labelled_in_the_language_of_each_page(
    make_provider, django_assert_num_queries
):
    make_provider(languages=("en", "es"))
    english = SearchForm()
    with translation.override("es"), django_assert_num_queries(0):
        spanish = SearchForm()
    assert dict(english.fields["language"].choices)["es"] == "Spanish"
    assert dict(english.fields["service"].choices)["legal-assistance"] == "Legal Assistance"
    assert dict(spanish.fields["language"].choices)["es"] == "Español"
    assert dict(spanish.fields["service"].choices)["legal-assistance"] == "Ayuda legal"
    assert dict(SearchForm().fields["language"].choices)["es"] == "Spanish"


def test_a_language_added_to_a_listed_service_is_offered_next(
    make_provider, django_capture_on_commit_callbacks
):
    sal = make_provider(languages=("en",))
    assert offered_languages() == ["en"]
    with django_capture_on_commit_callbacks(execute=True):
        sal.service.languages.add(Language.objects.get(code="vi"))
    assert offered_languages() == ["en", "vi"]
    with django_capture_on_commit_callbacks(execute=True):
        sal.service.languages.remove(Language.objects.get(code="vi"))
    assert offered_languages() == ["en"]


def _retire_service(sal) -> None:
    sal.service.status = Status.RETIRED
    sal.service.save()


def _draft_organization(sal) -> None:
    organization = sal.service.organization
    organization.status = Status.DRAFT
    organization.save(update_fields=["status"])


def _delete_location(sal) -> None:
    Location.objects.filter(pk=sal.location_id).delete()


@pytest.mark.parametrize("unlist", [_retire_service, _draft_organization, _delete_location])
def test_a_language_no_listed_service_speaks_any_more_is_no_longer_offered(
    make_provider, django_capture_on_commit_callbacks, unlist
):
    make_provider(name="Stays", languages=("en",))
    leaving = make_provider(name="Leaves", languages=("en", "vi"))
    assert offered_languages() == ["en", "vi"]
    with django_capture_on_commit_callbacks(execute=True):
        unlist(leaving)
    assert offered_languages() == ["en"]


def test_a_term_renamed_shows_its_new_name_next(django_capture_on_commit_callbacks, db):
    assert dict(SearchForm().fields["service"].choices)["legal-assistance"] == "Legal Assistance"
    with django_capture_on_commit_callbacks(execute=True):
        term = Term.objects.get(kind=Term.Kind.SERVICE_TYPE, slug="legal-assistance")
        term.name = "Legal Help"
        term.save()
    assert dict(SearchForm().fields["service"].choices)["legal-assistance"] == "Legal Help"


def test_an_editor_saving_a_description_keeps_the_choices_cached(
    make_provider, django_capture_on_commit_callbacks, django_assert_num_queries
):
    sal = make_provider(languages=("en", "es"))
    SearchForm()
    with django_capture_on_commit_callbacks(execute=True):
        organization = sal.service.organization
        organization.description = "Walk-ins welcome."
        organization.save()
        sal.service.description = "Court accompaniment."
        sal.service.save()
    with django_assert_num_queries(0):
        SearchForm()


def test_an_import_offers_the_languages_of_its_services_next(
    tmp_path, django_capture_on_commit_callbacks, db
):
    assert offered_languages() == []
    with django_capture_on_commit_callbacks(execute=True):
        report = import_hsds(write_messy_211(tmp_path / "211"), source="harbor-211")
    assert report.applied
    assert offered_languages() == ["es"]
