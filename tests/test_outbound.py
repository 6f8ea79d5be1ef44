"""A federated feed's URL is typed by an editor: it must not reach our own network (SSRF).

Refused when the feed is saved (the admin's form) and again whenever it is read, every
redirect hop included. No test needs the internet: names are resolved by a stand-in for DNS,
and the servers listen on 127.0.0.1, which a feed may reach only where a test allows it.
"""

import http.server
import json
import socket
import threading
import time
from http import HTTPStatus

import pytest
from conftest import create_user
from django.core.exceptions import ValidationError
from django.urls import reverse

from providers.importers import federation, outbound
from providers.importers.federation import FeedError, fetch_json, sync_hsds
from providers.importers.models import FederatedFeed
from providers.permissions import EDITORS

pytestmark = pytest.mark.django_db

INTERNAL = [
    "http://127.0.0.1:6379/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.1.2.3/api/hsds/",
    "http://192.168.0.10/api/hsds/",
    "http://[::1]:8000/api/hsds/",
    "http://[::ffff:127.0.0.1]/api/hsds/",
    "http://0.0.0.0:6379/",
    "http://2130706433/",  # 127.0.0.1 as one number
    "http://localhost:6379/",
    "https://redis.internal.test/",  # resolves to loopback (the stand-in DNS below)
    "https://metadata.test/",  # resolves to a public and a link-local address
]
NAMES = {
    "redis.internal.test": ["127.0.0.3"],
    "metadata.test": ["93.184.216.34", "169.254.169.254"],
    "feed.test": ["93.184.216.34"],
}


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    """Names under .test resolve as NAMES says; others as the system resolves them."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in NAMES:
            return [
                (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port or 0))
                for a in NAMES[host]
            ]  # fmt: skip
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _feed(url: str) -> FederatedFeed:
    return FederatedFeed(source="county-211", url=url, every_hours=24)


@pytest.mark.parametrize("url", INTERNAL)
def test_a_feed_on_our_own_network_is_refused_when_saved(url):
    with pytest.raises(ValidationError) as refused:
        _feed(url).full_clean()
    messages = refused.value.message_dict["url"]  # URLField's own may come first
    assert "a feed must be on the public internet" in messages[-1]


@pytest.mark.parametrize("url", ["gopher://211.example/", "file:///etc/passwd"])
def test_a_feed_is_an_http_address(url):
    with pytest.raises(ValidationError):
        _feed(url).full_clean()


@pytest.mark.parametrize(
    "url", ["https://feed.test/api/hsds/", "https://211.example/api/hsds/", "http://8.8.8.8/"]
)
def test_a_public_feed_or_one_that_does_not_resolve_yet_is_accepted(url):
    _feed(url).full_clean()  # a name that does not resolve: its sync will say so


def test_the_admin_says_why_an_internal_feed_is_refused(client):
    client.force_login(create_user(role=EDITORS))
    page = client.post(
        reverse("admin:providers_federatedfeed_add"),
        {"source": "county-211", "url": "http://169.254.169.254/latest/meta-data/",
         "every_hours": "6", "enabled": "on"},
    )  # fmt: skip
    assert page.status_code == HTTPStatus.OK
    assert "169.254.169.254 is a link-local address" in page.content.decode()
    assert not FederatedFeed.objects.exists()


# -- when the feed is read -----------------------------------------------------------------
class _Server(http.server.BaseHTTPRequestHandler):
    """Answers as the test set: a redirect to `server.redirect`, or `server.body` sent
    `server.drip_s` seconds apart byte by byte; records each request's Host header."""

    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.hosts.append(self.headers["Host"])
        if self.server.redirect:
            self.send_response(302)
            self.send_header("Location", self.server.redirect)
            self.end_headers()
            return
        body = self.server.body
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                time.sleep(self.server.drip_s)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    httpd.daemon_threads = True
    httpd.body, httpd.redirect, httpd.drip_s, httpd.hosts = b"{}", "", 0, []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    httpd.port = httpd.server_address[1]
    httpd.url = f"http://127.0.0.1:{httpd.port}/api/hsds/"
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_feed_on_loopback_is_not_read(server):
    """Saved before the check existed, or by `manage.py sync_hsds`: the read refuses it."""
    with pytest.raises(FeedError, match="127.0.0.1 is a loopback address"):
        sync_hsds(server.url, source="x")
    assert server.hosts == []  # not even connected to


def test_a_name_resolving_to_loopback_is_not_read(server, monkeypatch):
    monkeypatch.setitem(NAMES, "sneaky.test", ["127.0.0.1"])
    with pytest.raises(FeedError, match="sneaky.test resolves to 127.0.0.1"):
        fetch_json(f"http://sneaky.test:{server.port}/api/hsds/services")
    assert server.hosts == []


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:6379/",
        "http://127.0.0.2:{port}/",
        "http://redis.internal.test:{port}/",
        "//10.0.0.1/api/",  # scheme-relative
    ],
)
def test_a_redirect_to_our_own_network_is_not_followed(server, settings, target):
    settings.FEDERATION_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the stand-in public feed
    server.redirect = target.format(port=server.port)
    with pytest.raises(FeedError, match="a feed must be on the public internet"):
        fetch_json(server.url)
    assert len(server.hosts) == 1  # the first hop only


def test_redirects_are_followed_a_few_times_and_checked_each_time(server, settings):
    settings.FEDERATION_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    server.redirect = "/api/hsds/again"
    with pytest.raises(FeedError, match="more than 5 redirects"):
        fetch_json(server.url)
    assert len(server.hosts) == outbound.MAX_REDIRECTS + 1


def test_the_checked_address_is_the_one_connected_to(server, settings, monkeypatch):
    """The name is resolved once and the connection made to that address, so a second DNS
    answer (rebinding) cannot swap in another host; the Host header still names the feed."""
    settings.FEDERATION_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    answers = iter([["127.0.0.1"]])
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host == "feed-rebinds.test":  # the first answer is checked; a later one differs
            monkeypatch.setitem(NAMES, host, next(answers, ["127.0.0.2"]))
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    server.body = json.dumps({"ok": True}).encode()
    assert fetch_json(f"http://feed-rebinds.test:{server.port}/x") == {"ok": True}
    assert server.hosts == [f"feed-rebinds.test:{server.port}"]


def test_a_page_sent_a_byte_at_a_time_is_cut_off(server, settings, monkeypatch):
    """The socket's timeout is per read; a server dripping bytes is stopped by READ_S."""
    settings.FEDERATION_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    monkeypatch.setattr(federation, "READ_S", 0.3)
    monkeypatch.setattr(federation, "CHUNK", 1)
    server.body, server.drip_s = b" " * 100 + b"{}", 0.02
    started = time.monotonic()
    with pytest.raises(FeedError, match="took longer than"):
        fetch_json(server.url)
    assert time.monotonic() - started < 1.5
