"""The one rule of what a location shows outside the admin.

A confidential location (a shelter, a safe house) never shows its street, its unit, its ZIP
(a ZIP+4 is often one building) or any point: only its city, state and country. Every output
reads a location through here: the location model's `public_*` properties (which the listing
builder, providers/listings.py, borrows for its `_Source` tuples, and API v1 reads), the
HSDS feed and export (providers/hsds.py) and the flat export. `shared` is the one
exception, for an export package another directory imports: a placeholder street and the
5-digit ZIP, so that directory keeps the location confidential and places it at the ZIP's
centre.

The functions read only a location's address attributes (`address_confidential`,
`address_1`, `address_2`, `postcode`, `latitude`, `longitude`, `coordinates_approximate`),
so they run on a model instance and on the builder's `_Source` of plain columns alike.
"""

from typing import NamedTuple

# What another directory's street field holds for a confidential location (211 exports do
# the same); the importer recognises it.
CONFIDENTIAL_STREET = "Confidential address"


class Shown(NamedTuple):
    """What an output may show of a location's address: "" or None where it must not."""

    address_1: str
    address_2: str
    postcode: str
    point: tuple[float, float] | None


def public_street(location) -> str:
    return "" if location.address_confidential else location.address_1


def public_street_2(location) -> str:
    return "" if location.address_confidential else location.address_2


def public_postcode(location) -> str:
    """The ZIP code, or nothing when confidential (a ZIP+4 is often one building, and a
    small ZIP little more: the city and state are as far as the public gets)."""
    return "" if location.address_confidential else location.postcode


def public_point(location) -> tuple[float, float] | None:
    """Exact (lat, lng) for a map pin, or None when confidential or unknown."""
    if location.address_confidential or location.latitude is None or location.longitude is None:
        return None
    return (location.latitude, location.longitude)


def public_coordinates_approximate(location) -> bool:
    """Whether the shown point is only a ZIP's or town's centre: said only with a point. Of a
    confidential location it would tell a script that recovered its public point (1-2 miles
    off) that the ZIP centres on that ring are the candidates for its hidden ZIP."""
    return bool(public_point(location) and location.coordinates_approximate)


def public(location) -> Shown:
    """What the public sees: pages, API v1, handouts, the HSDS feed, the flat export."""
    return Shown(
        public_street(location),
        public_street_2(location),
        public_postcode(location),
        public_point(location),
    )


def shared(location) -> Shown:
    """What an HSDS export package gives another directory: the public view, and for a
    confidential location with a street, the placeholder street and the 5-digit ZIP (never
    the street, the unit, the ZIP+4 or a point)."""
    if not location.address_confidential:
        return public(location)
    street = CONFIDENTIAL_STREET if location.address_1 else ""
    return Shown(street, "", (location.postcode or "")[:5], None)
