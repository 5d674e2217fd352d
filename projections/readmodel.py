"""The DuckDB read model file and who owns it.

DuckDB allows one process per file. Every process that touches a read model file takes an exclusive
lock on a sibling lock file first, then catches up and queries: the holder of the lock owns the file.
Several processes at once each use their own file (a slot, see `slots.py`).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import duckdb
from eventsourcing.persistence import ApplicationRecorder

from . import anchor, merkle
from . import report as reports
from .declared import Declaration
from .evaluate import rows
from .figures import STORED
from .ingest import APPLICATION, FOLDED, INSERT_SQL, catch_up, load_frontier, model_suite
from .report_model import Report
from .schema import DDL
from .state import activity_fold, activity_year, step_fold, unit_fold
from .tracking import DuckDBTrackingRecorder

logger = logging.getLogger("taizhang.readmodel")
MEMORY_LIMIT = "600MB"
# An increment of at most this many log positions is read in and folded in one transaction (ingest.catch_up),
# so a reader's snapshot never holds events whose figures are not folded; a larger one (an import) commits in
# batches, bounded in memory, and readers wait for its fold (`consistent`).
TOGETHER = 20_000
CACHED_REPORTS = 64  # current reports kept per read model (each a few kB to a few hundred kB)


def fingerprint(tz: str) -> str:
    """What the read model's contents depend on besides the events: its schema, its SQL and the time zone."""
    parts = [*DDL, INSERT_SQL, activity_fold("x"), step_fold("x"), unit_fold("x"), activity_year(), rows(STORED, tz)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class ReadModelBusy(RuntimeError):
    pass


class ReadModelStale(RuntimeError):
    """The read model could not be brought up to the event log, so its figures must not be shown as current.

    The events are safe in the store; only the derived figures are behind. `taizhang rebuild` recovers."""

    def __init__(self, log_size: int, position: int, folded: int, cause: BaseException) -> None:
        self.log_size, self.position, self.folded, self.cause = log_size, position, folded, cause
        super().__init__(
            f"数据汇总未能更新到最新（事件日志到第 {log_size} 条，读模型已读入 {position} 条、汇总到 {folded} 条）："
            f"{type(cause).__name__}: {cause}。为免显示过时的数字，暂不提供结果；请管理员运行 taizhang rebuild"
        )


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def try_lock(path: Path) -> IO[str] | None:
    """The exclusive lock of a read model file, or None at once when another holder has it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path(path), "a")  # noqa: SIM115 — held open for as long as the lock is
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def take_lock(path: Path, wait: float) -> IO[str]:
    deadline = time.monotonic() + wait
    while (handle := try_lock(path)) is None:
        if time.monotonic() > deadline:
            raise ReadModelBusy(f"read model {path} is in use by another process")
        time.sleep(0.05)
    return handle


class ReadModel:
    def __init__(
        self,
        path: Path,
        tz: str = "Asia/Shanghai",
        wait: float = 60.0,
        *,
        lock: IO[str] | None = None,
        generation: str | None = None,
    ) -> None:
        """Open (creating if need be) the read model at `path`, waiting up to `wait` s for its lock unless the
        caller holds it already (`lock`). A file built by another schema or time zone, or for another
        `generation` of the event log (see `slots.py`), is discarded: it is derived data."""
        self.path = path
        self.tz = tz
        self.generation = generation
        held = lock if lock is not None else take_lock(path, wait)
        self._lock: IO[str] | None = held
        self._positions: tuple[int, int] | None = None  # a reader's (position, folded), fixed by its snapshot
        self._reports: dict[tuple[Any, ...], Report] = {}
        self._cache_lock = threading.Lock()
        self._computing: dict[tuple[Any, ...], threading.Event] = {}  # reports one reader is computing now
        # The newest report kept of each (unit, year, day), with its folded position; and the one thread that
        # computes a new one while readers are answered from it (`report`).
        self._newest: dict[tuple[Any, ...], tuple[int, Report]] = {}
        self._refresher = ThreadPoolExecutor(1, thread_name_prefix="taizhang-report")
        self._base = self
        # A reader may be answered from a report of a folded log at least this far (its caller's writes); None:
        # only from its own snapshot's.
        self.at_least: int | None = None
        try:
            self._connect()
            if self._meta("fingerprint") != fingerprint(self.tz) or (
                generation is not None and self._meta("generation") != generation
            ):
                self._discard()
        except BaseException:
            held.close()
            raise

    def __enter__(self) -> ReadModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._lock is not None:  # the model itself, not one of its readers
            self._refresher.shutdown(wait=True, cancel_futures=True)
        try:
            self.con.close()
        finally:
            if self._lock is not None:
                self._lock.close()

    def reader(self) -> ReadModel:
        """A second connection to this read model for one query, alongside catch-ups on this one.

        DuckDB's MVCC gives it the state as of its last commit, so a report never waits for a fold or a
        verification that it does not need. It lives no longer than this model (DuckDB closes a cursor with its
        connection); close it after use. It must not catch up: one writer per file."""
        clone = object.__new__(ReadModel)
        clone.path, clone.tz, clone.generation = self.path, self.tz, self.generation
        clone._lock = None
        clone._reports, clone._cache_lock = self._reports, self._cache_lock  # shared with the model's readers
        clone._computing, clone._newest, clone._refresher = self._computing, self._newest, self._refresher
        clone._base = self._base  # (the model a refresh takes its own reader from: never a reader's connection)
        clone.at_least = None
        clone.con = self.con.cursor()
        clone.con.begin()  # one snapshot for all of the query's statements (closing rolls it back)
        clone.tracking = DuckDBTrackingRecorder(clone.con)
        # Its positions do not change within the snapshot: read once (each DuckDB call gives up the GIL, and a
        # read beside busy writer threads waits to get it back, issue 13.4).
        found = dict(clone.con.execute("SELECT application_name, notification_id FROM tracking").fetchall())
        clone._positions = (int(found.get(APPLICATION) or 0), int(found.get(FOLDED) or 0))
        return clone

    @classmethod
    def fresh(cls, path: Path, tz: str = "Asia/Shanghai") -> ReadModel:
        """An empty read model in place of the old one (for rebuild): it is derived, so it may be thrown away."""
        model = cls(path, tz)
        model._discard()
        return model

    def _discard(self) -> None:
        self.con.close()
        for p in (self.path, self.path.with_name(self.path.name + ".wal")):
            p.unlink(missing_ok=True)
        self._connect()
        self.con.execute("INSERT INTO meta VALUES ('fingerprint', ?)", [fingerprint(self.tz)])
        if self.generation is not None:
            self.con.execute("INSERT INTO meta VALUES ('generation', ?)", [self.generation])

    def _connect(self) -> None:
        # A memory limit keeps a rebuild of millions of events within about 1 GiB (DuckDB spills beyond it).
        self.con = duckdb.connect(str(self.path), config={"memory_limit": MEMORY_LIMIT})
        # For this connection and (GLOBAL) every cursor of it, so a reader need not set it again (one DuckDB call
        # fewer on each read: each gives up the GIL, which a read beside busy writer threads waits to get back).
        self.con.execute("SET GLOBAL TimeZone = 'UTC'")
        for statement in DDL:
            self.con.execute(statement)
        self.tracking = DuckDBTrackingRecorder(self.con)

    def _meta(self, key: str) -> str | None:
        found = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
        return found[0][0] if found else None

    def position(self) -> int:
        """How far the events have been read in (the fold of their state may still be pending)."""
        if self._positions is not None:
            return self._positions[0]
        return self.tracking.max_tracking_id(APPLICATION) or 0

    def folded(self) -> int:
        """How far the activity state and figure contributions have been folded."""
        if self._positions is not None:
            return self._positions[1]
        return self.tracking.max_tracking_id(FOLDED) or 0

    def consistent(self) -> bool:
        """Whether every event read in is folded, so that the log this model states (`log()`) is the one its
        figures are of. Always so between catch-ups; in a snapshot taken during a large catch-up, not."""
        return self.folded() >= self.position()

    def current(self, log_size: int) -> bool:
        """Whether every event up to `log_size` is read in and folded: only then may figures be shown."""
        position = self.position()
        return position >= log_size and self.folded() >= position

    def bring_up_to_date(self, source: ApplicationRecorder, attempts: int = 2, latest: int | None = None) -> None:
        """Catch up until current with the log as it was at `latest` (default: now), retrying a failed
        catch-up; else `ReadModelStale`.

        A fold can fail after its batch of events committed (a crash, memory); the next catch-up redoes it, so
        a failure is retried rather than leaving the figures behind the log while `position()` looks current.

        The log is read in only up to where it is when the catch-up starts (issue 13.4): a catch-up that read
        until it found no new event would, under a steady stream of writes, chase the head of the log and never
        reach its fold, and every read waiting for it would wait until the writes stopped (reads beside 22
        writers took 14 s). Up to where it is *now*, not just to `latest`: readers that waited for the lock
        while another caught up asked for less, so one catch-up serves all of them instead of each folding
        again in turn for the few events written while it waited."""
        if latest is None:
            latest = source.max_notification_id() or 0
        failure: BaseException = RuntimeError("catch-up stopped short of the log")
        for _ in range(attempts):
            if self.current(latest):
                return
            try:
                self.catch_up(source, until=max(latest, source.max_notification_id() or 0), together=TOGETHER)
            except Exception as e:  # noqa: BLE001 — retried (the failed transaction rolled back), then reported
                failure = e
        if not self.current(latest):
            raise ReadModelStale(latest, self.position(), self.folded(), failure)

    def catch_up(self, source: ApplicationRecorder, progress: Callable[[int], None] | None = None, **kw: Any) -> int:
        done = catch_up(self.con, source, progress=progress, tz=self.tz, **kw)
        anchor.advance(self.path.parent, self)  # the largest log seen, kept where deleting this file leaves it
        return done

    def log(self, as_of: datetime | None = None) -> dict[str, Any]:
        """The event log's size (leaves) and Merkle root, now or as of an instant."""
        if as_of is None:
            frontier = load_frontier(self.con)
            return self._named({"size": frontier.size, "root": frontier.root().hex()}, frontier.suite)
        # Receipts are not projected, but each transaction records them before its activity events.
        found = self.con.execute(
            "SELECT count(*) FROM leaves"
            " WHERE pos <= (SELECT coalesce(max(pos), 0) FROM events WHERE recorded_at <= ?)",
            [as_of],
        ).fetchall()
        size = int(found[0][0])
        return self._named({"size": size, "root": self.root(size).hex()}, self.suite())

    @staticmethod
    def _named(log: dict[str, Any], suite: str) -> dict[str, Any]:
        """The report's `log` names its suite only when it is not the default (DOMAIN.md §5's block unchanged)."""
        return log if suite == merkle.DEFAULT else {**log, "suite": suite}

    def suite(self) -> str:
        """The cryptographic suite of the log this read model hashed (domain/suite.py)."""
        return model_suite(self.con)

    def root(self, size: int) -> bytes:
        """The root of the first `size` events: from the frontier kept at the last batch boundary before it."""
        found = self.con.execute(
            "SELECT size, frontier FROM merkle WHERE size <= ? ORDER BY size DESC LIMIT 1", [size]
        ).fetchall()
        suite = self.suite()
        frontier = merkle.Frontier.load(found[0][0], found[0][1], suite) if found else merkle.Frontier(suite=suite)
        rest = self.con.execute(
            "SELECT hash FROM leaves WHERE idx >= ? AND idx < ? ORDER BY idx", [frontier.size, size]
        ).fetchall()
        frontier.extend(bytes(h) for (h,) in rest)
        return frontier.root()

    def report(self, unit: str, year: int, as_of: datetime | None = None) -> Report:
        """The report of DOMAIN.md §5 (its JSON: `.to_json()`). A current report depends only on the folded log
        and the report's day (the due rule, §7.3, and the overdue checks), so one computed at the same position
        on the same day is served again with its own `as_of`: many users opening the same unit's dashboard cost
        one scan.

        After a fold, the report of the log folded before it is served at once to a reader that may see it (its
        `at_least`: every write of its caller is in that log), stating that log, while the new one is computed
        apart (issue 13.4: else one reader in each fold's round computed it and the others waited for it)."""
        if as_of is not None:
            return reports.compute(self.con, unit, year, as_of, self.tz, self.log(as_of))
        now = datetime.now(UTC)
        folded = self.folded()
        day = reports.day_of(now, self.tz)
        key = (unit, year, folded, day)
        at_least = folded if self.at_least is None else self.at_least
        while True:
            with self._cache_lock:
                found = self._reports.get(key)
                computing = None
                if found is None:
                    newest = self._newest.get((unit, year, day))
                    if newest is not None and at_least <= newest[0] < folded:
                        found = newest[1]
                        if key not in self._computing:
                            event = self._computing[key] = threading.Event()
                            self._refresher.submit(self._refresh, key, event)
                        break
                    computing = self._computing.get(key)
                    if computing is None:
                        mine = self._computing[key] = threading.Event()
            if computing is None:
                break
            # Another reader is computing this very report (the same folded position): readers that arrive
            # together after a fold wait for that one instead of each computing it again (issue 13.4).
            computing.wait()
        if found is None:
            try:
                found = reports.compute(self.con, unit, year, None, self.tz, self.log())
                self._keep(key, found)
            finally:
                with self._cache_lock:
                    self._computing.pop(key, None)
                mine.set()  # (on failure the waiters find nothing cached and compute it themselves)
        return found.at(now.isoformat())  # frozen values: callers share the cached figures

    def _keep(self, key: tuple[Any, ...], found: Report) -> None:
        unit, year, folded, day = key
        with self._cache_lock:
            self._reports[key] = found
            while len(self._reports) > CACHED_REPORTS:
                self._reports.pop(next(iter(self._reports)))
            newest = self._newest.get((unit, year, day))
            if newest is None or newest[0] < folded:
                self._newest[(unit, year, day)] = (folded, found)
                while len(self._newest) > CACHED_REPORTS:
                    self._newest.pop(next(iter(self._newest)))

    def _refresh(self, key: tuple[Any, ...], done: threading.Event) -> None:
        """Compute the report of `key` on a snapshot of its own (the reader that asked has answered already)."""
        unit, year, folded, _ = key
        try:
            # From the model's connection: a reader's own is in use by its request (or closed by now), and DuckDB
            # refuses a second call on a busy connection rather than wait.
            fresh = self._base.reader()
            try:
                if fresh.folded() == folded and fresh.consistent():  # (else a later fold: its readers ask anew)
                    self._keep(key, reports.compute(fresh.con, unit, year, None, self.tz, fresh.log()))
            finally:
                fresh.close()
        except Exception:  # noqa: BLE001 — e.g. the model closed meanwhile: a later reader computes it itself
            logger.debug("report refresh failed", exc_info=True)
        finally:
            with self._cache_lock:
                self._computing.pop(key, None)
            done.set()

    def declaration(self, code: str, unit: str, as_of: datetime | None = None) -> Declaration | None:
        """The declaration of `code` a report of `unit` as of `as_of` uses (§8.6), or None."""
        try:
            return reports.declaration(self.con, code, unit, as_of)
        except KeyError:
            return None

    def explain(self, figure: str, unit: str, year: int, as_of: datetime | None = None) -> list[dict[str, Any]]:
        return reports.explain(self.con, figure, unit, year, as_of, self.tz)
