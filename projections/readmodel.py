"""The DuckDB read model file and who owns it.

DuckDB allows one writing process per file. Every process that touches the read model takes an
exclusive lock on a sibling lock file first, then catches up and queries: the holder of the lock
owns the file, others wait their turn (commands are short; the web server will hold it while it runs).
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import duckdb
from eventsourcing.persistence import ApplicationRecorder

from . import report as reports
from .ingest import APPLICATION, catch_up
from .schema import DDL
from .tracking import DuckDBTrackingRecorder

MEMORY_LIMIT = "600MB"


class ReadModelBusy(RuntimeError):
    pass


class ReadModel:
    def __init__(self, path: Path, tz: str = "Asia/Shanghai", wait: float = 60.0) -> None:
        self.path = path
        self.tz = tz
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock: IO[str] = open(path.with_name(path.name + ".lock"), "a")  # noqa: SIM115
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self._lock.close()
                    raise ReadModelBusy(f"read model {path} is in use by another process") from None
                time.sleep(0.05)
        self._connect()

    def __enter__(self) -> ReadModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()
        self._lock.close()

    @classmethod
    def fresh(cls, path: Path, tz: str = "Asia/Shanghai") -> ReadModel:
        """An empty read model in place of the old one (for rebuild): it is derived, so it may be thrown away."""
        model = cls(path, tz)
        model.con.close()
        for p in (path, path.with_name(path.name + ".wal")):
            p.unlink(missing_ok=True)
        model._connect()
        return model

    def _connect(self) -> None:
        # A memory limit keeps a rebuild of millions of events within about 1 GiB (DuckDB spills beyond it).
        self.con = duckdb.connect(str(self.path), config={"memory_limit": MEMORY_LIMIT})
        self.con.execute("SET TimeZone = 'UTC'")
        for statement in DDL:
            self.con.execute(statement)
        self.tracking = DuckDBTrackingRecorder(self.con)

    def position(self) -> int:
        return self.tracking.max_tracking_id(APPLICATION) or 0

    def catch_up(self, source: ApplicationRecorder, progress: Callable[[int], None] | None = None, **kw: Any) -> int:
        return catch_up(self.con, source, progress=progress, tz=self.tz, **kw)

    def log(self, as_of: datetime | None) -> dict[str, Any]:
        where = "TRUE" if as_of is None else f"recorded_at <= TIMESTAMPTZ '{as_of.isoformat()}'"
        size = self.con.execute(f"SELECT count(*) FROM events WHERE {where}").fetchall()[0][0]
        return {"size": int(size), "root": None}

    def report(self, unit: str, year: int, as_of: datetime | None = None) -> dict[str, Any]:
        return reports.compute(self.con, unit, year, as_of, self.tz, self.log(as_of))

    def explain(self, figure: str, unit: str, year: int, as_of: datetime | None = None) -> list[dict[str, Any]]:
        return reports.explain(self.con, figure, unit, year, as_of, self.tz)
