"""Another directory's HSDS API (3.0 or 3.1) read into a named source.

Every page of its fully nested services (`/services?full=true`) and its taxonomies is
flattened into an HSDS tabular package in a temporary folder, with the tables of our own
export, and imported as a file would be: the same report, all or nothing, records matched
by source and id (only changed ones are written), and organizations and services gone from
the feed retired, not deleted.
"""

import json
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from providers.importers.export import Tables, write_record
from providers.importers.export_tables import datapackage
from providers.importers.hsds import import_hsds
from providers.importers.report import Report

PER_PAGE = 100
MAX_PAGES = 10_000  # a feed that never says it is on its last page stops here
TIMEOUT_S = 30


class FeedError(Exception):
    """The remote feed could not be read; nothing was changed."""


def fetch_json(url: str) -> dict:
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": "resource-map sync_hsds"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise FeedError(f"{url} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FeedError(f"{url} could not be read: {error}") from None
    except ValueError:
        raise FeedError(f"{url} did not answer JSON") from None


def pages(base_url: str, path: str, **params) -> list[dict]:
    """Every item of a paged HSDS list, first page to last."""
    items, number = [], 1
    while number <= MAX_PAGES:
        query = urllib.parse.urlencode(params | {"page": number, "per_page": PER_PAGE})
        page = fetch_json(f"{base_url}{path}?{query}")
        if not isinstance(page, dict) or not isinstance(page.get("contents"), list):
            raise FeedError(f"{base_url}{path} is not an HSDS list (no Page with contents)")
        items += page["contents"]
        if page.get("last_page") or number >= int(page.get("total_pages") or 0):
            return items
        number += 1
    raise FeedError(f"{base_url}{path} has more than {MAX_PAGES} pages")


def _terms_of(records: list[dict], terms: dict) -> None:
    for record in records:
        for attribute in record.get("attributes", []):
            term = attribute.get("taxonomy_term")
            if isinstance(term, dict) and term.get("id"):
                terms.setdefault(term["id"], term)


def write_feed(base_url: str, folder: Path) -> dict[str, int]:
    """The remote feed as a tabular package in `folder`; returns row counts."""
    services = pages(base_url, "/services", full="true")
    try:
        taxonomies = pages(base_url, "/taxonomies")
    except FeedError:
        taxonomies = []  # optional in HSDS: terms still carry their taxonomy's name
    tables = Tables(folder)
    seen: set[str] = set()
    terms: dict = {}
    try:
        for service in services:
            organization = service.pop("organization", None) or {}
            if organization.get("id") and organization["id"] not in seen:
                seen.add(organization["id"])
                write_record(tables, "organizations.csv", organization)
                _terms_of([organization], terms)
            for sal in service.pop("service_at_locations", None) or []:
                location = sal.pop("location", None) or {}
                if location.get("id") and location["id"] not in seen:
                    seen.add(location["id"])
                    write_record(tables, "locations.csv", location)
                    _terms_of([location], terms)
                write_record(tables, "service_at_location.csv", sal)
            write_record(tables, "services.csv", service)
            _terms_of([service], terms)
        for taxonomy in taxonomies:
            write_record(tables, "taxonomies.csv", taxonomy)
        for term in terms.values():
            write_record(tables, "taxonomy_terms.csv", term)
    finally:
        tables.close()
    (folder / "datapackage.json").write_text(json.dumps(datapackage("hsds-feed")))
    return dict(tables.counts)


def sync_hsds(
    url: str, *, source: str, dry_run: bool = False, skip_invalid: bool = False
) -> Report:
    """Read the HSDS API at `url` (its root, e.g. https://example.org/api/hsds/) into
    `source`; raises FeedError before anything changes if the feed cannot be read, and
    ImportFailed (nothing changed) on an invalid record unless `skip_invalid`."""
    base_url = url.rstrip("/")
    with tempfile.TemporaryDirectory(prefix="sync-hsds-") as folder:
        write_feed(base_url, Path(folder))
        return import_hsds(
            folder,
            source=source,
            retire_missing=True,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
        )
