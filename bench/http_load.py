"""Recording over HTTP from a separate load process (wrk), against the in-process append rate, same run.

    .venv/bin/python -m bench.http_load                  # 1, 8, 32 clients, 10 s each, + report latency
    .venv/bin/python -m bench.http_load --clients 32 --seconds 20 --report-events 0

Each run starts `uvicorn api.web.main:app` (one worker, the embedded SQLite store) on a fresh ledger with one
recorder and a bearer token; wrk (Debian package `wrk`) posts study sessions with unique refs over N
connections. Afterwards the store is counted: every 201 wrk saw must be in the log (durable), and nothing is
written twice. The baseline is `Ledger.apply` of one line per call in this process (the same validation and
one transaction per record, without HTTP). Report latency is measured on the cached bench store
(bench/core.py, 1M events by default) through GET /api/reports/{unit}/{year}.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
UNIT = "load"
SESSION = {"form": "central_group", "topic": "压力测试", "attendees": 10}

LUA = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  counter = 0
end
request = function()
  counter = counter + 1
  local body = '{"unit":"%(unit)s","kind":"study_session","ref":"%(prefix)s-' .. tid .. '-' .. counter ..
    '","date":"2025-03-01","data":%(data)s}'
  return wrk.format("POST", "/api/records", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer %(token)s"}, body)
end
"""


def _settings(home: Path) -> Any:
    from api.infra.settings import Settings

    return Settings(home=home, database_url=os.environ.get("TAIZHANG_DATABASE_URL"), tz="Asia/Shanghai", user="bench")


def prepare(home: Path, unit: str = UNIT, name: str = "压力测试中心") -> str:
    """A ledger with the unit, a recorder on it, and that recorder's bearer token."""
    from api.infra.passwords import hash_password, new_token

    ledger = _settings(home).ledger()
    if ledger.unit(unit) is None:
        outcome = ledger.apply(
            [(1, {"id": f"unit-{unit}", "op": "unit", "unit": unit, "data": {"name": name}})], "bench"
        )
        assert outcome.ok, outcome.errors
    if ledger.user("loader") is None:
        password = hash_password("bench password 1")
        ledger.register_user("loader", "压测", "recorder", [unit], password, "bench")
        ledger.set_password("loader", password, False, "bench")  # not a one-time password: pages open directly
    token, digest = new_token("loader")
    ledger.issue_token("loader", digest, "bench", "bench")
    return token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """`uvicorn api.web.main:app` in its own process on a home; stopped on exit."""

    def __init__(self, home: Path, workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "TAIZHANG_HOME": str(home)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.web.main:app", "--port", str(self.port), "--workers", str(workers),
             "--log-level", "warning", "--no-access-log"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/openapi.json", timeout=1).read()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(
                        self.proc.stderr.read().decode() if self.proc.stderr else "server died"
                    ) from None
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, token: str, clients: int, seconds: int, prefix: str) -> dict[str, Any]:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    data = json.dumps(SESSION, ensure_ascii=False).replace("'", "\\'")
    script.write_text(LUA % {"unit": UNIT, "prefix": prefix, "token": token, "data": data})
    threads = min(2, clients)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    script.unlink()
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    pct = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    return {
        "clients": clients,
        "requests": requests,
        "ok": requests - (int(bad.group(1)) if bad else 0),
        "per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": pct.get("50"),
        "p99_ms": pct.get("99"),
        "socket_errors": errors.group(1) if errors else None,
    }


def stored_records(home: Path, prefix: str) -> tuple[int, int]:
    """(activities whose ref has the prefix, distinct refs) in the event store itself."""
    ledger = _settings(home).ledger()
    topic = "domain.activity:Activity.Recorded"
    refs: list[str] = []
    after = 0
    while notes := ledger.recorder.select_notifications(after, 5000, topics=[topic], inclusive_of_start=False):
        for n in notes:
            ref = json.loads(n.state)["ref"]
            if ref.startswith(prefix + "-"):
                refs.append(ref)
        after = notes[-1].id
    return len(refs), len(set(refs))


def in_process_rate(home: Path, lines: int = 2000) -> float:
    """Records per second through Ledger.apply, one line per call (one transaction each), no HTTP."""
    ledger = _settings(home).ledger()
    start = time.perf_counter()
    for i in range(lines):
        line = {"id": f"inproc-{i}", "op": "record", "unit": UNIT, "kind": "study_session", "ref": f"IP-{i}",
                "date": "2025-03-01", "data": SESSION}  # fmt: skip
        assert ledger.apply([(1, line)], "bench").ok
    return lines / (time.perf_counter() - start)


