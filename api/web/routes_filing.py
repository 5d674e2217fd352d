"""The JSON API of reporting upward (报送): a filing's status and register, its transitions, publication,
deadlines, late corrections against the approved seal, a superior's progress, and what is due for the caller.
Every route calls api/services/filing.py; nothing is decided here."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField

from domain.catalogue import FIRST_YEAR, LAST_YEAR
from domain.validation import UNIT_CODE

from ..services import filing, filing_notices
from .context import context
from .deps import PROBLEMS, CallerDep, ServerDep, WriterDep

router = APIRouter(responses=PROBLEMS, tags=["filing"])
Unit = Annotated[str, Path(pattern=UNIT_CODE, max_length=64)]
Year = Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR)]
Text = PydField(default=None, max_length=2000)


class Comment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: str | None = Text


class SubmitRequest(Comment):
    seal: str | None = PydField(
        default=None, max_length=64, description="A seal of that unit and year (default: seal now)."
    )


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = PydField(max_length=2000)


class Publication(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = PydField(max_length=2000, description="The portal address where the report was published.")
    date: str = PydField(max_length=40, description="The day it was published, YYYY-MM-DD.")


class Deadline(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: str = PydField(max_length=40, description="The unit's own deadline, YYYY-MM-DD.")
    descendants: bool = PydField(False, description="Set it for every unit under this one the caller reviews.")


class EntryOut(BaseModel):
    number: int
    event: str
    label: str
    at: str
    by: str
    text: str
    seal: str | None = None
    detail: dict[str, Any] | None = None


class FilingOut(BaseModel):
    unit: str
    name: str
    year: int
    state: str
    state_label: str
    due: str
    overdue: bool
    seal: str | None
    approved_seal: str | None
    published_url: str | None
    published_on: str | None
    publish_due: str
    publication_overdue: bool
    late_corrections: int
    # `register` is a BaseModel attribute's name: the field is spelled otherwise and serialised as `register`.
    register_: list[EntryOut] = PydField(alias="register")


class ProgressRowOut(BaseModel):
    unit: str
    name: str
    parent: str | None
    depth: int
    state: str
    state_label: str
    due: str
    overdue: bool
    late: bool
    submitted_on: str | None
    returned_on: str | None
    resubmitted_on: str | None
    approved_on: str | None
    reopened_on: str | None
    published_on: str | None
    publication_overdue: bool
    late_corrections: int
    remote: bool = PydField(False, description="A unit on its own server (report packages).")


class ProgressOut(BaseModel):
    parent: str
    name: str
    year: int
    today: str
    counts: dict[str, int]
    overdue: int
    publication_overdue: int
    units: list[ProgressRowOut]


class DueOut(BaseModel):
    action: str
    unit: str
    name: str
    year: int
    due: str | None
    overdue: bool
    since: str | None
    state: str
    label: str


@router.get("/api/filings/{unit}/{year}", response_model=FilingOut)
def status(unit: Unit, year: Year, caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """The filing's state, deadlines and register (who did what, when, why)."""
    return filing.status(context(server), caller.user, unit, year).to_json()


@router.post("/api/filings/{unit}/{year}/submit", response_model=FilingOut)
def submit(unit: Unit, year: Year, body: SubmitRequest, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Submit (or resubmit) the year's report upward with a seal of that year (the unit's admins)."""
    return filing.submit(context(server), caller.user, unit, year, body.comment, body.seal).to_json()


@router.post("/api/filings/{unit}/{year}/return", response_model=FilingOut)
def return_(unit: Unit, year: Year, body: Reason, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Return a submitted report with a reason (an auditor or admin of an ancestor unit)."""
    return filing.return_(context(server), caller.user, unit, year, body.reason).to_json()


