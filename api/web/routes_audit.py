"""Audit: seals (/api/seals) and verification of the log, seals and evidence (/api/verify, /api/verify/jobs)."""

from typing import Any

from fastapi import APIRouter

from ..services import audit
from ..services.verification import VerificationJob
from . import schemas
from .context import context
from .deps import PROBLEMS, CallerDep, ServerDep, WriterDep

router = APIRouter(responses=PROBLEMS)


@router.get("/api/seals", response_model=list[schemas.SealOut], tags=["audit"])
def seals(caller: CallerDep, server: ServerDep) -> list[dict[str, Any]]:
    return audit.seals(context(server), caller.user)


@router.post("/api/seals", response_model=schemas.SealOut, status_code=201, tags=["audit"])
def seal(body: schemas.SealRequest, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Freeze a year's figures with the log's Merkle root, signed with the unit's key (admins)."""
    return audit.seal(context(server), caller.user, body.unit, body.year)


@router.get("/api/verify", response_model=schemas.VerifyOut, tags=["audit"])
def verify(caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """Recompute the Merkle log from the event store and check it, the seals and the evidence files."""
    found = audit.verify(context(server), caller.user)
    return _verification(found)


def _verification(found: audit.Verification) -> dict[str, Any]:
    return {
        "ok": found.ok,
        "size": found.size,
        "root": found.root,
        "seals": found.seals,
        "problems": found.problems,
        "suite": found.suite,
    }


def _job(job: VerificationJob) -> dict[str, Any]:
    state = "running" if job.running else ("failed" if job.error else "done")
    result = _verification(job.result) if job.result is not None else None
    return {
        "id": job.id,
        "state": state,
        "stage": job.stage,
        "percent": job.percent,
        "started_by": job.started_by,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "result": result,
        "error": job.error,
    }


@router.post("/api/verify/jobs", response_model=schemas.VerifyJobOut, status_code=202, tags=["audit"])
def start_verification(caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Verify in the background (as GET /api/verify does), returning at once; follow it at its `id`. While one
    runs, starting another returns the running one."""
    return _job(server.verifications.start(context(server), caller.user))


@router.get("/api/verify/jobs/{job_id}", response_model=schemas.VerifyJobOut, tags=["audit"])
def verification(job_id: str, caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """A background verification's stage and progress, and its result once done."""
    return _job(server.verifications.get(context(server), caller.user, job_id))
