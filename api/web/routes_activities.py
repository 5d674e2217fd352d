"""Reading activities: one activity (/api/activity), its history (/api/history), the ledger list (/api/activities)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from domain.catalogue import FIRST_YEAR, LAST_YEAR

from ..services import reads
from . import schemas
from .context import context
from .deps import PROBLEMS, CallerDep, ServerDep

router = APIRouter(responses=PROBLEMS)


@router.get("/api/activity", response_model=schemas.ActivityOut, tags=["read"])
def activity(unit: str, ref: str, response: Response, caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """One activity as it stands now; its ETag is the version to send as If-Match."""
    found = reads.activity(context(server), caller.user, unit, ref)
    response.headers["ETag"] = f'"{found["version"]}"'
    return found


@router.get("/api/history", response_model=list[schemas.HistoryEntry], tags=["read"])
def history(unit: str, ref: str, caller: CallerDep, server: ServerDep) -> list[dict[str, Any]]:
    """Every event of one activity: when, by whom, what changed (old → new), why."""
    return reads.labelled_history(context(server), caller.user, unit, ref)


@router.get("/api/activities", tags=["read"])
def activities(
    unit: str,
    caller: CallerDep,
    server: ServerDep,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
    kind: str | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """The ledger list: the unit's and its descendants' activities, newest first."""
    found = reads.listing(context(server), caller.user, unit, year, kind, q, page, size)
    return {"total": found.total, "page": found.page, "size": found.size, "pages": found.pages, "rows": found.rows}
