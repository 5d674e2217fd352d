"""Deterministic aggregate ids: the same unit, ref or line id always names the same aggregate."""

from uuid import UUID, uuid5

NAMESPACE = UUID("6f1d3c52-6a0e-4b8e-9d62-7a2f2b1c7e10")


def unit_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"unit/{code}")


def activity_id(unit: str, ref: str) -> UUID:
    return uuid5(NAMESPACE, f"activity/{unit}/{ref}")


def receipt_id(line_id: str) -> UUID:
    return uuid5(NAMESPACE, f"line/{line_id}")
