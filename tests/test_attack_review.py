"""An attacker's review of the day's changes (results map, directions, translations, listing
history, duplicates and merge, federated sync, jobs, logs, /healthz): each attack that found
a hole is a test here beside the fix; attacks the defences held against are kept where they
add coverage the other modules lack."""

import http.server
import json
import threading
from http import HTTPStatus

import pytest
from conftest import create_provider, create_user
from django.test import TestCase
from django.urls import reverse

from providers.confirmations import ask_to_confirm
from providers.importers.federation import FeedError, sync_hsds
from providers.importers.hsds import import_hsds
from providers.importers.package import PackageError
from providers.listing_history import listing_history
from providers.listings import build_listings
from providers.merge import merge_organizations
from providers.models import Location, Organization, ServiceAtLocation
from providers.permissions import PROVIDER_STAFF

pytestmark = pytest.mark.django_db

SHELTER = (41.8781, -87.6298)


def _search_point(sal_pk):
    sal = ServiceAtLocation.objects.get(pk=sal_pk)
    return (sal.search_lat, sal.search_lng)


def test_a_merge_gives_a_shelter_no_second_public_point():
    """Two public points of one shelter narrow it to where their rings cross (docs/
    public-pages.md). A confidential location folded into a same-address one that had no
    coordinates lends it its point: the kept record must measure from the shelter's own
    public point, not a new offset of the same point."""
    shelter = create_provider(
        name="Safe Harbor", street="5 Oak St", lat=SHELTER[0], lng=SHELTER[1],
        city="Chicago", state="IL", postcode="60601", phone="3125550101", confidential=True,
    )  # fmt: skip
    known = _search_point(shelter.pk)  # what a script recovers by bisecting the radius
    office = create_provider(
        name="Safe Harbor Inc", street="5 Oak St", lat=None, lng=None,
        city="Chicago", state="IL", postcode="60601", phone="3125550199",
    )  # fmt: skip
    merge_organizations(keep=office.service.organization, other=shelter.service.organization)
    into = Location.objects.get(pk=office.location_id)
    assert into.address_confidential
    assert into.latitude == pytest.approx(SHELTER[0])
    for sal in ServiceAtLocation.objects.filter(location=into, service__status="published"):
        assert _search_point(sal.pk) == pytest.approx(known, abs=1e-9)


# -- a hostile remote HSDS feed (sync_hsds, federated feeds) -----------------------------------
class _Hostile(http.server.BaseHTTPRequestHandler):
    """Answers every path with the body the test set (`server.body`), or a redirect."""

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.server.redirect:
            self.send_response(302)
            self.send_header("Location", self.server.redirect)
            self.end_headers()
            return
        body = self.server.body
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading, as it should

    def log_message(self, *args):
        pass


@pytest.fixture
def hostile(settings):
    settings.FEDERATION_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # a feed may not be on loopback
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.body, server.redirect = b"{}", ""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/api/hsds/"
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _page(contents, **more) -> bytes:
    return json.dumps({"contents": contents, "last_page": True, **more}).encode()


