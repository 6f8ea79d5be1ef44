"""Attacks on the federated feed's SSRF guard (providers/importers/outbound.py): ways to make
the server open a connection to its own network, and bad addresses or hostile answers that
could end in a 500 or a crashed sync instead of a reason.

The feed stand-in listens on 127.0.0.1 (allowed by FEDERATION_ALLOWED_NETWORKS, as the
tests' "public internet"); the "internal" server listens on 127.0.0.2, which no test allows:
a request reaching it is the attack succeeding.
"""

import http.server
import socket
import threading
from http import HTTPStatus

import pytest
from conftest import create_user
from django.core.exceptions import ValidationError
from django.urls import reverse

from providers.importers import outbound
from providers.importers.federation import FeedError, fetch_json
from providers.importers.models import FederatedFeed
from providers.permissions import EDITORS

pytestmark = pytest.mark.django_db


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers as its server says: a redirect, a raw answer, or "{}"; records each request."""

    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.seen.append(self.path)
        if self.server.raw is not None:
            self.wfile.write(self.server.raw)
            return
        if self.server.redirect:
            self.send_response(302)
            self.send_header("Location", self.server.redirect)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def _serve(host: str):
    httpd = http.server.ThreadingHTTPServer((host, 0), _Recorder)
    httpd.daemon_threads = True
    httpd.seen, httpd.redirect, httpd.raw = [], "", None
    httpd.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture
def feed(settings):
    settings.FEDERATION_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    httpd = _serve("127.0.0.1")
    httpd.url = f"http://127.0.0.1:{httpd.port}/api/hsds/"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def internal():
    httpd = _serve("127.0.0.2")
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _octets(port: int) -> list[str]:
    """127.0.0.2 as the many spellings a resolver accepts."""
    return [
        f"http://127.0.0.2:{port}/",
        f"http://2130706434:{port}/",  # one decimal number
        f"http://0x7f000002:{port}/",  # one hex number
        f"http://0177.0.0.2:{port}/",  # octal
        f"http://127.2:{port}/",  # a.b
        f"http://[::ffff:127.0.0.2]:{port}/",
        f"http://[::ffff:7f00:2]:{port}/",
        f"http://user:pw@127.0.0.2:{port}/",
        f"HTTP://127.0.0.2:{port}/",
    ]


def test_every_spelling_of_an_internal_address_is_refused_as_a_feed(feed, internal):
    for url in _octets(internal.port):
        with pytest.raises(FeedError, match="a feed must be on the public internet"):
            fetch_json(url)
    assert internal.seen == []


def test_every_spelling_of_an_internal_address_is_refused_as_a_redirect(feed, internal):
    for url in _octets(internal.port):
        feed.redirect = url
        with pytest.raises(FeedError, match="a feed must be on the public internet"):
            fetch_json(feed.url)
    assert internal.seen == []


@pytest.mark.parametrize(
    "target",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.2:6379/_INFO",
        "ftp://127.0.0.2/",
        "dict://127.0.0.2:11211/stat",
        " file:///etc/passwd",
        "\tfile:///etc/passwd",
        "jar:http://127.0.0.2/!/",
    ],
)
def test_a_redirect_to_another_scheme_is_refused(feed, internal, target):
    feed.redirect = target
    with pytest.raises(FeedError):
        fetch_json(feed.url)
    assert internal.seen == []


def test_userinfo_does_not_move_the_connection(feed, internal, monkeypatch):
    """urlsplit takes the host after the last "@"; http.client is handed the whole netloc.
    Whatever it makes of it, the connection goes to the address that was checked."""
    for url in [
        f"http://127.0.0.2:{internal.port}@127.0.0.1:{feed.port}/",
        f"http://127.0.0.2:{internal.port}\\@127.0.0.1:{feed.port}/",
        f"http://127.0.0.1:{feed.port}#@127.0.0.2:{internal.port}/",
        f"http://127.0.0.1:{feed.port}?@127.0.0.2:{internal.port}/",
    ]:
        try:
            fetch_json(url)
        except FeedError:
            pass
    assert internal.seen == []


def test_no_proxy_from_the_environment_is_used(feed, monkeypatch):
    """A proxy named in the worker's environment would see (and could answer) every feed."""
    proxy = _serve("127.0.0.1")
    try:
        for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "all_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.delenv("NO_PROXY", raising=False)
        assert fetch_json(feed.url) == {}
        assert proxy.seen == [] and len(feed.seen) == 1
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_a_name_answering_public_then_internal_is_read_from_the_public_one(feed, monkeypatch):
    """DNS rebinding: every later lookup of the name says 127.0.0.2, where a server listens
    on the feed's port; the read still goes to the address that was checked."""
    twin = http.server.ThreadingHTTPServer(("127.0.0.2", feed.port), _Recorder)
    twin.seen, twin.redirect, twin.raw = [], "", None
    threading.Thread(target=twin.serve_forever, daemon=True).start()
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"])

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.test":
            host = next(answers, "127.0.0.2")
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(socket, "gethostbyname", lambda host: "127.0.0.2")
    try:
        assert fetch_json(f"http://rebind.test:{feed.port}/") == {}
    finally:
        twin.shutdown()
        twin.server_close()
    assert twin.seen == [] and len(feed.seen) == 1


