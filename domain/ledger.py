"""The ledger application: applies interchange lines all-or-nothing on event-sourced aggregates."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, StoredEvent, Transcoder
from eventsourcing.sqlite import SQLiteAggregateRecorder

from . import narrative, report_settings
from .activity import Activity, Evidence
from .catalogue import FIRST_YEAR, REPORT_SECTIONS
from .declaration import FigureDeclaration, no_live_declaration
from .definition import Retirement, parse
from .directory import UserDirectory
from .errors import DomainError, FieldError, unknown_unit
from .filing import Filing, Locks, activity_year, filing_id, locks_id
from .ids import activity_id, declaration_id, receipt_id, signing_key_id, unit_id
from .narrative import Narrative
from .receipt import Receipt
from .seal import Seal, SigningKey
from .suite import DEFAULT, LedgerSuite, suite, suite_id
from .transcoder import FastJSONTranscoder, canonical
from .unit import Unit
from .validation import CorrectLine, FigureLine, Line, RecordLine, StepLine, UnitLine, VoidLine, parse_line

DEFAULT_TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class LineError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Written:
    """Where a line's event landed: the aggregate's version after it, and when it was recorded."""

    version: int
    recorded_at: datetime


@dataclass
class Outcome:
    applied: int = 0
    skipped: int = 0
    errors: list[LineError] = field(default_factory=list)
    events: int = 0
    written: dict[str, Written] = field(default_factory=dict)  # line id -> its event (applied lines)
    conflict: int | None = None  # the activity's current version when an expected version did not match

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Submission:
    """One caller's lines, applied all-or-nothing; `expected` maps a line id to the activity version it assumes."""

    lines: list[tuple[int, Any]]
    caller: str
    expected: dict[str, int] = field(default_factory=dict)
    # A write of one person's form or request (not an interchange file): a correction that changes nothing is
    # refused there (issue 12); in JSON Lines it is a valid line of the contract (DOMAIN.md §2) and recorded.
    refuse_unchanged: bool = False
    # The writer's 报后更正 reason: lets the lines change the figures of a year whose filing was approved (and
    # records each such line on that filing). A parameter of the write, never a field of the line (§4).
    late_reason: str | None = None


class VersionConflict(DomainError):
    def __init__(self, current: int) -> None:
        super().__init__(FieldError("If-Match", f"版本：记录已被他人修改，当前版本为 {current}，请刷新后重试"))
        self.current = current


def digest(raw: Any) -> str:
    """The content hash of a line, independent of key order and spacing."""
    return hashlib.sha256(canonical(raw)).hexdigest()


