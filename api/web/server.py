"""What one web worker holds: the ledger, its group committer, a read model kept caught up, the session secret."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from domain.access import may_read, may_write
from domain.user import User
from projections.readmodel import ReadModel, ReadModelStale

from ..infra.evidence import EvidenceStore
from ..infra.passwords import session_secret
from ..infra.settings import Settings
from ..services.verification import VerificationJobs
from .committer import Committer
from .throttle import Throttle

T = TypeVar("T")
# Every read first catches the read model up with the log, so a report shows every event committed before it
# (by any worker or process). The poller only keeps that catch-up short: a fold costs ~0.1 s, so it is not
# run more often than this while records pour in.
POLL_SECONDS = 2.0
# Users and the unit tree are read on every request. Changes made through this worker apply at once (it drops
# its copy); changes made by another worker or the command line within this many seconds.
CACHE_SECONDS = 1.0
log = logging.getLogger("taizhang.server")


class Server:
    def __init__(self, settings: Settings, poll: bool = True) -> None:
        self.settings = settings
        self.ledger = settings.ledger()
        self.committer = Committer(self.ledger)
        self.evidence = EvidenceStore(settings.home)
        self.secret = session_secret(settings.home)
        self.throttle = Throttle()
        self.verifications = VerificationJobs()  # background verification (the audit page, POST /api/verify/jobs)
        self._model: ReadModel | None = None
        self._model_lock = threading.Lock()
        self._stop = threading.Event()
        self._users: dict[str, tuple[User | None, float]] = {}
        self._parents: dict[str, tuple[str | None, float]] = {}
        self._poller: threading.Thread | None = None
        # Why the read model is behind the log, when it could not be brought up to date (shown to admins).
        self.stale: ReadModelStale | None = None
        self._folded_to = 0  # the log position the read model is folded to (set under _model_lock)
        if poll:
            self._poller = threading.Thread(target=self._poll, name="taizhang-projector", daemon=True)
            self._poller.start()

    def close(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.join(timeout=5)
        self.committer.close()
        with self._model_lock:
            if self._model is not None:
                self._model.close()
                self._model = None
        self.ledger.close()  # the event store's connections (a PostgreSQL pool holds them until closed)

    def read(self, query: Callable[[ReadModel], T]) -> T:
        """Run a query on the read model once it holds every event committed before this call (so a user reads
        their own writes, from any worker or process). The query runs on a connection of its own: it waits for
        a catch-up only when the model is behind, and never for another read or a verification."""
        reader = self._current().reader()
        try:
            return query(reader)
        finally:
            reader.close()

    def _current(self) -> ReadModel:
        latest = self.ledger.recorder.max_notification_id() or 0
        model = self._model
        if model is not None and self._folded_to >= latest and self.stale is None:
            return model
        with self._model_lock:  # one catch-up at a time; whoever waited finds it done when it covered them
            return self._caught_up(latest)

    def _caught_up(self, latest: int | None = None) -> ReadModel:
        """The read model with every committed event read in and folded, or `ReadModelStale`: a read model
        behind the log (or whose fold failed after its events were read in) never answers as if current."""
        if self._model is None:
            self._model = self.settings.read_model()
        if latest is not None and self._folded_to >= latest and self.stale is None:
            return self._model  # a catch-up that finished while this caller waited covered it
        try:
            self._model.bring_up_to_date(self.ledger.recorder, latest=latest)
        except ReadModelStale as e:
            if self.stale is None:
                log.error("read model cannot be brought up to date; reads are refused: %s", e, exc_info=e.cause)
            self.stale = e
            raise
        if self.stale is not None:
            log.warning("read model is up to date again")
            self.stale = None
        self._folded_to = self._model.folded()
        return self._model

    def _poll(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                with self._model_lock:
                    self._caught_up()
            except ReadModelStale:
                time.sleep(POLL_SECONDS)  # logged once in _caught_up; retried on the next round and every read
            except Exception:  # noqa: BLE001 — e.g. the store briefly unreachable: retried next round
                log.exception("read model poll failed")
                time.sleep(POLL_SECONDS)

    # ---- access ----

    def user(self, username: str) -> User | None:
        found = self._users.get(username)
        if found is None or time.monotonic() - found[1] > CACHE_SECONDS:
            found = (self.ledger.user(username), time.monotonic())
            self._users[username] = found
        return found[0]

    def forget(self) -> None:
        """Drop the cached users and unit tree (after this worker changed one of them)."""
        self._users.clear()
        self._parents.clear()

    def parent_of(self, code: str) -> str | None:
        found = self._parents.get(code)
        if found is None or time.monotonic() - found[1] > CACHE_SECONDS:
            unit = self.ledger.unit(code)
            found = (unit.parent if unit is not None else None, time.monotonic())
            self._parents[code] = found
        return found[0]

    def may_read(self, user: User, unit: str) -> bool:
        return may_read(user, unit, self.parent_of)

    def may_write(self, user: User, unit: str) -> bool:
        return may_write(user, unit, self.parent_of)

    def units_for(self, user: User) -> list[tuple[str, str, str | None]]:
        """(code, name, parent) of every unit the user may read, in hierarchy order."""
        rows = self.read(lambda m: m.con.execute("SELECT code, name, parent FROM units ORDER BY code").fetchall())
        return [(c, n, p) for c, n, p in rows if self.may_read(user, c)]