@router.post("/api/filings/{unit}/{year}/approve", response_model=FilingOut)
def approve(unit: Unit, year: Year, body: Comment, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Approve a submitted report: the unit's figures of the year are locked (writes need `late_reason`)."""
    return filing.approve(context(server), caller.user, unit, year, body.comment).to_json()


@router.post("/api/filings/{unit}/{year}/reopen", response_model=FilingOut)
def reopen(unit: Unit, year: Year, body: Reason, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Reopen an approved year with a reason (a reviewer): the lock is lifted until the next approval."""
    return filing.reopen(context(server), caller.user, unit, year, body.reason).to_json()


@router.post("/api/filings/{unit}/{year}/publication", response_model=FilingOut)
def publish(unit: Unit, year: Year, body: Publication, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Record where and when the report was published (due by 1 April of the next year)."""
    return filing.publish(context(server), caller.user, unit, year, body.url, body.date).to_json()


@router.post("/api/filings/{unit}/{year}/deadline", response_model=list[FilingOut])
def deadline(unit: Unit, year: Year, body: Deadline, caller: WriterDep, server: ServerDep) -> list[dict[str, Any]]:
    """A superior's own submission deadline for the unit (or every unit under it that the caller reviews)."""
    day = filing.parse_day(body.date)
    return [s.to_json() for s in filing.set_deadline(context(server), caller.user, unit, year, day, body.descendants)]


@router.get("/api/filings/{unit}/{year}/late")
def late(unit: Unit, year: Year, caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """报后更正: the writes to the approved year with their reasons, and the figures moved since its seal."""
    found = filing.late_corrections(context(server), caller.user, unit, year)
    diff = found.diff
    return {
        "filing": found.status.to_json(),
        "late_corrections": [filing.entry_json(e) for e in found.entries],
        "seal": str(diff.seal.id) if diff else None,
        "changes": [
            {
                "pos": c.pos,
                "unit": c.unit,
                "ref": c.ref,
                "etype": c.etype,
                "recorded_at": str(c.recorded_at),
                "recorded_by": c.recorded_by,
                "reason": c.reason,
            }
            for c in (diff.changes if diff else [])
        ],
        "moved": [
            {"figure": m.figure, "label": m.label, "was": m.was, "now": m.now, "retired": m.retired}
            for m in (diff.moved if diff else [])
        ],
    }


@router.get("/api/filings/{unit}/{year}/notice")
def notice(unit: Unit, year: Year, caller: CallerDep, server: ServerDep) -> Response:
    """回执: the notice of the last decision (approved, or returned with its reason) on a unit on its own server,
    signed with this ledger's key of the unit its packages roll up into; the unit imports it on its server."""
    found = filing_notices.notice(context(server), caller.user, unit, year)
    disposition = {"Content-Disposition": f'attachment; filename="{found.filename}"'}
    return Response(found.data, media_type="application/json", headers=disposition)


@router.post("/api/filing-notices")
async def receive_notice(
    request: Request,
    caller: WriterDep,
    server: ServerDep,
    key: Annotated[str | None, Query(max_length=200, description="The superior's public key, if known.")] = None,
) -> dict[str, Any]:
    """Import a notice from the superior's taizhang (the request body is the file), verified: its decision is
    recorded on the unit's filing (an approval locks the year)."""
    data = await request.body()
    got = await run_in_threadpool(filing_notices.import_notice, context(server), caller.user, data, key)
    return got.to_json()


class KeyApproval(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str = PydField(max_length=64, description="The unit (of this ledger) whose superior's key changed.")
    key: str = PydField(max_length=200, description="The superior's new public key (hex), of a held notice.")
    reason: str = PydField(max_length=2000, description="Why the new key is trusted.")


@router.get("/api/filing-notices/{unit}/superior")
def superior(unit: Unit, caller: CallerDep, server: ServerDep) -> dict[str, Any] | None:
    """The unit's superior on another server: pinned key, notices held for a new key (flagged), key changes."""
    found = filing_notices.superior_of(context(server), caller.user, unit)
    return found.to_json() if found is not None else None


@router.post("/api/filing-notices/key")
def approve_key(body: KeyApproval, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Approve the superior's new signing key of a held notice (the unit's admins), with the reason; the notice
    then imports (POST /api/filing-notices again)."""
    return filing_notices.approve_key(context(server), caller.user, body.unit, body.key, body.reason).to_json()


@router.get("/api/progress/{unit}/{year}", response_model=ProgressOut)
def progress(unit: Unit, year: Year, caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """报送进度: every unit under this one, its state, the date of each transition, the overdue ones."""
    return filing.progress(context(server), caller.user, unit, year).to_json()


@router.get("/api/filings-due", response_model=list[DueOut])
def due(
    caller: CallerDep,
    server: ServerDep,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
    within: Annotated[int, Query(ge=0, le=365)] = 14,
) -> list[dict[str, Any]]:
    """What the caller has to do about filings: submit, review, publish (overdue first)."""
    return [d.to_json() for d in filing.due(context(server), caller.user, year, None, within)]