class Ledger(UserDirectory, Application[UUID]):
    name = "taizhang"
    is_snapshotting_enabled = False

    def __init__(self, env: dict[str, str] | None = None, tz: str = DEFAULT_TZ) -> None:
        super().__init__(env=env)
        self.tz = ZoneInfo(tz)
        # The largest log position (notification id) a transaction of this process committed: what a caller
        # that just wrote must find folded before its next read (read-your-writes, api/web/server.py).
        self.committed_to = 0

    def _committed(self, ids: Any) -> None:
        if ids:
            top = max(ids)
            if top > self.committed_to:  # (under the GIL: a stale max is only ever raised again, never lowered)
                self.committed_to = top

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        recordings = super().save(*objs, **kwargs)
        self._committed([r.notification.id for r in recordings if r.notification.id is not None])
        return recordings

    def construct_transcoder(self) -> Transcoder:
        transcoder = FastJSONTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def today(self) -> date:
        return datetime.now(self.tz).date()

    def unit(self, code: str) -> Unit | None:
        return self._get(unit_id(code))  # type: ignore[return-value]

    def has_line(self, line_id: str) -> bool:
        """Whether a line with this id was applied (its receipt is on the ledger), whatever its content."""
        return self._get(receipt_id(line_id)) is not None

    def activity(self, unit: str, ref: str) -> Activity | None:
        return self._get(activity_id(unit, ref))  # type: ignore[return-value]

    def declaration(self, unit: str, code: str) -> FigureDeclaration | None:
        return self._get(declaration_id(unit, code))  # type: ignore[return-value]

    def history(self, unit: str, ref: str) -> list[Any]:
        """Every stored event of one activity, oldest first."""
        return list(self.events.get(activity_id(unit, ref)))

    def seal(
        self,
        unit: str,
        year: int,
        as_of: str,
        size: int,
        root: str,
        report: dict[str, Any],
        signature: str,
        public_key: str,
        by: str,
        suite: str = DEFAULT,
    ) -> Seal:
        if self.unit(unit) is None:
            raise DomainError.of("unit", f"单位：{unknown_unit(unit)}")
        if suite != self.suite():
            raise DomainError.of("suite", f"算法套件：此台账使用「{self.suite()}」套件，不能用「{suite}」封存")
        registered = self.signing_key(unit)
        if registered is not None and registered != public_key:
            raise DomainError.of(
                "key",
                f"签名密钥：单位「{unit}」的密钥文件与事件日志中登记的密钥不一致（密钥可能被替换），拒绝封存；"
                "请从备份恢复 keys/ 目录",
            )
        seal = Seal(unit, year, as_of, size, root, report, signature, public_key, by, suite)
        if registered is None:
            self.save(SigningKey(unit, public_key, by), seal)
        else:
            self.save(seal)
        return seal

    def filing(self, unit: str, year: int) -> Filing | None:
        return self._get(filing_id(unit, year))  # type: ignore[return-value]

    def filings(self, units: Sequence[str], year: int) -> dict[str, Filing | None]:
        """The filings of many units for one year, read in one query per LOAD_CHUNK units."""
        found = self._get_many(filing_id(u, year) for u in units)
        return {u: found[filing_id(u, year)] for u in units}  # type: ignore[misc]

    def act_on_filing(
        self,
        unit: str,
        year: int,
        by: str,
        act: Callable[[Filing, str], None],
        remote: bool = False,
        also: Sequence[Aggregate] = (),
    ) -> Filing:
        """Open the unit's filing of the year if it has none, run one command on it, save it (with `also`, in
        the same transaction). `remote`: a unit on its own server (domain/package.py RemoteUnit), not in this
        ledger's unit tree, whose filing its superior keeps here."""
        if not remote and self.unit(unit) is None:
            raise DomainError.of("unit", f"单位：{unknown_unit(unit)}")
        at = datetime.now(UTC).isoformat()
        found = self.filing(unit, year) or Filing(unit, year, at, by)
        act(found, at)
        locks: Locks = self._get(locks_id(year)) or Locks(year)  # type: ignore[assignment]
        locks.follow(found)
        self.save(found, locks, *also)  # together: a concurrent approval of another unit conflicts and is retried
        return found
    def lock_versions(self, years: Iterable[int]) -> dict[UUID, int]:
        """The version of each year's lock index now (0: none): what `save_checked` confirms."""
        found = self._get_many(locks_id(y) for y in years)
        return {i: a.version if a is not None else 0 for i, a in found.items()}

    def save_checked(self, aggregates: Sequence[Aggregate], seen: dict[UUID, int]) -> None:
        """Save the aggregates' new events in one transaction that confirms the lock indexes of `seen` did not
        move since the caller checked them (`checked_insert`); raises LockMoved (nothing saved) if one did:
        for a write checked against the lock outside a session (a report package, api/services/packages.py)."""
        events = [e for a in aggregates for e in a.collect_events()]
        stored = [self.mapper.to_stored_event(e) for e in events]
        ids = checked_insert(self.recorder, stored, seen)
        self._committed(ids if ids else [self.recorder.max_notification_id() or 0] if stored else [])

    def suite(self) -> str:
        """The name of the ledger's cryptographic suite (domain/suite.py): `default` unless one was chosen."""
        found = self._get(suite_id())
        return found.name if found is not None else DEFAULT  # type: ignore[attr-defined]

    def choose_suite(self, name: str, by: str) -> str:
        """Record the suite of a new ledger. Refused once the log has events under another suite: every leaf
        hash and seal already made would stop matching."""
        suite(name)  # an unknown name is refused
        current = self.suite()
        if current == name:
            return name
        events = self.recorder.max_notification_id() or 0
        if events:
            raise DomainError.of(
                "suite",
                f"算法套件：此台账已有 {events} 条事件，使用「{current}」套件；套件只能在新建台账时选择"
                f"（要用「{name}」，请新建数据目录并导入）",
            )
        if name != DEFAULT:  # default is a ledger without the event: nothing to record
            try:
                self.save(LedgerSuite(name, by))
            except IntegrityError:  # another process created the ledger at the same moment
                if self.suite() != name:
                    raise DomainError.of("suite", f"算法套件：台账已由另一进程以「{self.suite()}」套件创建") from None
        return name

    def signing_key(self, unit: str) -> str | None:
        """The public key (hex) registered in the log for the unit's seals, if it has sealed since keys were
        registered (older ledgers: None, and verification falls back on the unit's first seal)."""
        found = self._get(signing_key_id(unit))
        return found.public_key if found is not None else None  # type: ignore[attr-defined]

    def attach(self, unit: str, ref: str, evidence: Evidence, step_id: str | None, by: str) -> None:
        """Attach a file to an activity. Not under the approved-year lock (domain/filing.py): evidence is no
        input of any figure (DOMAIN §3, §7.5, §8), so attaching or removing it changes no approved number; it
        stays in the activity's history, which the auditor sees."""
        activity = self._activity_or_error(unit, ref)
        activity.attach(evidence, step_id, by)
        self.save(activity)

    def remove_evidence(self, unit: str, ref: str, sha256: str, reason: str, by: str) -> None:
        if not reason.strip():
            raise DomainError.of("reason", "原因：作废附件须说明原因")
        activity = self._activity_or_error(unit, ref)
        activity.remove_evidence(sha256, reason, by)
        self.save(activity)

    def _activity_or_error(self, unit: str, ref: str) -> Activity:
        activity = self.activity(unit, ref)
        if activity is None:
            raise DomainError.of("ref", f"活动编号：单位「{unit}」没有编号为「{ref}」的活动")
        return activity

    def write_narrative(self, unit: str, year: int, section: str, text: str, by: str) -> Narrative:
        """Record (or replace, keeping the old version in the history) a section's narrative text. Not under the
        approved-year lock (domain/filing.py): the lock guards the approved figures, and a narrative is no
        input of any figure (it is the report's prose, not its numbers); every version stays in its history."""
        text = narrative.check(section, text)
        if self.unit(unit) is None:
            raise DomainError.of("unit", f"单位：{unknown_unit(unit)}")
        found: Narrative | None = self._get(narrative.narrative_id(unit, year, section))  # type: ignore[assignment]
        if found is None:
            found = Narrative(unit, year, section, text, by)
        elif found.text != text:
            found.rewrite(text, by)
        self.save(found)
        return found

    def narratives(self, unit: str, year: int) -> dict[str, str]:
        """The current text of each section the unit has written for the year."""
        out = {}
        for section in REPORT_SECTIONS:
            found = self._get(narrative.narrative_id(unit, year, section))
            if found is not None:
                out[section] = found.text  # type: ignore[attr-defined]
        return out

    def write_report_settings(
        self, unit: str, year: int, values: dict[str, Any], by: str
    ) -> report_settings.DocumentSettings:
        """Record how the unit issues its year report (红头, 主送机关, attachments); unchanged settings add nothing."""
        checked = report_settings.check(values, year)
        if self.unit(unit) is None:
            raise DomainError.of("unit", f"单位：{unknown_unit(unit)}")
        found: report_settings.ReportSettings | None = self._get(report_settings.settings_id(unit, year))  # type: ignore[assignment]
        if found is None:
            found = report_settings.ReportSettings(unit, year, checked.values(), by)
        elif found.values != checked.values():
            found.rewrite(checked.values(), by)
        self.save(found)
        return checked

    def report_settings(self, unit: str, year: int) -> report_settings.DocumentSettings:
        """The year's settings; else the latest of the 5 years before, without its 发文字号; else the defaults."""
        for y in range(year, year - 6, -1):
            found = self._get(report_settings.settings_id(unit, y))
            if found is not None:
                settings = found.settings  # type: ignore[attr-defined]
                return settings if y == year else report_settings.carried_over(settings)
        return report_settings.DocumentSettings()

    def seals(self) -> list[Seal]:
        """Every seal in the log, oldest first."""
        return self.created_with(Seal.Sealed)

    def created_with(self, created: type) -> list[Any]:
        """Every aggregate whose first event is of this class, in log order (a scan of the notification log)."""
        topic = f"{created.__module__}:{created.__qualname__}"
        found, after = [], 0
        while notes := self.recorder.select_notifications(after, 1000, topics=[topic], inclusive_of_start=False):
            found += [self.repository.get(n.originator_id) for n in notes]
            after = notes[-1].id
        return found

    def _get(self, aggregate_id: UUID) -> Aggregate | None:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def _get_many(self, ids: Iterable[UUID]) -> dict[UUID, Aggregate | None]:
        """Every one of `ids` as `_get` gives it, read with one query per LOAD_CHUNK ids on the embedded SQLite
        store and on PostgreSQL (the library's own recorder connection, mapper and aggregate projection)."""
        wanted = list(dict.fromkeys(ids))
        rows_of = _bulk_reader(self.recorder)
        if rows_of is None:
            return {i: self._get(i) for i in wanted}
        out: dict[UUID, Aggregate | None] = dict.fromkeys(wanted)
        to_domain_event = self.mapper.to_domain_event
        for first in range(0, len(wanted), LOAD_CHUNK):
            found: dict[UUID, list[Any]] = {}
            for stored in rows_of(wanted[first : first + LOAD_CHUNK]):
                oid = stored.originator_id if isinstance(stored.originator_id, UUID) else UUID(stored.originator_id)
                found.setdefault(oid, []).append(stored)
            for oid, stored_events in found.items():
                stored_events.sort(key=lambda e: e.originator_version)
                out[oid] = _fold([to_domain_event(e) for e in stored_events])
        return out

    def written(self, line_id: str, unit: str, ref: str | None, code: str | None = None) -> Written | None:
        """The event an already-applied line wrote (to answer a retried request as the first time); `code`: the
        figure a `figure` line declared (§8), whose events are on the declaration, not on the unit."""
        if code is not None:
            aggregate = declaration_id(unit, code)
        else:
            aggregate = unit_id(unit) if ref is None else activity_id(unit, ref)
        for e in self.events.get(aggregate):
            if getattr(e, "line_id", None) == line_id:
                return Written(e.originator_version, e.timestamp)
        return None

    def apply(
        self,
        lines: Iterable[tuple[int, Any]],
        caller: str,
        progress: Callable[[int], None] | None = None,
    ) -> Outcome:
        """Validate every line against the state the earlier ones leave; save all of them or none."""
        return self.apply_each([Submission(list(lines), caller)], progress)[0]

    def check(self, lines: Sequence[tuple[int, Any]], caller: str) -> list[LineError]:
        """Every error of these lines, each against the state the earlier ones leave, writing nothing: what a file
        that cannot be applied anyway (a line of it is not JSON) is still checked for, so all is said at once."""
        return _Session(self, assume_new=False).run(lines, caller, self.today(), None).errors

    def apply_each(
        self, submissions: Sequence[Submission], progress: Callable[[int], None] | None = None
    ) -> list[Outcome]:
        """Apply several callers' submissions in one transaction (group commit), each all-or-nothing:
        a submission with an error is left out and the rest are validated again without it."""
        results: dict[int, Outcome] = {}
        active = list(range(len(submissions)))
        careful = False
        for _ in range(len(submissions) + 3):
            if not active:
                break
            # The first pass assumes new refs and ids are new (no read per line); a collision or an error
            # may only mean something already existed, so later passes look every one up.
            session = _Session(self, assume_new=not careful)
            outcomes: dict[int, Outcome] = {}
            failed: int | None = None
            for i in active:
                sub = submissions[i]
                session.expected = sub.expected
                session.refuse_unchanged = sub.refuse_unchanged
                session.late_reason = sub.late_reason
                outcome = session.run(sub.lines, sub.caller, self.today(), progress if not careful else None)
                if not outcome.ok:
                    failed = i
                    if careful:
                        results[i] = outcome
                        active.remove(i)
                    break
                outcomes[i] = outcome
            if failed is not None:
                careful = True
                continue
            try:
                # One transaction for everything, straight to the recorder: no followers, no snapshots, and
                # none of the per-event Recording objects EventStore.put builds (only the count is wanted).
                stored = [self.mapper.to_stored_event(e) for e in session.pending()]
                # Atomic with the lock check: an approval committed since the session read the year's index
                # (domain/filing.py `Locks`) fails this insert, and the careful pass reads the lock again.
                ids = checked_insert(self.recorder, stored, session.seen)
            except IntegrityError:
                careful = True
                continue
            self._committed(ids if ids else [self.recorder.max_notification_id() or 0] if stored else [])
            if len(outcomes) == 1:
                next(iter(outcomes.values())).events = len(stored)
            results.update(outcomes)
            active = []
        for i in active:
            results[i] = Outcome(errors=[LineError(0, "id", "行编号：与同时进行的其他录入冲突，请重试")])
        return [results[i] for i in range(len(submissions))]


