"""The acceptance kit of ../shared, run through the installed `taizhang` command."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parents[3] / "shared" / "acceptance"


def _command() -> str:
    here = Path(sys.executable).parent / "taizhang"
    return str(here) if here.exists() else (shutil.which("taizhang") or "taizhang")


@pytest.mark.skipif(not (KIT / "check.py").exists(), reason=f"acceptance kit not found at {KIT} (only in CI)")
@pytest.mark.parametrize("expected", sorted(KIT.glob("*.expected.json")) if KIT.exists() else [], ids=lambda p: p.name)
def test_acceptance_kit_passes(expected: Path) -> None:
    scenario = expected.with_name(expected.name.replace(".expected.json", ".jsonl"))
    result = subprocess.run(
        [sys.executable, str(KIT / "check.py"), "--expected", str(expected), str(scenario)],
        env=dict(os.environ, TAIZHANG_CMD=_command()),
        capture_output=True,
        text=True,
        timeout=600,
    )
    last = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0 and last.endswith(" 0 failed"), result.stdout[-3000:] + result.stderr[-2000:]
