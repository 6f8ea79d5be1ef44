"""Issue 16, item 7: duplicates across sources. Listings that are probably one provider are
proposed after an import (phone, website, address, name), an editor merges them or keeps
them apart in the admin, and a merge moves every linked record, keeps the history, never
shows a confidential address, and survives the next import of either source."""

import io
from datetime import time
from http import HTTPStatus

import pytest
from conftest import create_provider, create_referral, create_referral_user, create_user
from django.core.management import call_command
from hsds_support import write_csv
from messy211 import write_messy_211

from providers.duplicates import address_key, domain_key, find_duplicates, name_key, phone_key
from providers.importers.csv_flat import import_csv
from providers.importers.hsds import import_hsds
from providers.merge import CannotMerge, merge_organizations
from providers.models import (
    DuplicatePair,
    Location,
    MergedRecord,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    Status,
    Suggestion,
    Term,
)
from providers.permissions import EDITORS, PROVIDER_STAFF
from referrals.models import Agency, ResourceList, ResourceListItem

pytestmark = pytest.mark.django_db

HARBOR, LAKESHORE = "harbor-211", "lakeshore-coalition"


# -- the two sources ---------------------------------------------------------------------------
def write_harbor(folder):
    """A 211's export (HSDS 1.x layout): the legal aid society, a food pantry and a clinic."""
    return write_messy_211(
        folder,
        name=HARBOR,
        **{
            "organizations.csv": (
                ["id", "name", "alternate_name", "description", "email", "url"],
                [
                    ["1", "Harbor Legal Aid Society", "", "Free civil legal help.", "",
                     "http://www.harborlegal.example/help"],
                    ["2", "Westside Food Pantry", "", "Groceries weekly.", "", ""],
                    ["3", "Northside Health Clinic", "", "Primary care.", "", ""],
                ],
            ),
            "services.csv": (
                ["id", "organization_id", "name", "description", "url", "email", "status",
                 "application_process", "fees", "accreditations", "licenses"],
                [
                    ["11", "1", "Legal Advice Clinic", "Walk in.", "", "", "active", "", "", "",
                     ""],
                    ["12", "2", "Food Pantry", "", "", "", "active", "", "", "", ""],
                    ["13", "3", "Primary Care", "", "", "", "active", "", "", "", ""],
                ],
            ),
            "locations.csv": (
                ["id", "organization_id", "name", "alternate_name", "description", "latitude",
                 "longitude", "transportation"],
                [
                    ["21", "1", "Main office", "", "", "", "", ""],
                    ["22", "2", "Pantry", "", "", "", "", ""],
                    ["23", "3", "Clinic", "", "", "", "", ""],
                ],
            ),
            "physical_addresses.csv": (
                ["id", "location_id", "attention", "address_1", "address_2", "city", "region",
                 "state_province", "postal_code", "country"],
                [
                    ["31", "21", "", "100 N. Main Street, Suite 4", "", "Chicago", "", "IL",
                     "60601", "US"],
                    ["32", "22", "", "9 W Oak St", "", "Chicago", "", "IL", "60610", "US"],
                    ["33", "23", "", "200 W Lake St", "", "Chicago", "", "IL", "60606", "US"],
                ],
            ),
            "services_at_location.csv": (
                ["id", "service_id", "location_id", "description"],
                [["41", "11", "21", ""], ["42", "12", "22", ""], ["43", "13", "23", ""]],
            ),
            "phones.csv": (
                ["id", "location_id", "service_id", "organization_id", "contact_id",
                 "service_at_location_id", "number", "extension", "type", "language",
                 "description"],
                [
                    ["51", "", "11", "", "", "", "(312) 555-0100", "", "voice", "", ""],
                    ["52", "", "12", "", "", "", "312-555-0150", "", "voice", "", ""],
                    ["53", "", "13", "", "", "", "312-555-0160", "", "voice", "", ""],
                ],
            ),
            "regular_schedules.csv": (
                ["id", "service_id", "location_id", "service_at_location_id", "weekday",
                 "opens_at", "closes_at", "original_text"],
                [["61", "", "21", "", "Monday", "9:00", "17:00", ""]],
            ),
            "languages.csv": (["id", "service_id", "location_id", "language"], []),
            "eligibility.csv": (["id", "service_at_location_id", "location_id", "eligibility"], []),
            "accessibility_for_disabilities.csv": (
                ["id", "location_id", "accessibility", "details"],
                [],
            ),
        },
    )  # fmt: skip


