"""The audit page (verification, seals, late entries, corrections and voids) and the users page (admins)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.catalogue import FIRST_YEAR, KINDS, LAST_YEAR, YEARS_MESSAGE
from domain.user import ROLES
from projections.figures import BY_ID

from ..services import access
from ..services import audit as audit_service
from ..services import users as users_service
from ..services.refusals import Refused
from .context import context
from .page_kit import pick_unit, posted, redirect, render, server_of, texts, viewer
from .page_report import years
from .refusals import status_of

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
# The figures a seal's confirmation names, so the admin sees what is about to be frozen.
SEAL_SUMMARY = ("study.sessions", "publicity.events", "petition.received", "case.handled", "normdoc.reviewed")


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


# ---- users ----


def _users_page(request: Request, status: int = 200, **extra: Any) -> Response:
    caller = viewer(request)
    access.require_any_duty(caller.user, "users", "roles")  # r15: 三员分立 (domain/access.py DUTIES)
    server = server_of(request)
    return render(
        request,
        caller,
        "users.html",
        status,
        users=server.ledger.users(),
        roles=ROLES,
        units=server.units_for(caller.user),
        **{"shown_password": None, "errors": {}, "values": {}, **extra},
    )


@router.get("/users")
def users(request: Request) -> Response:
    return _users_page(request)


def _units(form: Any) -> list[str]:
    return [str(u) for u in form.getlist("units") if str(u).strip()]


@router.post("/users/new")
async def create_user(request: Request) -> Response:
    caller, form = await posted(request)
    values = texts(form)
    username = values.get("username", "").strip().lower()
    try:
        password = users_service.create_user(
            context(server_of(request)),
            caller.user,
            username,
            values.get("display_name", ""),
            values.get("role", ""),
            _units(form),
        )
    except Refused as e:
        if status_of(e) != 422:
            raise
        errors = {str(x["field"]): x["message"] for x in e.errors}
        return _users_page(request, 422, errors=errors, values=values)
    return _users_page(request, 201, shown_password=(username, password))


@router.post("/users/change")
async def change_user(request: Request) -> Response:
    caller, form = await posted(request)
    values = texts(form)
    changes = {"role": values.get("role"), "units": _units(form), "disabled": values.get("disabled") == "on"}
    try:
        users_service.change_user(context(server_of(request)), caller.user, values.get("username", ""), changes)
    except Refused as e:
        if status_of(e) != 422:
            raise
        return _users_page(request, 422, errors={"change": e.detail})
    return redirect("/users?done=user")


@router.post("/users/reset")
async def reset(request: Request) -> Response:
    caller, form = await posted(request)
    username = texts(form).get("username", "")
    password = users_service.reset_password(context(server_of(request)), caller.user, username)
    return _users_page(request, 200, shown_password=(username, password))
