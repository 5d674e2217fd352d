"""What one web worker holds: the ledger, its group committer, a read model kept caught up, the session secret."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from domain.access import may_read, may_write
from domain.user import User
from projections.readmodel import ReadModel, ReadModelStale

from ..infra.evidence import EvidenceStore
from ..infra.layout import write_marks
from ..infra.passwords import session_secret
from ..infra.settings import Settings
from ..infra.write_marks import WriteMarks
from ..services.verification import VerificationJobs
from .committer import Committer
from .throttle import Throttle

T = TypeVar("T")
# Consistency of reads (issue 13.4): a read waits only until its own caller's writes are folded
# (read-your-writes: the caller's last write position, `WriteMarks`); otherwise it answers at once from the last
# folded snapshot, whose report states the log it reflects (`log.size` and root, its figures those of exactly
# that log). The projector folds new events in the background at most this often, and at once when a reader
# waits for its own write; one fold serves every reader waiting for it.
FOLD_SECONDS = 0.5
STALE_SECONDS = 5.0
# Users and the unit tree are read on every request. Changes made through this worker apply at once (it drops
# its copy); changes made by another worker or the command line within this many seconds.
CACHE_SECONDS = 1.0
log = logging.getLogger("taizhang.server")


@dataclass
class Asking:
    """Who a web request is from, as far as the consistency of its reads goes (set by api/web/consistency.py
    for each request, its `key` by auth.identify): the session or token, and the log position the client
    says it has seen (a write through another server, `X-Taizhang-After`)."""

    key: str | None = None
    after: int = 0
    writing: bool = False  # an unsafe method: what it reads must hold what it wrote before (in this request)


ASKING: ContextVar[Asking | None] = ContextVar("taizhang_asking", default=None)


def asked_by(key: str) -> None:
    """The current request's caller is `key` (a session id or a token's digest)."""
    found = ASKING.get()
    if found is not None:
        found.key = key


class Server:
    def __init__(self, settings: Settings, poll: bool = True, fold_seconds: float = FOLD_SECONDS) -> None:
        """`poll`: fold in the background (a server); without, every read folds the whole log itself first (a
        test or tool driving the server in one thread: nobody else would fold)."""
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
        self.marks = WriteMarks(write_marks(settings.home))
        self.fold_seconds = fold_seconds
        self._ready = False  # a first catch-up succeeded: until then every read waits for the whole log
        self._rounds = threading.Condition()  # the projector's rounds: begun, finished, and how the last ended
        self._begun = self._finished = 0
        self._failure: BaseException | None = None  # why the last round failed, when not ReadModelStale
        self._wake = threading.Event()
        self._wake.set()  # the projector's first round at once: the model caught up before the first read
        if poll:
            self._poller = threading.Thread(target=self._project, name="taizhang-projector", daemon=True)
            self._poller.start()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._poller is not None:
            self._poller.join(timeout=5)
        with self._rounds:
            self._rounds.notify_all()  # (readers still waiting give up)
        self.committer.close()
        with self._model_lock:
            if self._model is not None:
                self._model.close()
                self._model = None
        self.ledger.close()  # the event store's connections (a PostgreSQL pool holds them until closed)
        self.marks.close()

    def read(self, query: Callable[[ReadModel], T]) -> T:
        """Run a query on a snapshot of the read model that holds every write of its caller (from any worker),
        folded, and states which log it is of. The query runs on a connection of its own: it never waits for
        another read, a verification, or a fold of writes that are not its caller's."""
        reader = self._snapshot(self._needed())
        try:
            return query(reader)
        finally:
            reader.close()

    def wrote(self) -> int:
        """After a request that may have written: its caller's mark raised to this process's last write (at
        least the request's own), which the caller's next read waits for. Returns that position."""
        position = self.ledger.committed_to
        asking = ASKING.get()
        if asking is not None and asking.key is not None and position:
            self.marks.raise_to(asking.key, position)
        return position

    def _needed(self) -> int:
        """The log position a read must find folded: its caller's last write, or what the client says it saw;
        -1 (every committed event) for a read outside a web request (a verification job, a tool)."""
        asking = ASKING.get()
        if asking is None:
            return -1
        # A request that may write reads after its own writes: this process's last one covers them (its mark is
        # raised only when it answers).
        own = self.ledger.committed_to if asking.writing else 0
        return max(asking.after, own, self.marks.get(asking.key) if asking.key is not None else 0)

    def _head(self) -> int:
        return self.ledger.recorder.max_notification_id() or 0

    def _snapshot(self, need: int) -> ReadModel:
        if self._poller is None:  # nobody folds in the background: fold everything committed, as before
            return self._current().reader()
        if need < 0:
            need = self._head()
        clamped = False
        while True:
            model = self._model
            mixed = False
            if model is not None and self._ready and self.stale is None and self._folded_to >= need:
                reader = model.reader()
                # The snapshot is of a committed fold at least that far; taken during a large catch-up (read in
                # by batches, then folded, see projections/ingest.py) its events may be ahead of its figures.
                if reader.consistent() and reader.folded() >= need:
                    reader.at_least = need  # (a report of an earlier fold holding the caller's writes will do)
                    return reader
                reader.close()
                mixed = True
            if not clamped:
                # A mark or hint past the log (a restored older store, a forged header) waits for the log.
                need, clamped = min(need, self._head()), True
            self._await_round(need, whole=mixed)

    def _await_round(self, need: int, whole: bool = False) -> None:
        """Wait until the model is folded to `need` (unless `whole`), or a projector round that began after this
        call ended (single flight: the projector's one fold serves every reader waiting for it). A round that
        failed refuses: the figures would not be current (503)."""
        with self._rounds:
            begun = self._begun
            self._wake.set()
            while self._finished <= begun:
                if not whole and self._ready and self.stale is None and self._folded_to >= need:
                    return
                if self._stop.is_set():
                    raise RuntimeError("server closing")
                self._rounds.wait()
            if self.stale is not None:
                raise self.stale
            if self._failure is not None:
                raise self._failure

    def _current(self) -> ReadModel:
        latest = self._head()
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
        self._ready = True
        return self._model

    def _project(self) -> None:
        """The projector: folds what was written, every `fold_seconds` or at once when a reader waits for it.
        Its rounds are the only catch-ups of a polling server, so reads never run one."""
        while not self._stop.is_set():
            # A read model that could not be brought up to date is retried by each read (its round) and otherwise
            # seldom: a fold that runs out of memory should not be run again twice a second.
            self._wake.wait(self.fold_seconds if self.stale is None else max(self.fold_seconds, STALE_SECONDS))
            self._wake.clear()
            if self._stop.is_set():
                return
            with self._rounds:
                self._begun += 1
            failure: BaseException | None = None
            try:
                with self._model_lock:
                    self._caught_up()
            except ReadModelStale:
                pass  # logged once in _caught_up; each read retries it (a round of its own), refusing meanwhile
            except Exception as e:  # noqa: BLE001 — e.g. the store briefly unreachable: the readers told, retried
                log.exception("read model catch-up failed")
                failure = e
            with self._rounds:
                self._failure = failure
                self._finished += 1
                self._rounds.notify_all()

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