LOAD_CHUNK = 500  # aggregate ids per query of a bulk load
_DATED_OPS = frozenset(("record", "step", "correct", "void"))  # the ops whose lines a locked year refuses


def _fold(events: list[Any]) -> Aggregate | None:
    """An aggregate from its events, each applied by its own `mutate` as the library's `project_aggregate` does,
    without that function's per-event `isinstance` check against a runtime protocol (most of a bulk load's time
    once the events are small, bench/progress.py)."""
    aggregate = None
    for e in events:
        aggregate = e.mutate(aggregate)
    return aggregate


def _bulk_reader(recorder: Any) -> Callable[[list[UUID]], list[StoredEvent]] | None:
    """A function reading the stored events of many aggregates in one query, for the recorders that allow it."""
    if isinstance(recorder, SQLiteAggregateRecorder):

        def sqlite_rows(ids: list[UUID]) -> list[StoredEvent]:
            sql = (
                "SELECT originator_id, originator_version, topic, state FROM "
                f"{recorder.events_table_name} WHERE originator_id IN ({', '.join('?' * len(ids))})"
            )
            with recorder.datastore.transaction(commit=False) as c:
                c.execute(sql, [i.hex for i in ids])
                return [
                    StoredEvent(
                        originator_id=recorder.convert_originator_id(row["originator_id"]),
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=row["state"],
                    )
                    for row in c.fetchall()
                ]

        return sqlite_rows
    try:
        from eventsourcing.postgres import PostgresAggregateRecorder
    except ImportError:  # psycopg missing
        return None
    if isinstance(recorder, PostgresAggregateRecorder):
        from psycopg.sql import SQL, Identifier

        statement = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {}.{} WHERE originator_id = ANY(%s)"
        ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
        as_uuid = recorder.datastore.originator_id_type == "uuid"

        def postgres_rows(ids: list[UUID]) -> list[StoredEvent]:
            with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(statement, [ids if as_uuid else [str(i) for i in ids]])
                return [
                    StoredEvent(
                        originator_id=row["originator_id"],
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=bytes(row["state"]),
                    )
                    for row in curs.fetchall()
                ]

        return postgres_rows
    return None


