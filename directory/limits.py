"""Who the client is, and how often an anonymous one may ask.

One address for every limit (the API throttle, the search page, the suggestion forms and
the login lockout): the peer's own address, or, behind proxies named in the settings
(TRUSTED_PROXY_COUNT or TRUSTED_PROXIES), the address the outermost of them saw. With
neither set, X-Forwarded-For is ignored: anyone can write it.

Counts live in the cache (Redis when REDIS_URL is set, so every process shares them), one
key per client and kind of request, raised by one atomic increment. A key holds a salted
hash of the address, never the address itself.
"""

import ipaddress
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from rest_framework.throttling import AnonRateThrottle

logger = logging.getLogger(__name__)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_trusted_proxy(text: str) -> bool:
    if not _is_address(text):
        return False
    address = ipaddress.ip_address(text)
    networks = [ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES]
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's IP address: the peer's, or the one our trusted proxies say they saw."""
    peer = request.META.get("REMOTE_ADDR", "")
    if not (settings.TRUSTED_PROXY_COUNT or settings.TRUSTED_PROXIES):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # Each proxy appends the address it received the request from: read from the right,
    # where our own proxies wrote; whatever is further left the client may have made up.
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()] + [peer]
    if settings.TRUSTED_PROXIES:
        while len(hops) > 1 and _is_trusted_proxy(hops[-1]):
            hops.pop()
        client = hops[-1]
    else:
        client = hops[max(len(hops) - 1 - settings.TRUSTED_PROXY_COUNT, 0)]
    return client if _is_address(client) else peer


def _client_key(request: HttpRequest) -> str:
    address = client_address(request)
    if _is_address(address) and ipaddress.ip_address(address).version == 6:
        # One IPv6 subscriber usually holds a whole /64: rotating within it is one client.
        address = str(ipaddress.ip_network(f"{address}/64", strict=False))
    return salted_hmac("directory.limits", address).hexdigest()[:32]


def over_limit(request: HttpRequest, *, scope: str, limit: int, window_s: int) -> bool:
    """Count this request; True when its client sent more than `limit` in the window.

    The window starts at the client's first request and lasts `window_s` seconds.
    """
    key = f"limit:{scope}:{_client_key(request)}"
    try:
        count = _count(key, window_s=window_s)
    except Exception:  # the shared cache is down: a survivor's search must still answer
        logger.warning("The rate-limit cache is unavailable: %s is not limited", scope)
        return False
    return count > limit


def _count(key: str, *, window_s: int) -> int:
    """This request's number in its client's window: one round trip to the shared cache,
    but for the window's first request."""
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first request (no count yet, or it just expired)
        if cache.add(key, 1, timeout=window_s):
            return 1
        try:
            count = cache.incr(key)  # another process began the window meanwhile
        except ValueError:  # and it expired again at once: count this one as its first
            cache.set(key, 1, timeout=window_s)
            return 1
    if count == 1:
        # A backend that checks and increments in two steps (Django's own Redis backend;
        # django-redis does both in one script) made an expired key again without expiry.
        cache.touch(key, timeout=window_s)
    return count


PERIODS_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """(requests, window in seconds) of a DRF-style rate: "120/minute", "10/hour"."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS_S[period.strip()[:1]]


class AnonymousThrottle(AnonRateThrottle):
    """DRF's anonymous rate (API_ANON_RATE), counted by `over_limit` for the client address."""

    def get_rate(self) -> str | None:
        return self.THROTTLE_RATES.get(self.scope)

    def applies(self, request) -> bool:
        return not (request.user and request.user.is_authenticated)

    def allow_request(self, request, view) -> bool:
        if self.rate is None or not self.applies(request):
            return True
        return not over_limit(
            request, scope=self.scope, limit=self.num_requests, window_s=self.duration
        )

    def wait(self) -> float:
        return self.duration

    def get_ident(self, request) -> str:
        return client_address(request)


class BulkThrottle(AnonymousThrottle):
    """Whole-directory feeds (`format=ndjson`) have their own, stricter rate (API_BULK_RATE)."""

    scope = "bulk"

    def applies(self, request) -> bool:
        renderer = getattr(request, "accepted_renderer", None)
        return super().applies(request) and getattr(renderer, "format", "") == "ndjson"
