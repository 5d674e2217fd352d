"""The largest event log this data directory has seen, and its Merkle root, kept outside the read model.

The read model's witness (every leaf hash, as first projected) is derived data: deleting or rebuilding it
used to leave `verify` with nothing to compare, so an event edited after the last seal, a log truncated to
a seal or an older backup copied over a newer ledger went unseen. The anchor is a small file beside the read
models that only ever grows: after each catch-up it moves to the read model's new size and root, but only
when the read model still has the anchored root at the anchored size (a read model rebuilt from an edited
store does not move it). `verify` checks the store against it. Someone able to rewrite every file here can
rewrite this one too: against that, only a root published elsewhere helps (`verify --root --size`).
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

ANCHOR_FILE = "log.anchor"


@dataclass(frozen=True)
class Anchor:
    size: int
    root: str
    seen_at: str


class HasLog(Protocol):
    def log(self) -> dict[str, object]: ...

    def root(self, size: int) -> bytes: ...


def anchor_path(home: Path) -> Path:
    return home / ANCHOR_FILE


def read_anchor(home: Path) -> Anchor | None:
    try:
        found = json.loads(anchor_path(home).read_text())
        return Anchor(int(found["size"]), str(found["root"]), str(found["seen_at"]))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        return Anchor(-1, "", "")  # unreadable: verify reports it


def write_anchor(home: Path, anchor: Anchor) -> None:
    """Replace the anchor atomically (used by `advance` and by an explicit restore)."""
    path = anchor_path(home)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(anchor)) + "\n")
    os.replace(tmp, path)


def advance(home: Path, model: HasLog) -> None:
    """Move the anchor to the read model's log when it is larger and extends the anchored log."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / f"{ANCHOR_FILE}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        log = model.log()
        size, root = int(log["size"]), str(log["root"])  # type: ignore[call-overload]
        old = read_anchor(home)
        if old is not None and (size <= old.size or old.size < 0):
            return
        if old is not None and old.size > 0 and model.root(old.size).hex() != old.root:
            return  # this read model disagrees with what was seen: leave the evidence for verify
        if size > 0:
            write_anchor(home, Anchor(size, root, datetime.now(UTC).isoformat()))
