"""Assessment through the command line (a system imported from a workbook, the table as xlsx and docx) and the
JSON API (the unit's sheet, submission, the assessor's score, return, final)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_kit import taizhang
from conftest import study, unit
from openpyxl import Workbook, load_workbook
from webkit import Web

from api.documents.assessment_xlsx import template


def system_workbook(path: Path) -> Path:
    """A workbook as a superior circulates it: 一级/二级 cells left empty under the one above."""
    book = template({"department": "区级部门", "town": "街镇"})
    sheet = book["指标体系"]
    sheet.delete_rows(2, sheet.max_row)
    sheet.append(
        [
            "依法履职",
            "学法用法",
            "领导干部学法",
            4,
            "town=2",
            "",
            "分档计分",
            "study.sessions",
            ">=3:4; >=1:2; else:0",
            "",
        ]
    )
    sheet.append(["", "", "年度述法", 5, "", "department", "评审打分", "", "", "述法报告"])
    sheet.append(["", "行政应诉", "负责人出庭应诉", 3, "", "", "达标计分", "case.head_appearance_rate", ">=100", ""])
    sheet.append(["整改落实", "", "整改完成率", 6, "", "", "按比例计分", "rectification.completion_rate", "0~100", ""])
    book["说明"]["B1"] = "2025年度法治建设考核"
    book.save(path)
    return path


def test_a_system_imported_from_a_workbook_is_scored_ranked_and_written_out(tmp_path: Path) -> None:
    home = tmp_path / "home"
    lines = [unit("county"), unit("d1", parent="county"), unit("d2", parent="county"), unit("t1", parent="county"),
             study("S-1", "2025-03-01", unit="d1"), study("S-2", "2025-03-02", unit="d1"),
             study("S-3", "2025-03-03", unit="d1"), study("S-4", "2025-03-04", unit="t1")]  # fmt: skip
    assert taizhang(home, "import", "-", stdin="\n".join(json.dumps(x) for x in lines)).returncode == 0
    book = system_workbook(tmp_path / "体系.xlsx")
    made = taizhang(home, "assess", "define", "--owner", "county", "--code", "K25", "--year", "2025", str(book))
    assert made.returncode == 0, made.stderr
    assert "8 项指标" in made.stdout and "区级部门 18 分，街镇 11 分" in made.stdout
    system = json.loads(taizhang(home, "assess", "show", "--owner", "county", "--code", "K25").stdout)
    assert [(i["code"], i["level"], i["name"]) for i in system["indicators"]][:3] == [
        ("1", 1, "依法履职"), ("1.1", 2, "学法用法"), ("1.1.1", 3, "领导干部学法")
    ]  # fmt: skip
    assert system["indicators"][3]["name"] == "年度述法" and system["indicators"][3]["parent"] == "1.1"
    ok = taizhang(home, "assess", "assign", "--owner", "county", "--code", "K25", "d1=department", "d2=department",
                  "t1=town")  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    sheet = json.loads(taizhang(home, "assess", "sheet", "--owner", "county", "--code", "K25", "--unit", "d1",
                                "--format", "json").stdout)  # fmt: skip
    got = {line["code"]: line["rule_score"] for line in sheet["lines"] if line["leaf"]}
    assert got["1.1.1"] == 4.0 and got["1.2.1"] is None  # no hearing: the assessor decides
    table = taizhang(home, "assess", "table", "--owner", "county", "--code", "K25")
    assert "区级部门：\n    1  d1  4\n    2  d2  0" in table.stdout
    out = tmp_path / "scores.xlsx"
    assert taizhang(home, "assess", "table", "--owner", "county", "--code", "K25", "--format", "xlsx",
                    "--output", str(out)).returncode == 0  # fmt: skip
    summary = load_workbook(out)["总表"]
    assert [c.value for c in summary[3]][:5] == ["区级部门", 1, "d1", "单位d1", 4]
    doc = tmp_path / "通报.docx"
    assert taizhang(home, "assess", "table", "--owner", "county", "--code", "K25", "--format", "docx",
                    "--output", str(doc)).returncode == 0  # fmt: skip
    from docx import Document

    text = "\n".join(p.text for p in Document(str(doc)).paragraphs)
    assert "关于2025年度2025年度法治建设考核结果的通报" in text and "失分较多的指标" in text


def test_a_workbook_with_mistakes_is_refused_naming_every_cell(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert taizhang(home, "import", "-", stdin=json.dumps(unit("county"))).returncode == 0
    book = Workbook()
    sheet = book.active
    sheet.title = "指标体系"
    sheet.append(
        ["一级指标", "二级指标", "三级指标", "分值", "分类分值", "适用类别", "计分方式", "数据指标", "计分参数"]
    )
    sheet.append(["依法履职", "学法", "", "x", "", "", "", "", ""])
    sheet.append(["", "应诉", "", 3, "", "village", "达标计分", "case.head_appearance_rate", "100%"])
    book.create_sheet("单位类别").append(["类别编号", "类别名称"])
    book["单位类别"].append(["department", "区级部门"])
    book.save(tmp_path / "bad.xlsx")
    r = taizhang(
        home, "assess", "define", "--owner", "county", "--code", "K", "--year", "2025", str(tmp_path / "bad.xlsx")
    )
    assert r.returncode == 2
    assert "指标体系!行2" in r.stderr and "分值" in r.stderr and "指标体系!行3" in r.stderr


def test_the_unit_and_the_assessor_through_the_api(web: Web) -> None:
    admin, north, south = web.client("admin"), web.client("rec-north"), web.client("rec-south")
    definition = {
        "name": "考核",
        "categories": {"centre": "中心"},
        "indicators": [
            {
                "code": "1",
                "name": "学法",
                "points": 4,
                "rule": {"type": "threshold", "figure": "study.sessions", "steps": [{"min": 1, "points": 4}]},
            },  # fmt: skip
            {"code": "2", "name": "述法", "points": 6, "evidence": "述法报告"},
        ],
    }
    assert admin.put("/api/assessment/city/K", json={"year": 2025, "definition": definition}).status_code == 200
    assert north.put("/api/assessment/city/K2", json={"year": 2025, "definition": definition}).status_code == 403
    assert (
        admin.post("/api/assessment/city/K/units", json={"units": {"north": "centre", "south": "centre"}}).status_code
        == 200
    )
    study_line = {"unit": "north", "kind": "study_session", "ref": "S-1", "date": "2025-03-01",
                  "data": {"form": "central_group", "attendees": 9, "topic": "宪法"}}  # fmt: skip
    assert north.post("/api/records", json=study_line).status_code == 201
    u = "/api/assessment/city/K/units/north"
    assert north.get(u).json()["lines"][0]["rule_score"] == 4.0
    assert south.get(u).status_code == 403
    assert north.post(u + "/submission").status_code == 422  # 述法报告 missing
    assert north.post(u + "/evidence", json={"indicator": "2", "unit": "north", "ref": "S-1"}).status_code == 200
    assert north.post(u + "/self", json={"indicator": "2", "score": 6, "note": "已述法"}).status_code == 200
    assert north.post(u + "/submission").json()["status"] == "submitted"
    assert north.post(u + "/scores", json={"indicator": "2", "score": 5, "comment": "x"}).status_code == 403
    back = admin.post(u + "/return", json={"wanted": {"2": "述法会议纪要"}, "reason": "材料不全"})
    assert back.json()["status"] == "returned"
    pdf = {"file": ("纪要.pdf", b"%PDF-1.4 minutes", "application/pdf")}
    assert north.post(u + "/evidence/file", files=pdf, data={"indicator": "2"}).status_code == 200
    assert north.post(u + "/submission").status_code == 200
    assert admin.post(u + "/scores", json={"indicator": "2", "score": 5, "comment": "基本到位"}).status_code == 200
    final = admin.post(u + "/final", json={})
    assert final.status_code == 200 and final.json()["total"] == 9.0
    checked = north.get(u + "/verification").json()
    assert checked["ok"] and checked["digest"] == final.json()["digest"]
    table = admin.get("/api/assessment/city/K/table").json()
    assert table["progress"]["final"] == 1 and table["ranking"]["centre"][0]["unit"] == "north"
    sources = north.get(u + "/indicators/1/sources").json()
    assert [a["ref"] for a in sources["activities"]] == ["S-1"]
    blank = north.get("/api/assessment/template.xlsx")
    assert blank.status_code == 200 and blank.content[:2] == b"PK"
    xlsx = admin.get("/api/assessment/city/K/scores.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
