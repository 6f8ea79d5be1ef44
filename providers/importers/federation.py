"""Another directory's HSDS API (3.0 or 3.1) read into a named source.

Every page of its fully nested services (`/services?full=true`) and its taxonomies is
flattened as an HSDS JSON package is (hsds_json.py) into CSV tables in a temporary folder,
and imported as a file would be: the same report, all or nothing, records matched
by source and id (only changed ones are written), and organizations and services gone from
the feed retired, not deleted.
"""

import http.client
import json
import tempfile
import time
import urllib.error
import urllib.parse
from pathlib import Path

from django.conf import settings

from providers.importers import hsds_json, outbound
from providers.importers.hsds import import_hsds
from providers.importers.report import Report

PER_PAGE = 100
MAX_PAGES = 10_000  # a feed that never says it is on its last page stops here
TIMEOUT_S = 30  # to connect, and for each read
READ_S = 120  # for a whole page
CHUNK = 64 * 1024


class FeedError(Exception):
    """The remote feed could not be read; nothing was changed."""


class _Budget:
    """How many bytes a sync may still read: a feed is read into memory, so it gets the cap
    of an uploaded package's unpacked tables (IMPORT_MAX_UNPACKED_MB), all pages together."""

    def __init__(self) -> None:
        self.left = settings.IMPORT_MAX_UNPACKED_MB * 1024 * 1024

    def read(self, response, url: str) -> bytes:
        """The body, in chunks, within the bytes left and READ_S seconds (the socket's
        timeout is per read: a server sending a byte a second would otherwise never end)."""
        chunks, size, deadline = [], 0, time.monotonic() + READ_S
        while chunk := response.read(min(CHUNK, self.left + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > self.left:
                raise FeedError(
                    f"{url} is larger than {settings.IMPORT_MAX_UNPACKED_MB} MB in all "
                    "(IMPORT_MAX_UNPACKED_MB)"
                )
            if time.monotonic() > deadline:
                raise FeedError(f"{url} took longer than {READ_S} seconds to read")
        self.left -= size
        return b"".join(chunks)


def fetch_json(url: str, budget: _Budget | None = None) -> dict:
    """The JSON at `url`, read only from public addresses (outbound.py), redirects included."""
    headers = {"Accept": "application/json", "User-Agent": "resource-map sync_hsds"}
    try:
        with outbound.open_public(url, headers=headers, timeout=TIMEOUT_S) as response:
            return json.loads((budget or _Budget()).read(response, url))
    except outbound.Refused as refused:
        raise FeedError(f"{refused}") from None
    except urllib.error.HTTPError as error:
        raise FeedError(f"{url} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError) as error:
        # HTTPException: an answer cut short (IncompleteRead) or not HTTP at all
        raise FeedError(f"{url} could not be read: {error!r}") from None
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        raise FeedError(f"{url} did not answer JSON") from None


def _page_count(page: dict, url: str) -> int:
    """A Page's total_pages; not a number is no Page (a guess could end the sync early, and
    what the unread pages list would be retired)."""
    try:
        return int(page.get("total_pages") or 0)
    except (TypeError, ValueError):
        raise FeedError(f"{url} is not an HSDS list (total_pages is not a number)") from None


def pages(base_url: str, path: str, budget: _Budget | None = None, **params) -> list[dict]:
    """Every item of a paged HSDS list, first page to last."""
    budget = budget or _Budget()
    items, number = [], 1
    while number <= MAX_PAGES:
        query = urllib.parse.urlencode(params | {"page": number, "per_page": PER_PAGE})
        page = fetch_json(f"{base_url}{path}?{query}", budget)
        if not isinstance(page, dict) or not isinstance(page.get("contents"), list):
            raise FeedError(f"{base_url}{path} is not an HSDS list (no Page with contents)")
        items += page["contents"]
        if page.get("last_page") or number >= _page_count(page, f"{base_url}{path}"):
            return items
        number += 1
    raise FeedError(f"{base_url}{path} has more than {MAX_PAGES} pages")


def write_feed(base_url: str, folder: Path) -> list[str]:
    """The remote feed as CSV tables in `folder`; returns their file names."""
    budget = _Budget()
    services = pages(base_url, "/services", budget, full="true")
    try:
        taxonomies = pages(base_url, "/taxonomies", budget)
    except FeedError:
        taxonomies = []  # optional in HSDS: terms still carry their taxonomy's name
    try:
        tables = hsds_json.flatten(services, taxonomies=taxonomies)
    except hsds_json.ShapeError as error:
        raise FeedError(f"{base_url}/services is not HSDS JSON ({error})") from None
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
