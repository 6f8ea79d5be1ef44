"""sync_hsds against a real HSDS server: our own /api/hsds/, served on 127.0.0.1 by a second
process with its own database and different data. The first sync creates the listings, a
second one writes only what changed, and what left the feed is retired, not deleted."""

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from providers.importers.federation import FeedError, sync_hsds
from providers.models import Organization, Service, ServiceAtLocation, Status

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(settings.BASE_DIR)
SEED = """
import sys
sys.path.insert(0, "tests")
from conftest import create_provider
from providers.models import LocationKind
create_provider(name="Bay Legal Aid", services=("legal-assistance",),
                victimizations=("labor-trafficking",), languages=("en", "es"),
                street="1 Harbor Way", city="Oakland", state="CA", postcode="94607",
                lat=37.8044, lng=-122.2712)
create_provider(name="Bay Shelter", services=("shelter",), confidential=True,
                city="Oakland", state="CA", postcode="94612", lat=37.81, lng=-122.27)
create_provider(name="Bay Line", kind=LocationKind.REMOTE, service_area="nationwide")
"""


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    """The remote directory listens on 127.0.0.1, which a feed may otherwise not be on."""
    settings.FEDERATION_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def _manage(database: Path, *args: str) -> str:
    env = os.environ | {"DATABASE_URL": f"sqlite:///{database}", "DJANGO_ENV": "development"}
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    """Another directory: its own SQLite database, served by `runserver` in its own process."""
    database = tmp_path_factory.mktemp("remote") / "remote.sqlite3"
    _manage(database, "migrate", "-v0")
    _manage(database, "load_reference_data", "-v0")
    _manage(database, "shell", "-c", SEED)
    port = _free_port()
    env = os.environ | {"DATABASE_URL": f"sqlite:///{database}", "DJANGO_ENV": "development"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api/hsds/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the remote HSDS server did not start")
        yield {"url": url, "database": database}
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_sync_reads_a_remote_directory_and_then_only_what_changed(remote):
    report = sync_hsds(remote["url"], source="bay-211")

    assert report.ok, report.as_text()
    assert report.counts["services"]["created"] == 3
    assert set(Organization.objects.values_list("name", flat=True)) == {
        "Bay Legal Aid",
        "Bay Shelter",
        "Bay Line",
    }
    legal = Service.objects.get(name="Bay Legal Aid services")
    assert {t.slug for t in legal.terms.all()} >= {"legal-assistance", "labor-trafficking"}
    assert sorted(legal.languages.values_list("code", flat=True)) == ["en", "es"]
    assert ServiceAtLocation.objects.get(service=legal).location.address_1 == "1 Harbor Way"
    # The remote feed shows a confidential location's street and point nowhere, so neither
    # is here: the importer takes a place without either as reached by phone (reported).
    shelter = Service.objects.get(name="Bay Shelter services")
    location = ServiceAtLocation.objects.get(service=shelter).location
    assert (location.address_1, location.latitude, location.longitude) == ("", None, None)
    assert "no street address" in report.as_text()

    _manage(
        remote["database"],
        "shell",
        "-c",
        "from providers.models import Service, Organization\n"
        "Service.objects.filter(name='Bay Legal Aid services').update(description='Walk-ins')\n"
        "Organization.objects.filter(name='Bay Line').delete()\n",
    )
    again = sync_hsds(remote["url"], source="bay-211")

    assert again.ok, again.as_text()
    assert again.counts["services"]["updated"] == 1
    assert again.counts["services"]["unchanged"] == 1
    assert Service.objects.get(name="Bay Legal Aid services").description == "Walk-ins"
    gone = Organization.objects.get(name="Bay Line")  # retired, not deleted
    assert gone.status == Status.RETIRED


def test_the_command_says_why_a_feed_cannot_be_read(db):
    port = _free_port()  # nothing listens there
    with pytest.raises(CommandError, match="could not be read.*nothing was changed"):
        call_command(
            "sync_hsds", f"http://127.0.0.1:{port}/api/hsds/", source="x", stdout=io.StringIO()
        )
    with pytest.raises(FeedError):
        sync_hsds(f"http://127.0.0.1:{port}/api/hsds/", source="x")
