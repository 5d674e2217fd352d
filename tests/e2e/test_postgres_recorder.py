"""The eventsourcing library's own recorder test cases, against the PostgreSQL store as taizhang configures it
(Settings with TAIZHANG_DATABASE_URL, a schema per data directory)."""

from __future__ import annotations

import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, StoredEvent
from eventsourcing.tests.persistence import ApplicationRecorderTestCase, NonInterleavingNotificationIDsBaseCase

from api.infra import postgres
from api.infra.settings import HOME_SCHEMA, Settings


class ConfiguredRecorder:
    """A fresh, empty store for each `create_recorder()`: a new data directory, hence a new schema."""

    url: str
    kept: list[Any]

    @pytest.fixture(autouse=True)
    def _postgres(self, postgres_url: str, tmp_path: Path) -> None:
        self.url = f"{postgres_url}?schema={HOME_SCHEMA}"
        self.tmp = tmp_path
        self.kept = []

    def create_recorder(self) -> ApplicationRecorder:
        home = Path(tempfile.mkdtemp(dir=self.tmp))
        ledger = Settings(home, self.url, "Asia/Shanghai", "recorder-test").ledger()
        self.kept.append(ledger)  # its connection pool lives as long as the test
        assert isinstance(ledger.recorder, postgres.Recorder)
        assert ledger.recorder.datastore.schema.startswith("taizhang_")
        return ledger.recorder


class TestApplicationRecorder(ConfiguredRecorder, ApplicationRecorderTestCase[ApplicationRecorder]):
    pass


class TestNonInterleavingNotificationIDs(ConfiguredRecorder, NonInterleavingNotificationIDsBaseCase):
    pass


def test_one_large_transaction_is_stored_whole(postgres_url: str, tmp_path: Path) -> None:
    """A 20,000-line import is one transaction of 40,000 events (about 12 MB): the library's pipelined
    insert never returns from such a size; ours copies it, and returns every row's notification id."""
    ledger = Settings(tmp_path, f"{postgres_url}?schema={HOME_SCHEMA}", "Asia/Shanghai", "t").ledger()
    recorder = ledger.recorder
    state = b'{"topic": "%s"}' % (b"x" * 300)
    events = [StoredEvent(uuid.uuid4(), 1, "topic", state) for _ in range(40_000)]
    done: list[object] = []
    writer = threading.Thread(target=lambda: done.append(recorder.insert_events(events)), daemon=True)
    writer.start()
    writer.join(120)
    assert done, "the insert did not return within 120 s"
    ids = done[0]
    assert isinstance(ids, list) and len(ids) == 40_000 and ids == sorted(ids)
    assert recorder.max_notification_id() == ids[-1]
    stored = recorder.select_notifications(0, 50_000, inclusive_of_start=False)
    assert [n.id for n in stored] == ids, "the ids returned are the rows' own"
    assert [n.originator_id for n in stored] == [e.originator_id for e in events]
    assert stored[123].state == state


def test_a_large_transaction_with_a_clash_stores_nothing(postgres_url: str, tmp_path: Path) -> None:
    ledger = Settings(tmp_path, f"{postgres_url}?schema={HOME_SCHEMA}", "Asia/Shanghai", "t").ledger()
    first = StoredEvent(uuid.uuid4(), 1, "topic", b"{}")
    ledger.recorder.insert_events([first])
    batch = [StoredEvent(uuid.uuid4(), 1, "topic", b"{}") for _ in range(postgres.COPY_FROM * 2)] + [first]
    with pytest.raises(IntegrityError):
        ledger.recorder.insert_events(batch)
    assert ledger.recorder.max_notification_id() == 1
    assert len(ledger.recorder.select_notifications(0, 10_000)) == 1
