"""Placing imported locations: checked coordinates, or the offline geocoder from the ZIP (or
city and state), flagged approximate; and the time zone from the position. No network."""

from dataclasses import dataclass

from providers.geometry import haversine_mi

DEFAULT_TIMEZONE = "America/New_York"
# Given coordinates farther than this from the location's own ZIP (or city) are wrong (swapped
# signs, another office's point, a default of the export tool): the geocoded point is used.
FAR_FROM_OWN_PLACE_MI = 25.0


@dataclass(frozen=True, slots=True)
class Placed:
    lat: float
    lng: float
    approximate: bool
    timezone: str
    how: str  # "given" or "geocoded from ZIP 10001", for the report
    moved: bool = False  # given coordinates were far from the location's own place


class Placer:
    """Wraps providers.geocode with caches (a package repeats the same ZIPs and cities)."""

    def __init__(self) -> None:
        # providers.placing is the one seam the admin and suggestions place addresses through.
        from providers import placing

        self._placing = placing
        self._places: dict[tuple, object] = {}
        self._zones: dict[tuple, str] = {}

    def timezone(self, *, lat: float, lng: float) -> str:
        key = (round(lat, 2), round(lng, 2))
        if key not in self._zones:
            try:
                zone = self._placing.timezone_at(lat=lat, lng=lng)
            except Exception:  # noqa: BLE001 - an odd point must not stop an import
                zone = ""
            self._zones[key] = zone or DEFAULT_TIMEZONE
        return self._zones[key]

    def geocode(self, *, street: str, city: str, state: str, postcode: str):
        key = (city.lower(), state, postcode[:5])
        if key not in self._places:
            place = None
            if postcode or (city and state):
                try:
                    place = self._placing.place_address(
                        street=street, city=city, state=state, postcode=postcode[:5]
                    )
                except Exception:  # noqa: BLE001 - treated as "cannot be placed", reported
                    place = None
            self._places[key] = place
        return self._places[key]

    def place(self, *, lat, lng, street: str, city: str, state: str, postcode: str):
        """A Placed, or None when the location cannot be put on the map."""
        place = self.geocode(street=street, city=city, state=state, postcode=postcode)
        if lat is not None and lng is not None:
            off_mi = (
                haversine_mi(lat1=lat, lng1=lng, lat2=place.lat, lng2=place.lng) if place else 0
            )
            if off_mi <= FAR_FROM_OWN_PLACE_MI:
                return Placed(lat, lng, False, self.timezone(lat=lat, lng=lng), "given")
        if place is None:
            return None
        label = (
            f"ZIP {postcode[:5]}"
            if getattr(place, "kind", "") == "zip"
            else (getattr(place, "label", "") or f"{city}, {state}")
        )
        zone = getattr(place, "timezone", "") or self.timezone(lat=place.lat, lng=place.lng)
        if lat is not None and lng is not None:
            how = (
                f"coordinates {lat:.4f}, {lng:.4f} are {off_mi:.0f} mi from {label}: "
                f"placed at {label} instead (approximate)"
            )
            return Placed(place.lat, place.lng, True, zone, how, moved=True)
        return Placed(place.lat, place.lng, True, zone, f"placed at {label} (approximate)")
