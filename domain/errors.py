"""Errors that name the field they are about."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def unknown_unit(code: str) -> str:
    """What every surface says of a unit code that is not registered."""
    return f"单位「{code}」不存在"


class DomainError(Exception):
    """One or more rule violations, each naming its field (code name; the message starts with the Chinese label)."""

    def __init__(self, *errors: FieldError):
        super().__init__("; ".join(map(str, errors)))
        self.errors = list(errors)

    @classmethod
    def of(cls, field: str, message: str) -> DomainError:
        return cls(FieldError(field, message))
