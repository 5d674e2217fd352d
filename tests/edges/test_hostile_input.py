"""Hostile input (issue 13, items 5–7): nothing a client sends is a 500, fails another request, or is stored
when it would break a download later. Every refusal is a 4xx naming the field, the same on every path."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from conftest import study, unit
from fastapi.testclient import TestClient
from webkit import Web

from api.cli import main as cli
from api.web.committer import Committer
from domain.ledger import Submission
from domain.validation import text_problem

SESSION = {"form": "central_group", "topic": "学习宪法", "attendees": 12}


def record(ref: str, unit: str = "north", **data: Any) -> dict[str, Any]:
    return {"unit": unit, "kind": "study_session", "ref": ref, "date": "2025-03-01", "data": {**SESSION, **data}}


def raw_post(client: TestClient, path: str, text: str | bytes, kind: str = "application/json") -> httpx.Response:
    """A body sent exactly as written (json= would refuse to encode NaN or a lone surrogate)."""
    return client.post(path, content=text, headers={"content-type": kind})


def safe(web: Web, username: str = "rec-north") -> TestClient:
    """A client that sees a 500 as a response (to assert it is not one) rather than as an exception."""
    client = TestClient(web.app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {web.token(username)}"
    return client


def fields(r: httpx.Response) -> list[str]:
    return [e["field"] for e in r.json()["errors"]]


# ---- 5. a lone surrogate ----


def test_a_lone_surrogate_is_a_422_naming_the_field(web: Web) -> None:
    r = raw_post(safe(web), "/api/records", json.dumps(record("S-1", topic="a\ud800b")))
    assert r.status_code == 422, r.text
    assert fields(r) == ["data.topic"]
    assert "U+D800" in r.json()["detail"]


def test_a_lone_surrogate_in_a_key_or_the_import_is_a_422(web: Web) -> None:
    c = safe(web)
    body = record("S-1")
    body["data"]["a\udc00"] = 1
    r = raw_post(c, "/api/records", json.dumps(body))
    assert r.status_code == 422, r.text
    line = {"id": "x-1", "op": "record", **record("S-2", topic="\udfff")}
    r = raw_post(c, "/api/import", json.dumps(line), "application/x-ndjson")
    assert r.status_code == 422, r.text
    assert [(e["line"], e["field"]) for e in r.json()["errors"]] == [(1, "data.topic")]
    # in the envelope: the same message on the JSON route and in an import (one a lone surrogate in `unit`,
    # which the import's access check would otherwise have sent back in its message)
    r = raw_post(c, "/api/corrections", '{"unit":"north","ref":"S-1","reason":"a\\ud800"}')
    assert r.status_code == 422 and r.json()["errors"][0]["message"] == "原因：" + text_problem("\ud800")
    line = {"id": "x-2", "op": "correct", "unit": "north", "ref": "S-1", "reason": "a\ud800"}
    r2 = raw_post(c, "/api/import", json.dumps(line), "application/x-ndjson")
    assert r2.status_code == 422 and r2.json()["errors"][0]["message"] == r.json()["errors"][0]["message"]
    line = {"id": "x-3", "op": "record", **record("S-3", unit="nor\ud800th")}
    r = raw_post(c, "/api/import", json.dumps(line), "application/x-ndjson")
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["unit"], r.text


def test_a_request_the_store_cannot_take_fails_alone_in_its_group(web: Web) -> None:
    """The committer writes what is queued together in one transaction: while it is busy with a large
    import, a poisoned submission and 40 valid ones queue up and go into the same group."""
    ledger = web.server.ledger
    committer = Committer(ledger)
    try:
        big = [(n, study(f"B-{n}", "2025-03-01", unit="north")) for n in range(1, 3001)]
        poisoned = study("P-1", "2025-03-01", unit="north")
        poisoned["data"]["topic"] = object()  # only an in-process caller can send this; no JSON can
        valid = [Submission([(1, study(f"V-{n}", "2025-03-01", unit="north"))], "rec-north") for n in range(40)]

        async def run() -> list[Any]:
            first = asyncio.ensure_future(committer.submit(Submission(big, "rec-north")))
            await asyncio.sleep(0.05)  # the committer is now inside the large import's transaction
            rest = [committer.submit(Submission([(1, poisoned)], "rec-north"))] + [committer.submit(s) for s in valid]
            return await asyncio.gather(first, *rest, return_exceptions=True)

        results = asyncio.run(run())
    finally:
        committer.close()
    assert results[0].ok and results[0].applied == 3000
    assert isinstance(results[1], Exception) or not results[1].ok
    assert [r.applied if not isinstance(r, Exception) else r for r in results[2:]] == [1] * 40


def test_a_poisoned_request_beside_valid_ones_fails_none_of_them(web: Web) -> None:
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=web.app, raise_app_exceptions=False)
        headers = {"Authorization": f"Bearer {web.token('rec-north')}", "content-type": "application/json"}
        async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as client:
            bodies = [json.dumps(record(f"S-{n}")) for n in range(60)]
            bodies[10] = json.dumps(record("S-bad", topic="a\ud800b"))
            return await asyncio.gather(*(client.post("/api/records", content=b) for b in bodies))

    codes = [r.status_code for r in asyncio.run(run())]
    assert codes[10] == 422
    assert codes[:10] + codes[11:] == [201] * 59


# ---- 6. input that took the server down ----

HUGE = {
    "brackets": "[" * 50_000,
    "deep object": '{"a":' * 20_000 + "1" + "}" * 20_000,
    "5001-digit integer": '{"op":"record","id":"x","n":' + "9" * 5001 + "}",
}


@pytest.mark.parametrize("name", list(HUGE))
def test_json_that_the_parser_cannot_take_is_a_422_on_import(web: Web, name: str) -> None:
    r = raw_post(safe(web), "/api/import", '{"op":"unit"}\n' + HUGE[name], "application/x-ndjson")
    assert r.status_code == 422, r.text
    found = [(e["line"], e["field"]) for e in r.json()["errors"]]
    assert [x for x in found if x[0] == 2] == [(2, "json")]  # line 1's own errors are listed too


def test_nesting_the_parser_takes_is_still_refused_by_the_ledger(web: Web) -> None:
    line = {"id": "x-1", "op": "record", **record("S-1")}
    line["data"]["topic"] = json.loads("[" * 500 + "]" * 500)
    r = raw_post(safe(web), "/api/import", json.dumps(line), "application/x-ndjson")
    assert r.status_code == 422, r.text
    assert "嵌套" in r.json()["errors"][0]["message"]


@pytest.mark.parametrize("name", list(HUGE))
def test_json_that_the_parser_cannot_take_is_exit_2_on_the_command_line(tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(
        cli, ["import", "-"], input='{"op":"unit"}\n' + HUGE[name], env={"TAIZHANG_HOME": str(tmp_path)}
    )
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "line 2: json: 不是有效的 JSON" in result.output


AS_OF = ["0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00", "1999-12-31T23:59:59Z"]


@pytest.mark.parametrize("as_of", AS_OF)
def test_an_instant_out_of_range_is_a_422_on_reports_and_explain(web: Web, as_of: str) -> None:
    c = safe(web)
    for path in ("/api/reports/north/2025", "/api/reports/north/2025/figures/study.sessions"):
        r = c.get(path, params={"as_of": as_of})
        assert r.status_code == 422, (path, r.text)
        assert fields(r) == ["as_of"]


@pytest.mark.parametrize("as_of", AS_OF)
def test_an_instant_out_of_range_is_a_422_on_the_report_pages(web: Web, as_of: str) -> None:
    b = web.browser("rec-north")
    for path in ("/report", "/report/figure", "/report/download"):
        params = {"unit": "north", "year": "2025", "as_of": as_of, "figure": "study.sessions", "format": "xlsx"}
        r = b.get(path, params=params)
        assert r.status_code == 422, (path, r.text[:300])
        assert "时点" in r.text


@pytest.mark.parametrize("as_of", AS_OF[:2])
def test_an_instant_out_of_range_is_exit_2_on_the_command_line(tmp_path: Path, as_of: str) -> None:
    env = {"TAIZHANG_HOME": str(tmp_path)}
    assert CliRunner().invoke(cli, ["import", "-"], input=json.dumps(unit("u1")), env=env).exit_code == 0
    for args in (["report", "--unit", "u1"], ["explain", "study.sessions", "--unit", "u1"]):
        result = CliRunner().invoke(cli, [*args, "--year", "2025", "--as-of", as_of], env=env)
        assert result.exit_code == 2, result.output
        assert "--as-of" in result.output


@pytest.mark.parametrize("year", ["0", "-1", "1999", "2101", "99999999999999999999"])
def test_a_year_out_of_range_is_a_422_on_the_figure_and_download_pages(web: Web, year: str) -> None:
    b = web.browser("rec-north")
    for path in ("/report/figure", "/report/download"):
        r = b.get(path, params={"unit": "north", "year": year, "figure": "study.sessions", "format": "xlsx"})
        assert r.status_code == 422, (path, r.status_code)
        assert "年度" in r.text


@pytest.mark.parametrize("page", ["99999999999999999999", "100001"])
def test_a_page_beyond_any_ledger_is_a_422(web: Web, page: str) -> None:
    r = web.browser("rec-north").get("/ledger", params={"unit": "north", "page": page})
    assert r.status_code == 422
    assert "页码" in r.text


def _upload(web: Web, name: str) -> httpx.Response:
    b = web.browser("rec-north")
    assert safe(web).post("/api/records", json=record("S-1")).status_code == 201
    page = b.get("/activity", params={"unit": "north", "ref": "S-1"})
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"unit": "north", "ref": "S-1", "csrf_token": csrf}
    return b.post("/activity/evidence", data=form, files={"file": (name, io.BytesIO(b"%PDF-1.4\n"), "application/pdf")})


@pytest.mark.parametrize("name", ["..", "../", "a" * 296 + ".pdf"])
def test_an_evidence_file_name_that_cannot_be_stored_is_a_422(web: Web, name: str) -> None:
    r = _upload(web, name)
    assert r.status_code == 422, r.text[:300]
    assert "文件" in r.text


# ---- 7. accepted but invalid ----


@pytest.mark.parametrize("text", ["\u0000", "a\u0000b", "x\u001bx", "\u007f"])
def test_control_characters_are_refused_on_every_path(web: Web, tmp_path: Path, text: str) -> None:
    c = safe(web)
    r = c.post("/api/records", json=record("S-1", topic=text))
    assert r.status_code == 422, r.text
    assert fields(r) == ["data.topic"]
    message = r.json()["errors"][0]["message"]
    assert message.startswith("学习主题：") or "控制字符" in message
    line = {"id": "x-1", "op": "record", **record("S-2", topic=text)}
    r = raw_post(c, "/api/import", json.dumps(line), "application/x-ndjson")
    assert r.status_code == 422 and r.json()["errors"][0]["message"] == message
    env = {"TAIZHANG_HOME": str(tmp_path)}
    unit_line = {**unit("north"), "id": "u-north"}
    result = CliRunner().invoke(cli, ["import", "-"], input=json.dumps(unit_line) + "\n" + json.dumps(line), env=env)
    assert result.exit_code == 2 and f"line 2: data.topic: {message}" in result.output
    # the envelope's own text fields too (here: a correction's reason)
    r = c.post("/api/corrections", json={"unit": "north", "ref": "S-1", "reason": text})
    assert r.status_code == 422 and fields(r) == ["reason"], r.text
    line = {"id": "c-1", "op": "correct", "unit": "north", "ref": "S-1", "reason": text}
    r2 = raw_post(c, "/api/import", json.dumps(line), "application/x-ndjson")
    assert r2.status_code == 422 and r2.json()["errors"][0]["message"] == r.json()["errors"][0]["message"]


def test_a_control_character_is_refused_in_report_text(web: Web) -> None:
    r = web.browser("rec-north")
    page = r.get("/report", params={"unit": "north", "year": "2025"})
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"unit": "north", "year": "2025", "section": next(iter(_sections())), "text": "a\x00b", "csrf_token": csrf}
    assert r.post("/report/narrative", data=form, follow_redirects=False).status_code == 422


def _sections() -> dict[str, str]:
    from domain.catalogue import REPORT_SECTIONS

    return REPORT_SECTIONS


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_a_number_that_is_not_finite_is_refused_the_same_on_every_path(web: Web, number: str) -> None:
    c = safe(web)
    assert c.post("/api/records", json=record("S-1", speeches=2)).status_code == 201
    before = c.get("/api/activity", params={"unit": "north", "ref": "S-1"}).json()["data"]
    body = '{"unit":"north","ref":"S-1","reason":"更正","data":{"speeches":NUMBER}}'.replace("NUMBER", number)
    r = raw_post(c, "/api/corrections", body)
    assert r.status_code == 422, r.text
    assert fields(r) == ["data.speeches"]
    assert c.get("/api/activity", params={"unit": "north", "ref": "S-1"}).json()["data"] == before
    line = '{"id":"c-1","op":"correct","unit":"north","ref":"S-1","reason":"更正","data":{"speeches":NUMBER}}'
    r2 = raw_post(c, "/api/import", line.replace("NUMBER", number), "application/x-ndjson")
    assert r2.status_code == 422 and r2.json()["errors"][0]["message"] == r.json()["errors"][0]["message"]
    r3 = raw_post(c, "/api/records", json.dumps(record("S-2")).replace('"attendees": 12', f'"attendees": {number}'))
    assert r3.status_code == 422 and fields(r3) == ["data.attendees"], r3.text


def test_invalid_utf8_in_an_import_is_refused_naming_line_and_field(web: Web, tmp_path: Path) -> None:
    line = json.dumps({"id": "x-1", "op": "record", **record("S-1", topic="PLACEHOLDER")}, ensure_ascii=False)
    body = ("\n" + line).encode().replace(b"PLACEHOLDER", b"a\xff\xfeb")
    r = raw_post(safe(web), "/api/import", body, "application/x-ndjson")
    assert r.status_code == 422, r.text
    assert [(e["line"], e["field"]) for e in r.json()["errors"]] == [(2, "data.topic")]
    assert "UTF-8" in r.json()["errors"][0]["message"]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(json.dumps({**unit("north"), "id": "u-north"}).encode() + b"\n" + body.lstrip(b"\n"))
    # The web fixture's ledger has users: the command line acts as one of them (README).
    env = {"TAIZHANG_HOME": str(tmp_path / "home"), "TAIZHANG_USER": "admin"}
    result = CliRunner().invoke(cli, ["import", str(path)], env=env)
    assert result.exit_code == 2, result.output
    assert "line 2: data.topic:" in result.output and "UTF-8" in result.output


def test_the_xlsx_download_works_after_everything_above_was_tried(web: Web) -> None:
    c = safe(web)
    for text in ("\u0000", "a\u0008b"):
        c.post("/api/records", json=record(f"S-{ord(text[-1])}", topic=text))
    assert c.post("/api/records", json=record("S-ok")).status_code == 201
    for who, unit_code in (("rec-north", "north"), ("admin", "city")):
        r = web.browser(who).get("/report/download", params={"unit": unit_code, "year": "2025", "format": "xlsx"})
        assert r.status_code == 200, r.text[:300]
