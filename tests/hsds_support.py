"""Helpers for the import/export tests: the shared HSDS reference files, schema validation,
and a generated package in the older HSDS 1.x/2.0 layout with real-world mess in it."""

import csv
import json
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012


def hsds_dir() -> Path:
    """The shared HSDS 3.0 reference (schema/, examples/csv/); skips loudly when absent."""
    repo = Path(settings.BASE_DIR)
    candidates = [os.environ.get("HSDS_DIR", "")] + [
        str(parent / "shared" / "hsds") for parent in (repo.parent, repo.parent.parent)
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "schema" / "organization.json").is_file():
            return Path(candidate)
    message = (
        "HSDS REFERENCE FILES NOT FOUND: set HSDS_DIR to the folder holding schema/ and "
        "examples/csv/ (looked in ../shared/hsds)."
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def copy_example(tmp_path: Path) -> Path:
    target = tmp_path / "example"
    shutil.copytree(hsds_dir() / "examples" / "csv", target)
    return target


def rewrite_csv(path: Path, changes: dict[str, str], row: int = 0) -> None:
    """Change some columns of one data row of a CSV file in place."""
    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
        fields = list(rows[0].keys())
    rows[row].update(changes)
    write_csv(path, fields, rows)


def write_csv(path: Path, fields: list[str], rows: list[dict], encoding: str = "utf-8") -> None:
    with open(path, "w", newline="", encoding=encoding) as stream:
        writer = csv.DictWriter(stream, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


class SchemaValidator:
    """Validates exported CSV rows as HSDS objects (3.0, or "3.1"), typed by datapackage.json."""

    def __init__(self, version: str = "3.0") -> None:
        schema_dir = hsds_dir() / ("schema" if version == "3.0" else f"{version}/schema")
        self.schemas = {}
        resources = []
        for path in schema_dir.glob("*.json"):
            if path.name == "openapi.json":
                continue
            schema = json.loads(path.read_text(encoding="utf-8"))
            resources.append((path.name, Resource.from_contents(schema, DRAFT202012)))
            self.schemas[schema["path"]] = schema
        self.registry = Registry().with_resources(resources)

    def validator(self, file: str) -> Draft202012Validator:
        schema = dict(self.schemas[file])
        # The tabular form also requires the foreign keys that tie the tables together.
        schema["required"] = sorted(
            set(schema.get("required", [])) | set(schema.get("tabular_required", []))
        )
        return Draft202012Validator(schema, registry=self.registry, format_checker=FormatChecker())

    def errors(self, folder: Path) -> list[str]:
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        problems = []
        for resource in package["resources"]:
            file = resource["path"]
            schema = self.schemas.get(file)
            if schema is None:
                problems.append(f"{file}: not an HSDS 3.0 table")
                continue
            fields = {f["name"]: f for f in resource["schema"]["fields"]}
            for name, field in fields.items():
                prop = schema["properties"].get(name)
                if prop is None and name.startswith("x_"):
                    continue  # an extension column (x_coordinates_approximate), not HSDS's
                if prop is None:
                    problems.append(f"{file}: {name} is not an HSDS field")
                elif prop.get("type") != field["type"]:
                    problems.append(f"{file}: {name} is {field['type']}, HSDS says {prop['type']}")
            validator = self.validator(file)
            with open(folder / file, newline="", encoding="utf-8") as stream:
                reader = csv.DictReader(stream)
                if reader.fieldnames != list(fields):
                    problems.append(f"{file}: header {reader.fieldnames} != datapackage fields")
                for number, row in enumerate(reader, start=2):
                    record = {}
                    for name, value in row.items():
                        if value == "":
                            continue
                        record[name] = float(value) if fields[name]["type"] == "number" else value
                    for error in validator.iter_errors(record):
                        problems.append(f"{file} row {number}: {error.message}")
        return problems


LEGACY_FILES = {
    "organizations.csv": (
        ["id", "name", "alternate_name", "description", "email", "url", "tax_status"],
        [
            ["org-1", "  Harbor Legal Aid  ", "", "<p>Free <b>legal</b> help&nbsp;for survivors."
             "</p><br>Call first.", "intake@harbor.example", "www.harbor.example", ""],
            ["org-2", "Safe Haven Shelter", "", "Emergency shelter_x000D_for families.",
             "not-an-email", "", ""],
            ["org-3", "Northside Counseling", "NCS", "", "", "https://northside.example", ""],
        ],
    ),
    "services.csv": (
        ["id", "organization_id", "name", "description", "url", "email", "status",
         "application_process", "fees"],
        [
            ["svc-1", "org-1", "Immigration legal services", "T and U visas.", "", "", "active",
             "Call to book", "Free of charge"],
            ["svc-2", "org-2", "Emergency shelter", "24 hour shelter", "", "", "active", "",
             ""],
            ["svc-3", "org-3", "Counseling", "Individual therapy", "", "", "active", "",
             "Sliding scale fees"],
            ["svc-4", "org-3", "Old program", "Closed", "", "", "defunct", "", ""],
        ],
    ),
    "locations.csv": (
        ["id", "organization_id", "name", "alternate_name", "description", "latitude",
         "longitude"],
        [
            ["loc-1", "org-1", "Harbor Legal Aid office", "", "", "40.7484", "-73.9967"],
            ["loc-2", "org-2", "Safe Haven", "", "", "", ""],
            ["loc-3", "org-3", "Northside", "", "", "", ""],
        ],
    ),
    "physical_addresses.csv": (
        ["id", "location_id", "attention", "address_1", "address_2", "address_3",
         "address_4", "city", "region", "state_province", "postal_code", "country"],
        [
            ["pa-1", "loc-1", "", "350 Fifth Avenue ", "Suite 100", "", "", "New York", "",
             "ny ", "10001-1234", "US"],
            ["pa-2", "loc-2", "", "CONFIDENTIAL - call the hotline", "", "", "", "Boston", "",
             "Massachusetts", "2108", "USA"],
            ["pa-3", "loc-3", "", "1 Main St", "", "", "", "Chicago", "", "IL", "60601",
             "United States"],
        ],
    ),
    "services_at_location.csv": (
        ["id", "service_id", "location_id", "description"],
        [["sal-1", "svc-1", "loc-1", ""], ["sal-2", "svc-2", "loc-2", ""],
         ["sal-3", "svc-3", "loc-3", ""], ["sal-4", "svc-4", "loc-3", ""]],
    ),
    "phones.csv": (
        ["id", "location_id", "service_id", "organization_id", "contact_id",
         "service_at_location_id", "number", "extension", "type", "language", "description"],
        [
            ["ph-1", "", "svc-1", "", "", "", "(212) 555-0100", "", "voice", "", "Intake"],
            ["ph-2", "loc-2", "", "", "", "", "617.555.0142 x12", "", "hotline", "", ""],
            ["ph-3", "", "", "org-3", "", "", "1-312-555-0199", "", "fax", "", ""],
        ],
    ),
    "regular_schedules.csv": (
        ["id", "service_id", "location_id", "service_at_location_id", "weekday", "opens_at",
         "closes_at"],
        [
            ["rs-1", "", "loc-1", "", "Monday", "9:00am", "5:00pm"],
            ["rs-2", "", "loc-1", "", "Tuesday", "9:00 AM", "5:00 PM"],
            ["rs-3", "", "loc-1", "", "Saturday", "10:00", "14:00"],
            *[[f"rs-s{d}", "", "loc-2", "", day, "12:00am", "11:59pm"]
              for d, day in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                       "Saturday", "Sunday"])],
            ["rs-9", "svc-3", "", "", "wed", "noon", "8pm"],
        ],
    ),
    "languages.csv": (
        ["id", "service_id", "location_id", "language"],
        [["l-1", "svc-1", "", "Spanish"], ["l-2", "svc-1", "", "English "],
         ["l-3", "", "loc-3", "spa"], ["l-4", "svc-2", "", "Klingon"]],
    ),
    "taxonomy.csv": (
        ["id", "name", "parent_id", "parent_name", "vocabulary"],
        [
            ["FT-3600", "Immigration/Naturalization Legal Services", "", "", "AIRS"],
            ["BH-1800.1500-100", "Domestic Violence Shelters", "", "", "AIRS"],
            ["RP-1400", "Mental Health Counseling", "", "", "AIRS"],
            ["TJ-9999", "Pet Grooming", "", "", "AIRS"],
        ],
    ),
    "services_taxonomy.csv": (
        ["id", "service_id", "taxonomy_id", "taxonomy_detail"],
        [["st-1", "svc-1", "FT-3600", ""], ["st-2", "svc-2", "BH-1800.1500-100", ""],
         ["st-3", "svc-3", "RP-1400", ""], ["st-4", "svc-3", "TJ-9999", ""]],
    ),
    "accessibility_for_disabilities.csv": (
        ["id", "location_id", "accessibility", "details"],
        [["a-1", "loc-1", "Wheelchair accessible entrance", ""],
         ["a-2", "loc-3", "Elevator to the 3rd floor", ""]],
    ),
    "eligibility.csv": (
        ["id", "service_id", "eligibility"],
        [["e-1", "svc-2", "Women and children fleeing domestic violence"]],
    ),
}  # fmt: skip