def run(clients: int, seconds: int = 10) -> dict[str, Any]:
    """Records/s over HTTP at `clients` concurrent connections, checked against the store afterwards."""
    work = Path(tempfile.mkdtemp(prefix="taizhang-http-"))
    try:
        token = prepare(work)
        prefix = f"H{clients}"
        with Served(work) as served:
            result = wrk(served.url, token, clients, seconds, prefix)
        stored, distinct = stored_records(work, prefix)
        result["stored"] = stored
        result["durable"] = stored >= result["ok"] and stored == distinct  # every 201 in the log, none twice
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _timed(url: str, token: str, repeat: int) -> tuple[float, float, bytes]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    urllib.request.urlopen(req, timeout=600).read()  # warm: the first call may catch the read model up
    times, body = [], b""
    for _ in range(repeat):
        start = time.perf_counter()
        body = urllib.request.urlopen(req, timeout=60).read()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), body


def report_latency(home: Path, root: str, centre: str, year: int, repeat: int = 15) -> dict[str, Any]:
    """Median and worst times of the report (JSON API and the web page) on a big store, after the catch-up:
    for one centre, and the roll-up of the root unit over all its centres."""
    token = prepare(home, unit=root, name=root)
    out: dict[str, Any] = {}
    with Served(home) as served:
        start = time.perf_counter()
        urllib.request.urlopen(served.url + "/openapi.json").read()
        for name, path in (
            ("api_centre", f"/api/reports/{centre}/{year}"),
            ("page_centre", f"/report?unit={centre}&year={year}"),
            ("page_rollup", f"/report?unit={root}&year={year}"),
        ):
            median, worst, body = _timed(served.url + path, token, repeat)
            out[name] = {"median_ms": median, "max_ms": worst}
            if name == "api_centre":
                out["figures"] = len(json.loads(body)["figures"])
        out["first_s"] = time.perf_counter() - start
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", default="1,8,32")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--report-events", type=int, default=1_000_000, help="0 skips the report-latency part")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="taizhang-inproc-"))
    prepare(work)
    baseline = in_process_rate(work)
    shutil.rmtree(work, ignore_errors=True)
    print(f"in-process Ledger.apply, one record per call: {baseline:,.0f} records/s", flush=True)
    rows = []
    for clients in (int(c) for c in args.clients.split(",")):
        r = run(clients, args.seconds)
        r["vs_in_process"] = r["per_s"] / baseline
        rows.append(r)
        print(json.dumps(r), flush=True)
    report = None
    if args.report_events:
        from bench import core

        store_args = argparse.Namespace(events=args.report_events, chunk=50_000, units=20, seed=20261122, fresh=False)
        cached, _ = core.ensure_store(store_args)
        home = Path(tempfile.mkdtemp(prefix="taizhang-report-"))  # a copy: the bench user must not touch the cache
        for name in ("events.db", "events.db-wal"):
            if (cached / name).exists():
                shutil.copy(cached / name, home / name)
        try:
            report = report_latency(home, core.ROOT_UNIT, core.unit_codes(1)[0], 2024)
        finally:
            shutil.rmtree(home, ignore_errors=True)
        report["events"] = args.report_events
        print(json.dumps(report), flush=True)
    lines = [
        f"in-process append (Ledger.apply, 1 record per call): {baseline:,.0f} records/s",
        "",
        "| clients | records/s | vs in-process | p50 ms | p99 ms | 201s | stored | durable, none twice |",
        "|---:|---:|---:|---:|---:|---:|---:|:--:|",
        *(
            f"| {r['clients']} | {r['per_s']:,.0f} | {r['vs_in_process']:.2f}× | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['ok']:,} | {r['stored']:,} | {'yes' if r['durable'] else 'NO'} |"
            for r in rows
        ),
    ]
    if report:
        lines += [
            "",
            f"report on {report['events']:,} events ({report['figures']} figures; median / max of 15, after the"
            f" first call's catch-up):",
            "",
            "| request | median ms | max ms |",
            "|---|---:|---:|",
            *(
                f"| {label} | {report[key]['median_ms']:.0f} | {report[key]['max_ms']:.0f} |"
                for key, label in (
                    ("api_centre", "GET /api/reports/{centre}/2024 (JSON)"),
                    ("page_centre", "GET /report?unit={centre} (page, with trend chart and narrative)"),
                    ("page_rollup", "GET /report?unit={root} (page, roll-up of 20 centres)"),
                )
            ),
        ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "http.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
