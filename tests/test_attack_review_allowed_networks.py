"""Attack review: FEDERATION_ALLOWED_NETWORKS, now read from the environment.

The setting lets a site read a feed on its own private network. A public address needs no
listing, so an entry that reaches public address space can only be a mistake, and the
usual one is dangerous: "0.0.0.0/0" copied from a firewall rule, or "10.1.2.3/0" (a typo
that strict=False widens to every IPv4 address), lets a feed URL an editor types reach
127.0.0.1 and the cloud metadata service at 169.254.169.254. The site must refuse to start
with such a value, naming it, instead of quietly turning the outbound guard off.
"""

import pytest
from test_settings import run_manage

PROBE = (
    "from providers.importers.outbound import why_not_public as why;"
    "print(repr(why('169.254.169.254'))); print(repr(why('127.0.0.1')))"
)


@pytest.mark.parametrize(
    "value", ["0.0.0.0/0", "10.1.2.3/0", "10.0.0.0/8,0.0.0.0/1", "::/0", "8.8.8.0/24"]
)
def test_a_network_that_reaches_public_addresses_stops_the_start(value):
    result = run_manage("shell", "-v", "0", "-c", PROBE, FEDERATION_ALLOWED_NETWORKS=value)
    # Before the fix this started, and both metadata and loopback were "public" ('').
    assert result.returncode != 0, result.stdout
    assert "FEDERATION_ALLOWED_NETWORKS" in result.stderr
    assert "not a private network" in result.stderr


@pytest.mark.parametrize(
    "value", ["10.1.2.0/24", "192.168.1.5", "172.16.0.0/12,fd00:1::/64", "127.0.0.1/32"]
)
def test_private_networks_are_still_accepted(value):
    result = run_manage("shell", "-v", "0", "-c", PROBE, FEDERATION_ALLOWED_NETWORKS=value)
    assert result.returncode == 0, result.stderr