LAKESHORE_FIELDS = [
    "organization_id", "organization_name", "organization_website", "service_id",
    "service_name", "location_id", "location_name", "street", "city", "state", "zip",
    "phone", "hours", "address_confidential",
]  # fmt: skip


def lakeshore_rows(**changes):
    """A coalition's spreadsheet: the same legal aid society written its own way, a tenants'
    union that shares the pantry's phone, and a youth centre in the clinic's building."""
    rows = [
        {
            "organization_id": "LA-7",
            "organization_name": "HARBOR LEGAL AID SOCIETY, INC.",
            "organization_website": "harborlegal.example",
            "service_id": "LA-7-1",
            "service_name": "Legal advice clinic",
            "location_id": "LA-7-L",
            "location_name": "Harbor Legal Aid",
            "street": "100 North Main St",
            "city": "Chicago",
            "state": "IL",
            "zip": "60601-1234",
            "phone": "312.555.0100",
            "hours": "Tue 10am-2pm",
            "address_confidential": "",
        },
        {
            "organization_id": "TU-1",
            "organization_name": "Eastside Tenants Union",
            "service_id": "TU-1-1",
            "service_name": "Tenant counseling",
            "location_id": "TU-1-L",
            "street": "77 E Elm St",
            "city": "Chicago",
            "state": "IL",
            "zip": "60611",
            "phone": "+1 312 555 0150",
        },
        {
            "organization_id": "YC-1",
            "organization_name": "Lakeview Youth Center",
            "service_id": "YC-1-1",
            "service_name": "After-school program",
            "location_id": "YC-1-L",
            "street": "200 West Lake Street",
            "city": "Chicago",
            "state": "IL",
            "zip": "60606",
            "phone": "312-555-0170",
        },
    ]
    rows[0].update(changes)
    return rows


def write_lakeshore(path, **changes):
    write_csv(path, LAKESHORE_FIELDS, lakeshore_rows(**changes))
    return path


@pytest.fixture
def both(tmp_path):
    """Both sources imported; returns the two imports' reports."""
    first = import_hsds(write_harbor(tmp_path / "harbor"), source=HARBOR)
    second = import_csv(write_lakeshore(tmp_path / "lakeshore.csv"), source=LAKESHORE)
    return first, second


def org(source: str, source_id: str) -> Organization:
    return Organization.objects.get(source=source, source_id=source_id)


def open_pairs():
    return DuplicatePair.objects.filter(decision=DuplicatePair.Decision.OPEN)


# -- normalising -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "number", ["(312) 555-0100", "312.555.0100", "+13125550100", "1-312-555-0100"]
)
def test_phone_numbers_in_any_format_are_one_key(number):
    assert phone_key(number) == "3125550100"


def test_short_codes_are_no_phone_key():
    assert phone_key("211") is None and phone_key("988") is None


def test_websites_lose_www_scheme_and_path_and_shared_hosts_say_nothing():
    assert domain_key("http://www.HarborLegal.example/help") == "harborlegal.example"
    assert domain_key("harborlegal.example") == "harborlegal.example"
    assert domain_key("https://www.facebook.com/harborlegal") is None


def test_street_spellings_and_suites_are_one_address():
    a = address_key(street="100 N. Main Street, Suite 4", city="", state="IL", postcode="60601")
    b = address_key(street="100 North Main St", city="", state="IL", postcode="60601-1234")
    assert a == b == "100 n main st|60601"


def test_names_ignore_case_punctuation_and_inc():
    assert name_key("HARBOR LEGAL AID SOCIETY, INC.") == name_key("Harbor Legal Aid Society")


