"""The data directory ($TAIZHANG_HOME): the one place that names its files.

events.db[-wal|-shm]    the SQLite event store (absent on PostgreSQL)
keys/<unit>.pem|.sm2.pem|.pub  each unit's seal-signing key (Ed25519 or SM2, `keys.py`)
keys/personal/<unit>.<id>.key   each unit's personal-data keys (`keys.py`, domain/personal.py)
keys/totp/<username>.key        users' second-factor (TOTP) secrets (`totp.py`)
access-log.db[-wal|-shm]  the hash-chained access log (`access_log.py`): backed up with the event store, never
                         replaced by a restore (an audit trail is not rolled back)
evidence/<ab>/<sha256>   evidence files by content (`evidence.py`)
session.key              the secret that signs web sessions (`passwords.py`)
readmodel[-N].duckdb     read-model slots and readmodel.generation (named in projections/slots.py, which
                         owns them: re-exported here so a search for a file name ends in this module)
packages/<sha256>.tzpkg  report packages imported from units on their own servers (`package_file.py`)
outbox/                  reminders waiting to be delivered by e-mail or webhook (`outbox.py`)
write-marks              each web caller's last write position, shared by the workers (`write_marks.py`)
backup.json              the manifest `taizhang backup` writes beside a copy (`backup.py`)
charts/<sha256>.png      trend charts of the year-end drafts already drawn, by what they are drawn from
                         (api/documents/charts.py): derived, neither backed up nor restored
"""

from __future__ import annotations

from pathlib import Path

from projections.anchor import ANCHOR_FILE
from projections.slots import GENERATION_FILE, slot_path

EVENTS_DB = "events.db"
EVENTS_DB_SIDECARS = ("-wal", "-shm")
ACCESS_LOG_DB = "access-log.db"
KEYS_DIR = "keys"
EVIDENCE_DIR = "evidence"
SESSION_KEY = "session.key"
WRITE_MARKS = "write-marks"
BACKUP_MANIFEST = "backup.json"
PACKAGES_DIR = "packages"
OUTBOX_DIR = "outbox"
CHARTS_DIR = "charts"
# Folders copied with the event store by backup and restore.
COPIED_FOLDERS = (KEYS_DIR, EVIDENCE_DIR, PACKAGES_DIR, OUTBOX_DIR)

__all__ = [
    "ACCESS_LOG_DB",
    "access_log_db",
    "ANCHOR_FILE",
    "BACKUP_MANIFEST",
    "CHARTS_DIR",
    "COPIED_FOLDERS",
    "EVENTS_DB",
    "EVENTS_DB_SIDECARS",
    "EVIDENCE_DIR",
    "GENERATION_FILE",
    "KEYS_DIR",
    "OUTBOX_DIR",
    "PACKAGES_DIR",
    "SESSION_KEY",
    "WRITE_MARKS",
    "charts_dir",
    "events_db",
    "keys_dir",
    "evidence_dir",
    "outbox_dir",
    "packages_dir",
    "session_key",
    "write_marks",
    "slot_path",
]


def events_db(home: Path) -> Path:
    return home / EVENTS_DB


def access_log_db(home: Path) -> Path:
    return home / ACCESS_LOG_DB


def keys_dir(home: Path) -> Path:
    return home / KEYS_DIR


def evidence_dir(home: Path) -> Path:
    return home / EVIDENCE_DIR


def session_key(home: Path) -> Path:
    return home / SESSION_KEY


def packages_dir(home: Path) -> Path:
    return home / PACKAGES_DIR


def outbox_dir(home: Path) -> Path:
    return home / OUTBOX_DIR


def write_marks(home: Path) -> Path:
    return home / WRITE_MARKS


def charts_dir(home: Path) -> Path:
    return home / CHARTS_DIR
