"""The dashboard (`/`): the unit's key figures of the year, deadlines due, recent entries; an admin on a ledger
with no unit yet is taken to the guided setup (`/setup`, page_units.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from projections.figures import DASHBOARD

from ..services import reads
from ..services.refusals import Refused
from . import page_entry, page_units
from .context import context
from .page_kit import pick_unit, redirect, render, server_of, viewer
from .refusals import status_of

router = APIRouter()

KEY_FIGURES = DASHBOARD  # the dashboard's key figures (declared in projections/figures.py)


@router.get("/")
def dashboard(request: Request, unit: str | None = None) -> Response:
    caller = viewer(request)
    server = server_of(request)
    try:
        code, units = pick_unit(server, caller, unit)
    except Refused as e:
        # The first start: an admin on a ledger with no unit is taken to the guided setup, not a dead end.
        if status_of(e) == 403 and page_units.needs_setup(request, caller.user):
            return redirect("/setup")
        # An administrator of 三员分立 reads no ledger: their own work is their start page.
        home = {"sysadmin": "/users", "secadmin": "/users", "auditadmin": "/access-log"}.get(caller.user.role)
        if status_of(e) == 403 and home is not None:
            return redirect(home)
        raise
    year = server.ledger.today().year
    report = reads.report(context(server), caller.user, code, year, None)
    figures = [(fid, report.figures[fid]) for fid in KEY_FIGURES]
    due = [
        d.to_json()
        for d in reads.deadlines(context(server), caller.user, code).items
        if d.status in ("overdue", "due_soon")
    ]
    return render(
        request,
        caller,
        "dashboard.html",
        unit=code,
        units=units,
        year=year,
        report=report,
        figures=figures,
        deadlines=due,
        recent=reads.recent(context(server), caller.user, code),
        writable=server.may_write(caller.user, code),
        kinds=page_entry.kinds(),
    )