# -- finding -----------------------------------------------------------------------------------
def test_the_same_provider_from_two_sources_is_proposed_with_its_reasons(both):
    _, second = both
    pair = open_pairs().get()
    assert {pair.left, pair.right} == {org(HARBOR, "1"), org(LAKESHORE, "LA-7")}
    text = pair.reasons_text
    assert "same phone (312) 555-0100" in text
    assert "same website harborlegal.example" in text
    assert "same address" in text and "names 100% alike" in text
    assert pair.score == 100
    assert second.duplicates == 1
    assert any(line.startswith("1 possible duplicate to review") for line in second.summary_lines())


def test_a_shared_phone_or_a_shared_building_alone_is_not_proposed(both):
    # The pantry and the tenants' union share a number; the clinic and the youth centre a
    # building. Different names, one signal each: nobody is asked about them.
    involved = {p.left_id for p in DuplicatePair.objects.all()} | {
        p.right_id for p in DuplicatePair.objects.all()
    }
    for source, sid in ((HARBOR, "2"), (LAKESHORE, "TU-1"), (HARBOR, "3"), (LAKESHORE, "YC-1")):
        assert org(source, sid).pk not in involved


def test_a_line_and_a_building_shared_by_different_names_is_proposed_never_merged(db):
    a = create_provider(name="Riverside Shelter", street="5 Oak St", phone="+13125550199")
    b = create_provider(name="Tenant Rights Project", street="5 Oak Street", phone="3125550199")

    assert find_duplicates() == 1
    pair = open_pairs().get()
    assert "same phone (312) 555-0199" in pair.reasons_text
    assert Organization.objects.filter(status=Status.PUBLISHED).count() == 2
    assert {a.service.organization_id, b.service.organization_id} == {pair.left_id, pair.right_id}


def test_a_main_line_many_providers_share_is_left_out(db):
    # A 211's main line on ten listings: even alike names are not proposed for it alone.
    for n in range(10):
        create_provider(name=f"Harbor Services {n}", street=f"{n + 1} Elm St", phone="3125550111")
    assert find_duplicates() == 0


def test_a_retired_listing_is_never_proposed(db):
    create_provider(name="Harbor Clinic", phone="3125550123")
    other = create_provider(name="Harbor Clinic", street="9 Other Rd", phone="3125550123")
    Organization.objects.filter(pk=other.service.organization_id).update(status=Status.RETIRED)
    assert find_duplicates() == 0


def test_the_command_lists_the_pairs(both):
    out = io.StringIO()
    call_command("find_duplicates", stdout=out)
    assert "1 possible duplicate to review" in out.getvalue()
    assert "Harbor Legal Aid Society (harbor-211)" in out.getvalue()


# -- merging -------------------------------------------------------------------------------------
@pytest.fixture
def two_listings(db):
    """One shelter listed twice: the kept one without hours; the other with hours, a second
    number, a referral, a list entry and a public suggestion."""
    kept = create_provider(name="Harbor Shelter", street="5 Oak St", phone="+13125550101")
    other = create_provider(
        name="Harbor Shelter Inc",
        street="5 Oak Street",
        phone="312-555-0101",
        services=("food-shelter-housing",),
        hours=((1, time(9), time(17)),),
        service_name="Harbor Shelter services",
    )
    Phone.objects.create(location=other.location, number="+13125550102", kind=Phone.Kind.TEXT)
    agency = Agency.objects.create(name="Hotline")
    advocate = create_referral_user("advocate", agency=agency)
    referral = create_referral(agency=agency, sal=other, by=advocate)
    shared_list = ResourceList.objects.create(agency=agency, title="Shelter")
    ResourceListItem.objects.create(resource_list=shared_list, service_at_location=kept)
    ResourceListItem.objects.create(resource_list=shared_list, service_at_location=other)
    other_list = ResourceList.objects.create(agency=agency, title="Other")
    moved_item = ResourceListItem.objects.create(
        resource_list=other_list, service_at_location=other
    )
    suggestion = Suggestion.objects.create(
        kind=Suggestion.Kind.CORRECTION,
        organization=other.service.organization,
        service_at_location=other,
    )
    return kept, other, referral, shared_list, moved_item, suggestion


