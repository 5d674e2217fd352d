"""报送进度 of a superior with 500 units under it (issue 14: the progress page for a parent of 500 units ≤ 300 ms).

A district with 25 centres of 19 teams each (500 descendants), their 2025 filings in every state (a third never
submitted, others submitted, returned, resubmitted, approved, reopened; some with an earlier deadline and a
publication). Measured in one process against a web server on the ledger (FastAPI TestClient, signed in by
token), interleaved, median of --runs:

  baseline            GET /api/units            (the unit list of the same 501 units)
  progress (service)  api.services.filing.progress
  progress API        GET /api/progress/qu/2025
  progress page       GET /progress?unit=qu&year=2025

    .venv/bin/python bench/progress.py --runs 21
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CENTRES, TEAMS = 25, 19  # 25 + 25 * 19 = 500 descendants
TARGET = 0.300
PASSWORD = "bench password 1"


def build(home: Path):  # noqa: ANN201 — the web server and its app
    from api.infra.passwords import hash_password, new_token
    from api.infra.settings import Settings
    from api.web.app import create_app
    from api.web.server import Server

    settings = Settings(home=home, database_url=None, tz="Asia/Shanghai", user="setup")
    server = Server(settings, poll=False)
    ledger = server.ledger
    lines = [{"id": "u-qu", "op": "unit", "unit": "qu", "data": {"name": "光华区"}}]
    for c in range(CENTRES):
        centre = f"zx{c:02d}"
        lines.append({"id": f"u-{centre}", "op": "unit", "unit": centre, "data": {"name": f"中心{c}", "parent": "qu"}})
        for t in range(TEAMS):
            team = f"{centre}-d{t:02d}"
            lines.append(
                {"id": f"u-{team}", "op": "unit", "unit": team, "data": {"name": f"队{c}-{t}", "parent": centre}}
            )
    assert ledger.apply(list(enumerate(lines, 1)), "setup").ok
    codes = [x["unit"] for x in lines[1:]]
    stamp = "2026-02-01T00:00:00+00:00"
    seal = "00000000-0000-0000-0000-000000000000"  # the workflow's seal id; the aggregate does not read it
    for i, code in enumerate(codes):
        kind = i % 6
        if kind == 0:
            continue  # never submitted
        ops = [lambda f, at: f.submit(seal, "请审核", at, "boss")]
        if kind >= 2:
            ops.append(lambda f, at: f.return_("数字不符", at, "audit"))
        if kind >= 3:
            ops.append(lambda f, at: f.submit(seal, "已改", at, "boss"))
        if kind >= 4:
            ops.append(lambda f, at: f.approve("同意", at, "audit"))
        if kind == 4 and i % 2:
            ops.append(lambda f, at: f.publish("https://gh.gov.cn/r", date(2026, 3, 20), date(2026, 12, 1), at, "boss"))
        if kind == 5:
            ops.append(lambda f, at: f.reopen("复核", at, "audit"))
        if i % 7 == 0:
            ops.append(lambda f, at: f.set_deadline(date(2026, 2, 15), at, "audit"))

        def act(f, at, ops=ops):  # noqa: ANN001
            for op in ops:
                op(f, stamp)

        ledger.act_on_filing(code, 2025, "boss", act)
    ledger.register_user("bench", "bench", "admin", [], hash_password(PASSWORD), "setup")
    ledger.set_password("bench", hash_password(PASSWORD), False, "setup")
    token, digest = new_token("bench")
    ledger.issue_token("bench", digest, "bench", "setup")
    return server, create_app(server=server), token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    from fastapi.testclient import TestClient

    from api.services import filing
    from api.web.context import context

    with tempfile.TemporaryDirectory(prefix="taizhang-bench-progress-") as tmp:
        started = time.perf_counter()
        server, app, token = build(Path(tmp) / "home")
        print(f"built {CENTRES + CENTRES * TEAMS} units and their filings in {time.perf_counter() - started:.1f} s")
        client = TestClient(app)
        client.headers["Authorization"] = f"Bearer {token}"
        browser = TestClient(app, follow_redirects=False)  # the page, signed in by its session cookie
        signed_in = browser.post("/login", data={"username": "bench", "password": PASSWORD, "next": "/"})
        assert signed_in.status_code == 303, signed_in.text[:200]
        user = server.ledger.user("bench")

        def get(url: str, via: TestClient = client):  # noqa: ANN202
            def run() -> None:
                r = via.get(url)
                assert r.status_code == 200, (url, r.status_code, r.text[:200])

            return run

        rows = {
            "baseline: GET /api/units": get("/api/units"),
            "progress (service)": lambda: filing.progress(context(server), user, "qu", 2025),
            "progress API": get("/api/progress/qu/2025"),
            "progress page": get("/progress?unit=qu&year=2025", browser),
        }
        body = client.get("/api/progress/qu/2025").json()
        assert len(body["units"]) == CENTRES + CENTRES * TEAMS, len(body["units"])
        print("counts:", body["counts"], "overdue:", body["overdue"])
        page = browser.get("/progress?unit=qu&year=2025").text
        assert page.count("<tr class=") == CENTRES + CENTRES * TEAMS, "the page lists every unit"
        samples: dict[str, list[float]] = {name: [] for name in rows}
        for run in rows.values():
            run()  # warm
        for _ in range(args.runs):
            for name, run in rows.items():
                t = time.perf_counter()
                run()
                samples[name].append(time.perf_counter() - t)
        base = statistics.median(samples["baseline: GET /api/units"])
        print("| request | median ms | min–max ms | vs baseline | target | |")
        print("|---|---:|---:|---:|---|---|")
        for name, s in samples.items():
            m = statistics.median(s)
            target = "" if name.startswith("baseline") else f"≤ {TARGET * 1000:.0f} ms"
            verdict = "" if not target else ("met" if m <= TARGET else "NOT met")
            print(
                f"| {name} | {m * 1000:.1f} | {min(s) * 1000:.1f}–{max(s) * 1000:.1f} | {m / base:.2f}× "
                f"| {target} | {verdict} |"
            )
        server.close()


if __name__ == "__main__":
    main()
