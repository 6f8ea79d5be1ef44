"""The HSDS 3.0 tables and fields the export writes (names and types as in the HSDS schema,
in its order), and the datapackage.json that describes them."""

from django.utils import timezone

S, N = "string", "number"
# (file, resource name, [(field, type, format, required)]): HSDS 3.0 names, in schema order.
TABLES = [
    ("organizations.csv", "organizations", [
        ("id", S, "uuid", True), ("name", S, "", True), ("alternate_name", S, "", False),
        ("description", S, "", True), ("email", S, "email", False),
        ("website", S, "uri", False)]),
    ("services.csv", "services", [
        ("id", S, "uuid", True), ("organization_id", S, "uuid", True), ("name", S, "", True),
        ("description", S, "", False), ("url", S, "uri", False),
        ("email", S, "email", False), ("status", S, "", True),
        ("application_process", S, "", False), ("fees_description", S, "", False),
        ("eligibility_description", S, "", False), ("assured_date", S, "", False)]),
    ("locations.csv", "locations", [
        ("id", S, "uuid", True), ("location_type", S, "", True),
        ("organization_id", S, "uuid", False), ("name", S, "", False),
        ("latitude", N, "", False), ("longitude", N, "", False),
        ("x_coordinates_approximate", "boolean", "", False)]),
    ("addresses.csv", "addresses", [
        ("id", S, "uuid", True), ("location_id", S, "uuid", False),
        ("address_1", S, "", True), ("address_2", S, "", False), ("city", S, "", True),
        ("state_province", S, "", True), ("postal_code", S, "", True),
        ("country", S, "", True), ("address_type", S, "", True)]),
    ("service_at_location.csv", "service_at_location", [
        ("id", S, "uuid", True), ("service_id", S, "uuid", True),
        ("location_id", S, "uuid", True), ("description", S, "", False)]),
    ("phones.csv", "phones", [
        ("id", S, "uuid", True), ("location_id", S, "uuid", False),
        ("service_id", S, "uuid", False), ("organization_id", S, "uuid", False),
        ("number", S, "", True), ("extension", N, "", False), ("type", S, "", False),
        ("description", S, "", False)]),
    ("schedules.csv", "schedules", [
        ("id", S, "uuid", True), ("location_id", S, "uuid", False),
        ("timezone", N, "", False), ("freq", S, "", False), ("byday", S, "", False),
        ("description", S, "", False), ("opens_at", S, "", False), ("closes_at", S, "", False),
        ("notes", S, "", False), ("x_timezone", S, "", False)]),
    ("languages.csv", "languages", [
        ("id", S, "uuid", True), ("service_id", S, "uuid", False), ("name", S, "", False),
        ("code", S, "", False)]),
    ("accessibility.csv", "accessibility", [
        ("id", S, "uuid", True), ("location_id", S, "uuid", False),
        ("description", S, "", False)]),
    ("service_areas.csv", "service_areas", [
        ("id", S, "uuid", True), ("service_id", S, "uuid", False), ("name", S, "", False),
        ("extent", S, "", False), ("extent_type", S, "", False)]),
    ("cost_options.csv", "cost_options", [
        ("id", S, "uuid", True), ("service_id", S, "uuid", True), ("option", S, "", False),
        ("amount_description", S, "", False)]),
    ("taxonomies.csv", "taxonomies", [
        ("id", S, "uuid", True), ("name", S, "", True), ("description", S, "", True)]),
    ("taxonomy_terms.csv", "taxonomy_terms", [
        ("id", S, "uuid", True), ("code", S, "", False), ("name", S, "", True),
        ("description", S, "", True), ("taxonomy", S, "", False),
        ("taxonomy_id", S, "uuid", False)]),
    ("attributes.csv", "attributes", [
        ("id", S, "uuid", True), ("link_id", S, "uuid", True),
        ("taxonomy_term_id", S, "uuid", True), ("link_type", S, "", False),
        ("link_entity", S, "", True)]),
]  # fmt: skip
FIELDS = {file: [f[0] for f in fields] for file, _, fields in TABLES}
# Written as they are; every other column is text (see providers/importers/safe_csv.py).
NUMERIC = {file: [f[0] for f in fields if f[1] == N] for file, _, fields in TABLES}


def datapackage(name: str) -> dict:
    resources = []
    for file, resource, fields in TABLES:
        schema_fields = []
        for field, kind, fmt, required in fields:
            entry = {"name": field, "type": kind}
            if fmt:
                entry["format"] = fmt
            if required:
                entry["constraints"] = {"required": True}
            schema_fields.append(entry)
        resources.append({
            "name": resource, "path": file, "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": schema_fields, "primaryKey": "id"},
        })  # fmt: skip
    return {
        "name": name,
        "title": "Resource Map directory export",
        "profile": "tabular-data-package",
        "created": timezone.now().replace(microsecond=0).isoformat(),  # RFC 3339, UTC
        "description": "HSDS 3.0 export of the published listings. Confidential locations "
        "carry no street address or coordinates.",
        "resources": resources,
    }
