"""Shared fixtures: factories for listings, and the browser (skipped loudly without chromium)."""

import os
import shutil
from datetime import time

import pytest

from providers.models import (
    Language,
    Location,
    LocationKind,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Status,
    Term,
)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
_SKIPPED_BROWSER: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if _SKIPPED_BROWSER:
        terminalreporter.write_line(_SKIPPED_BROWSER[0], red=True, bold=True)


def create_provider(
    *,
    name: str = "Sample Advocacy Center",
    lat: float | None = 40.7484,
    lng: float | None = -73.9967,
    services: tuple[str, ...] = ("victim-advocacy",),
    victimizations: tuple[str, ...] = (),
    populations: tuple[str, ...] = (),
    languages: tuple[str, ...] = ("en",),
    accessibility: tuple[str, ...] = (),
    cost: str = "free",
    confidential: bool = False,
    kind: str = LocationKind.PHYSICAL,
    service_area: str = ServiceArea.LOCAL,
    service_area_states: list[str] | None = None,
    status: str = Status.PUBLISHED,
    service_status: str = Status.PUBLISHED,
    street: str = "350 Fifth Avenue",
    city: str = "New York",
    state: str = "NY",
    postcode: str = "10001",
    timezone: str = "America/New_York",
    open_24_7: bool = False,
    hours: tuple[tuple[int, time, time], ...] = (),
    phone: str = "+12125550100",
    **service_fields,
) -> ServiceAtLocation:
    """One organization with one service at one location, returned as the search row."""
    organization = Organization.objects.create(name=name, status=status, is_sample=True)
    service = Service.objects.create(
        organization=organization,
        name=service_fields.pop("service_name", f"{name} services"),
        status=service_status,
        cost=cost,
        service_area=service_area,
        service_area_states=service_area_states or [],
        **service_fields,
    )
    slugs = {
        Term.Kind.SERVICE_TYPE: services,
        Term.Kind.VICTIMIZATION: victimizations,
        Term.Kind.POPULATION: populations,
    }
    for term_kind, term_slugs in slugs.items():
        service.terms.add(*Term.objects.filter(kind=term_kind, slug__in=term_slugs))
    service.languages.add(*Language.objects.filter(code__in=languages))
    location = Location.objects.create(
        organization=organization,
        name=name,
        kind=kind,
        address_1=street if kind == LocationKind.PHYSICAL else "",
        city=city,
        state=state,
        postcode=postcode,
        latitude=lat if kind == LocationKind.PHYSICAL else None,
        longitude=lng if kind == LocationKind.PHYSICAL else None,
        address_confidential=confidential,
        timezone=timezone,
        open_24_7=open_24_7,
    )
    location.accessibility.add(
        *Term.objects.accessibility_features().filter(slug__in=accessibility)
    )
    for weekday, opens_at, closes_at in hours:
        OpeningHours.objects.create(
            location=location, weekday=weekday, opens_at=opens_at, closes_at=closes_at
        )
    Phone.objects.create(service=service, number=phone)
    return ServiceAtLocation.objects.create(service=service, location=location)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits live in the cache: every test starts with none used."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def make_provider(db):
    """Factory: `make_provider(name=..., lat=..., lng=..., services=(...), ...)`."""
    return create_provider


@pytest.fixture(scope="session")
def chromium_path():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = (
            f"\n{'!' * 78}\n  BROWSER TESTS SKIPPED: no chromium at {CHROMIUM}.\n"
            "  Install it with `apt-get install chromium` (Debian) or set CHROMIUM_PATH.\n"
            f"{'!' * 78}\n"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        _SKIPPED_BROWSER.append(message)
        pytest.skip(message)
    return CHROMIUM


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser(chromium_path):
    """A real headless Chromium (Debian's), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still plain synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()
