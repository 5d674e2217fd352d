"""The units the caller may see: GET /api/units (registering one is the `unit` op: routes_records.py)."""

from typing import Any

from fastapi import APIRouter

from . import schemas
from .deps import PROBLEMS, CallerDep, ServerDep

router = APIRouter(responses=PROBLEMS)


@router.get("/api/units", response_model=list[schemas.UnitOut], tags=["read"])
def units(caller: CallerDep, server: ServerDep) -> list[dict[str, Any]]:
    return [{"code": c, "name": n, "parent": p} for c, n, p in server.units_for(caller.user)]
