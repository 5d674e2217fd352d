"""The suite's Markdown table and PNG plot, from its results dict."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

PG_IMPORT_TARGET = 5_000.0  # lines/s


def _n(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def growth(report: dict[str, Any], key: str = "report") -> float | None:
    """The exponent k in latency ∝ events^k between the smallest and the largest store (1 = linear)."""
    sizes = sorted(int(s) for s in report if key in report[s])
    if len(sizes) < 2:
        return None
    low, high = report[str(sizes[0])][key], report[str(sizes[-1])][key]
    return math.log(high / low) / math.log(sizes[-1] / sizes[0])


def table(r: dict[str, Any]) -> str:
    rows = [
        "| metric | SQLite | PostgreSQL | baseline (raw library) SQLite / PostgreSQL | target | |",
        "|---|---:|---:|---:|---|---|",
    ]
    for mode, what in (("single", "one line per call"), ("batched", "one file per call")):
        a = {s: r["append"].get(f"{s}/{mode}") for s in ("sqlite", "postgres")}
        lines = next(v["lines"] for v in a.values() if v)
        target, met = ("", "")
        if mode == "batched":
            target = f"PostgreSQL ≥ {PG_IMPORT_TARGET:,.0f} lines/s"
            met = "n/a" if not a["postgres"] else ("met" if a["postgres"]["product"] >= PG_IMPORT_TARGET else "not met")
        rows.append(
            row(
                f"append, {what} ({lines:,} lines), lines/s",
                _cell(a["sqlite"], "product"),
                _cell(a["postgres"], "product"),
                f"{_cell(a['sqlite'], 'raw')} / {_cell(a['postgres'], 'raw')}",
                target,
                met,
            )
        )
    w = r["writers"]
    for key, label in (("rate", "lines/s"), ("lost", "lines lost"), ("duplicated", "lines applied twice")):
        cells = [_n(w[s][key]) if s in w else "n/a" for s in ("sqlite", "postgres")]
        target = "none" if key != "rate" else ""
        met = ("met" if all(w[s][key] == 0 for s in w) else "NOT MET") if key != "rate" else ""
        first = next(iter(w.values()))
        rows.append(f"| {first['writers']} writer processes at once ({first['lines']:,} lines), {label} | "
                    f"{cells[0]} | {cells[1]} | | {target} | {met} |")  # fmt: skip
    b = r["rebuild"]
    events = next(iter(b.values()))["events"]
    sq, pg = b.get("sqlite"), b.get("postgres")
    raw = f"{_cell(sq, 'raw')} / {_cell(pg, 'raw')} (read + decode)"
    rows.append(row(f"rebuild ({events:,} events), events/s", _cell(sq, "product"), _cell(pg, "product"), raw, "", ""))
    raw_rss = f"{_cell(sq, 'raw_peak_rss_mib')} / {_cell(pg, 'raw_peak_rss_mib')}"
    rows.append(row("rebuild peak RSS, MiB", _cell(sq, "peak_rss_mib"), _cell(pg, "peak_rss_mib"), raw_rss, "", ""))
    rep = r["report"]
    for key, label in (
        ("report", "report, one unit"),
        ("report_rollup", "roll-up report"),
        ("report_as_of", "report --as-of"),
    ):
        cells = ", ".join(f"{int(s):,}: {rep[s][key] * 1000:,.1f}" for s in sorted(rep, key=int) if key in rep[s])
        k = growth(rep, key)
        verdict = "" if k is None else ("met" if k <= 1.05 else "not met")
        rows.append(
            row(f"{label}, ms at events", cells, "(same read model)", "", f"≤ linear (k = {_n(k, 2)})", verdict)
        )
    peak = max(rep[s]["peak_rss_mib"] for s in rep)
    rows.append(f"| report process peak RSS, MiB | {peak:,.0f} | | | | |")
    rows += _http_rows(r["http"])
    return "\n".join(rows) + "\n"


def row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _cell(d: dict[str, Any] | None, key: str) -> str:
    return "n/a" if not d else _n(d[key])


def _http_rows(h: dict[str, Any]) -> list[str]:
    if "error" in h:
        return [f"| HTTP records/s at 1, 8, 32 clients | n/a ({h['error']}) | | | | |"]
    cells = ", ".join(f"{c}: {_n(v.get('per_s'))}" if "per_s" in v else f"{c}: n/a" for c, v in h.items())
    durable = all(v.get("durable", False) for v in h.values() if "per_s" in v)
    verdict = "met" if durable else "not met"
    return [row("HTTP records/s at clients (one uvicorn worker)", cells, "", "", "every 201 stored once", verdict)]


def plot(r: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(16, 5))
    labels, product, raw = [], [], []
    for key, v in r["append"].items():
        labels.append(key.replace("/", "\n"))
        product.append(v["product"])
        raw.append(v["raw"])
    x = range(len(labels))
    ax1.bar([i - 0.2 for i in x], product, 0.4, label="taizhang (Ledger.apply)")
    ax1.bar([i + 0.2 for i in x], raw, 0.4, label="raw library")
    ax1.axhline(PG_IMPORT_TARGET, color="grey", ls="--", lw=1, label="PostgreSQL target")
    ax1.set_xticks(list(x), labels)
    ax1.set_yscale("log")
    ax1.set_title("append, lines/s")
    ax1.legend(fontsize=8)

    rep = r["report"]
    sizes = sorted(int(s) for s in rep)
    for key in ("report", "report_rollup", "report_as_of"):
        ax2.plot(sizes, [rep[str(s)][key] * 1000 for s in sizes], marker="o", label=key)
    if sizes:
        base = rep[str(sizes[0])]["report_as_of"] * 1000
        ax2.plot(sizes, [base * s / sizes[0] for s in sizes], ls="--", color="grey", label="linear growth")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("events in the store")
    ax2.set_title("report latency, ms")
    ax2.legend(fontsize=8)

    b = r["rebuild"]
    stores = list(b)
    ax3.bar([i - 0.2 for i in range(len(stores))], [b[s]["product"] for s in stores], 0.4, label="rebuild")
    ax3.bar([i + 0.2 for i in range(len(stores))], [b[s]["raw"] for s in stores], 0.4, label="raw read + decode")
    ax3.set_xticks(range(len(stores)), stores)
    ax3.set_title(f"rebuild of {next(iter(b.values()))['events']:,} events, events/s")
    ax3.legend(fontsize=8)
    fig.suptitle(f"taizhang bench suite, {r['when']}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
