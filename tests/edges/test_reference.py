"""docs/reference.md is what `taizhang reference` prints today: regenerate it when a kind, field or figure changes."""

from __future__ import annotations

from pathlib import Path

from cli_kit import taizhang

from domain.catalogue import KINDS
from projections.figures import FIGURES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "reference.md"


def test_the_committed_reference_is_current(tmp_path: Path) -> None:
    made = taizhang(tmp_path, "reference")
    assert made.returncode == 0, made.stderr
    assert DOCS.read_text(encoding="utf-8") == made.stdout, (
        "docs/reference.md is stale: run `taizhang reference --output docs/reference.md`"
    )


def test_the_reference_names_every_kind_and_figure(tmp_path: Path) -> None:
    text = taizhang(tmp_path, "reference").stdout
    assert all(f"### {code}\n" in text for code in KINDS)
    assert all(f"| `{f.id}` |" in text for f in FIGURES)
