"""`taizhang --help` and `taizhang report` stay free of the web framework and of the document libraries.

Run in a fresh interpreter each (sys.modules of this test process already holds everything). How fast they
start is measured by bench/startup.py, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import study, unit

WEB = ("fastapi", "starlette", "uvicorn", "jinja2")
DOCUMENTS = ("matplotlib", "docx", "openpyxl")

PROBE = """
import json, sys
from api.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
"""


def imported(home: Path, *args: str) -> set[str]:
    env = {**os.environ, "TAIZHANG_HOME": str(home), "TAIZHANG_TZ": "Asia/Shanghai"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_help_imports_neither_the_web_nor_the_ledger(tmp_path: Path) -> None:
    found = imported(tmp_path, "--help")
    assert not found & {*WEB, *DOCUMENTS}, found & {*WEB, *DOCUMENTS}
    assert not found & {"duckdb", "eventsourcing", "pyarrow"}


def test_help_of_a_subcommand_imports_no_web_framework(tmp_path: Path) -> None:
    assert not imported(tmp_path, "user", "add", "--help") & set(WEB)


@pytest.mark.parametrize("fmt", ["json", "md"])
def test_report_imports_no_web_framework_and_no_document_library(tmp_path: Path, fmt: str) -> None:
    from conftest import settings_for

    ledger = settings_for(tmp_path).ledger()
    assert ledger.apply(list(enumerate([unit("u1"), study("SS-1", "2025-03-01", attendees=5)], 1)), "t").ok
    found = imported(tmp_path, "report", "--unit", "u1", "--year", "2025", "--format", fmt)
    assert "duckdb" in found  # the report was computed (the probe would not fail on an error)
    assert not found & {*WEB, *DOCUMENTS}, found & {*WEB, *DOCUMENTS}


def test_a_report_of_a_caught_up_read_model_imports_neither_pyarrow_nor_psycopg(tmp_path: Path) -> None:
    """Folding new events builds Arrow tables; reading figures already folded needs neither Arrow (with numpy)
    nor the PostgreSQL driver, whose imports were most of the report's start-up."""
    from conftest import settings_for

    ledger = settings_for(tmp_path).ledger()
    assert ledger.apply(list(enumerate([unit("u1"), study("SS-1", "2025-03-01", attendees=5)], 1)), "t").ok
    first = imported(tmp_path, "report", "--unit", "u1", "--year", "2025")
    assert "pyarrow" in first  # the first report folded the two lines
    again = imported(tmp_path, "report", "--unit", "u1", "--year", "2025")
    assert "duckdb" in again
    assert not again & {"pyarrow", "numpy", "psycopg"}, again & {"pyarrow", "numpy", "psycopg"}