def write_legacy_package(folder: Path, **overrides) -> Path:
    """An HSDS 1.x/2.0 package (no postal_addresses.csv, no holiday schedules: optional)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (fields, rows) in {**LEGACY_FILES, **overrides}.items():
        write_csv(folder / name, fields, [dict(zip(fields, row, strict=True)) for row in rows])
    return folder


class FeedValidator:
    """Validates /api/hsds/ JSON against one HSDS version's object schemas and its `Page`
    (3.0: schema/, 3.1: 3.1/schema/ of the shared reference)."""

    BASE = "https://hsds.invalid/schema/"

    def __init__(self, version: str = "3.0") -> None:
        self.version = version
        folder = hsds_dir() / ("schema" if version == "3.0" else f"{version}/schema")
        self.openapi = json.loads((folder / "openapi.json").read_text(encoding="utf-8"))
        self.schemas, resources = {}, []
        for path in folder.glob("*.json"):
            if path.name == "openapi.json":
                continue
            contents = json.loads(path.read_text(encoding="utf-8")) | {"$id": self.BASE + path.name}
            self.schemas[path.stem] = contents
            resources.append((self.BASE + path.name, Resource.from_contents(contents, DRAFT202012)))
        self.registry = Registry().with_resources(resources)
        self.formats = FormatChecker()

    def errors(self, instance, name: str) -> list[str]:
        """Every violation of the `name` schema (a file stem: "service"), as text."""
        validator = Draft202012Validator(
            self.schemas[name], registry=self.registry, format_checker=self.formats
        )
        return [f"{name} {list(e.path)}: {e.message}" for e in validator.iter_errors(instance)]

    def page_errors(self, body: dict, item: str) -> list[str]:
        """The `Page` envelope and every item in it (nested services included)."""
        page = Draft202012Validator(self.openapi["components"]["schemas"]["Page"])
        problems = [f"Page: {e.message}" for e in page.iter_errors(body)]
        if self.version != "3.0" and "empty" not in body:
            problems.append("Page: 'empty' is required (HSDS 3.1.1)")
        for entry in body.get("contents", []):
            problems += self.errors(entry, item)
            for service in entry.get("services", []):
                problems += self.errors(service, "service")
        return problems
