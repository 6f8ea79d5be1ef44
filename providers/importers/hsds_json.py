"""HSDS 3.x JSON as published (a list of services, or an API page {"contents": [...]}, each
with its organization, locations or services at locations, phones, schedules, languages,
service areas and taxonomy terms nested): flattened into the HSDS 3.0 tables the importer
reads, as CSV text, so a JSON package goes through the same checks and report."""

import csv
import io

TABLES = {
    "organizations.csv": ["id", "name", "alternate_name", "description", "email", "website"],
    "services.csv": [
        "id", "organization_id", "name", "alternate_name", "description", "url", "email",
        "status", "fees_description", "eligibility_description", "application_process",
        "minimum_age", "maximum_age", "assured_date",
    ],
    "locations.csv": [
        "id", "organization_id", "location_type", "name", "description", "latitude", "longitude",
    ],
    "addresses.csv": [
        "id", "location_id", "address_type", "address_1", "address_2", "city", "state_province",
        "postal_code", "country",
    ],
    "service_at_location.csv": ["id", "service_id", "location_id", "description"],
    "phones.csv": [
        "id", "service_id", "location_id", "organization_id", "service_at_location_id", "number",
        "extension", "type", "description",
    ],
    "schedules.csv": [
        "id", "service_id", "location_id", "service_at_location_id", "byday", "opens_at",
        "closes_at", "freq", "description",
    ],
    "languages.csv": ["id", "service_id", "location_id", "name", "code"],
    "service_areas.csv": ["id", "service_id", "name", "extent", "extent_type"],
    "taxonomy_terms.csv": ["id", "code", "name", "taxonomy"],
    "attributes.csv": ["id", "link_id", "link_entity", "taxonomy_term_id"],
}  # fmt: skip


def services_in(data) -> list[dict] | None:
    """The services of an HSDS JSON document, or None when it is not one."""
    if isinstance(data, dict):
        data = data.get("contents", data.get("services"))
    if not isinstance(data, list) or not data:
        return None
    if not all(isinstance(item, dict) and "name" in item for item in data):
        return None
    if not any(key in item for item in data for key in ("organization", "service_at_locations")):
        return None
    return data


def _text(value) -> str:
    return "" if value is None else str(value)


class _Tables:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, dict]] = {name: {} for name in TABLES}
        self.counter = 0

    def add(self, table: str, row: dict) -> str:
        row = {key: _text(row.get(key)) for key in TABLES[table]}
        if not row["id"]:
            self.counter += 1
            row["id"] = f"json-{self.counter}"
        self.rows[table].setdefault(row["id"], row)  # nested copies of one record: once
        return row["id"]

    def children(self, table: str, items, **owner) -> None:
        for item in items or []:
            if isinstance(item, dict):
                self.add(table, {**item, **owner})


def flatten(services: list[dict]) -> dict[str, bytes]:
    """{table file name: CSV bytes} for the services and everything nested in them."""
    tables = _Tables()
    for service in services:
        org = service.get("organization") or {}
        org_id = _text(org.get("id") or service.get("organization_id"))
        if isinstance(org, dict) and org:
            org_id = tables.add("organizations.csv", org)
            tables.children("phones.csv", org.get("phones"), organization_id=org_id)
        sid = tables.add("services.csv", {**service, "organization_id": org_id})
        tables.children("phones.csv", service.get("phones"), service_id=sid)
        tables.children("schedules.csv", service.get("schedules"), service_id=sid)
        tables.children("languages.csv", service.get("languages"), service_id=sid)
        tables.children("service_areas.csv", service.get("service_areas"), service_id=sid)
        _terms(tables, service, sid)
        links = [
            *(service.get("service_at_locations") or []),
            *({"location": loc} for loc in service.get("locations") or []),
        ]
        for link in links:
            location = (link or {}).get("location") or {}
            if not isinstance(location, dict) or not location:
                continue
            loc_id = tables.add("locations.csv", {"organization_id": org_id, **location})
            for address in location.get("addresses") or []:
                if isinstance(address, dict):
                    tables.add("addresses.csv", {**address, "location_id": loc_id})
            tables.children("phones.csv", location.get("phones"), location_id=loc_id)
            tables.children("schedules.csv", location.get("schedules"), location_id=loc_id)
            tables.add(
                "service_at_location.csv",
                {
                    "id": link.get("id"),
                    "service_id": sid,
                    "location_id": loc_id,
                    "description": link.get("description"),
                },
            )
    return {name: _csv(name, rows) for name, rows in tables.rows.items() if rows}


def _terms(tables: _Tables, service: dict, sid: str) -> None:
    terms = [a.get("taxonomy_term") for a in service.get("attributes") or [] if isinstance(a, dict)]
    for term in [*terms, *(service.get("taxonomy_terms") or [])]:
        if not isinstance(term, dict):
            continue
        taxonomy = term.get("taxonomy")
        if isinstance(taxonomy, dict):
            taxonomy = taxonomy.get("name")
        term_id = tables.add("taxonomy_terms.csv", {**term, "taxonomy": taxonomy})
        tables.add(
            "attributes.csv",
            {"id": f"{sid}/{term_id}", "link_id": sid, "link_entity": "service",
             "taxonomy_term_id": term_id},
        )  # fmt: skip


def _csv(name: str, rows: dict[str, dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TABLES[name])
    writer.writeheader()
    writer.writerows(rows.values())
    return out.getvalue().encode("utf-8")
