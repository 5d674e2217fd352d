"""Every read command (api/cli/context.py READ_COMMANDS), run where there is no ledger, says in one sentence
that no ledger is in the folder it names and creates nothing (tests/e2e/test_postgres_reads.py: the same on
PostgreSQL). Each is given arguments it accepts, so the answer is about the ledger, not a usage error."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_kit import taizhang

from api.cli.context import READ_COMMANDS

SYSTEM = ("--owner", "city", "--code", "kp")
ARGS: dict[str, tuple[str, ...]] = {
    "report": ("--unit", "ctr", "--year", "2025"),
    "explain": ("study.sessions", "--unit", "ctr", "--year", "2025"),
    "history": ("--unit", "ctr", "S-1"),
    "diff": ("--seal", "x"),
    "proof": ("--unit", "ctr", "S-1"),
    "verify": (),
    "deadlines": ("--unit", "ctr"),
    "unit list": (),
    "unit history": ("ctr",),
    "user list": (),
    "security report": (),
    "filing status": ("--unit", "ctr", "--year", "2025"),
    "filing progress": ("--unit", "ctr", "--year", "2025"),
    "filing late": ("--unit", "ctr", "--year", "2025"),
    "filing superior": ("--unit", "ctr"),
    "issue list": ("--unit", "ctr"),
    "issue show": ("--issuer", "ctr", "I-1"),
    "issue figures": ("--unit", "ctr", "--year", "2025"),
    "package list": (),
    "assess show": SYSTEM,
    "assess sheet": (*SYSTEM, "--unit", "ctr"),
    "assess table": SYSTEM,
    "assess history": (*SYSTEM, "--unit", "ctr"),
}


def test_every_read_command_has_arguments_here() -> None:
    assert set(ARGS) == set(READ_COMMANDS)


@pytest.mark.parametrize("name", sorted(ARGS))
def test_a_read_without_a_ledger_names_the_folder_and_creates_nothing(tmp_path: Path, name: str) -> None:
    home = tmp_path / "wrong-folder"
    r = taizhang(home, *name.split(), *ARGS[name])
    assert r.returncode == 2, (r.stdout, r.stderr)
    message = r.stderr.strip()
    assert "没有找到台账" in message and str(home) in message and "\n" not in message, message
    assert not home.exists()
