"""Faster JSON for the event store and line digests (orjson), byte-compatible with the standard library's.

Stored events keep the eventsourcing library's format (custom types as {"_type_": …, "_data_": …}), so the
library's decoder reads them back; anything orjson cannot take (an int beyond 64 bits) falls back to `json`.
"""

from __future__ import annotations

import json
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
    """Sorted keys, no spaces, UTF-8: exactly json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"))."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
