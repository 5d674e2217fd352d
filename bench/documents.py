"""Year-end documents benchmark (issue 10, item 9): wall clock of `taizhang report` per document format for the
weibin-2025 acceptance ledger, median of N runs, against the JSON report of the same unit in the same run.

    .venv/bin/python bench/documents.py [--runs 5] [--ledger ../shared/acceptance/weibin-2025.jsonl]
                                        [--unit weibin-ur] [--before /tmp/base]

Each run is a fresh process (`python -m api.cli`, imports included, as a user waits for it); the rows are
interleaved. `--before DIR` adds the document rows for another source tree (`git archive <commit> | tar -x -C
DIR`) on the same ledger. Target: the DOCX report ≤ 1.5 s. `docx` is a draft made again for the same figures (its
trend chart read from the data directory's charts/), `docx, chart drawn` the first one (the chart drawn).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from api.infra.layout import CHARTS_DIR  # noqa: E402
from bench.timing import interleaved, print_table  # noqa: E402

LEDGER = Path(__file__).resolve().parents[1].parent / "shared" / "acceptance" / "weibin-2025.jsonl"
TARGETS = {"docx": 1.5, "docx, chart drawn": 1.5}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ledger", type=Path, default=LEDGER)
    ap.add_argument("--unit", default="weibin-ur")
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--before", type=Path, help="Another source tree to measure beside this one.")
    args = ap.parse_args()
    taizhang = [sys.executable, "-m", "api.cli"]
    with tempfile.TemporaryDirectory(prefix="taizhang-documents-") as tmp:
        base = {**os.environ, "TAIZHANG_TZ": "Asia/Shanghai", "TAIZHANG_USER": "bench"}
        base.pop("TAIZHANG_DATABASE_URL", None)
        # Each tree its own data directory: a read model made by one version is rebuilt by another (its schema
        # fingerprint differs), which would be measured instead of the document.
        trees: list[tuple[str, dict[str, str]]] = [("", {**base, "TAIZHANG_HOME": str(Path(tmp) / "now")})]
        if args.before:
            before = {**base, "TAIZHANG_HOME": str(Path(tmp) / "before"), "PYTHONPATH": str(args.before.resolve())}
            trees.append((" [before]", before))
        for _, tree_env in trees:
            home = tree_env["TAIZHANG_HOME"]
            Path(home).mkdir()
            imported = [*taizhang, "import", str(args.ledger.resolve())]
            subprocess.run(imported, env=tree_env, cwd=home, check=True, stdout=subprocess.DEVNULL)
        report = [*taizhang, "report", "--unit", args.unit, "--year", str(args.year)]
        env = trees[0][1]
        rows: dict[str, tuple[list[str], dict[str, str]]] = {"json (baseline)": ([*report, "--format", "json"], env)}
        for suffix, tree_env in trees:
            out = Path(tree_env["TAIZHANG_HOME"])
            for fmt in ("docx", "xlsx"):
                rows[f"{fmt}{suffix}"] = ([*report, "--format", fmt, "--output", str(out / f"r.{fmt}")], tree_env)
            # The first draft of these figures: the trend charts drawn before (charts/, api/documents/charts.py)
            # removed before each run, so the chart is drawn (the row above reads it, as a draft made again does).
            docx = shlex.join([*report, "--format", "docx", "--output", str(out / "r.docx")])
            drawn = ["sh", "-c", f"rm -rf {shlex.quote(str(out / CHARTS_DIR))} && exec {docx}"]
            rows[f"docx, chart drawn{suffix}"] = (drawn, tree_env)
        samples = interleaved(rows, args.runs)
    print(f"{args.ledger.name}, unit {args.unit} {args.year}; runs: {args.runs} each, interleaved; wall clock\n")
    print_table(samples, "json (baseline)", TARGETS, "document")


if __name__ == "__main__":
    main()
