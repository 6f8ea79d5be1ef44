"""Reading an address an editor typed (a federated feed's URL) without reaching our own network.

A feed URL, or any address it redirects to, could name this server's Redis, a cloud's
metadata service (169.254.169.254), another host on the private network, or a hostname that
resolves to one of them. Every hop is resolved first and refused unless each of its addresses
is public; the connection then goes to the address that was checked (a second DNS answer
cannot swap in 127.0.0.1), with no proxy from the environment, redirects followed here
(at most MAX_REDIRECTS, each checked the same way), and the caller's size and time caps.

FEDERATION_ALLOWED_NETWORKS (an environment variable: networks, comma-separated, none by
default) lets a deployment read a feed on its own private network on purpose; the tests set
the setting to 127.0.0.1/32 for their local servers.
"""

import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
from http import client as http_client

from django.conf import settings

MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The address is not one a feed may be read from; the message says why."""


def _allowed_networks() -> list:
    return [
        ipaddress.ip_network(network, strict=False)
        for network in settings.FEDERATION_ALLOWED_NETWORKS
    ]


def why_not_public(address: str) -> str:
    """Why an IP address is not one a feed may be read from ("" if it may)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id names no host
    if ip.version == 6:
        # An IPv6 address that carries an IPv4 one reaches that one: ::ffff:127.0.0.1 is
        # 127.0.0.1; 6to4 (2002::/16) and NAT64 (64:ff9b::/96) hand the packet to theirs.
        if ip.ipv4_mapped or ip.sixtofour:
            ip = ip.ipv4_mapped or ip.sixtofour
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if any(ip in network for network in _allowed_networks()):
        return ""
    for kind, flag in (
        ("a loopback", ip.is_loopback),
        ("a link-local", ip.is_link_local),
        ("a site-local", ip.version == 6 and ip.is_site_local),  # fec0::/10, not "private"
        ("a private-network", ip.is_private),
        ("an unspecified", ip.is_unspecified),
        ("a multicast", ip.is_multicast),
        ("a reserved", ip.is_reserved),
        ("a non-public", not ip.is_global),  # shared (100.64/10), documentation, 6to4 ...
    ):
        if flag:
            return f"{address} is {kind} address"
    return ""


def check_url(url: str) -> None:
    """Refuse a URL that is not http(s) with a host; refuse its host if it is, or resolves
    to, an address that is not public. A host that does not resolve passes (its fetch will
    say it could not be read). For validation, where the fetch is later."""
    parts = _parts(url)
    try:
        addresses = _resolve(parts.hostname, parts.port)
    except OSError:
        return
    _refuse_private(parts.hostname, addresses)


def _parts(url: str) -> urllib.parse.SplitResult:
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # "http://[::1/", "http://[not-an-address]/"
        raise Refused(f"{url} is not a web address") from None
    if parts.scheme not in ("http", "https"):
        raise Refused(f"{url} is not an http or https address")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise Refused(f"{url} has a port that is not a number") from None
    if not parts.hostname:
        raise Refused(f"{url} names no host")
    return parts


def _resolve(host: str, port: int | None) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except UnicodeError:  # IDNA refuses the name: a label too long, mixed directions ...
        raise Refused(f"{host} is not a host name that can be looked up") from None
    return list(dict.fromkeys(info[4][0] for info in infos))


def _refuse_private(host: str, addresses: list[str]) -> None:
    for address in addresses:
        reason = why_not_public(address)
        if reason:
            named = "" if host.strip("[]") == address else f"{host} resolves to {address}: "
            raise Refused(f"{named}{reason}; a feed must be on the public internet")


class _PinnedHandler(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """Connects to the address that was checked, whatever the host's name resolves to now;
    TLS still checks the certificate against the host's name."""

    def __init__(self, address: str) -> None:
        urllib.request.HTTPHandler.__init__(self)
        urllib.request.HTTPSHandler.__init__(self)
        self.address = address

    def _pinned(self, connection_class):
        def connect(host, **kwargs):
            connection = connection_class(host, **kwargs)

            def create_connection(where, *args, **more):
                return socket.create_connection((self.address, where[1]), *args, **more)

            connection._create_connection = create_connection
            return connection

        return connect

    def http_open(self, req):
        return self.do_open(self._pinned(http_client.HTTPConnection), req)

    def https_open(self, req):
        return self.do_open(self._pinned(http_client.HTTPSConnection), req, context=self._context)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx reaches open_public as an HTTPError: followed there, checked


def open_public(url: str, *, headers: dict, timeout: float):
    """The response to a GET of `url`, every hop on a public address (raises Refused, or
    urllib's errors for what could not be read)."""
    for _hop in range(MAX_REDIRECTS + 1):
        parts = _parts(url)
        addresses = _resolve(parts.hostname, parts.port)
        _refuse_private(parts.hostname, addresses)
        opener = urllib.request.OpenerDirector()
        for handler in (
            _PinnedHandler(addresses[0]),
            _NoRedirects(),
            urllib.request.HTTPDefaultErrorHandler(),
            urllib.request.HTTPErrorProcessor(),
        ):
            opener.add_handler(handler)  # no ProxyHandler: no proxy from the environment
        request = urllib.request.Request(url, headers=headers)
        try:
            return opener.open(request, timeout=timeout)
        except http_client.HTTPException as error:  # no status line, too many headers ...
            raise urllib.error.URLError(f"{error.__class__.__name__}: {error}"[:200]) from None
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location") if error.code in REDIRECTS else None
            if not location:
                raise
            error.close()
            url = urllib.parse.urljoin(url, location)
    raise Refused(f"{url}: more than {MAX_REDIRECTS} redirects")
