"""The ledger list (`/ledger`): a unit's and its descendants' activities by year, kind and text, a page at a time."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.catalogue import KINDS

from ..services import reads
from ..services.refusals import Refused
from .context import context
from .page_kit import check_year, pick_unit, render, server_of, viewer, years

router = APIRouter()
PAGE_SIZE = 30

MAX_PAGE = 100_000  # as the API's /activities: far beyond any ledger, and an offset DuckDB can take


@router.get("/ledger")
def ledger(
    request: Request,
    unit: str | None = None,
    year: str = "",
    kind: str = "",
    q: str = "",
    page: int = 1,
) -> Response:
    caller = viewer(request)
    server = server_of(request)
    code, units = pick_unit(server, caller, unit)
    if page > MAX_PAGE:
        message = f"页码：须为 1–{MAX_PAGE:,} 之间的整数"
        raise Refused("invalid", message, [{"line": None, "field": "page", "message": message}])
    year_n = int(year) if year.isdigit() else None
    if year_n is not None:
        check_year(year_n)
    found = reads.listing(
        context(server), caller.user, code, year_n, kind or None, q[:100] or None, max(page, 1), PAGE_SIZE
    )
    query = {"unit": code, "year": year, "kind": kind, "q": q}

    def page_url(n: int) -> str:
        return "/ledger?" + urlencode({**query, "page": n})

    return render(
        request,
        caller,
        "ledger.html",
        unit=code,
        units=units,
        year=year,
        kind=kind,
        q=q,
        years=years(server),
        kinds=[(k.code, k.label) for k in KINDS.values()],
        found=found,
        page_url=page_url,
    )
