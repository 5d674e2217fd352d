"""`taizhang serve --workers 2` on each store: writes from every worker, every worker's reports show every
write at once (each read catches its own read-model slot up first), and no DuckDB lock error anywhere."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from conftest import TZ

from api.infra.passwords import hash_password, new_token
from api.infra.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TAIZHANG = str(Path(sys.executable).parent / "taizhang")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepared(home: Path, url: str | None) -> str:
    ledger = Settings(home, url, TZ, "setup").ledger()
    assert ledger.apply([(1, {"id": "u", "op": "unit", "unit": "u1", "data": {"name": "中心"}})], "setup").ok
    ledger.register_user("clerk", "录入员", "recorder", ["u1"], hash_password("a long password"), "setup")
    token, digest = new_token("clerk")
    ledger.issue_token("clerk", digest, "test", "setup")
    return token


def record(i: int) -> dict:
    data = {"form": "central_group", "topic": "学法", "attendees": 10}
    return {"unit": "u1", "kind": "study_session", "ref": f"S-{i}", "date": "2025-03-01", "data": data}


def test_two_workers_write_and_every_report_shows_every_write(store_url: str | None, tmp_path: Path) -> None:
    token = prepared(tmp_path, store_url)
    port = free_port()
    env = {**os.environ, "TAIZHANG_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("TAIZHANG_DATABASE_URL", None)
    env |= {"TAIZHANG_DATABASE_URL": store_url} if store_url else {}
    server = subprocess.Popen(
        [TAIZHANG, "serve", "--workers", "2", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, (
                    server.stderr.read() if server.stderr else ""
                )
                time.sleep(0.2)
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:

            def post(i: int) -> int:
                return client.post("/api/records", json=record(i)).status_code

            with ThreadPoolExecutor(8) as pool:
                assert list(pool.map(post, range(40))) == [201] * 40
            # Each new connection may land on either worker: every report must already count all 40.
            for _ in range(12):
                with httpx.Client(base_url=base, headers=headers, timeout=30) as fresh:
                    r = fresh.get("/api/reports/u1/2025")
                    assert r.status_code == 200, r.text
                    assert r.json()["figures"]["study.sessions"]["value"] == 40
            # A write is visible in the very next read, whichever worker serves it.
            for i in range(40, 46):
                assert client.post("/api/records", json=record(i)).status_code == 201
                with httpx.Client(base_url=base, headers=headers, timeout=30) as fresh:
                    assert fresh.get("/api/reports/u1/2025").json()["figures"]["study.sessions"]["value"] == i + 1
    finally:
        server.terminate()
        try:
            _, err = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, err = server.communicate()
    assert "Traceback" not in err, err
    assert "ReadModelBusy" not in err and "Could not set lock" not in err, err
