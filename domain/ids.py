"""Deterministic aggregate ids: the same unit, ref or line id always names the same aggregate."""

from functools import lru_cache
from uuid import UUID, uuid5

NAMESPACE = UUID("6f1d3c52-6a0e-4b8e-9d62-7a2f2b1c7e10")


@lru_cache(maxsize=1 << 16)
def unit_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"unit/{code}")


@lru_cache(maxsize=1 << 16)
def activity_id(unit: str, ref: str) -> UUID:
    return uuid5(NAMESPACE, f"activity/{unit}/{ref}")


@lru_cache(maxsize=1 << 16)
def receipt_id(line_id: str) -> UUID:
    return uuid5(NAMESPACE, f"line/{line_id}")


@lru_cache(maxsize=1 << 12)
def signing_key_id(unit: str) -> UUID:
    return uuid5(NAMESPACE, f"signing-key/{unit}")


@lru_cache(maxsize=1 << 12)
def declaration_id(unit: str, code: str) -> UUID:
    return uuid5(NAMESPACE, f"figure/{unit}/{code}")
