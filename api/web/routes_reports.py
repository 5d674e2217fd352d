"""The year's figures: /api/reports/{unit}/{year} (DOMAIN.md §5), the sources of one figure, and the statutory
deadlines of a unit (/api/deadlines/{unit})."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi import Path as FPath

from domain.catalogue import FIRST_YEAR, LAST_YEAR
from projections.report_model import Report

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
) -> Response:
    """The year's figures (DOMAIN.md §5), with the previous year, sources, checks and the log's root."""
    return Response(body(reads.report(context(server), caller.user, unit, year, _as_of(as_of))), media_type=JSON)


JSON = "application/json"
_STAMP = "\u0000as_of\u0000"  # stands for the instant in the kept body (no report text can hold a NUL)


def body(report: Report) -> bytes:
    """The report as `ReportOut` writes it. A unit's report at one folded log is served many times, each with
    its own `as_of` (readmodel.ReadModel.report): validating and writing its ~1 MB of sources on every read cost
    the CPU the writers needed (issue 13.4), so the body is written once per report and the instant put in."""
    parts = report.memo.get("api")
    if parts is None:
        kept = schemas.ReportOut.model_validate({**report.to_json(), "as_of": _STAMP}).model_dump_json().encode()
        parts = report.memo["api"] = kept.split(json.dumps(_STAMP).encode(), 1)
    return parts[0] + json.dumps(report.as_of).encode() + parts[1]


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
