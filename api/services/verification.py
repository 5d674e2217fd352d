"""Verification in the background: an auditor starts it, follows its progress and reads the result later.

Verifying rebuilds a read model from the store (about a rebuild's time: minutes on a large ledger), so a web
request must not wait for it. A job runs on its own thread with its own reader (it never holds the catch-up
lock: reads and writes go on meanwhile); one job runs at a time per server, and a second start while one runs
returns the running one. Jobs live in the server's memory: a restart forgets them (the log itself is what is
verified, and can be verified again).
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .access import require_auditor
from .audit import Verification, verify
from .context import Actor, Context
from .refusals import Refused

KEPT = 20  # finished jobs remembered (newest first)
log = logging.getLogger("taizhang.verification")


@dataclass
class VerificationJob:
    id: str
    started_by: str
    started_at: datetime
    stage: str = "排队中"
    done: int = 0
    total: int = 1
    finished_at: datetime | None = None
    result: Verification | None = None
    error: str | None = None  # verification itself failed (not: it found problems; those are in `result`)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def running(self) -> bool:
        return self.finished_at is None

    @property
    def percent(self) -> int:
        return 100 if not self.running else min(99, 100 * self.done // max(self.total, 1))

    def report(self, stage: str, done: int, total: int) -> None:
        with self._lock:
            self.stage, self.done, self.total = stage, done, total


class VerificationJobs:
    """The background verifications of one server."""

    def __init__(self) -> None:
        self._jobs: list[VerificationJob] = []
        self._lock = threading.Lock()

    def start(self, ctx: Context, actor: Actor) -> VerificationJob:
        """Start verifying the whole log (auditors and admins), or return the verification already running."""
        require_auditor(ctx, actor)
        with self._lock:
            for job in self._jobs:
                if job.running:
                    return job
            job = VerificationJob(uuid.uuid4().hex, actor.username, datetime.now(UTC))
            self._jobs.insert(0, job)
            del self._jobs[KEPT + 1 :]
        name = f"taizhang-verify-{job.id[:8]}"
        threading.Thread(target=self._run, args=(ctx, actor, job), name=name, daemon=True).start()
        return job

    def get(self, ctx: Context, actor: Actor, job_id: str) -> VerificationJob:
        require_auditor(ctx, actor)
        with self._lock:
            for job in self._jobs:
                if job.id == job_id:
                    return job
        raise Refused("not_found", f"没有编号为「{job_id}」的核验（服务重启后，之前的核验记录不再保留）", field="job")

    def latest(self, ctx: Context, actor: Actor) -> VerificationJob | None:
        require_auditor(ctx, actor)
        with self._lock:
            return self._jobs[0] if self._jobs else None

    def _run(self, ctx: Context, actor: Actor, job: VerificationJob) -> None:
        try:
            job.result = verify(ctx, actor, progress=job.report)
        except Exception as e:  # noqa: BLE001 — the job records why it could not verify; the server goes on
            log.exception("verification %s failed", job.id)
            job.error = f"{type(e).__name__}: {e}"
        finally:
            job.finished_at = datetime.now(UTC)