SERVICE = {"id": "s1", "name": "Hotline", "organization": {"id": "o1", "name": "Org"}}
MALFORMED = {
    "items not objects": _page([1, None, "x"]),
    "organization a string": _page([{**SERVICE, "organization": "Org"}]),
    "phones a number": _page([{**SERVICE, "phones": 5}]),
    "services at locations a number": _page([{**SERVICE, "service_at_locations": 7}]),
    "a service at location a number": _page([{**SERVICE, "service_at_locations": [7]}]),
    "locations a string": _page([{**SERVICE, "locations": "here"}]),
    "attributes an object": _page([{**SERVICE, "attributes": {"a": 1}}]),
    "organization phones an object": _page([{**SERVICE, "organization": {"phones": {}}}]),
    "total pages a word": _page([SERVICE], last_page=False, total_pages="many"),
    "total pages a list": _page([SERVICE], last_page=False, total_pages=[2]),
    "nested 100k deep": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("shape", list(MALFORMED))
def test_a_malformed_feed_is_refused_with_a_reason(hostile, shape):
    """A feed that answers JSON of the wrong shape stops the sync with a FeedError (the
    admin's feed page shows it; `sync_hsds` says it), not a TypeError/RecursionError that
    leaves the job crashed and the editor without a reason; nothing is written."""
    hostile.body = MALFORMED[shape]
    with pytest.raises(FeedError):
        sync_hsds(hostile.url, source="hostile")
    assert not Organization.objects.filter(source="hostile").exists()


def test_a_json_package_of_the_wrong_shape_is_refused_with_a_reason(tmp_path):
    """The same flattener reads an uploaded JSON package: a wrong shape is a PackageError
    naming the file, not an AttributeError in the import job."""
    (tmp_path / "services.json").write_text(json.dumps([{**SERVICE, "phones": 5}]))
    with pytest.raises(PackageError, match="services.json is not HSDS JSON.*phones"):
        import_hsds(tmp_path, source="upload")
    (tmp_path / "services.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(PackageError, match="services.json is not valid JSON"):
        import_hsds(tmp_path, source="upload")


def test_a_feed_larger_than_the_import_cap_is_refused(hostile, settings):
    """An endless body (or one page of a million services) is not read into memory past
    IMPORT_MAX_UNPACKED_MB, the cap an uploaded package has."""
    settings.IMPORT_MAX_UNPACKED_MB = 1
    hostile.body = _page([SERVICE] * 30_000)  # ~2.6 MB
    assert len(hostile.body) > 2 * 1024 * 1024
    with pytest.raises(FeedError, match="larger than"):
        sync_hsds(hostile.url, source="hostile")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/feed/"])
def test_a_feed_is_only_read_over_http(url, hostile):
    """`sync_hsds file:///...` (or a feed redirecting there) reads no local file."""
    with pytest.raises(FeedError, match="http"):
        sync_hsds(url, source="hostile")
    hostile.redirect = "file:///etc/passwd"
    with pytest.raises(FeedError):
        sync_hsds(hostile.url, source="hostile")


# -- listing history ---------------------------------------------------------------------------
def test_a_location_moved_to_another_organization_leaves_its_new_address_off_the_old_history(
    client,
):
    """A shelter's location entered under a partner organization and moved to the shelter's
    own: the partner's provider staff, on their listing history, must not read where the
    shelter moves to next (the history read every copy of a record that was ever theirs),
    nor revert its confidential flag from their page."""
    partner = create_provider(name="Partner Legal", street="1 Main St")
    shelter = create_provider(name="Shelter Org", street="2 Elm St", confidential=True)
    location = Location.objects.get(pk=partner.location_id)
    location.organization = shelter.service.organization
    location.address_confidential = True
    location.save()
    location.address_1 = "77 Hidden Lane"
    location.save()
    org = partner.service.organization
    assert "77 Hidden Lane" not in repr(listing_history(org))

    client.force_login(create_user(role=PROVIDER_STAFF, organizations=[org]))
    url = reverse("admin:providers_organization_listing_history", args=[org.pk])
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert "77 Hidden Lane" not in response.content.decode()
    made_secret = Location.history.get(id=location.pk, address_1="1 Main St", history_type="~")
    client.post(
        url,
        {"kind": "location", "history_id": made_secret.history_id,
         "field": "address_confidential"},
    )  # fmt: skip
    assert Location.objects.get(pk=location.pk).address_confidential


# -- the approximate-place flag ---------------------------------------------------------------
def test_a_shelter_placed_at_its_zip_does_not_say_so(client):
    """A confidential location placed at its ZIP's centre (`coordinates_approximate`): a
    script recovers its public point by bisecting the radius (1-2 miles from the stored
    point), and if it also reads that the stored point is a ZIP centre, the ZIP centres on
    that ring name the shelter's ZIP, which no output may show. The flag goes out only with
    a point, as the HSDS feed and the flat export already do."""
    shelter = create_provider(name="Harbor Light", confidential=True, postcode="10002")
    Location.objects.filter(pk=shelter.location_id).update(coordinates_approximate=True)
    [listing] = build_listings([(shelter.id, None)])
    assert listing["location"]["coordinates_approximate"] is False

    response = client.get(f"/api/v1/providers/{shelter.id}/")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["location"]["coordinates_approximate"] is False
    page = client.get(reverse("directory:provider-detail", args=[shelter.id]))
    assert 'class="hint approximate"' not in page.content.decode()

    public = create_provider(name="Town Pantry", postcode="10001")
    Location.objects.filter(pk=public.location_id).update(coordinates_approximate=True)
    [listing] = build_listings([(public.id, None)])
    assert listing["location"]["coordinates_approximate"] is True


# -- jobs and logs -----------------------------------------------------------------------------
def test_a_job_on_the_queue_names_its_function_only(settings):
    """RQ's worker logs each job's description, which is the call with its arguments: a
    provider's signed confirmation link (a credential to its listing) went to the log."""
    redis_url = "redis://127.0.0.1:6379/13"
    import django_rq
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        Redis.from_url(redis_url).flushdb()
    except RedisDown:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 60}}
    try:
        organization = create_provider(name="Harbor House").service.organization
        Organization.objects.filter(pk=organization.pk).update(email="desk@harbor.example")
        organization.refresh_from_db()
        with TestCase.captureOnCommitCallbacks(execute=True):
            ask_to_confirm([organization], link_for=lambda token: f"https://x.example/c/{token}/")
        (job,) = django_rq.get_queue("default").get_jobs()
        assert "x.example" in job.args[1]  # the job still gets its link
        assert job.description == "providers.confirmations.send_confirmation_request"
    finally:
        Redis.from_url(redis_url).flushdb()


# -- translations, cookies ---------------------------------------------------------------------
def test_translated_provider_text_is_text_and_visitors_get_no_cookie(client):
    """Markup in a translation (the API writes it) is shown as text on every field a reader
    of that language sees; the translated page, the results page with its map and /healthz
    set no cookie. (The defences held; kept as coverage of the new fields.)"""
    attack = '<script>alert(1)</script><img src="https://evil.example/x">'
    sal = create_provider(
        name="Casa Segura",
        translations={"es": {f: attack for f in ("description", "eligibility",
                                                 "how_to_get_help", "cost_note")}},
    )  # fmt: skip
    Location.objects.filter(pk=sal.location_id).update(translations={"es": {"hours_note": attack}})
    sal.service.phones.update(note="Desk", translations={"es": {"note": attack}})
    sal.service.organization.__class__.objects.filter(pk=sal.service.organization_id).update(
        translations={"es": {"description": attack}}
    )
    for url in (f"/es/provider/{sal.pk}/", "/es/?near=40.7484,-73.9967", "/healthz"):
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, url
        html = response.content.decode()
        assert "<script>alert" not in html and '<img src="https://evil' not in html, url
        assert not response.cookies, url
        assert url == "/healthz" or "Casa Segura" in html, url
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;"
        in client.get(f"/es/provider/{sal.pk}/").content.decode()
    )
