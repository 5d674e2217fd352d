"""Failed-login slowdown: each failure for a name or an address doubles the wait before the next try."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

FREE_FAILURES = 3  # mistyped passwords happen: the first few cost nothing
MAX_WAIT = 300.0
FORGET_AFTER = 3600.0


@dataclass
class _Record:
    failures: int = 0
    last: float = 0.0


class Throttle:
    def __init__(self) -> None:
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def wait(self, *keys: str) -> float:
        """Seconds until another attempt for these keys is allowed (0 when allowed now)."""
        now = time.monotonic()
        with self._lock:
            longest = 0.0
            for key in keys:
                r = self._records.get(key)
                if r is None or now - r.last > FORGET_AFTER or r.failures < FREE_FAILURES:
                    continue
                delay = min(2.0 ** (r.failures - FREE_FAILURES), MAX_WAIT)
                longest = max(longest, r.last + delay - now)
            return max(longest, 0.0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                r = self._records.setdefault(key, _Record())
                if now - r.last > FORGET_AFTER:
                    r.failures = 0
                r.failures += 1
                r.last = now

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._records.pop(key, None)
