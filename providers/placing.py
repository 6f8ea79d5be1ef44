"""Placing an address for the admin and for accepted suggestions, with the offline geocoder.

One seam, so both paths place addresses the same way (and tests can stand in for it).
"""

from providers.geocode import Place, geocode_address, timezone_for


def place_address(*, street: str, city: str, state: str, postcode: str) -> Place | None:
    """The geocoder's Place for an address, or None when it cannot be placed offline."""
    if not any((street, city, postcode)):
        return None
    return geocode_address(street=street, city=city, state=state, postcode=postcode)


def timezone_at(*, lat: float, lng: float) -> str:
    return timezone_for(lat=lat, lng=lng)
