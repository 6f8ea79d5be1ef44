"""Result cards to the offline SVG map (providers/maps.py): confidential places get no pin."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.presenters import Card
from providers.maps import Pin, pins_json, render_map


@dataclass
class MapView:
    svg: SafeString
    pins_json: str  # only read by the optional maps (MAP_VECTOR_STYLE_URL, MAP_TILE_URL)
    pin_count: int


def pins_for(cards: list[Card]) -> list[Pin]:
    pins = []
    for card in cards:
        lat, lng = card.location["lat"], card.location["lng"]  # None when confidential
        if lat is not None and lng is not None and card.number is not None:
            pins.append(Pin(lat=lat, lng=lng, number=card.number, title=card.organization["name"]))
    return pins


def _view(pins: list[Pin], svg: SafeString) -> MapView:
    return MapView(
        svg=svg,
        pins_json=pins_json(pins) if settings.MAP_VECTOR_STYLE_URL or settings.MAP_TILE_URL else "",
        pin_count=len(pins),
    )


def results_map(cards: list[Card], *, center: tuple[float, float] | None) -> MapView:
    pins = pins_for(cards)
    label = ngettext(
        "Map of %(count)d place listed on this page",
        "Map of the %(count)d places listed on this page",
        len(pins),
    ) % {"count": len(pins)}
    svg = render_map(
        pins=pins,
        label=label,
        highlight_center=center,
        center_title=_("The place you searched"),
        link_pins=True,
    )
    return _view(pins, svg)


def provider_map(card: Card) -> MapView | None:
    pins = pins_for([card])
    if not pins:
        return None
    label = _("Map showing where %(name)s is") % {"name": card.organization["name"]}
    return _view(pins, render_map(pins=pins, label=label))
