"""The "Directions" link of a listing: hands its address to the device's own maps app."""

from urllib.parse import quote

# Apple's devices open `maps:` links in Apple Maps; they ignore `geo:` (RFC 5870), which
# Android and others open in the maps app the person chose. iPads ask as a Mac.
APPLE_DEVICES = ("iPhone", "iPad", "iPod", "Macintosh")


def directions_uri(location: dict, request=None) -> str:
    """A `geo:`/`maps:` link to the listed street address, opened only when tapped: we never
    fetch it and no map site is named. Empty without a street (confidential or remote).

    The request's User-Agent picks the scheme (the provider page's filter passes it).
    """
    if (
        location.get("address_confidential")
        or location.get("kind") == "remote"
        or not location.get("address_1")
    ):
        return ""
    region = f"{location.get('state') or ''} {location.get('postcode') or ''}".strip()
    parts = (location["address_1"], location.get("city"), region)
    address = quote(", ".join(part for part in parts if part), safe="")
    headers = getattr(request, "headers", None)  # no request: a page rendered without one
    agent = headers.get("User-Agent", "") if headers is not None else ""
    if any(device in agent for device in APPLE_DEVICES):
        return f"maps://?daddr={address}"
    return f"geo:0,0?q={address}"


def add_directions(cards: list, request) -> None:
    """Give each result card its link once in the view (`card.directions`): a template filter
    per card cost ~90 µs, more than the rest of a card's placing."""
    for card in cards:
        card.directions = directions_uri(card.location, request)