def test_merge_moves_referrals_lists_phones_hours_and_suggestions(two_listings):
    kept, other, referral, shared_list, moved_item, suggestion = two_listings
    keep_org, other_org = kept.service.organization, other.service.organization

    moved = merge_organizations(keep=keep_org, other=other_org)

    referral.refresh_from_db()
    assert referral.service_at_location_id == kept.pk
    assert referral.organization_id == keep_org.pk
    moved_item.refresh_from_db()
    assert moved_item.service_at_location_id == kept.pk
    assert list(shared_list.items.values_list("service_at_location", flat=True)) == [kept.pk]
    suggestion.refresh_from_db()
    assert suggestion.service_at_location_id == kept.pk
    assert suggestion.organization_id == keep_org.pk
    numbers = set(Phone.objects.filter(location=kept.location).values_list("number", flat=True))
    assert numbers == {"+13125550102"}  # the same call number is not added twice
    hours = OpeningHours.objects.filter(location=kept.location)
    assert list(hours.values_list("weekday", flat=True)) == [1]
    service = Service.objects.get(pk=kept.service_id)
    assert service.terms.filter(slug="food-shelter-housing").exists()
    assert moved["services folded"] == 1 and moved["locations folded"] == 1
    other_org.refresh_from_db()
    assert other_org.status == Status.RETIRED  # retired, never deleted
    assert Service.objects.get(pk=other.service_id).status == Status.RETIRED
    assert other_org.history.first().history_change_reason.startswith("Merged into Harbor Shelter")
    assert keep_org.history.first().history_change_reason.startswith("Merged Harbor Shelter Inc")
    listed = ServiceAtLocation.objects.listed().filter(
        service__organization__name__startswith="Harbor"
    )
    assert list(listed.values_list("pk", flat=True)) == [kept.pk]


def test_merge_keeps_the_needs_an_editor_removed_from_either_service(two_listings):
    kept, other, *_ = two_listings
    slugs = ("case-management", "legal-assistance", "employment-training")
    case, legal, jobs = (Term.objects.get(slug=slug) for slug in slugs)
    kept.service.rejected_terms.add(case)
    other.service.rejected_terms.add(legal)
    other.service.inferred_terms.add(case, jobs)

    merge_organizations(keep=kept.service.organization, other=other.service.organization)

    service = Service.objects.get(pk=kept.service_id)
    assert set(service.rejected_terms.values_list("slug", flat=True)) == {
        "case-management",
        "legal-assistance",
    }
    # a need the kept service's editor removed is not brought back as inferred
    assert set(service.inferred_terms.values_list("slug", flat=True)) == {"employment-training"}


def test_merge_never_shows_a_confidential_address(db):
    kept = create_provider(name="Safe Harbor", street="5 Oak St", phone="3125550101")
    hidden = create_provider(
        name="Safe Harbor", street="5 Oak St", phone="3125550101", confidential=True
    )
    merge_organizations(keep=kept.service.organization, other=hidden.service.organization)
    assert Location.objects.get(pk=kept.location_id).address_confidential


def test_a_retired_or_the_same_organization_cannot_be_merged(db):
    sal = create_provider()
    organization = sal.service.organization
    with pytest.raises(CannotMerge):
        merge_organizations(keep=organization, other=organization)


# -- the next imports --------------------------------------------------------------------------
def test_keep_apart_is_remembered_across_reimports(both, tmp_path):
    from providers.duplicates import keep_apart

    keep_apart(open_pairs().get(), user=None)
    import_hsds(write_harbor(tmp_path / "again"), source=HARBOR)
    report = import_csv(write_lakeshore(tmp_path / "again.csv"), source=LAKESHORE)
    assert not open_pairs().exists()
    assert not report.duplicates
    assert DuplicatePair.objects.get().decision == DuplicatePair.Decision.KEPT_APART


