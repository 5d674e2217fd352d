"""Group commit: requests that arrive together are written in one transaction, each still all-or-nothing."""

from __future__ import annotations

import asyncio
import queue
import threading
from concurrent.futures import Future

from eventsourcing.persistence import PersistenceError

from domain.ledger import Ledger, Outcome, Submission

MAX_GROUP = 256


class Committer:
    """One writer thread takes whatever submissions are waiting and applies them together.

    Under load many requests share one fsync; alone, a request is written at once (no waiting for company).
    """

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._queue: queue.Queue[tuple[Submission, Future[Outcome]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="taizhang-committer", daemon=True)
        self._thread.start()

    async def submit(self, submission: Submission) -> Outcome:
        future: Future[Outcome] = Future()
        self._queue.put((submission, future))
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            while len(group) < MAX_GROUP:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                group.append(item)
            try:
                outcomes = self.ledger.apply_each([s for s, _ in group])
            except PersistenceError as e:  # the store failed (after the recorder's own retries): tell everyone
                for _, future in group:
                    future.set_exception(e)
                continue
            except Exception as e:  # noqa: BLE001 — answered below, request by request
                if len(group) == 1:
                    group[0][1].set_exception(e)
                    continue
                # Something in one request's input that validation did not foresee failed the whole
                # transaction, and nothing was written: apply each request alone, so that the one at fault
                # fails by itself and the others are written.
                for submission, future in group:
                    self._alone(submission, future)
                continue
            for (_, future), outcome in zip(group, outcomes, strict=True):
                future.set_result(outcome)

    def _alone(self, submission: Submission, future: Future[Outcome]) -> None:
        try:
            future.set_result(self.ledger.apply_each([submission])[0])
        except Exception as e:  # noqa: BLE001 — this request's own failure, for it alone
            future.set_exception(e)