class LockMoved(IntegrityError):
    """An aggregate a write's checks read (the index of a year's approved filings) changed before the write
    committed: the write is validated again against the new state."""


def checked_insert(recorder: Any, stored: list[StoredEvent], seen: dict[UUID, int]) -> Sequence[int] | None:
    """Insert `stored` in one transaction that also confirms every aggregate of `seen` is still at the version
    the writer's checks read (0: none existed); raises LockMoved (nothing written) otherwise.

    Checking before the commit in Python leaves a window: an approval landing between the session's read of
    the year's lock index and this insert would let the write in without a 报后更正 reason. So the check runs
    inside the insert's transaction, where no other writer can commit in between: on SQLite after the rows
    went in (the first INSERT takes the database's write lock, held to the commit, and the transaction then
    reads the latest state), on PostgreSQL after the recorder's table lock (api/infra/postgres.py). Returns
    the notification ids the store gave the events, as the recorder's insert_events does."""
    if not seen:
        return recorder.insert_events(stored)
    ids = list(seen)

    def confirm(found: dict[UUID, int]) -> None:
        moved = [i for i in ids if found.get(i, 0) != seen[i]]
        if moved:
            raise LockMoved(f"changed while the write was checked: {', '.join(str(i) for i in moved)}")

    if isinstance(recorder, SQLiteAggregateRecorder):
        sql = (
            f"SELECT originator_id AS id, MAX(originator_version) AS v FROM {recorder.events_table_name} "
            f"WHERE originator_id IN ({', '.join('?' * len(ids))}) GROUP BY originator_id"
        )
        with recorder.datastore.transaction(commit=True) as c:
            inserted = recorder._insert_events(c, stored)
            c.execute(sql, [i.hex for i in ids])
            confirm({UUID(row["id"]): row["v"] for row in c.fetchall()})
        return inserted
    if getattr(recorder, "checks_in_transaction", False):
        from psycopg.sql import SQL, Identifier

        statement = SQL(
            "SELECT originator_id AS id, MAX(originator_version) AS v FROM {}.{} WHERE originator_id = ANY(%s) "
            "GROUP BY originator_id"
        ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
        as_uuid = recorder.datastore.originator_id_type == "uuid"

        def check(curs: Any) -> None:
            curs.execute(statement, [ids if as_uuid else [str(i) for i in ids]])
            confirm({UUID(str(row["id"])): row["v"] for row in curs.fetchall()})

        return recorder.insert_events(stored, check=check)
    lock = getattr(recorder, "_database_lock", None)  # the in-memory recorder: one re-entrant lock
    if lock is None:
        raise TypeError(f"no atomic lock check for the event store {type(recorder).__name__}")
    with lock:
        confirm({i: e[0].originator_version for i in ids if (e := recorder.select_events(i, desc=True, limit=1))})
        return recorder.insert_events(stored)


class _Session:
    """A unit of work: aggregates loaded or created while validating one file."""

    def __init__(self, ledger: Ledger, assume_new: bool) -> None:
        self.ledger = ledger
        self.assume_new = assume_new
        self.refused_records: set[tuple[str, str]] = set()  # (unit, ref) of record lines refused in this run
        self.cache: dict[UUID, Any] = {}
        self.touched: dict[UUID, Aggregate] = {}
        self.receipts: list[Receipt.Issued] = []
        self.expected: dict[str, int] = {}
        self.refuse_unchanged = False
        self.late_reason: str | None = None
        self.late: dict[UUID, tuple[Filing, list[dict[str, str]]]] = {}  # this run's lines on locked filings
        # The version of each year's lock index the checks read (0: none yet), confirmed in the commit.
        self.seen: dict[UUID, int] = {}
        self.today: date | None = None
        self.outcome = Outcome()

    def pending(self) -> list[Any]:
        events = [e for aggregate in self.touched.values() for e in aggregate.collect_events()]
        return self.receipts + events  # receipts first: a transaction's last position is one of its projected events

    def get(self, aggregate_id: UUID, may_be_new: bool = False) -> Any:
        if aggregate_id not in self.cache:
            if may_be_new and self.assume_new:
                self.cache[aggregate_id] = None
            else:
                self.cache[aggregate_id] = self.ledger._get(aggregate_id)
        return self.cache[aggregate_id]

    def preload(self, lines: Sequence[tuple[int, Any]]) -> None:
        """Load at once every aggregate the lines name that `get` would otherwise read one query each: the
        units, the activities of steps, corrections and voids, declarations; when nothing is assumed new, also
        the receipts and the activities of records. Lines that cannot be read are left to `run` to report."""
        ids: list[UUID] = []
        for _, raw in lines:
            if not isinstance(raw, dict):
                continue
            unit, ref, op = raw.get("unit"), raw.get("ref"), raw.get("op")
            try:
                if isinstance(unit, str):
                    ids.append(unit_id(unit))
                    parent = raw.get("data", {}).get("parent") if isinstance(raw.get("data"), dict) else None
                    if isinstance(parent, str):
                        ids.append(unit_id(parent))
                    if isinstance(ref, str) and (op != "record" or not self.assume_new):
                        ids.append(activity_id(unit, ref))
                    code = raw.get("data", {}).get("code") if isinstance(raw.get("data"), dict) else None
                    if op == "figure" and isinstance(code, str):
                        ids.append(declaration_id(unit, code))
                if not self.assume_new and isinstance(raw.get("id"), str):
                    ids.append(receipt_id(raw["id"]))
            except (ValueError, TypeError):
                continue
        missing = [i for i in dict.fromkeys(ids) if i not in self.cache]
        if len(missing) > 1:
            self.cache.update(self.ledger._get_many(missing))
        # Then which of the years the lines touch are locked anywhere (domain/filing.py), in one more query.
        locks = [locks_id(y) for y in sorted(self.line_years(lines))]
        missing = [i for i in locks if i not in self.cache]
        if missing:
            self.cache.update(self.ledger._get_many(missing))

    def line_years(self, lines: Sequence[tuple[int, Any]]) -> set[int]:
        """The years the lines' dates and their (loaded) activities fall in, as far as can be read before
        validation: what `locks` will ask about. A year missed here is only read later, one query."""
        heads: set[Any] = set()  # the first four characters of each date (a cheap pass: this runs per line)
        years: set[int] = set()
        for _, raw in lines:
            if type(raw) is not dict:
                continue
            op = raw.get("op")
            if op not in _DATED_OPS:
                continue
            day = raw.get("date")
            if type(day) is str:
                heads.add(day[:4])
            if op == "record":
                if raw.get("kind") == "major_decision" and isinstance(raw.get("data"), dict):
                    year = raw["data"].get("catalogue_year")
                    if isinstance(year, int):
                        years.add(year)
                continue
            unit, ref = raw.get("unit"), raw.get("ref")
            if type(unit) is str and type(ref) is str:
                try:
                    found = self.cache.get(activity_id(unit, ref))
                except ValueError:  # not encodable (a lone surrogate): the line's own error names it
                    continue
                if isinstance(found, Activity):
                    years.add(activity_year(found.kind, found.date, found.data))
                    years |= {s.date.year for s in found.steps.values() if not s.voided}
        years |= {int(h) for h in heads if h.isdigit() and len(h) == 4}
        return {y for y in years if 2000 <= y <= 9999}

    def keep(self, aggregate: Aggregate) -> None:
        self.cache[aggregate.id] = aggregate
        self.touched[aggregate.id] = aggregate

    def run(
        self, lines: Sequence[tuple[int, Any]], caller: str, today: date, progress: Callable[[int], None] | None
    ) -> Outcome:
        outcome = self.outcome = Outcome()
        self.late = {}
        self.refused_records = set()
        self.today = today
        self.preload(lines)
        for i, (number, raw) in enumerate(lines):
            if progress and i % 1000 == 999:
                progress(1000)
            line_digest = None
            try:
                line = parse_line(raw, today)
                line_digest = digest(raw)
                rid = receipt_id(line.id)
                prior: Receipt | Receipt.Issued | None = self.get(rid, may_be_new=True)
                if prior is not None:
                    if prior.digest != line_digest:
                        raise DomainError.of("id", f"行编号：「{line.id}」已用于内容不同的另一行，不能重复使用")
                    outcome.skipped += 1
                    continue
                by = line.by or caller
                self.dispatch(line, by)
                receipt = Receipt.issue(line.id, line_digest, by)
                self.receipts.append(receipt)
                self.cache[rid] = receipt
                outcome.applied += 1
            except DomainError as e:
                if line_digest is not None and self.replayed(line.id, line_digest):
                    outcome.skipped += 1
                    continue
                if isinstance(e, VersionConflict):
                    outcome.conflict = e.current
                if isinstance(raw, dict) and raw.get("op") == "record":
                    unit, ref = raw.get("unit"), raw.get("ref")
                    if isinstance(unit, str) and isinstance(ref, str):
                        self.refused_records.add((unit, ref))
                outcome.errors.extend(LineError(number, fe.field, fe.message) for fe in e.errors)
        if progress:
            progress(len(lines) % 1000)
        if outcome.ok and self.late:
            self.record_late(caller)
        return outcome

    def replayed(self, line_id: str, line_digest: str) -> bool:
        """Whether this very line was committed meanwhile by another writer (the same request retried on
        another worker): its receipt was read before that commit and what the line touches after it, so the
        line looked like a clash ("已有编号为…的活动", a version conflict). The receipt commits together with
        the events, so read again now it is seen. Only in a careful pass: the first pass reads nothing and
        any error sends the group into one."""
        if self.assume_new:
            return False
        rid = receipt_id(line_id)
        if isinstance(self.cache.get(rid), Receipt.Issued):
            return False  # issued in this session: nothing committed elsewhere
        fresh: Receipt | None = self.ledger._get(rid)  # type: ignore[assignment]
        if fresh is None or fresh.digest != line_digest:
            return False
        self.cache[rid] = fresh
        return True

    def dispatch(self, line: Line, by: str) -> None:
        if isinstance(line, UnitLine):
            self.unit_line(line, by)
            return
        self.require_unit(line.unit)
        if isinstance(line, FigureLine):
            self.figure_line(line, by)
            return
        if isinstance(line, RecordLine):
            aid = activity_id(line.unit, line.ref)
            if self.get(aid, may_be_new=True) is not None:
                raise DomainError.of("ref", f"活动编号：单位「{line.unit}」已有编号为「{line.ref}」的活动")
            locks = self.locks(line.unit, {activity_year(line.kind, line.date, line.data)})
            self.keep(Activity.record(line.unit, line.ref, line.kind, line.date, line.data, by, line.id))
            self.wrote(line.id, self.touched[aid])
            self.late_corrected(locks, line, by)
            return
        activity: Activity | None = self.get(activity_id(line.unit, line.ref))
        if activity is None and (line.unit, line.ref) in self.refused_records:
            # Said as a consequence, not as a second mistake: the record this line builds on is in the same file
            # and was refused above (all errors are reported at once, so both are listed).
            raise DomainError.of("ref", f"活动编号：记录「{line.ref}」的那一行有错误（见上），改正后此行才能导入")
        if activity is None:
            raise DomainError.of("ref", f"活动编号：单位「{line.unit}」没有编号为「{line.ref}」的活动")
        expected = self.expected.get(line.id)
        if expected is not None and activity.version != expected:
            raise VersionConflict(activity.version)
        locks = self.locks(line.unit, touched_years(activity, line))
        if isinstance(line, StepLine):
            activity.add_step(line.id, line.step, line.date, line.data, by)  # type: ignore[arg-type]
        elif isinstance(line, CorrectLine):
            activity.correct(
                line.id,
                line.date,
                line.data,
                line.reason,
                by,
                refuse_unchanged=self.refuse_unchanged,  # type: ignore[arg-type]
            )
        elif isinstance(line, VoidLine):
            if line.target is None:
                activity.void(line.id, line.reason, by)
            else:
                activity.void_step(line.id, line.target, line.reason, by)
        self.keep(activity)
        self.wrote(line.id, activity)
        self.late_corrected(locks, line, by)

    # ---- the lock of approved years (domain/filing.py): the one check every write path goes through ----

    def locks(self, unit: str, years: set[int]) -> list[Filing]:
        """The approved filings whose figures a line touching these years of the unit would change: the
        unit's own and its ancestors' (a parent's approved report rolls the unit's figures up). Refused
        without a 报后更正 reason, naming each."""
        indexes: dict[int, Locks] = {y: i for y in years if (i := self.index(y)) is not None and i.units}
        if not indexes:
            return []  # nothing approved for these years anywhere: no unit tree to walk
        chain, seen = [], set()
        code: str | None = unit
        while code is not None and code not in seen:
            seen.add(code)
            chain.append(code)
            found: Unit | None = self.get(unit_id(code))
            code = found.parent if found is not None else None
        pairs = [(u, y) for y, index in sorted(indexes.items()) for u in chain if index.has(u)]
        locked = [f for f in (self.get(filing_id(u, y)) for u, y in pairs) if f is not None and f.locked]
        return self.refuse_unreasoned(locked)

    def index(self, year: int) -> Locks | None:
        """The year's lock index, its version noted so the commit confirms it did not move meanwhile."""
        found: Locks | None = self.get(locks_id(year))
        self.seen[locks_id(year)] = found.version if found is not None else 0
        return found

    def declaration_locks(self, unit: str, code: str) -> list[Filing]:
        """The approved filings whose figures a declaration, redeclaration or retirement of `code` on `unit`
        would change (DOMAIN §8.6): a declaration has no year, it applies to every report of the unit and of its
        descendants, so every approved year of the unit or of a descendant whose nearest declaration of `code`
        is the unit's (a descendant with its own live declaration of `code` is not touched). Ancestors never
        are: a parent's report uses its own definition. Refused without a 报后更正 reason like any other write."""
        last = (self.today or date.today()).year + 1
        ids = [locks_id(y) for y in range(FIRST_YEAR, last + 1)]
        missing = [i for i in ids if i not in self.cache]
        if missing:
            self.cache.update(self.ledger._get_many(missing))  # one query: a figure line is rare
        locked: list[Filing] = []
        for year in range(FIRST_YEAR, last + 1):
            index = self.index(year)
            for u in index.units if index is not None else ():
                if self.declares_for(unit, u, code):
                    found: Filing | None = self.get(filing_id(u, year))
                    if found is not None and found.locked:
                        locked.append(found)
        return self.refuse_unreasoned(locked)

    def declares_for(self, declarer: str, unit: str, code: str) -> bool:
        """Whether `declarer`'s declaration of `code` is the nearest one to `unit` (itself or an ancestor)."""
        seen: set[str] = set()
        here: str | None = unit
        while here is not None and here not in seen:
            if here == declarer:
                return True
            own: FigureDeclaration | None = self.get(declaration_id(here, code))
            if own is not None and own.live:
                return False  # its own declaration applies to its subtree (§8.6)
            seen.add(here)
            found: Unit | None = self.get(unit_id(here))
            here = found.parent if found is not None else None
        return False

    def refuse_unreasoned(self, locked: list[Filing]) -> list[Filing]:
        if locked and not (self.late_reason or "").strip():
            raise DomainError(
                *(
                    FieldError(
                        "late_reason",
                        f"报后更正：{f.unit} {f.year} 年度报告已审核通过并锁定，修改该年度的数据须说明报后更正理由"
                        "（命令行 --late-reason，接口 late_reason，表单“报后更正理由”）",
                    )
                    for f in locked
                )
            )
        return locked

    def late_corrected(self, locks: list[Filing], line: Line, by: str) -> None:
        """Note a line written to a locked year; `record_late` records them once the whole submission is valid."""
        for f in locks:
            _, noted = self.late.setdefault(f.id, (f, []))
            ref = line.data.get("code", "") if isinstance(line, FigureLine) else getattr(line, "ref", "")
            noted.append({"line": line.id, "op": line.op, "unit": line.unit, "ref": ref})

    def record_late(self, caller: str) -> None:
        """One late correction per locked filing a valid submission touched: its lines, the reason, the writer."""
        at = datetime.now(UTC).isoformat()
        for f, noted in self.late.values():
            f.late_correct(noted, self.late_reason or "", at, caller)
            self.keep(f)
        self.late = {}

    def figure_line(self, line: FigureLine, by: str) -> None:
        """Declare, redeclare or retire (§8): the definition is checked whole, then one event on (unit, code)."""
        parsed = parse(line.data)
        data = _json_numbers(line.data)
        did = declaration_id(line.unit, parsed.code)
        found: FigureDeclaration | None = self.get(did)
        same = found is not None and found.live and not isinstance(parsed, Retirement) and found.data == data
        # An unchanged redeclaration moves no figure: no lock to ask about.
        locks = [] if same else self.declaration_locks(line.unit, parsed.code)
        if isinstance(parsed, Retirement):
            if found is None:
                raise no_live_declaration(line.unit)
            found.retire(by, line.id)
        elif found is None:
            found = FigureDeclaration(line.unit, parsed.code, data, by, line.id)
        else:
            found.redeclare(data, by, line.id)
        self.keep(found)
        self.wrote(line.id, found)
        self.late_corrected(locks, line, by)

    def wrote(self, line_id: str, aggregate: Aggregate) -> None:
        self.outcome.written[line_id] = Written(aggregate.version, aggregate.modified_on)

    def require_unit(self, code: str) -> Unit:
        unit: Unit | None = self.get(unit_id(code))
        if unit is None:
            raise DomainError.of("unit", f"单位：{unknown_unit(code)}，请先登记（op: unit）")
        return unit

    def unit_line(self, line: UnitLine, by: str) -> None:
        parent = line.data.parent
        if parent is not None:
            if parent == line.unit:
                raise DomainError.of("data.parent", "上级单位：不能是本单位自己")
            try:
                ancestor: Unit | None = self.require_unit(parent)
            except DomainError:
                raise DomainError(FieldError("data.parent", f"上级单位：{unknown_unit(parent)}")) from None
            seen = {line.unit}
            while ancestor is not None and ancestor.parent is not None:
                if ancestor.parent in seen or ancestor.code in seen:
                    raise DomainError.of("data.parent", f"上级单位：以「{parent}」为上级会形成循环")
                seen.add(ancestor.code)
                ancestor = self.get(unit_id(ancestor.parent))
            if ancestor is not None and ancestor.code in seen:
                raise DomainError.of("data.parent", f"上级单位：以「{parent}」为上级会形成循环")
        unit: Unit | None = self.get(unit_id(line.unit))
        if unit is None:
            unit = Unit(line.unit, line.data.name, parent, by, line.id)
        else:
            unit.change(line.data.name, parent, by, line.id)
        self.keep(unit)
        self.wrote(line.id, unit)


def touched_years(activity: Activity, line: Line) -> set[int]:
    """The years whose figures a step, correction or void of this activity may change: the year the activity
    counts in (its date's, or a major decision's catalogue year), before and after a correction, and the year of
    every live step's date (step figures count by the step's date, DOMAIN.md §3), the new step's included."""
    years = {activity_year(activity.kind, activity.date, activity.data)}
    years |= {s.date.year for s in activity.steps.values() if not s.voided}
    if isinstance(line, StepLine):
        years.add(line.date.year)
    elif isinstance(line, CorrectLine):
        day = line.date or activity.date
        years.add(activity_year(activity.kind, day, {**activity.data, **(line.data or {})}))
    elif isinstance(line, VoidLine) and line.target is not None:
        step = activity.steps.get(line.target)
        if step is not None:
            years.add(step.date.year)
    return years


def _json_numbers(value: Any) -> Any:
    """A declaration's data as given, with exact decimals (a bound like `"gte": 90.5`, read by parse_float) as
    JSON numbers again: a money or score bound has at most 15 significant digits, so the float's shortest text
    is the text that was given, and the event keeps plain JSON (the read model reads `data` as it is stored)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _json_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_numbers(v) for v in value]
    return value
