"""One HSDS mapping: the /api/hsds/ feed and the export_hsds package give every record the
same id and the same values, and differ only where the package must carry more (flags, and a
confidential location's placeholder address with its 5-digit ZIP)."""

import csv
from datetime import time
from http import HTTPStatus

import pytest

from providers.importers.export import export_hsds
from providers.models import Phone

pytestmark = pytest.mark.django_db


def read_tables(folder) -> dict[str, list[dict]]:
    tables = {}
    for path in folder.glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as stream:
            tables[path.name] = list(csv.DictReader(stream))
    return tables


def feed(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()


def test_feed_and_export_give_every_record_the_same_id(make_provider, client, tmp_path):
    sal = make_provider(
        name="Harbor Legal Aid",
        services=("legal-assistance",),
        victimizations=("labor-trafficking",),
        languages=("en", "es"),
        accessibility=("wheelchair",),
        cost="sliding_scale",
        cost_note="By income",
        hours=((1, time(9), time(17)),),
        phone="+12125550100",
    )
    Phone.objects.create(location=sal.location, number="+12125550111", kind=Phone.Kind.TTY)
    Phone.objects.create(service=sal.service, number="+12125550122", extension="12")
    Phone.objects.create(organization=sal.service.organization, number="+12125550133")
    export_hsds(tmp_path / "p")
    tables = read_tables(tmp_path / "p")
    service = feed(client, f"/api/hsds/services/{sal.service_id}")
    location = service["service_at_locations"][0]["location"]
    organization = feed(client, f"/api/hsds/organizations/{service['organization_id']}")

    def ids(records):
        return sorted(record["id"] for record in records)

    def exported(file, **match):
        rows = tables[file]
        return sorted(
            row["id"] for row in rows if all(row[key] == value for key, value in match.items())
        )

    assert ids(service["phones"]) == exported("phones.csv", service_id=str(sal.service_id))
    assert ids(location["phones"]) == exported("phones.csv", location_id=location["id"])
    assert ids(organization["phones"]) == exported(
        "phones.csv", organization_id=service["organization_id"]
    )
    assert ids(location["schedules"]) == exported("schedules.csv", location_id=location["id"])
    assert ids(location["addresses"]) == exported("addresses.csv", location_id=location["id"])
    assert ids(location["accessibility"]) == exported("accessibility.csv")
    assert ids(service["languages"]) == exported("languages.csv")
    assert ids(service["cost_options"]) == exported("cost_options.csv")
    assert ids(service["attributes"]) == exported(
        "attributes.csv", link_id=service["id"], link_entity="service"
    )
    assert ids(location["attributes"]) == exported(
        "attributes.csv", link_id=location["id"], link_entity="location"
    )
    terms = {a["taxonomy_term"]["id"]: a["taxonomy_term"] for a in service["attributes"]}
    exported_terms = {row["id"]: row for row in tables["taxonomy_terms.csv"]}
    for term_id, term in terms.items():
        assert exported_terms[term_id]["taxonomy_id"] == term["taxonomy_id"]
        assert exported_terms[term_id]["code"] == term["code"]
    # The same values too, not only the same ids.
    [phone] = [row for row in tables["phones.csv"] if row["id"] == location["phones"][0]["id"]]
    assert (phone["number"], phone["type"]) == ("+12125550111", "textphone")
    [row] = tables["services.csv"]
    assert row["fees_description"] == service["fees_description"] == "By income"


def test_a_confidential_location_differs_only_by_the_package_address(
    make_provider, client, tmp_path
):
    sal = make_provider(
        name="Safe Haven",
        confidential=True,
        street="77 Hidden Lane",
        city="New York",
        postcode="10001-2345",
        lat=40.712345,
        lng=-74.006789,
        hours=((1, time(9), time(17)),),
    )
    export_hsds(tmp_path / "p")
    tables = read_tables(tmp_path / "p")
    location = feed(client, f"/api/hsds/service_at_locations/{sal.id}")["location"]

    # The feed: no address, no point, no ZIP; the area in words.
    assert "addresses" not in location and "latitude" not in location
    assert "New York" in location["description"]
    # The package: the same location and schedule ids; a placeholder street, the 5-digit ZIP
    # and the flag, so the importing directory keeps it confidential and places it near.
    [exported] = [row for row in tables["locations.csv"] if row["id"] == location["id"]]
    assert exported["latitude"] == exported["longitude"] == ""
    assert [row["id"] for row in tables["schedules.csv"]] == [
        s["id"] for s in location["schedules"]
    ]
    [address] = tables["addresses.csv"]
    assert (address["address_1"], address["address_2"]) == ("Confidential address", "")
    assert (address["city"], address["postal_code"]) == ("New York", "10001")
    [flag] = [row for row in tables["attributes.csv"] if row["link_id"] == location["id"]]
    assert flag["link_type"] == "flag"
