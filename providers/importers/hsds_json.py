"""HSDS 3.x JSON as published (a list of services, or an API page {"contents": [...]}, each
with its organization, locations or services at locations, phones, schedules, languages,
service areas, cost options, accessibility and attributes with their taxonomy terms nested):
flattened into the HSDS 3.0 tables the importer reads, as CSV text, so a JSON package and a
remote feed (federation.py, sync_hsds) go through the same checks and report."""

import csv
import io

from providers.importers.export_tables import FIELDS

# The tables the importer reads, with the columns of our own export (export_tables.py) and
# those other publishers' JSON adds.
_MORE = {
    "services.csv": ["alternate_name", "minimum_age", "maximum_age"],
    "locations.csv": ["description"],
    "phones.csv": ["service_at_location_id"],
    "schedules.csv": ["service_id", "service_at_location_id"],
    "languages.csv": ["location_id"],
}
TABLES = {file: [*fields, *_MORE.get(file, [])] for file, fields in FIELDS.items()}
# What a record nests, and the table each list goes to (attributes apart: see `_attributes`).
NESTED = {
    "phones": "phones.csv",
    "addresses": "addresses.csv",
    "schedules": "schedules.csv",
    "languages": "languages.csv",
    "accessibility": "accessibility.csv",
    "service_areas": "service_areas.csv",
    "cost_options": "cost_options.csv",
}
# A record's table: the column its nested records name it by, and its HSDS entity name.
OWNERS = {
    "organizations.csv": ("organization_id", "organization"),
    "services.csv": ("service_id", "service"),
    "locations.csv": ("location_id", "location"),
    "service_at_location.csv": ("service_at_location_id", "service_at_location"),
}


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


class ShapeError(ValueError):
    """The JSON is not shaped as HSDS says (a list where an object must be, a number where a
    list must be): the package or feed is refused with where, not read halfway."""


def _text(value) -> str:
    return "" if value is None else str(value)


def _list(record: dict, key: str, where: str) -> list:
    """record[key] as a list ([] when absent or null); anything else is a ShapeError."""
    value = record.get(key)
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise ShapeError(f"{where}: {key} is not a list")
    return value


def _object(value, where: str) -> dict:
    """value as an object ({} when absent or null); anything else is a ShapeError."""
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise ShapeError(f"{where} is not an object")
    return value


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

    def record(self, table: str, record: dict, **defaults) -> str:
        """A record (`defaults` fill the columns it leaves blank) and all it nests; its id.
        A record already read (a location nested under several services) is read once."""
        known = _text(record.get("id"))
        if known and known in self.rows[table]:
            return known
        filled = {key: record.get(key) or value for key, value in defaults.items()}
        record_id = self.add(table, {**record, **filled})
        column, entity = OWNERS[table]
        where = f"{entity} {record_id}"
        for key, nested in NESTED.items():
            for item in _list(record, key, where):
                if isinstance(item, dict):
                    # A service area nested in a service at location names the service.
                    fill = filled if nested == "service_areas.csv" else {}
                    self.add(nested, {**fill, **item, column: record_id})
        self.attributes(record, record_id, entity)
        return record_id

    def attributes(self, record: dict, link_id: str, entity: str) -> None:
        """The record's attributes and the taxonomy terms nested in them (and, on a service,
        its list of `taxonomy_terms`), linked to it."""
        where = f"{entity} {link_id}"
        attributes = [a for a in _list(record, "attributes", where) if isinstance(a, dict)]
        attributes += [
            {"taxonomy_term": term}
            for term in _list(record, "taxonomy_terms", where)
            if isinstance(term, dict)
        ]
        for attribute in attributes:
            term = attribute.get("taxonomy_term")
            term_id = _text(attribute.get("taxonomy_term_id"))
            if isinstance(term, dict) and term:
                taxonomy = term.get("taxonomy")
                if isinstance(taxonomy, dict):
                    taxonomy = taxonomy.get("name")
                term_id = self.add("taxonomy_terms.csv", {**term, "taxonomy": taxonomy})
            if not term_id:
                continue
            self.add(
                "attributes.csv",
                {
                    "id": attribute.get("id") or f"{link_id}/{term_id}",
                    "link_id": link_id,
                    "link_entity": entity,
                    "link_type": attribute.get("link_type"),
                    "taxonomy_term_id": term_id,
                },
            )


def flatten(services: list[dict], *, taxonomies: list[dict] = ()) -> dict[str, bytes]:
    """{table file name: CSV bytes} for the services, everything nested in them, and
    `taxonomies` (a feed's /taxonomies); only tables with rows. Raises ShapeError where the
    JSON is not shaped as HSDS says."""
    tables = _Tables()
    for taxonomy in taxonomies:
        if isinstance(taxonomy, dict):
            tables.add("taxonomies.csv", taxonomy)
    for number, service in enumerate(services, start=1):
        where = f"service {number}"
        service = _object(service, where)
        org = _object(service.get("organization"), f"{where}: organization")
        org_id = _text(org.get("id") or service.get("organization_id"))
        if org:
            org_id = tables.record("organizations.csv", org)
        links = [
            *(_object(link, f"{where}: a service at location")
              for link in _list(service, "service_at_locations", where)),
            *({"location": loc} for loc in _list(service, "locations", where)),
        ]  # fmt: skip
        sid = tables.record(
            "services.csv",
            {**service, "organization_id": org_id, "service_at_locations": None},
        )
        for link in links:
            location = link.get("location")
            if not isinstance(location, dict) or not location:
                continue  # a location named by id only is not a place we can read
            loc_id = tables.record("locations.csv", location, organization_id=org_id)
            tables.record(
                "service_at_location.csv",
                {**link, "location": None, "service_id": sid, "location_id": loc_id},
                service_id=sid,
            )
    return {name: to_csv(name, rows) for name, rows in tables.rows.items() if rows}


def to_csv(name: str, rows: dict[str, dict]) -> bytes:
    """A table's rows as CSV bytes, with its header (alone when there are no rows)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TABLES[name])
    writer.writeheader()
    writer.writerows(rows.values())
    return out.getvalue().encode("utf-8")
