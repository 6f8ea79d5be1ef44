"""Issue 16, item 3: the importers tag services with no mapped code by their own words, mark
those tags inferred, and editors confirm or remove them in the admin."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from messy211 import write_messy_211
from test_import_csv import good_row, sheet

from providers.importers.csv_flat import import_csv
from providers.importers.hsds import import_hsds
from providers.models import Service
from providers.permissions import EDITORS

pytestmark = pytest.mark.django_db
SOURCE = "harbor-211"
TAXONOMY = (
    ["id", "service_id", "taxonomy_id", "taxonomy_detail"],
    [["11001", "2002", "BH-1800.8500", "Domestic Violence Shelters"]],
)


def slugs(terms) -> set[str]:
    return set(terms.values_list("slug", flat=True))


def service(source_id: str) -> Service:
    return Service.objects.get(source=SOURCE, source_id=source_id)


def import_messy(folder, **overrides):
    return import_hsds(write_messy_211(folder, **overrides), source=SOURCE)


def test_a_service_without_codes_gets_needs_from_its_words_marked_inferred(tmp_path):
    report = import_messy(tmp_path / "export")

    shelter = service("2002")  # "Emergency Shelter", no services_taxonomy.csv in the package
    assert "food-shelter-housing" in slugs(shelter.terms)
    assert slugs(shelter.inferred_terms) == slugs(shelter.terms)
    assert "counseling-support-groups" in slugs(service("2004").inferred_terms)
    assert report.counts["services"]["needs inferred from their words"] >= 2


def test_a_service_with_a_mapped_code_is_not_inferred(tmp_path):
    import_messy(tmp_path / "export", **{"services_taxonomy.csv": TAXONOMY})

    shelter = service("2002")
    assert "food-shelter-housing" in slugs(shelter.terms)
    assert not shelter.inferred_terms.exists()
    assert service("2004").inferred_terms.exists()  # still no code: inferred


def test_reimport_does_not_mark_a_confirmed_need_again(tmp_path):
    folder = write_messy_211(tmp_path / "export")
    import_hsds(folder, source=SOURCE)
    service("2002").inferred_terms.clear()  # an editor confirmed

    import_hsds(folder, source=SOURCE)

    assert "food-shelter-housing" in slugs(service("2002").terms)
    assert not service("2002").inferred_terms.exists()


def test_spreadsheet_rows_without_known_types_are_inferred(tmp_path):
    path = sheet(
        tmp_path,
        [
            good_row(service_id="a", service_types="", service_name="Food Pantry"),
            good_row(service_id="b", service_name="Food Pantry"),  # "Victim Advocacy"
        ],
    )
    import_csv(path, source="coalition")

    pantry, advocacy = Service.objects.order_by("source_id")
    assert slugs(pantry.inferred_terms) == {"food-shelter-housing"}
    assert slugs(advocacy.terms) == {"victim-advocacy"}
    assert not advocacy.inferred_terms.exists()


# -- the admin --------------------------------------------------------------------------------
@pytest.fixture
def editor_client(client, make_user):
    client.force_login(make_user(role=EDITORS, username="eddie"))
    return client


@pytest.fixture
def imported(tmp_path):
    return import_messy(tmp_path / "export", **{"services_taxonomy.csv": TAXONOMY})


def changelist(client, **params):
    return client.get(reverse("admin:providers_service_changelist"), params)


def test_editors_filter_services_awaiting_review(editor_client, imported):
    response = changelist(editor_client, inferred="yes")

    assert response.status_code == HTTPStatus.OK
    names = {s.name for s in response.context["cl"].result_list}
    assert "Counseling" in names
    assert "Emergency Shelter" not in names
    assert "Emergency Shelter" in {
        s.name for s in changelist(editor_client, inferred="no").context["cl"].result_list
    }


def act(client, action: str, *services):
    return client.post(
        reverse("admin:providers_service_changelist"),
        {"action": action, "_selected_action": [str(s.pk) for s in services]},
        follow=True,
    )


def test_confirming_keeps_the_needs_and_clears_the_mark(editor_client, imported):
    counseling = service("2004")
    tagged = slugs(counseling.terms)

    response = act(editor_client, "confirm_inferred_needs", counseling)

    assert response.status_code == HTTPStatus.OK
    assert "confirmed for 1 service" in response.content.decode()
    assert slugs(counseling.terms) == tagged
    assert not counseling.inferred_terms.exists()


def test_removing_drops_only_the_inferred_needs(editor_client, imported):
    counseling = service("2004")
    counseling.terms.add(*service("2002").terms.all())  # a need an editor chose
    chosen = slugs(service("2002").terms)

    act(editor_client, "remove_inferred_needs", counseling)

    assert slugs(counseling.terms) == chosen
    assert not counseling.inferred_terms.exists()
    assert counseling.history.count() > 1  # the change is in its history


def test_a_need_an_editor_removed_is_not_inferred_again_on_reimport(editor_client, tmp_path):
    folder = write_messy_211(tmp_path / "export", **{"services_taxonomy.csv": TAXONOMY})
    import_hsds(folder, source=SOURCE)
    counseling = service("2004")
    removed = slugs(counseling.inferred_terms)
    assert removed

    act(editor_client, "remove_inferred_needs", counseling)
    report = import_hsds(folder, source=SOURCE)

    assert not slugs(counseling.terms) & removed
    assert not counseling.inferred_terms.exists()
    assert slugs(counseling.rejected_terms) == removed
    # Only new tags are counted: the removed need is not inferred again, and the others
    # were there already.
    assert "needs inferred from their words" not in report.counts["services"]
    assert Service.inferred_terms.through.objects.exclude(service=counseling).exists()


def test_unticking_an_inferred_need_on_the_service_page_keeps_it_off_on_reimport(
    editor_client, tmp_path, admin_data
):
    folder = write_messy_211(tmp_path / "export", **{"services_taxonomy.csv": TAXONOMY})
    import_hsds(folder, source=SOURCE)
    counseling = service("2004")
    removed = slugs(counseling.inferred_terms)
    url = reverse("admin:providers_service_change", args=[counseling.pk])
    data = admin_data(editor_client.get(url))
    kept = counseling.terms.exclude(slug__in=removed).filter(kind="service_type")
    data["service_types"] = [str(term.pk) for term in kept]

    response = editor_client.post(url, data)

    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    assert slugs(counseling.rejected_terms) == removed
    import_hsds(folder, source=SOURCE)
    assert not slugs(counseling.terms) & removed
