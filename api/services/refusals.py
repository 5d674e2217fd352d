"""A request the services will not do, and why; its kind is all an edge needs to choose a status or exit code."""

from __future__ import annotations

from typing import Any, Literal

from domain.errors import DomainError, unknown_unit

Kind = Literal["not_found", "forbidden", "invalid", "conflict", "throttled", "unauthenticated"]
KINDS: tuple[Kind, ...] = ("not_found", "forbidden", "invalid", "conflict", "throttled", "unauthenticated")


class Refused(Exception):
    """`errors` name the line and field at fault ({"line", "field", "message"}, and "where" for files);
    `current_version` is the activity's version when an expected one did not match (kind "conflict")."""

    def __init__(
        self,
        kind: Kind,
        detail: str,
        errors: list[dict[str, Any]] | None = None,
        current_version: int | None = None,
        field: str | None = None,
    ) -> None:
        assert kind in KINDS, kind
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.errors = errors or []
        self.current_version = current_version
        self.field = field  # the argument at fault, for the command line's "field: message"

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail, "errors": self.errors, "current_version": self.current_version}


def invalid(e: DomainError) -> Refused:
    errors = [{"line": None, "field": fe.field, "message": fe.message} for fe in e.errors]
    return Refused("invalid", "；".join(fe.message for fe in e.errors), errors)


def no_unit(unit: str) -> Refused:
    return Refused("not_found", unknown_unit(unit), field="unit")


def field_problem(field: str, message: str, detail: str | None = None) -> Refused:
    """An invalid request whose fault is one named field (no line)."""
    return Refused("invalid", detail or message, [{"line": None, "field": field, "message": message}])