def test_reimporting_either_source_after_a_merge_creates_no_duplicate(both, tmp_path):
    keep, other = org(HARBOR, "1"), org(LAKESHORE, "LA-7")
    merge_organizations(keep=keep, other=other)
    published = set(Organization.objects.published().values_list("pk", flat=True))
    phones = Phone.objects.count()

    report = import_csv(write_lakeshore(tmp_path / "again.csv"), source=LAKESHORE)
    assert report.counts["organizations"]["merged into another record"] == 1
    assert not report.counts["organizations"]["created"]
    assert Phone.objects.count() == phones  # the merged-away source adds no numbers again
    import_hsds(write_harbor(tmp_path / "again"), source=HARBOR)

    assert set(Organization.objects.published().values_list("pk", flat=True)) == published
    assert MergedRecord.objects.filter(kind="organization", kept_id=keep.pk).exists()
    assert not open_pairs().exists()
    listed = ServiceAtLocation.objects.listed().filter(service__organization=keep)
    assert listed.count() == 1


def test_a_reimport_does_not_show_an_address_a_merge_hid(tmp_path, both):
    # The coalition lists the society's office as confidential: merged into the 211's
    # record, the office stays hidden, also after the 211 imports it again as public.
    import_csv(
        write_lakeshore(tmp_path / "hidden.csv", address_confidential="yes"), source=LAKESHORE
    )
    merge_organizations(keep=org(HARBOR, "1"), other=org(LAKESHORE, "LA-7"))
    import_hsds(write_harbor(tmp_path / "again"), source=HARBOR)
    assert Location.objects.get(source=HARBOR, source_id="21").address_confidential


# -- the admin -----------------------------------------------------------------------------------
@pytest.fixture
def editor(client):
    client.force_login(create_user(role=EDITORS))
    return client


def test_the_admin_lists_pairs_side_by_side(editor, both):
    pair = open_pairs().get()
    listing = editor.get("/admin/providers/duplicatepair/")
    assert listing.status_code == HTTPStatus.OK
    assert "Harbor Legal Aid Society" in listing.content.decode()
    page = editor.get(f"/admin/providers/duplicatepair/{pair.pk}/change/")
    html = page.content.decode()
    assert page.status_code == HTTPStatus.OK
    assert "HARBOR LEGAL AID SOCIETY, INC." in html and "same phone (312) 555-0100" in html
    assert "Merge into the left" in html and "Keep apart" in html


def test_the_admin_index_counts_the_pairs_to_review(editor, both):
    html = editor.get("/admin/").content.decode()
    assert "1 possible duplicate to review" in html
    assert "/admin/providers/duplicatepair/?decision__exact=open" in html


def test_merging_from_the_admin_keeps_the_side_chosen(editor, both):
    pair = open_pairs().get()
    response = editor.post(
        f"/admin/providers/duplicatepair/{pair.pk}/change/", {"_merge_right": "1"}
    )
    assert response.status_code == HTTPStatus.FOUND
    pair.refresh_from_db()
    assert pair.decision == DuplicatePair.Decision.MERGED
    assert Organization.objects.get(pk=pair.right_id).status == Status.PUBLISHED
    assert Organization.objects.get(pk=pair.left_id).status == Status.RETIRED


def test_keep_apart_from_the_list(editor, both):
    pair = open_pairs().get()
    response = editor.post(
        "/admin/providers/duplicatepair/",
        {"action": "keep_apart", "_selected_action": [pair.pk]},
    )
    assert response.status_code == HTTPStatus.FOUND
    pair.refresh_from_db()
    assert pair.decision == DuplicatePair.Decision.KEPT_APART
    assert Organization.objects.filter(status=Status.RETIRED).count() == 0


def test_provider_staff_cannot_see_or_decide_pairs(client, both):
    pair = open_pairs().get()
    client.force_login(create_user(role=PROVIDER_STAFF, organizations=[pair.left]))
    assert client.get("/admin/providers/duplicatepair/").status_code == HTTPStatus.FORBIDDEN
    response = client.post(
        f"/admin/providers/duplicatepair/{pair.pk}/change/", {"_merge_left": "1"}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Organization.objects.filter(status=Status.RETIRED).exists()
