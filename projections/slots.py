"""Read-model slots: one DuckDB file for each process that reads at the same time.

DuckDB lets one process open a database file. `open_slot` takes the first slot whose lock is free
(readmodel.duckdb, readmodel-2.duckdb, …) without waiting on busy ones. A slot that does not exist yet
starts as a copy of the most advanced idle slot, waiting a few seconds for one when all are busy (or
empty when there is none: its first catch-up rebuilds it from the event log), then catches up like any
other. `open_fresh` (rebuild, restore) starts a new generation: idle slots are deleted, and slots busy
at that moment discard themselves when next opened.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import duckdb
from eventsourcing.persistence import ApplicationRecorder

from .ingest import APPLICATION
from .readmodel import ReadModel, ReadModelBusy, fingerprint, try_lock

MAX_SLOTS = 64
GENERATION_FILE = "readmodel.generation"
SEED_WAIT = 2.0  # s to wait for a busy slot to be let go, to copy it rather than rebuild


def slot_path(home: Path, n: int) -> Path:
    return home / ("readmodel.duckdb" if n == 1 else f"readmodel-{n}.duckdb")


def slot_paths(home: Path) -> Iterator[Path]:
    return (slot_path(home, n) for n in range(1, MAX_SLOTS + 1))


def generation(home: Path) -> str | None:
    """The current generation of the read models (None until the first rebuild: any slot will do)."""
    try:
        return (home / GENERATION_FILE).read_text().strip() or None
    except FileNotFoundError:
        return None


def open_slot(home: Path, tz: str, wait: float = 60.0, seed: bool = True) -> ReadModel:
    """The first free slot, opened (a new one seeded from the most advanced idle slot when `seed`)."""
    home.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        for path in slot_paths(home):
            lock = try_lock(path)
            if lock is None:
                continue
            try:
                if seed and not path.exists():
                    _seed(home, path, tz)
                return ReadModel(path, tz, lock=lock, generation=generation(home))
            except BaseException:
                lock.close()
                raise
        if time.monotonic() > deadline:
            raise ReadModelBusy(f"all {MAX_SLOTS} read models in {home} are in use")
        time.sleep(0.05)


def open_fresh(home: Path, tz: str) -> ReadModel:
    """An empty read model in a new generation: the caller rebuilds it from the log."""
    home.mkdir(parents=True, exist_ok=True)
    _write_atomically(home / GENERATION_FILE, uuid.uuid4().hex)
    for path in slot_paths(home):
        lock = try_lock(path)
        if lock is not None:
            with lock:
                _remove(path)
    model = open_slot(home, tz, seed=False)
    model._discard()
    return model


def catch_up_idle(
    home: Path, tz: str, source: ApplicationRecorder, known: dict[str, int] | None = None, upto: int = 0
) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Catch up every slot no one holds (creating the first when there is none). Returns ({slot file:
    (events advanced by, position now)}, [busy slot files still behind]). `known` remembers positions the
    caller brought slots to: a slot it knows to be at `upto` or beyond is not opened again (only holders of
    a slot advance it, and a rebuild starts a new generation, which forgets them)."""
    done: dict[str, tuple[int, int]] = {}
    behind: list[str] = []
    known = {} if known is None else known
    gen = generation(home) or ""
    for path in slot_paths(home):
        if not path.exists() and path != slot_path(home, 1):
            continue
        key = f"{gen}/{path.name}"
        if known.get(key, -1) >= upto > 0:
            continue
        lock = try_lock(path)
        if lock is None:
            behind.append(path.name)
            continue
        try:
            if not path.exists():
                _seed(home, path, tz)
        except BaseException:
            lock.close()
            raise
        with ReadModel(path, tz, lock=lock, generation=generation(home)) as model:
            # Up to the log as the caller found it (`upto`), so a steady stream of writes cannot keep the fold
            # from ever running (see ReadModel.bring_up_to_date); the next round takes the rest.
            done[path.name] = (model.catch_up(source, until=upto or None), model.position())
            known[key] = done[path.name][1]
    return done, behind


def idle_position(path: Path, tz: str) -> int | None:
    """The tracked position of a slot no one holds, read without catching it up; None when busy or unusable."""
    lock = try_lock(path)
    if lock is None:
        return None
    with lock:
        return _position(path, tz, generation(path.parent)) if path.exists() else None


def _seed(home: Path, target: Path, tz: str) -> None:
    """Copy the most advanced idle slot of this generation to `target`. When every other slot is busy, wait
    up to SEED_WAIT s for one to be let go (commands hold theirs for moments); with no other slot, do nothing."""
    deadline = time.monotonic() + SEED_WAIT
    while True:
        others = [p for p in slot_paths(home) if p != target and p.exists()]
        if not others:
            return
        best = _most_advanced_idle(others, tz, generation(home))
        if best is not None:
            source, lock = best
            with lock:
                _copy(source, target)
            return
        if time.monotonic() > deadline:
            return
        time.sleep(0.05)


def _most_advanced_idle(paths: list[Path], tz: str, gen: str | None) -> tuple[Path, IO[str]] | None:
    """The idle slot with the highest tracked position, its lock held; None when every one is busy."""
    best: tuple[int, Path, IO[str]] | None = None
    for path in paths:
        lock = try_lock(path)
        if lock is None:
            continue
        position = _position(path, tz, gen)
        if position is not None and (best is None or position > best[0]):
            if best is not None:
                best[2].close()
            best = (position, path, lock)
        else:
            lock.close()
    return (best[1], best[2]) if best else None


def _copy(source: Path, target: Path) -> None:
    _remove(target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))
    tmp = target.with_name(target.name + ".tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def _position(path: Path, tz: str, gen: str | None) -> int | None:
    """The ingested position of an idle slot that can be copied, else None."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("fingerprint") != fingerprint(tz) or (gen is not None and meta.get("generation") != gen):
                return None
            found = con.execute(
                "SELECT notification_id FROM tracking WHERE application_name = ?", [APPLICATION]
            ).fetchall()
            return int(found[0][0]) if found else 0
    except duckdb.Error:
        return None


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal"), path.with_name(path.name + ".tmp")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
