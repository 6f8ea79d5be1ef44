"""The search copies when two editors change what they read at the same moment.

PostgreSQL runs transactions side by side (SQLite takes one writer at a time). Each case holds
one change uncommitted, starts the other on its own connection, waits until the database makes
it wait for the first (or it has committed), then commits the first: the order in which two
editors' saves meet. Status changes keep the copies right at once; the rest are right once the
schedule's repair has run (providers/search_index.py).
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from providers.models import Location, Organization, Service, ServiceAtLocation, Status
from providers.search_index import on_post_migrate, repair

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions"),
    pytest.mark.django_db(transaction=True),
]


class Concurrent:
    """`work` run in a thread, on its own connection, in its own transaction."""

    def __init__(self, work) -> None:
        self.errors: list[BaseException] = []
        self.pid = None
        self.connected = threading.Event()
        self.blocked = False  # it waited for the first transaction (else it ended first)
        self.thread = threading.Thread(target=self._run, args=(work,))

    def _run(self, work) -> None:
        try:
            self.pid = connections["default"].cursor().connection.info.backend_pid
            self.connected.set()
            with transaction.atomic():
                work()
        except BaseException as error:  # noqa: BLE001 - reported by join()
            self.errors.append(error)
        finally:
            connections.close_all()

    def start_and_wait_until_blocked(self) -> None:
        """Start, and return once the database makes the thread wait for a lock (or, where
        nothing makes it wait, once it has committed)."""
        self.thread.start()
        assert self.connected.wait(10), self.errors
        deadline = time.monotonic() + 10
        with connections["default"].cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [self.pid]
                )
                row = cursor.fetchone()
                if row and row[0] == "Lock":
                    self.blocked = True
                    return
                if not self.thread.is_alive():
                    return
                time.sleep(0.01)
        raise AssertionError("the second transaction neither waited nor ended")

    def join(self) -> None:
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()
        assert not self.errors, self.errors


def listed(row: ServiceAtLocation) -> bool:
    return ServiceAtLocation.objects.get(pk=row.pk).search_listed


def test_a_service_and_its_organization_published_at_the_same_moment_are_found(make_provider):
    row = make_provider(status=Status.DRAFT, service_status=Status.DRAFT)
    service = row.service
    assert not listed(row)
    other = Concurrent(
        lambda: Organization.objects.filter(pk=service.organization_id).update(
            status=Status.PUBLISHED
        )
    )
    with transaction.atomic():
        Service.objects.filter(pk=service.pk).update(status=Status.PUBLISHED)
        other.start_and_wait_until_blocked()
        assert other.blocked  # the two saves met
    other.join()
    assert ServiceAtLocation.objects.listed().filter(pk=row.pk).exists()
    assert listed(row)


def test_an_organization_published_while_its_service_is_published_is_found(make_provider):
    row = make_provider(status=Status.DRAFT, service_status=Status.DRAFT)
    service = row.service
    other = Concurrent(
        lambda: Service.objects.filter(pk=service.pk).update(status=Status.PUBLISHED)
    )
    with transaction.atomic():
        Organization.objects.filter(pk=service.organization_id).update(status=Status.PUBLISHED)
        other.start_and_wait_until_blocked()
        assert other.blocked
    other.join()
    assert listed(row)


# The pairs below read another transaction's row as it was before that one committed: the
# copies stay behind until the schedule repairs them (search_index.repair, every 5 minutes).
# Locking the rows read closed them, but made editors wait on imports and deadlock with them.
def test_a_service_moved_while_its_new_organization_is_published_is_repaired(make_provider):
    row = make_provider()
    draft = make_provider(name="Draft", status=Status.DRAFT).service.organization
    other = Concurrent(lambda: Service.objects.filter(pk=row.service_id).update(organization=draft))
    with transaction.atomic():
        Organization.objects.filter(pk=draft.pk).update(status=Status.PUBLISHED)
        other.start_and_wait_until_blocked()
    other.join()
    assert repair() == 1
    assert listed(row)


def test_a_service_moved_while_its_old_organization_is_retired_is_repaired(make_provider):
    row = make_provider()
    old = row.service.organization
    new = make_provider(name="Published").service.organization
    other = Concurrent(lambda: Organization.objects.filter(pk=old.pk).update(status=Status.RETIRED))
    with transaction.atomic():
        Service.objects.filter(pk=row.service_id).update(organization=new)
        other.start_and_wait_until_blocked()
    other.join()
    assert repair() == 1
    assert listed(row)


def test_a_listing_added_while_its_service_is_published_is_repaired(make_provider):
    template = make_provider(service_status=Status.DRAFT)
    service, location = template.service, template.location
    template.delete()
    other = Concurrent(
        lambda: Service.objects.filter(pk=service.pk).update(status=Status.PUBLISHED)
    )
    with transaction.atomic():
        row = ServiceAtLocation.objects.create(service=service, location=location)
        other.start_and_wait_until_blocked()
    other.join()
    assert repair() == 1
    assert listed(row)


def test_a_listing_added_while_its_place_is_made_confidential_loses_the_real_point(make_provider):
    """The search measures from the copy: left at the real point, a shelter's distances
    could be read back to it."""
    template = make_provider()
    service, location = template.service, template.location
    template.delete()
    other = Concurrent(
        lambda: Location.objects.filter(pk=location.pk).update(address_confidential=True)
    )
    with transaction.atomic():
        row = ServiceAtLocation.objects.create(service=service, location=location)
        other.start_and_wait_until_blocked()
    other.join()
    assert repair() == 1
    row.refresh_from_db()
    location.refresh_from_db()
    assert (row.search_lat, row.search_lng) == pytest.approx(location.search_point, abs=1e-9)
    assert (row.search_lat, row.search_lng) != (location.latitude, location.longitude)


def after_migrate():
    on_post_migrate(sender=None, using="default")


@pytest.mark.parametrize("repairing", [repair, after_migrate], ids=["repair", "migrate"])
def test_a_repair_running_while_a_shelter_is_made_confidential_never_writes_its_real_point(
    make_provider, repairing
):
    """Waiting for the editor's row, the repair wrote what its snapshot saw from before the
    edit: the shelter's real point, until the next run (attacker review); so did a migrate
    (second attacker review)."""
    row = make_provider(services=("legal-assistance",))
    with connection.cursor() as cursor:  # wrong for another reason: the repair reads this row
        cursor.execute(f"UPDATE {ServiceAtLocation._meta.db_table} SET search_types = ''")
    other = Concurrent(repairing)
    with transaction.atomic():
        Location.objects.filter(pk=row.location_id).update(address_confidential=True)
        other.start_and_wait_until_blocked()
    other.join()
    location = Location.objects.get(pk=row.location_id)
    row.refresh_from_db()
    assert (row.search_lat, row.search_lng) == pytest.approx(location.search_point, abs=1e-9)
    if repairing is repair:
        assert repair() == 1  # the row it left for the next run
        assert not other.blocked  # it never waited for an editor
    else:  # a migrate's triggers wait for the editor's table; then it repaired the row
        assert other.blocked
        assert repair() == 0
