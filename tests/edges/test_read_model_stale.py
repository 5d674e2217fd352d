"""Issue 13.2–13.3: a read model whose fold failed after its events were read in never answers as if current.

Before: the server caught up only when the ingest position was behind the log, so after a fold failed once
every later report was a 200 with old figures (`log.size` counting every event, `study.sessions` not), and
`taizhang import` exited 1 after its lines were committed.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import study, unit

from api.cli import STALE_EXIT, main
from projections import ingest


class FoldFails:
    """Replace the fold with one that fails `times` times (as DuckDB's OutOfMemoryException did), then works."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, times: int) -> None:
        self.left = times
        self.real = ingest.fold
        monkeypatch.setattr(ingest, "fold", self)

    def __call__(self, *args, **kw):
        if self.left > 0:
            self.left -= 1
            raise MemoryError("simulated: the fold ran out of memory")
        return self.real(*args, **kw)


def _sessions(response) -> int:
    assert response.status_code == 200, response.text
    return response.json()["figures"]["study.sessions"]["value"]


def _record(web, n: int, start: int = 0) -> None:
    lines = [(i, study(f"S-{start + i}", "2025-03-01", unit="north")) for i in range(1, n + 1)]
    assert web.server.ledger.apply(lines, "setup").ok


def test_server_refuses_figures_it_could_not_fold_then_recovers(web, monkeypatch):
    client = web.client("admin")
    _record(web, 3)
    assert _sessions(client.get("/api/reports/north/2025")) == 3
    _record(web, 5, start=100)
    fails = FoldFails(monkeypatch, times=1000)
    for _ in range(3):  # never a 200 with the old 3, however often asked
        r = client.get("/api/reports/north/2025")
        assert r.status_code == 503, r.text
        assert "taizhang rebuild" in r.json()["detail"] and r.headers["Retry-After"]
    assert web.server.stale is not None  # what the admin is shown and the log says
    page = web.browser("admin").get("/report?unit=north")
    assert page.status_code == 503 and "数据汇总未能更新" in page.text
    fails.left = 0
    assert _sessions(client.get("/api/reports/north/2025")) == 8
    assert web.server.stale is None


def test_a_fold_that_fails_once_is_retried_within_the_same_read(web, monkeypatch):
    client = web.client("admin")
    _record(web, 2)
    assert _sessions(client.get("/api/reports/north/2025")) == 2
    _record(web, 4, start=100)
    FoldFails(monkeypatch, times=1)
    assert _sessions(client.get("/api/reports/north/2025")) == 6


def test_cli_import_says_the_lines_are_committed_when_the_figures_cannot_be_updated(tmp_path, monkeypatch):
    runner = CliRunner()
    env = {"TAIZHANG_HOME": str(tmp_path), "TAIZHANG_USER": "张敏"}
    first = "\n".join(json.dumps(x, ensure_ascii=False) for x in (unit("u1", "测试中心"), study("S-1", "2025-03-01")))
    assert runner.invoke(main, ["import", "-"], input=first, env=env).exit_code == 0
    FoldFails(monkeypatch, times=1000)
    more = "\n".join(json.dumps(study(f"S-{i}", "2025-03-02"), ensure_ascii=False) for i in range(2, 5))
    result = runner.invoke(main, ["import", "-"], input=more, env=env)
    assert result.exit_code == STALE_EXIT, result.output
    assert "applied 3" in result.output and "committed" in result.output
    report = runner.invoke(main, ["report", "--unit", "u1", "--year", "2025"], env=env)
    assert report.exit_code == STALE_EXIT and "taizhang rebuild" in report.output  # refused, not stale numbers
    monkeypatch.setattr(ingest, "fold", ingest.fold.real)
    report = runner.invoke(main, ["report", "--unit", "u1", "--year", "2025"], env=env)
    assert report.exit_code == 0, report.output
    assert json.loads(report.output)["figures"]["study.sessions"]["value"] == 4
