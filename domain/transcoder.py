"""Faster JSON for the event store and line digests (orjson), byte-compatible with the standard library's.

Stored events keep the eventsourcing library's format (custom types as {"_type_": …, "_data_": …}), so the
library's decoder reads them back; anything orjson cannot take (an int beyond 64 bits) falls back to `json`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder

_EVENT_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS


class FastJSONTranscoder(JSONTranscoder):
    def encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(obj, default=self._encode_obj, option=_EVENT_OPTIONS)
        except (orjson.JSONEncodeError, TypeError):
            return super().encode(obj)


def canonical(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: exactly json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":")).

    A decimal (a JSON number with a fraction, read exactly: DOMAIN.md §7.1) is written as the text it was read
    from, so a line's digest depends on its text alone."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        numbers: list[str] = []
        marked = _mark_decimals(value, numbers)
        text = json.dumps(marked, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        for i, number in enumerate(numbers):
            text = text.replace(json.dumps(f"{_MARK}{i}{_MARK}"), number, 1)
        return text.encode()


_MARK = "\x00"  # cannot occur unescaped in a JSON text: marks where a decimal goes


def _mark_decimals(value: Any, numbers: list[str]) -> Any:
    if isinstance(value, Decimal):
        numbers.append(getattr(value, "text", None) or str(value))
        return f"{_MARK}{len(numbers) - 1}{_MARK}"
    if isinstance(value, dict):
        return {k: _mark_decimals(v, numbers) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mark_decimals(v, numbers) for v in value]
    return value
