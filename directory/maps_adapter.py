"""Turn result cards into the offline SVG map (directory/maps.py): confidential places get no pin."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.presenters import Card


def pins_for(cards: list[Card]):
    from directory.maps import Pin

    pins = []
    for card in cards:
        point = card.location.public_point  # None when confidential or unknown
        if point is not None and card.number is not None:
            pins.append(
                Pin(lat=point[0], lng=point[1], number=card.number, title=card.organization.name)
            )
    return pins


def results_map(cards: list[Card], *, center: tuple[float, float] | None):
    try:
        from directory.maps import render_map
    except ImportError:  # the map module lands separately; the list works without it
        return None
    pins = pins_for(cards)
    label = ngettext(
        "Map of %(count)d place listed on this page",
        "Map of the %(count)d places listed on this page",
        len(pins),
    ) % {"count": len(pins)}
    return render_map(
        pins=pins, label=label, highlight_center=center, center_title=_("The place you searched")
    )


def provider_map(card: Card):
    try:
        from directory.maps import render_map
    except ImportError:
        return None
    pins = pins_for([card])
    if not pins:
        return None
    return render_map(pins=pins, label=_("Map showing where %(name)s is") % {
        "name": card.organization.name
    })
