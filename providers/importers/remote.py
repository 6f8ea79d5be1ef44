"""Services reached by phone or online whose package gives no street (national hotlines, web
services): imported as remote services with a service area, not refused and not pinned to a
mailing address. The area: the package's own service areas, else the state of the address
given, else nationwide for a toll-free number. A physical address with a ZIP
but no street is a place near that ZIP (placed at its centre, labelled approximate), not a
remote service: a remote one with no area could be found by no search by place."""

import re
from collections import defaultdict

from providers.importers import normalise as norm
from providers.importers.hsds_lookups import first
from providers.models import ServiceArea

TOLL_FREE_PREFIXES = {"800", "833", "844", "855", "866", "877", "888"}


def is_toll_free(number: str) -> bool:
    digits = re.sub(r"\D", "", number or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return len(digits) == 10 and digits[:3] in TOLL_FREE_PREFIXES


class RemoteServices:
    """Read before the main tables: which locations have no street but are reached by phone
    or online, and the area each of their services serves."""

    def __init__(self, imp) -> None:
        self.imp = imp
        self.service_locations: dict[str, list[str]] = defaultdict(list)
        for _, _, _, service, location, _ in imp.pairs:
            self.service_locations[service].append(location)
        self.reached: set[tuple[str, str]] = set()  # ("service" | "location" | ..., id)
        self.toll_free: set[tuple[str, str]] = set()
        for _, r in imp.pkg.rows("phones.csv"):
            if norm.is_empty(r.get("number")) or (r.get("type") or "").strip().lower() == "fax":
                continue
            sal = r.get("service_at_location_id", "").strip()
            for key in (
                ("service", r.get("service_id", "").strip() or imp.sal_service.get(sal, "")),
                ("location", r.get("location_id", "").strip()),
                ("organization", r.get("organization_id", "").strip()),
            ):
                if key[1]:
                    self.reached.add(key)
                    if is_toll_free(r.get("number")):
                        self.toll_free.add(key)
        self.service_org: dict[str, str] = {}  # service id -> organization id
        for table, kind in (("services.csv", "service"), ("organizations.csv", "organization")):
            for _, r in imp.pkg.rows(table):
                sid = r.get("id", "").strip()
                if not norm.is_empty(first(r, "url", "website")):
                    self.reached.add((kind, sid))
                if kind == "service":
                    self.service_org[sid] = r.get("organization_id", "").strip()
        self.streetless: dict[str, tuple[str, str]] = {}  # location id -> (state, org id)
        self.org_states: dict[str, set[str]] = defaultdict(set)  # where an org's places are
        for _, r in imp.pkg.rows("locations.csv"):
            self._read_location(r)

    def _read_location(self, r: dict) -> None:
        sid = r.get("id", "").strip()
        kind = (r.get("location_type") or "").strip().lower()
        address = self.imp.addresses.get(sid)
        if address:
            street, state = (address[1] if address[0] == 0 else ""), address[4]
            if address[0] == 0 and norm.is_empty(street) and not norm.is_empty(address[5]):
                # a physical address with only a ZIP: a place near that ZIP (approximate)
                street = address[5]
        else:
            street, state = (
                first(r, "address_1", "address", "street"),
                first(r, "state_province", "state"),
            )
        confidential = (
            sid in self.imp.confidential_locations
            or kind == "redacted"
            or norm.boolean(r.get("address_confidential")) is True
        )
        given = not (norm.is_empty(r.get("latitude")) and norm.is_empty(r.get("longitude")))
        if not norm.is_empty(street) or confidential or given:
            # a place to visit (coordinates, even wrong ones, say the source meant one)
            if norm.state(state)[0]:
                self.org_states[r.get("organization_id", "").strip()].add(norm.state(state)[0])
            return
        self.streetless[sid] = (norm.state(state)[0], r.get("organization_id", "").strip())

    def _keys(self, location: str) -> list[tuple[str, str]]:
        _, org = self.streetless[location]
        services = self.imp.location_services.get(location, [])
        return [("location", location), ("organization", org)] + [("service", s) for s in services]

    def is_remote(self, location: str) -> bool:
        """True for a location with no street whose services can be reached anyway."""
        return location in self.streetless and any(
            key in self.reached for key in self._keys(location)
        )

    def without_location(self, service: str) -> bool:
        """True for a service the package places nowhere but that can be reached by phone or
        online: it is imported as a remote service (it would not be found otherwise)."""
        org = self.service_org.get(service, "")
        return not self.service_locations.get(service) and (
            ("service", service) in self.reached or ("organization", org) in self.reached
        )

    def area_for(self, service: str) -> dict | None:
        """The area a service at remote locations only serves, or None (local)."""
        locations = self.service_locations.get(service, [])
        if self.without_location(service):
            # No place of its own: the states where its organization has places, else
            # nationwide for a toll-free number.
            org = self.service_org.get(service, "")
            states = sorted(self.org_states.get(org, ()))
            if states:
                return {"service_area": ServiceArea.STATES, "service_area_states": states}
            if {("service", service), ("organization", org)} & self.toll_free:
                return {"service_area": ServiceArea.NATIONWIDE}
            return None
        if not locations or not all(self.is_remote(loc) for loc in locations):
            return None
        states = sorted({self.streetless[loc][0] for loc in locations} - {""})
        if states:
            return {"service_area": ServiceArea.STATES, "service_area_states": states}
        keys = [("service", service)] + [key for loc in locations for key in self._keys(loc)]
        if any(key in self.toll_free for key in keys):
            return {"service_area": ServiceArea.NATIONWIDE}
        return None
