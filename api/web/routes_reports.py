"""The year's figures: /api/reports/{unit}/{year} (DOMAIN.md §5), the sources of one figure, and the statutory
deadlines of a unit (/api/deadlines/{unit})."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as FPath

from domain.catalogue import FIRST_YEAR, LAST_YEAR

from ..services import reads
from . import schemas
from .context import context
from .deps import PROBLEMS, AsOf, CallerDep, ServerDep, _as_of

router = APIRouter(responses=PROBLEMS)


@router.get("/api/reports/{unit}/{year}", response_model=schemas.ReportOut, tags=["read"])
def report(
    unit: str,
    year: Annotated[int, FPath(ge=FIRST_YEAR, le=LAST_YEAR)],
    caller: CallerDep,
    server: ServerDep,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """The year's figures (DOMAIN.md §5), with the previous year, sources, checks and the log's root."""
    return reads.report(context(server), caller.user, unit, year, _as_of(as_of)).to_json()


@router.get("/api/reports/{unit}/{year}/figures/{figure}", response_model=list[schemas.SourceOut], tags=["read"])
def explain(
    unit: str,
    year: Annotated[int, FPath(ge=FIRST_YEAR, le=LAST_YEAR)],
    figure: str,
    caller: CallerDep,
    server: ServerDep,
    as_of: AsOf = None,
) -> list[dict[str, Any]]:
    """The activities behind one figure, with what each contributes."""
    return reads.explain(context(server), caller.user, figure, unit, year, _as_of(as_of))


@router.get("/api/deadlines/{unit}", tags=["read"])
def deadlines(
    unit: str, caller: CallerDep, server: ServerDep, within: Annotated[int, Query(ge=0, le=365)] = 14
) -> list[dict[str, Any]]:
    """Statutory duties not yet discharged, with their due dates on the official calendar."""
    return [d.to_json() for d in reads.deadlines(context(server), caller.user, unit, within=within).items]
