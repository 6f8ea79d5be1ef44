"""Another directory's HSDS API (3.0 or 3.1) read into a named source.

Every page of its fully nested services (`/services?full=true`) and its taxonomies is
flattened as an HSDS JSON package is (hsds_json.py) into CSV tables in a temporary folder,
and imported as a file would be: the same report, all or nothing, records matched
by source and id (only changed ones are written), and organizations and services gone from
the feed retired, not deleted.
"""

import json
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from providers.importers import hsds_json
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


def write_feed(base_url: str, folder: Path) -> list[str]:
    """The remote feed as CSV tables in `folder`; returns their file names."""
    services = pages(base_url, "/services", full="true")
    try:
        taxonomies = pages(base_url, "/taxonomies")
    except FeedError:
        taxonomies = []  # optional in HSDS: terms still carry their taxonomy's name
    tables = hsds_json.flatten(services, taxonomies=taxonomies)
    # Every table, empty ones too: a feed that lists nothing retires what it listed before.
    for name in hsds_json.TABLES:
        (folder / name).write_bytes(tables.get(name) or hsds_json.to_csv(name, {}))
    return sorted(tables)


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
