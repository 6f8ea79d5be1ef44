"""The API docs pages in real headless Chromium: they render and make no third-party request."""

from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CSP_BLOCKED = {"csp", "net::ERR_BLOCKED_BY_CSP"}  # how Chromium reports a CSP block


@pytest.mark.parametrize(
    ("path", "selector"), [("/api/docs/", ".swagger-ui .info"), ("/api/redoc/", "h1")]
)
def test_api_docs_render_from_our_own_server_only(live_server, browser, path, selector):
    cache.clear()
    page = browser.new_page()
    urls, blocked = [], set()
    page.on("request", lambda request: urls.append(request.url))
    page.on(
        "requestfailed",
        lambda request: request.failure in CSP_BLOCKED and blocked.add(request.url),
    )
    page.goto(f"{live_server.url}{path}")
    page.wait_for_selector(selector, timeout=15000)
    assert "Resource Map API" in page.content()
    page.wait_for_timeout(500)
    page.close()
    # data: and blob: URLs are made in the page (ReDoc's worker); a request our
    # Content-Security-Policy stopped in the browser (ReDoc's logo) never left it.
    network = [url for url in urls if urlsplit(url).scheme not in {"data", "blob"}]
    foreign = [
        url for url in network if urlsplit(url).hostname not in LOCAL_HOSTS and url not in blocked
    ]
    assert network and not foreign, foreign
