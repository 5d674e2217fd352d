"""Backup and restore of a SQLite data directory: the event store by SQLite's online backup (the ledger
stays in use), the keys and evidence beside it, and a manifest with the log's size and Merkle root."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from projections import anchor
from projections.audit import StoreLog

from .layout import BACKUP_MANIFEST, COPIED_FOLDERS, EVENTS_DB_SIDECARS, access_log_db, events_db
from .settings import Settings


class BackupRefused(Exception):
    """Why a backup or restore was not done (nothing was changed); the message names the argument at fault."""


@dataclass(frozen=True)
class Manifest:
    size: int
    root: str
    at: str


def backup(settings: Settings, target: Path) -> Manifest:
    if settings.database_url:
        raise BackupRefused("backup: the event store is PostgreSQL: back it up with pg_dump")
    if events_db(target).exists():
        raise BackupRefused(f"dest: {events_db(target)} already exists")
    target.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(events_db(settings.home))
    copy = sqlite3.connect(events_db(target))
    with copy:
        source.backup(copy)
    source.close()
    copy.close()
    if access_log_db(settings.home).exists():  # the access log, online like the events (r15)
        source, copy = sqlite3.connect(access_log_db(settings.home)), sqlite3.connect(access_log_db(target))
        with copy:
            source.backup(copy)
        source.close()
        copy.close()
    for folder in COPIED_FOLDERS:
        if (settings.home / folder).exists():
            shutil.copytree(settings.home / folder, target / folder, dirs_exist_ok=True)
    copied = Settings(target, None, settings.tz, settings.user).ledger()
    try:
        log = StoreLog(copied.recorder)
        manifest = Manifest(len(log.leaves), log.root(len(log.leaves)).hex(), datetime.now(UTC).isoformat())
    finally:
        copied.close()
    (target / BACKUP_MANIFEST).write_text(json.dumps(manifest.__dict__, indent=1) + "\n")
    return manifest


@dataclass(frozen=True)
class Restored:
    events: int  # projected into the rebuilt read model
    size: int  # the restored log's
    root: str
    seen: anchor.Anchor | None  # the largest log this home had seen before (its anchor)

    @property
    def lost(self) -> int:
        """Events the ledger had beyond the backup's: gone after the restore."""
        return self.seen.size - self.size if self.seen is not None and self.seen.size > self.size else 0


def restore(settings: Settings, source: Path, force: bool) -> Restored:
    """Copy a backup into the home and rebuild the read model from it."""
    if not events_db(source).exists():
        raise BackupRefused(f"src: {source} holds no events.db")
    if events_db(settings.home).exists() and not force:
        raise BackupRefused(f"{events_db(settings.home)} exists: use --force to replace it")
    settings.home.mkdir(parents=True, exist_ok=True)
    for suffix in ("", *EVENTS_DB_SIDECARS):
        events_db(settings.home).with_name(events_db(settings.home).name + suffix).unlink(missing_ok=True)
    shutil.copy2(events_db(source), events_db(settings.home))
    if access_log_db(source).exists() and not access_log_db(settings.home).exists():
        shutil.copy2(access_log_db(source), access_log_db(settings.home))  # never over a newer trail (r15)
    for folder in COPIED_FOLDERS:
        if (source / folder).exists():
            shutil.copytree(source / folder, settings.home / folder, dirs_exist_ok=True)
    ledger = settings.ledger()
    seen = anchor.read_anchor(settings.home)
    try:
        with settings.fresh_read_model() as model:
            n = model.catch_up(ledger.recorder)
            log = model.log()
    finally:
        ledger.close()
    # An explicit restore is where a ledger may knowingly go back: the anchor follows it, and says what was lost.
    anchor.write_anchor(settings.home, anchor.Anchor(log["size"], log["root"], datetime.now(UTC).isoformat()))
    return Restored(n, log["size"], log["root"], seen)
