"""Whole-process timings shared by the start-up and documents benchmarks: interleaved runs, a median table."""

from __future__ import annotations

import statistics
import subprocess
import time

Rows = dict[str, tuple[list[str], dict[str, str]]]  # label -> (command, environment)


def wall(args: list[str], env: dict[str, str]) -> float:
    # Run in the data directory: `python -m` puts the working directory first on sys.path, which would
    # shadow PYTHONPATH (--before) when run from a source tree.
    started = time.perf_counter()
    subprocess.run(
        args, env=env, cwd=env["TAIZHANG_HOME"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def interleaved(rows: Rows, runs: int) -> dict[str, list[float]]:
    """Each command once to warm (the slot, the disk cache, each tree's bytecode), then `runs` rounds of all."""
    for command, env in rows.values():
        wall(command, env)
    samples: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(runs):
        for name, (command, env) in rows.items():
            samples[name].append(wall(command, env))
    return samples


def print_table(samples: dict[str, list[float]], base: str, targets: dict[str, float], first: str) -> None:
    """A Markdown table of medians, each against the `base` row and its target (by label prefix-free match)."""
    medians = {name: statistics.median(s) for name, s in samples.items()}
    print(f"| {first} | median s | min–max s | vs baseline | target | |")
    print("|---|---:|---:|---:|---|---|")
    for name, median in medians.items():
        target = targets.get(name)
        verdict = "" if target is None else ("met" if median <= target else "NOT met")
        print(
            f"| {name} | {median:.3f} | {min(samples[name]):.3f}–{max(samples[name]):.3f} "
            f"| {median / medians[base]:.2f}× | {'' if target is None else f'≤ {target} s'} | {verdict} |"
        )
