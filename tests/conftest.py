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


# --- Transactional tests leave the database as the migrations made it ------------------------


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


def restore_migrated_data() -> None:
    """Put back what the migrations loaded: reference data, roles, content types, permissions.

    A transactional (live_server) test ends by flushing every table, and Django restores the
    serialized copy only at the start of the next `serialized_rollback` test; any other test
    that runs later in the same worker would find no service types, languages, hotlines or
    role groups. With a serialized copy we load exactly it (same primary keys, so a later
    `serialized_rollback` test loads over it cleanly); without one we rebuild it.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connection

    serialized = getattr(connection, "_test_serialized_contents", None)
    call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
    ContentType.objects.clear_cache()
    if serialized:
        connection.creation.deserialize_db_from_string(serialized)
        _reset_sequences(connection)
    else:
        from providers.importers.mapping import load_default_mapping
        from providers.reference_data import load_reference_data
        from providers.roles import apply_roles

        emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
        load_reference_data()
        load_default_mapping()  # the taxonomy mapping's default rules (migrations 0007, 0015)
        apply_roles()  # the referrals app adds its own permissions on post_migrate too
    ContentType.objects.clear_cache()


def _reset_sequences(connection) -> None:
    """Rows loaded with their own ids leave PostgreSQL's id sequences behind them: move each
    sequence past its table's rows (as `manage.py sqlsequencereset` does), so the next row
    a test creates does not collide with a restored one."""
    from django.apps import apps
    from django.core.management.color import no_style

    # Managed models only: django-rq's admin Dashboard model has no table.
    models = [model for model in apps.get_models() if model._meta.managed]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in English. A request to a /es/ page leaves Spanish active in this
    thread (LocaleMiddleware does not reset it), and reverse() in the next test would then
    build /es/ URLs."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # Runs after the test's fixtures are torn down, i.e. after the transactional flush.
    result = yield
    if nextitem is not None and _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            restore_migrated_data()
    return result


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


@pytest.fixture(scope="module")
def browser(chromium_path):
    """A real headless Chromium (Debian's), driven by Playwright.

    One per test module, not per session: while Playwright's event loop runs, Django's
    connections are per asyncio context instead of per thread, so a later module whose code
    runs in another context (Hypothesis does) opened a second database session that nothing
    closed, and PostgreSQL refused to drop the test database at the end of the run."""
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


def create_user(
    *, role: str | None = None, organizations=(), username: str | None = None, **fields
):
    """A staff user in one of the role groups ("Site admins", "Editors", "Provider staff"),
    a member of `organizations` (provider staff)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from providers.models import StaffMembership

    User = get_user_model()
    username = username or f"{(role or 'user').lower().replace(' ', '-')}-{User.objects.count()}"
    fields.setdefault("is_staff", role is not None)
    user = User.objects.create_user(
        username=username, password="a long passphrase 4 tests", **fields
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    for organization in organizations:
        StaffMembership.objects.create(user=user, organization=organization)
    return user


@pytest.fixture
def make_user(db):
    """Factory: `make_user(role="Editors")`, or provider staff of some organizations:
    `make_user(role="Provider staff", organizations=[org])`."""
    return create_user


def admin_form_data(response) -> dict:
    """The POST data an admin change page would send back unchanged (form and inlines)."""
    from django import forms

    data: dict = {}

    def add(form) -> None:
        for bound in form:
            value = bound.value()
            if isinstance(bound.field, forms.BooleanField):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(bound.field, forms.JSONField):
                data[bound.html_name] = value  # value() is already the JSON text
            elif isinstance(value, (list, tuple)) and not isinstance(bound.field, forms.JSONField):
                data[bound.html_name] = [str(bound.field.prepare_value(v)) for v in value]
            elif value is not None:
                data[bound.html_name] = bound.field.prepare_value(value)

    add(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = bound.value()
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
        for form in formset.initial_forms:
            add(form)
    return data


@pytest.fixture
def admin_data():
    """`admin_data(response)`: the unchanged POST data of an admin change page."""
    return admin_form_data


# --- Referrals: agencies, advocates, provider staff, referrals ------------------------------


def create_referral_user(
    username: str,
    *,
    agency=None,
    organization=None,
    site_admin: bool = False,
    email: str = "",
    password: str | None = None,
):
    """An advocate of `agency`, provider staff of `organization` (a StaffMembership: enough
    for referrals, no admin access), or a site admin (the "Site admins" group)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from providers.models import StaffMembership
    from providers.permissions import SITE_ADMINS
    from referrals.models import AgencyMembership

    user = get_user_model().objects.create_user(
        username=username, email=email or f"{username}@example.org", password=password
    )
    if agency is not None:
        AgencyMembership.objects.create(user=user, agency=agency)
    if organization is not None:
        StaffMembership.objects.create(user=user, organization=organization)
    if site_admin:
        user.groups.add(Group.objects.get(name=SITE_ADMINS))
    return user


def create_referral(*, agency, sal, by, needs=("legal-assistance",), **fields):
    from datetime import timedelta

    from django.test import TestCase
    from django.utils import timezone

    from referrals.models import Referral
    from referrals.workflow import send_referral

    today = timezone.localdate()
    values = {
        "client_reference": "JD-7",
        "contact_method": "phone",
        "contact_value": "+12125550123",
        "note": "Safe to call after 6pm",
        "consent_given": True,
        "consent_given_on": today,
        "consent_expires_on": today + timedelta(days=90),
        **fields,
    }
    referral = Referral(agency=agency, service_at_location=sal, **values)
    # As at the end of a request: the commit runs the e-mail jobs (referrals/notifications.py).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return send_referral(
            referral=referral,
            needs=Term.objects.service_types().filter(slug__in=needs),
            by=by,
        )


@pytest.fixture
def referral_world(db):
    """Two agencies, two providers, their people, a site admin, an outsider and one referral
    from agency A to provider P."""
    from types import SimpleNamespace

    from referrals.models import Agency

    agency_a = Agency.objects.create(name="Agency A Hotline")
    agency_b = Agency.objects.create(name="Agency B Victim-Witness")
    sal_p = create_provider(name="Provider P Legal Aid", services=("legal-assistance",))
    sal_q = create_provider(name="Provider Q Shelter", confidential=True, street="1 Secret Way")
    org_p = sal_p.service.organization
    org_q = sal_q.service.organization
    world = SimpleNamespace(
        agency_a=agency_a,
        agency_b=agency_b,
        sal_p=sal_p,
        sal_q=sal_q,
        org_p=org_p,
        org_q=org_q,
        advocate_a=create_referral_user("advocate_a", agency=agency_a),
        advocate_a2=create_referral_user("advocate_a2", agency=agency_a),
        advocate_b=create_referral_user("advocate_b", agency=agency_b),
        staff_p=create_referral_user("staff_p", organization=org_p),
        staff_q=create_referral_user("staff_q", organization=org_q),
        site_admin=create_referral_user("site_admin", site_admin=True),
        outsider=create_referral_user("outsider"),
    )
    world.referral = create_referral(agency=agency_a, sal=sal_p, by=world.advocate_a)
    return world


@pytest.fixture
def make_referral(db):
    return create_referral
