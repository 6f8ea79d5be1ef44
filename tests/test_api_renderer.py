"""The API's JSON renderer (orjson) writes what DRF's JSONRenderer would."""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy, override
from rest_framework.renderers import JSONRenderer

from api.base import FastJSONRenderer, GeoJSONRenderer

DATA = {
    "label": gettext_lazy(
        "Call or text a national hotline below: they can connect you with local help."
    ),
    "amount": Decimal("1.50"),
    "when": datetime(2025, 3, 3, 19, 30, tzinfo=UTC),
    "day": date(2025, 3, 3),
    "opens": time(9, 30),
    "id": uuid.UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    "rows": [
        {
            "miles": 1.25,
            "lat": 40.7484,
            "big": 1e22,
            "none": None,
            "text": "Línea – 24/7 \u2028 \u2029 \U0001f4de",
            "ok": True,
        }
    ],
    7: "a number as a key",
}


def test_the_same_json_as_drf():
    with override("es"):
        fast = FastJSONRenderer().render(DATA)
        reference = JSONRenderer().render(DATA)
    assert fast == reference  # byte for byte
    assert json.loads(fast) == json.loads(reference)
    assert json.loads(fast)["label"].startswith("Llame o envíe")
    assert json.loads(fast)["when"] == "2025-03-03T19:30:00Z"
    assert fast.startswith(b'{"label":"Llame') and b'"amount":1.5,' in fast  # compact


def test_indented_output_on_request_and_nothing_for_none():
    indented = FastJSONRenderer().render({"a": [1]}, "application/json; indent=2", {"indent": None})
    assert indented == JSONRenderer().render({"a": [1]}, "application/json; indent=2", {})
    assert FastJSONRenderer().render(None) == b""


def test_what_neither_knows_fails_loudly():
    @dataclass
    class Opaque:
        value: int

    with pytest.raises(TypeError):
        GeoJSONRenderer().render({"x": Opaque(1)})


def test_floats_may_be_spelled_otherwise_but_are_equal():
    fast, reference = FastJSONRenderer().render([1e-07]), JSONRenderer().render([1e-07])
    assert (fast, reference) == (b"[1e-7]", b"[1e-07]")
    assert json.loads(fast) == json.loads(reference)


def test_not_a_number_is_null_not_a_failure():
    assert FastJSONRenderer().render({"x": float("nan")}) == b'{"x":null}'
