"""Where each web caller's last write is in the event log, shared by every worker serving one data directory.

A read waits only until its caller's own writes are folded (read-your-writes, `api/web/server.py`); a caller's
requests may land on any worker, so the marks live in a small file that each worker maps into memory: a fixed
table of slots, a caller's key hashed to one. Two callers sharing a slot each see the larger of their marks,
which only makes one of them wait for a little more than its own writes, never less. The file is derived: losing
it only makes the next reads not wait for writes made before (an ordinary restart folds everything first).
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import threading
from pathlib import Path

SLOTS = 1 << 14  # 128 KiB: collisions stay rare for thousands of sessions and tokens at once
_SLOT = struct.Struct("<Q")


class WriteMarks:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        size = SLOTS * _SLOT.size
        if os.fstat(self._fd).st_size < size:
            os.ftruncate(self._fd, size)  # (zeros: no caller has written yet)
        self._map = mmap.mmap(self._fd, size)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._map.close()
        os.close(self._fd)

    @staticmethod
    def _offset(key: str) -> int:
        return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little") % SLOTS * _SLOT.size

    def get(self, key: str) -> int:
        return int(_SLOT.unpack_from(self._map, self._offset(key))[0])

    def raise_to(self, key: str, position: int) -> None:
        """The caller's mark becomes at least `position` (a lower one never overwrites a higher one, from any
        worker: the slot's bytes are locked across processes while read and written)."""
        offset = self._offset(key)
        if self.get(key) >= position:
            return
        with self._lock:
            fcntl.lockf(self._fd, fcntl.LOCK_EX, _SLOT.size, offset)
            try:
                if _SLOT.unpack_from(self._map, offset)[0] < position:
                    _SLOT.pack_into(self._map, offset, position)
            finally:
                fcntl.lockf(self._fd, fcntl.LOCK_UN, _SLOT.size, offset)
