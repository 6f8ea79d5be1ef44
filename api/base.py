"""What every API view shares: JSON renderers, a 400 for an unknown `format`, and ETags."""

import hashlib
import json

import orjson
from django.utils.cache import get_conditional_response, patch_cache_control
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

_ENCODER = JSONEncoder()
# Datetimes and dataclasses as DRF writes them ("Z" for UTC; no dataclass magic).
_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


class FastJSONRenderer(JSONRenderer):
    """DRF's JSONRenderer written by orjson, about ten times faster: the same compact UTF-8
    JSON (U+2028 and U+2029 escaped as DRF does, for pages that embed it in a script), byte
    for byte but for the spelling of some floats (1e-7 for 1e-07, the same number). What
    orjson does not know natively (lazy translations, Decimal, datetimes as DRF writes them)
    goes through DRF's own encoder. A NaN or infinite float becomes null, where DRF's
    renderer fails the request. A request for indented output
    (`Accept: application/json; indent=2`) takes DRF's path."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        body = orjson.dumps(data, default=_ENCODER.default, option=_OPTIONS)
        return body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")


class GeoJSONRenderer(FastJSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class NDJSONRenderer(JSONRenderer):
    """One JSON object a line (HSDS `format=ndjson`); views stream it themselves."""

    media_type = "application/x-ndjson"
    format = "ndjson"


class FormatNegotiation(DefaultContentNegotiation):
    """Every view's content negotiation (REST_FRAMEWORK's default): an unknown `?format=` is
    a 400 naming the formats the view answers in, where DRF answers a bare 404 ("Not found"),
    which reads as a missing page."""

    def filter_renderers(self, renderers, format):
        found = [renderer for renderer in renderers if renderer.format == format]
        if not found:
            formats = ", ".join(dict.fromkeys(renderer.format for renderer in renderers))
            raise ValidationError({"format": [f"Unknown format: use one of {formats}."]})
        return found


class ApiViewMixin:
    """JSON only (no browsable API: it would render forms listing every organization)."""

    renderer_classes = [FastJSONRenderer]
    # A search names the searched place (in its URL, often in its body): no copy is kept.
    no_store = False

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.no_store:
            patch_cache_control(response, no_store=True, private=True)
        if isinstance(response, Response):
            response.add_post_render_callback(_let_go)
        return response


def _let_go(response: Response) -> None:
    """Once the body is rendered, the response lets go of its data and of the view: the view
    refers to the response, and the response (its renderer context) to the view, so a
    search's listings (about 450 objects) waited in that cycle for the cycle collector.
    So `response.data` is None after a request: tests read the body (`response.json()`)."""
    response.data = None
    response.renderer_context = None


def conditional_response(request, data) -> Response:
    """A 200 with a strong ETag of the content, or a 304 when the client has it already.

    The tag is a hash of the response body, so a change anywhere (phones, hours) changes it,
    which a Last-Modified from one row's `updated_at` would miss.
    """
    body = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:40] + '"'
    not_modified = get_conditional_response(request, etag=etag)
    response = not_modified if not_modified is not None else Response(data)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response