@pytest.mark.parametrize(
    "address",
    [
        "fec0::1",  # IPv6 site-local: deprecated, but still routed inside some sites
        "2002:7f00:2::1",  # 6to4 wrapping 127.0.0.2
        "2002:a00:1::1",  # 6to4 wrapping 10.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 wrapping 169.254.169.254
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "fe80::1%eth0",
        "::ffff:169.254.169.254",
        "::",
        "ff02::1",
    ],
)
def test_ipv6_forms_of_internal_addresses_are_not_public(address):
    assert outbound.why_not_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1::1", "2002:5db8:d822::1"])
def test_public_addresses_stay_public(address):
    assert outbound.why_not_public(address) == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://a\u05d0.example/api/hsds/",  # Latin and Hebrew in one label (IDNA's BiDi rule)
        "http://\u05d0a\u05d1.example/",
        "http://" + "a" * 64 + ".example/",  # a label IDNA refuses
        "http://[::1/",
        "http://[not-an-address]/",
    ],
)
def test_a_host_that_cannot_be_looked_up_is_refused_with_a_reason(url):
    with pytest.raises(ValidationError) as refused:
        FederatedFeed(source="county-211", url=url, every_hours=24).full_clean()
    assert "url" in refused.value.message_dict


def test_the_admin_answers_an_idna_host_with_a_message_not_a_500(client):
    client.force_login(create_user(role=EDITORS))
    client.raise_request_exception = False
    page = client.post(
        reverse("admin:providers_federatedfeed_add"),
        {"source": "county-211", "url": "http://a\u05d0.example/api/hsds/", "every_hours": "6",
         "enabled": "on"},
    )  # fmt: skip
    assert page.status_code == HTTPStatus.OK
    assert not FederatedFeed.objects.exists()


@pytest.mark.parametrize("url", ["http://a\u05d0.example/", "http://" + "a" * 64 + ".example/"])
def test_a_feed_whose_host_cannot_be_looked_up_says_so_when_read(url):
    with pytest.raises(FeedError) as refused:
        fetch_json(url)
    assert "did not answer JSON" not in str(refused.value)


@pytest.mark.parametrize(
    "raw",
    [
        b"garbage\r\n\r\n",  # no status line
        b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 101 + b"\r\n{}",  # too many headers
        b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70000 + b"\r\n\r\n{}",  # a header too long
    ],
)
def test_a_hostile_answer_is_a_feed_error_not_a_crash(feed, raw):
    """A feed that answers nonsense ends its sync with a reason (the sync job keeps it on
    the feed), not with an exception the job does not expect."""
    feed.raw = raw
    with pytest.raises(FeedError):
        fetch_json(feed.url)


def test_a_chunked_answer_cut_short_is_a_feed_error(feed):
    feed.raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\n{}"
    with pytest.raises(FeedError):
        fetch_json(feed.url)
