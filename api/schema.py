"""OpenAPI documentation of our parameters and errors: every parameter with an example."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from api.pagination import MAX_PAGE_SIZE
from providers.hsds import taxonomy_id
from providers.models import Term

Q = OpenApiParameter.QUERY


def query(
    name: str, schema, description: str, example, *, many: bool = False, required: bool = False
) -> OpenApiParameter:
    if many:
        schema = {"type": "array", "items": schema, "maxItems": 20}
    return OpenApiParameter(
        name,
        type=schema,
        location=Q,
        required=required,
        description=description,
        explode=True if many else None,
        examples=[OpenApiExample(f"{name} example", value=example)],
    )


def path_id(description: str, example: str) -> OpenApiParameter:
    return OpenApiParameter(
        "id",
        type=OpenApiTypes.UUID,
        location=OpenApiParameter.PATH,
        description=description,
        examples=[OpenApiExample("id example", value=example)],
    )


TEXT = {"type": "string", "maxLength": 200}
SLUG = {"type": "string", "maxLength": 60}
BOOLEAN = {"type": "string", "enum": ["true", "false"]}

DEPTH = (
    " Without an API token, a page must start within the first API_PAGED_ITEMS_MAX items"
    " (10,000 by default): past that, a 400."
)
PAGE = query("page", {"type": "integer", "minimum": 1}, "Page number, from 1." + DEPTH, 1)
PAGE_SIZE = query(
    "page_size",
    {"type": "integer", "minimum": 1},
    f"Results a page (default 20; above {MAX_PAGE_SIZE} is capped at {MAX_PAGE_SIZE}).",
    20,
)

SEARCH_PARAMETERS = [
    query(
        "near",
        TEXT,
        'A typed place: a ZIP code ("10001"), "City, ST", or "lat, lng". Resolved offline; '
        "an unknown place is a 400 with `suggestions`. Not with `lat`/`lng` (a 400).",
        "10001",
    ),
    query(
        "lat",
        {"type": "number", "minimum": -90, "maximum": 90},
        "Latitude (with lng; not with `near`).",
        40.7484,
    ),
    query(
        "lng",
        {"type": "number", "minimum": -180, "maximum": 180},
        "Longitude (with lat; not with `near`).",
        -73.9967,
    ),
    query(
        "radius",
        {"type": "number", "minimum": 0, "exclusiveMinimum": True},
        f"Search radius in `unit` (default {settings.SEARCH_DEFAULT_RADIUS_MI} miles; at most "
        f"{settings.SEARCH_MAX_RADIUS_MI} miles).",
        25,
    ),
    query("unit", {"type": "string", "enum": ["mi", "km"]}, "Unit of `radius`.", "mi"),
    query(
        "service",
        SLUG,
        "Service-type slug (see /api/v1/service-types/); repeat for any of several.",
        ["legal-assistance", "victim-advocacy"],
        many=True,
    ),
    query(
        "victimization",
        SLUG,
        "Victimization-type slug (see /api/v1/terms/?kind=victimization); any of.",
        ["labor-trafficking"],
        many=True,
    ),
    query(
        "population",
        SLUG,
        "Population slug (see /api/v1/terms/?kind=population); any of.",
        ["immigrants"],
        many=True,
    ),
    query(
        "language",
        {"type": "string", "maxLength": 8},
        "ISO 639 language code (see /api/v1/languages/); any of.",
        ["es"],
        many=True,
    ),
    query(
        "accessibility",
        SLUG,
        "Accessibility feature slug (see /api/v1/terms/?kind=accessibility); any of.",
        ["wheelchair"],
        many=True,
    ),
    query(
        "cost",
        {"type": "string", "enum": ["free", "sliding_scale", "fee"]},
        "Cost; any of.",
        ["free"],
        many=True,
    ),
    query("open_now", BOOLEAN, "Only places open at this moment (their local time).", "true"),
    query(
        "q",
        TEXT,
        "Words that must all appear in the name or description. An anonymous search with"
        " words reaches at most SEARCH_WORDS_MAX_LISTINGS listings (3,000 by default; counted"
        " within the radius and the service types): past that it is a 400 on `q`.",
        "legal",
    ),
    PAGE,
    PAGE_SIZE,
    query(
        "remote",
        {"type": "string", "enum": ["all"]},
        "`all`: every remote service covering the place in `remote` (without it, the first "
        "5; `remote_count` says how many there are).",
        "all",
    ),
    query(
        "format",
        {"type": "string", "enum": ["json", "geojson"]},
        "`geojson`: the page as a GeoJSON FeatureCollection for a map.",
        "json",
    ),
]

HSDS_PAGE = query(
    "page",
    {"type": "integer", "minimum": 1},
    "Page number, from 1." + DEPTH + " `format=ndjson` reads every item.",
    1,
)
HSDS_PER_PAGE = query(
    "per_page",
    {"type": "integer", "minimum": 1},
    f"Items a page (default 20; above {MAX_PAGE_SIZE} is capped).",
    20,
)
HSDS_FORMAT = query(
    "format",
    {"type": "string", "enum": ["json", "ndjson"]},
    "`ndjson` streams every item, one JSON object a line, without pagination.",
    "json",
)
HSDS_SEARCH = query(
    "search",
    TEXT,
    "Words that must all appear (name, description). Without a token, a search with words"
    " reaches at most SEARCH_WORDS_MAX_LISTINGS items (3,000 by default; the list, of an"
    " organization_id on /services, within a proximity on /service_at_locations): past that"
    " it is a 400 on `search` giving the number.",
    "legal",
)
HSDS_TERM = query(
    "taxonomy_term_id",
    {"type": "string", "format": "uuid"},
    "Only items with this taxonomy term (see /api/hsds/taxonomy_terms).",
    "6a0d8f0c-3c55-4a43-8f5b-2d7c9b1e4f10",
)
HSDS_TAXONOMY = query(
    "taxonomy_id",
    {"type": "string", "format": "uuid"},
    "Only items with any term of this taxonomy (see /api/hsds/taxonomies).",
    taxonomy_id(Term.Kind.SERVICE_TYPE),
)
HSDS_ORGANIZATION = query(
    "organization_id",
    {"type": "string", "format": "uuid"},
    "Only services of this organization.",
    "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
)
HSDS_MODIFIED_AFTER = query(
    "modified_after",
    {"type": "string", "format": "date-time"},
    "Only items modified at or after this ISO 8601 moment.",
    "2025-01-01T00:00:00Z",
)
HSDS_VERSION = query(
    "version",
    {"type": "string", "enum": ["3.1", "3.0"]},
    "The HSDS shape of the answer: 3.1 (the default) or 3.0, for older clients.",
    "3.1",
)
HSDS_FULL = query("full", BOOLEAN, "Nest related objects fully.", "false")
HSDS_FULL_SERVICE = query("full_service", BOOLEAN, "Nest full services.", "false")
HSDS_MINIMAL = query("minimal", BOOLEAN, "Only id, name, status and last_modified.", "false")
HSDS_POSTCODE = query(
    "postcode",
    {"type": "string", "maxLength": 10},
    "US ZIP code: results within `proximity` of its centre (or the default radius), nearest "
    "first, then remote services whose service area covers it. Not with `lat`/`lng` (a 400).",
    "10001",
)
HSDS_PROXIMITY = query(
    "proximity",
    {"type": "number", "minimum": 0, "exclusiveMinimum": True},
    "Distance in metres from the postcode centre (or lat/lng), which it needs (else a 400). "
    f"At most {round(settings.SEARCH_MAX_RADIUS_MI * 1609.344)} m.",
    5000,
)
HSDS_LAT = query(
    "lat",
    {"type": "number", "minimum": -90, "maximum": 90},
    "Extension: latitude of the point (with lng), instead of a postcode (not both: a 400).",
    40.7484,
)
HSDS_LNG = query(
    "lng",
    {"type": "number", "minimum": -180, "maximum": 180},
    "Extension: longitude of the point (with lat).",
    -73.9967,
)
TERM_KIND = query(
    "kind",
    {"type": "string", "enum": ["service_type", "victimization", "population", "accessibility"]},
    "Which vocabulary.",
    "victimization",
)
PLACE_Q = query(
    "q", TEXT, 'A ZIP code, "City, ST" or "lat, lng".', "Springfield, IL", required=True
)

ERROR_BODY = {
    "type": "object",
    "description": 'JSON, never HTML: {"detail": "..."} or {"field": ["reason", ...]}.',
    "additionalProperties": True,
}
# The 4xx any operation can answer, by what it takes (see document_client_errors).
CLIENT_ERRORS = {
    "400": "Invalid input: each bad parameter or field with the reason (an unknown `format` too).",
    "401": "Not signed in: send a token (Authorization: Token ...).",
    "403": "Signed in, but not allowed this (role, agency or organization).",
    "404": "Not found: an unknown id, or a page past the last.",
    "406": "An Accept header this operation cannot answer: it answers in JSON.",
    "415": "A body in a media type the operation does not read: send JSON.",
    "429": "Too many requests from an anonymous client: see Retry-After.",
}

ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description='Invalid input: {"field": ["reason", ...]} (and `suggestions` for a place).',
    ),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="Not found, or a page past the last."),
    429: OpenApiResponse(OpenApiTypes.OBJECT, description="Too many requests: see Retry-After."),
}


def _example_for(schema: dict):
    if schema.get("enum"):
        return schema["enum"][0]
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "array":
        return [_example_for(schema.get("items", {}))]
    if kind == "integer" or schema.get("pattern") == "^[0-9]+$":
        return 1 if kind == "integer" else "1"
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    return {
        "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "date-time": "2026-01-01T00:00:00Z",
        "date": "2026-01-01",
    }.get(fmt, "example")


def _client_errors(path: str, operation: dict) -> list[str]:
    public = {} in operation.get("security", [{}])
    parameters = operation.get("parameters", [])
    paged = any(parameter["name"] == "page" for parameter in parameters)
    return [
        code
        for code, applies in (
            # Every operation reads `format` (an unknown one is a 400) and Accept (a 406).
            ("400", True),
            ("401", not public),
            ("403", not public),
            ("404", "{" in path or paged),
            ("406", True),
            ("415", "requestBody" in operation),
            ("429", public),
        )
        if applies
    ]


def document_client_errors(result, generator, request, public):
    """Postprocessing hook: every operation documents each 4xx it can answer (400 for bad
    input, which every operation takes (`format`), 406 for an Accept it cannot answer,
    401/403 where it needs a sign-in, 404 for an id or a page, 415 where it reads a body,
    429 where anonymous clients are limited), as a JSON body. Views that describe their own
    errors keep their descriptions."""
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code in _client_errors(path, operation):
                responses.setdefault(
                    code,
                    {
                        "description": CLIENT_ERRORS[code],
                        "content": {"application/json": {"schema": ERROR_BODY}},
                    },
                )
    return result


def add_missing_examples(result, generator, request, public):
    """Postprocessing hook: a parameter declared without an example (page, page_size, ids of
    generic views in any app) gets one built from its schema, so every parameter has one."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("example") is None and not parameter.get("examples"):
                    parameter["example"] = _example_for(parameter.get("schema", {}))
    return result
