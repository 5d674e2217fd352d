"""Import files as staff's tools write them: UTF-8 with a BOM and GBK/GB18030 (Excel and WPS on Chinese Windows)
read, other bytes refused naming the encoding; a line that is not JSON reported with every other error of the
file; a workbook row changed after its import explained, or turned into a correction when asked."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from cli_kit import taizhang
from conftest import unit

from api.documents.xlsx_import import sheet_name
from domain.catalogue import KINDS

UNIT = {**unit("ctr", "城市更新中心"), "id": "u-ctr"}


def line(ref: str, topic: str = "宪法", attendees: int = 10, **extra: object) -> dict:
    return {
        "id": f"r-{ref}",
        "op": "record",
        "unit": "ctr",
        "kind": "study_session",
        "ref": ref,
        "date": "2025-03-01",
        "data": {"form": "central_group", "topic": topic, "attendees": attendees, **extra},
    }


def text_of(*lines: dict) -> str:
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)


def test_utf8_with_bom_and_gbk_files_are_read(tmp_path: Path) -> None:
    home = tmp_path / "home"
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + text_of(UNIT, line("S-1")).encode())
    assert taizhang(home, "import", str(bom)).returncode == 0
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes(text_of(line("S-2", topic="中华人民共和国宪法学习")).encode("gbk"))
    done = taizhang(home, "import", str(gbk))
    assert done.returncode == 0, done.stderr
    history = json.loads(taizhang(home, "history", "--unit", "ctr", "S-2", "--format", "json").stdout)
    assert history[0]["data"]["topic"] == "中华人民共和国宪法学习"


def test_bytes_of_no_known_encoding_are_refused_in_one_sentence(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert taizhang(home, "import", "-", stdin=text_of(UNIT)).returncode == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(text_of(line("S-1", topic="PLACEHOLDER")).encode().replace(b"PLACEHOLDER", b"a\xff\xfeb"))
    done = taizhang(home, "import", str(bad))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "UTF-8" in done.stderr and "line 1: data.topic" in done.stderr


def test_a_line_that_is_not_json_does_not_hide_the_other_errors(tmp_path: Path) -> None:
    home = tmp_path / "home"
    lines = [json.dumps(x, ensure_ascii=False) for x in (UNIT, line("S-1"), line("S-2", attendees=-3))]
    lines.insert(2, '{"id": "r-x", "op": "record",}')
    lines.append(json.dumps(line("S-3", topic="")))
    done = taizhang(home, "import", "-", stdin="\n".join(lines) + "\n")
    assert done.returncode == 2
    err = done.stderr
    assert "line 3: json: 不是有效的 JSON（第 30 列）：键名须用英文双引号括起来" in err
    assert "line 4: data.attendees" in err and "line 5: data.topic" in err
    assert "共 3 处错误" in err
    assert not (home / "events.db").exists() or taizhang(home, "unit", "list").stdout.startswith("台账还没有单位")


def test_json_errors_on_the_web_import_come_with_the_rest(web, tmp_path: Path) -> None:
    c = web.client("rec-north")
    body = '{"id": "a", "op": "record", "unit": "north"\n' + json.dumps({**line("S-1", attendees=-1), "unit": "north"})
    r = c.post("/api/import", content=body.encode("gbk"), headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 422
    assert [(e["line"], e["field"]) for e in r.json()["errors"]] == [(1, "json"), (2, "data.attendees")]


def _workbook(tmp_path: Path, home: Path, attendees: int, topic: str = "宪法") -> Path:
    book = tmp_path / f"book-{attendees}-{len(topic)}.xlsx"
    assert taizhang(home, "template", "--output", str(book)).returncode == 0
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet_name(KINDS["study_session"].label)]
    codes = [c.value for c in ws[1]]
    values = {"unit": "ctr", "ref": "S-1", "date": "2025-03-01", "form": "中心组学习", "topic": topic}
    values["attendees"] = attendees
    ws.append([values.get(code) for code in codes])
    wb.save(book)
    return book


def test_a_changed_workbook_row_says_what_to_do_or_becomes_a_correction(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert taizhang(home, "import", "-", stdin=text_of(UNIT)).returncode == 0
    first = _workbook(tmp_path, home, 20)
    assert taizhang(home, "import", str(first)).returncode == 0
    assert taizhang(home, "import", str(first)).returncode == 0  # the same workbook again: skipped
    changed = _workbook(tmp_path, home, 25)
    refused = taizhang(home, "import", str(changed))
    assert refused.returncode == 2
    assert "以前导入过" in refused.stderr and "更正" in refused.stderr and "xlsx-" not in refused.stderr
    done = taizhang(home, "import", str(changed), "--correct-changed", "按签到表更正人数")
    assert done.returncode == 0, done.stderr
    history = json.loads(taizhang(home, "history", "--unit", "ctr", "S-1", "--format", "json").stdout)
    assert [h["event"] for h in history] == ["Recorded", "Corrected"]
    assert history[1]["changes"] == {"attendees": [20, 25]} and history[1]["reason"] == "按签到表更正人数"
    # Imported again with the option: nothing left to correct, nothing recorded.
    again = taizhang(home, "import", str(changed), "--correct-changed", "按签到表更正人数")
    assert again.returncode == 0 and "导入 0 行" in again.stdout
    assert len(json.loads(taizhang(home, "history", "--unit", "ctr", "S-1", "--format", "json").stdout)) == 2


def test_the_import_page_reads_gbk_and_says_a_file_problem_once(web, tmp_path: Path) -> None:
    from webpages_kit import Browser, text

    b = Browser(web, "rec-north")
    b.get("/import")

    def upload(name: str, content: bytes):  # noqa: ANN202
        return b.client.post("/import", data={"csrf_token": b.csrf}, files={"file": (name, content, "text/plain")})

    gbk = text_of({**line("S-1", topic="学习宪法"), "unit": "north"}).encode("gb18030")
    r = upload("学法.jsonl", gbk)
    assert r.status_code == 200 and "导入 1 行" in text(r.text)
    assert web.server.ledger.activity("north", "S-1").data["topic"] == "学习宪法"  # type: ignore[union-attr]
    r = upload("空.jsonl", b"\n")
    shown = text(r.text)
    assert r.status_code == 422 and "file：" not in shown and shown.count("没有任何一行") <= 1
