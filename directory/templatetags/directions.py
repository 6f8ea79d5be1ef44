"""`{{ location|directions_uri:request }}`: the provider page's "Directions" link."""

from django import template

from directory.directions import directions_uri as _directions_uri

register = template.Library()


@register.filter
def directions_uri(location: dict, request=None) -> str:
    return _directions_uri(location, request)
