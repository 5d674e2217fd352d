"""The audit page (`/audit`): verification, seals, late entries, corrections and voids; sealing a year."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.catalogue import FIRST_YEAR, KINDS, LAST_YEAR, YEARS_MESSAGE
from projections.figures import BY_ID, SEAL_SUMMARY

from ..services import access
from ..services import audit as audit_service
from ..services.refusals import Refused
from .context import context
from .page_kit import pick_unit, posted, redirect, render, server_of, texts, viewer, years

router = APIRouter()
AMENDMENTS = {"correct": "更正", "void": "作废活动", "void_step": "作废步骤"}


@router.get("/audit")
def audit(request: Request, unit: str | None = None, year: str = "", job: str = "") -> Response:
    caller = viewer(request)
    access.require_auditor(context(server_of(request)), caller.user)
    server = server_of(request)
    code, units = pick_unit(server, caller, unit)
    year_n = int(year) if year.isdigit() else None
    trail = audit_service.audit_trail(context(server), caller.user, code, year_n)
    for row in trail["amendments"]:
        row["label"] = AMENDMENTS.get(row["etype"], row["etype"])
        row["kind_label"] = KINDS[row["kind"]].label if row.get("kind") in KINDS else ""
    scope = {c for c, _, _ in units}
    jobs = server.verifications
    shown = jobs.get(context(server), caller.user, job) if job else jobs.latest(context(server), caller.user)
    return render(
        request,
        caller,
        "audit.html",
        unit=code,
        units=units,
        year=year,
        years=years(server),
        seals=[s for s in audit_service.seals(context(server), caller.user) if s["unit"] in scope],
        unit_names={c: n for c, n, _ in units},
        last_year=server.ledger.today().year - 1,
        late=trail["late"],
        amendments=trail["amendments"],
        job=shown,
        late_label=BY_ID["audit.late_entries"].label,
        query=urlencode({"unit": code, "year": year}),
    )


@router.post("/audit/verify")
async def verify(request: Request) -> Response:
    """Start verifying in the background and show its progress on the audit page."""
    caller, form = await posted(request)
    values = texts(form)
    started = server_of(request).verifications.start(context(server_of(request)), caller.user)
    query = {"unit": values.get("unit", ""), "year": values.get("year", ""), "job": started.id}
    return redirect("/audit?" + urlencode(query))


@router.post("/audit/seal")
async def seal(request: Request) -> Response:
    """Seal in two steps: the form names the unit and year (default last year, the current one is not over);
    a confirmation shows what will be frozen; only the confirmed form seals."""
    caller, form = await posted(request)
    access.require_admin(caller.user)
    values = texts(form)
    server = server_of(request)
    unit = values.get("unit", "")
    year = int(values["year"]) if values.get("year", "").isdigit() else 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Refused("invalid", YEARS_MESSAGE)
    ctx = context(server)
    if values.get("confirm") != "1":
        from ..services import reads

        report = reads.report(ctx, caller.user, unit, year, None)
        shown = [(report.figures[f].label, report.figures[f].value) for f in SEAL_SUMMARY]
        activities = len({s for f in report.figures.values() for s in f.sources})
        earlier = [s for s in audit_service.seals(ctx, caller.user) if s["unit"] == unit and s["year"] == year]
        return render(
            request,
            caller,
            "seal_confirm.html",
            unit=unit,
            unit_name=report.unit_name,
            year=year,
            report=report,
            shown=shown,
            activities=activities,
            earlier=earlier,
            current_year=year >= server.ledger.today().year,
        )
    audit_service.seal(ctx, caller.user, unit, year)
    return redirect("/audit?" + urlencode({"unit": unit, "done": "sealed"}))
