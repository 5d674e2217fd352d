"""The one place the web maps a service's refusal kind to an HTTP status."""

from __future__ import annotations

from ..services.refusals import Kind, Refused

STATUS: dict[Kind, int] = {
    "invalid": 422,
    "not_found": 404,
    "forbidden": 403,
    "conflict": 409,
    "throttled": 429,
    "unauthenticated": 401,
}


def status_of(e: Refused) -> int:
    return STATUS[e.kind]
