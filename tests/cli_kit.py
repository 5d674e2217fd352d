"""Run `taizhang` as the tests' user would, in this process through click's CliRunner (no interpreter start-up per
call), or, for the few smoke tests of the installed command, as a real process (`installed`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from api.cli import main


@dataclass(frozen=True)
class Ran:
    """What a process would have given: exit status, standard output, standard error."""

    returncode: int
    stdout: str
    stderr: str


def taizhang(home: Path, *args: str, stdin: str | None = None, user: str | None = "cli-tester") -> Ran:
    """`taizhang ARGS` with TAIZHANG_HOME=home and (unless None) TAIZHANG_USER=user."""
    env = {"TAIZHANG_HOME": str(home)} | ({"TAIZHANG_USER": user} if user is not None else {})
    result = CliRunner().invoke(main, list(args), input=stdin, env=env)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # As the interpreter would print it, so that a failing assertion shows why.
        stderr += "".join(traceback.format_exception(result.exception))
    return Ran(result.exit_code, result.stdout, stderr)


def installed() -> str:
    """The console script of this environment (for the smoke tests that run it as a process)."""
    here = Path(sys.executable).parent / "taizhang"
    found = str(here) if here.exists() else shutil.which("taizhang")
    assert found, "the taizhang command is not installed in this environment"
    return found


def taizhang_process(home: Path, *args: str, stdin: str | None = None, user: str = "cli-tester") -> Ran:
    env = {**os.environ, "TAIZHANG_HOME": str(home), "TAIZHANG_USER": user}
    done = subprocess.run(
        [installed(), *args], env=env, input=stdin, capture_output=True, text=True, timeout=180, check=False
    )
    return Ran(done.returncode, done.stdout, done.stderr)
