"""The two cryptographic suites side by side (issue 15): the Merkle log over 1,000,000 events with SM3 against
SHA-256, and seal signing and verifying with SM2 against Ed25519, in the same run (interleaved, medians).

    .venv/bin/python bench/crypto_suite.py [--events 1000000] [--runs 3]

(bench/suite.py is the scale-out benchmark; this one is about the 国密 suite.) The events are synthetic rows
shaped like stored events (position, originator, version, topic, ~200 bytes of JSON state): what the
projection hashes when it reads the log, then the RFC 9162 root over the leaves.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from api.infra.keys import Keys
from domain.seal import seal_payload
from domain.suite import verify_signature
from projections import merkle


def rows(n: int) -> list[tuple[int, str, int, str, bytes]]:
    oids = [os.urandom(16).hex() for _ in range(1000)]
    state = json.dumps({"unit": "weibin-ur", "kind": "study_session", "data": {"topic": "学法" * 20}}).encode()
    return [(i + 1, oids[i % 1000], 1 + i // 1000, "domain.activity:Activity.Recorded", state) for i in range(n)]


def interleaved(cases: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, fn in cases.items():
            started = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - started)
    return samples


def table(samples: dict[str, list[float]], pairs: list[tuple[str, str]], unit: str, scale: float) -> None:
    med = {k: statistics.median(v) for k, v in samples.items()}
    print(f"| case | median {unit} | min–max {unit} | SM vs baseline |")
    print("|---|---:|---:|---:|")
    for base, gm in pairs:
        for name in (base, gm):
            ratio = f"{med[gm] / med[base]:.2f}×" if name == gm else "1.00×"
            lo, hi = min(samples[name]) * scale, max(samples[name]) * scale
            print(f"| {name} | {med[name] * scale:.3f} | {lo:.3f}–{hi:.3f} | {ratio} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--signatures", type=int, default=50)
    args = ap.parse_args()

    data = rows(args.events)
    leaves = {suite: merkle.leaf_hashes(data, suite) for suite in ("default", "gm")}
    samples = interleaved(
        {
            "leaf hashes, SHA-256": lambda: merkle.leaf_hashes(data, "default"),
            "leaf hashes, SM3": lambda: merkle.leaf_hashes(data, "gm"),
            "root over the leaves, SHA-256": lambda: merkle.root(leaves["default"]),
            "root over the leaves, SM3": lambda: merkle.root(leaves["gm"], "gm"),
        },
        args.runs,
    )
    for hashed in ("SHA-256", "SM3"):  # what a rebuild or `verify` spends: both steps, summed run by run
        parts = zip(samples[f"leaf hashes, {hashed}"], samples[f"root over the leaves, {hashed}"], strict=True)
        samples[f"leaves + root, {hashed}"] = [a + b for a, b in parts]
    print(f"Merkle log over {args.events:,} events, {args.runs} interleaved runs\n")
    table(
        samples,
        [
            ("leaf hashes, SHA-256", "leaf hashes, SM3"),
            ("root over the leaves, SHA-256", "root over the leaves, SM3"),
            ("leaves + root, SHA-256", "leaves + root, SM3"),
        ],
        "s",
        1.0,
    )

    # A seal's payload over a report of the size the acceptance ledger gives (~120 figures).
    report = {"figures": {f"f{i}": {"value": i, "previous": i, "sources": [f"R-{i}"] * 5} for i in range(120)}}
    with tempfile.TemporaryDirectory() as tmp:
        keys = Keys(Path(tmp))
        signers = {suite: keys.signer("bench", suite) for suite in ("default", "gm")}
        payloads = {s: seal_payload("bench", 2025, "t", 1, "00", report, s) for s in signers}
        sigs = {s: signers[s].sign(payloads[s]) for s in signers}
        n = args.signatures

        def many(fn: Callable[[], object]) -> Callable[[], None]:
            return lambda: [fn() for _ in range(n)] and None

        cases = {
            "seal sign, Ed25519": many(lambda: signers["default"].sign(payloads["default"])),
            "seal sign, SM2": many(lambda: signers["gm"].sign(payloads["gm"])),
            "seal verify, Ed25519": many(
                lambda: verify_signature("default", signers["default"].public_hex, sigs["default"], payloads["default"])
            ),
            "seal verify, SM2": many(
                lambda: verify_signature("gm", signers["gm"].public_hex, sigs["gm"], payloads["gm"])
            ),
        }
        samples = interleaved(cases, args.runs)
    print(f"\nSeal signatures (payload + SHA-256/SM3 of a 120-figure report), per signature, {args.runs} runs of {n}\n")
    table(
        {k: [x / n for x in v] for k, v in samples.items()},
        [("seal sign, Ed25519", "seal sign, SM2"), ("seal verify, Ed25519", "seal verify, SM2")],
        "ms",
        1000.0,
    )


if __name__ == "__main__":
    main()
