"""The eventsourcing library's own recorder test cases, against the PostgreSQL store as taizhang configures it
(Settings with TAIZHANG_DATABASE_URL, a schema per data directory)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.tests.persistence import ApplicationRecorderTestCase, NonInterleavingNotificationIDsBaseCase

from api.config import HOME_SCHEMA, Settings


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
        assert isinstance(ledger.recorder, PostgresApplicationRecorder)
        assert ledger.recorder.datastore.schema.startswith("taizhang_")
        return ledger.recorder


class TestApplicationRecorder(ConfiguredRecorder, ApplicationRecorderTestCase[ApplicationRecorder]):
    pass


class TestNonInterleavingNotificationIDs(ConfiguredRecorder, NonInterleavingNotificationIDsBaseCase):
    pass
