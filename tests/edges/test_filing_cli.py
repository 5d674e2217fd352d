"""`taizhang filing …` and the lock on the command line's write paths (JSON Lines and workbook imports)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_kit import taizhang
from conftest import study, unit


@pytest.fixture
def home(tmp_path: Path) -> Path:
    lines = [unit("qu", "光华区"), unit("zx", "城市更新中心", parent="qu"), unit("dui", "执法队", parent="zx")]
    lines += [study("D-1", "2025-03-01", unit="dui")]
    ran = taizhang(tmp_path, "import", "-", stdin="\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
    assert ran.returncode == 0, ran.stderr
    return tmp_path


def jsonl(*lines: dict) -> str:
    return "\n".join(json.dumps(x, ensure_ascii=False) for x in lines)


def workbook(tmp_path: Path, rows: list[dict]) -> Path:
    from api.documents.xlsx_import import KIND_SHEETS, template

    wb = template()
    [name] = [n for n, k in KIND_SHEETS.items() if k.code == "study_session"]
    ws = wb[name]
    header = [c.value for c in ws[1]]
    for row in rows:
        ws.append([row.get(h) for h in header])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


def test_the_whole_workflow_from_the_command_line(home: Path, tmp_path: Path) -> None:
    sent = taizhang(home, "filing", "submit", "--unit", "dui", "--year", "2025", "--comment", "请审核", user="boss")
    assert sent.returncode == 0, sent.stderr
    assert "已报送待审核" in sent.stdout and "请审核" in sent.stdout
    own = taizhang(home, "filing", "approve", "--unit", "dui", "--year", "2025", user="boss")
    assert own.returncode == 4 and "不能审核自己报送" in own.stderr
    back = taizhang(home, "filing", "return", "--unit", "dui", "--year", "2025", "--reason", "数字不符", user="wang")
    assert back.returncode == 0 and "已退回" in back.stdout
    assert taizhang(home, "filing", "submit", "--unit", "dui", "--year", "2025", user="boss").returncode == 0
    ok = taizhang(home, "filing", "approve", "--unit", "dui", "--year", "2025", "--format", "json", user="wang")
    body = json.loads(ok.stdout)
    assert body["state"] == "approved" and [e["label"] for e in body["register"]][1:] == [
        "报送",
        "退回",
        "重新报送",
        "审核通过",
    ]
    # The lock: a JSON Lines import and a workbook import of a 2025 line are refused without a reason.
    line = study("D-2", "2025-05-01", unit="dui")
    refused = taizhang(home, "import", "-", stdin=jsonl(line))
    assert refused.returncode == 2 and "late_reason" in refused.stderr and "报后更正" in refused.stderr
    book = workbook(
        tmp_path,
        [{"unit": "dui", "ref": "D-3", "date": "2025-06-01", "form": "central_group", "topic": "宪法", "attendees": 8}],
    )
    refused_book = taizhang(home, "import", str(book))
    assert refused_book.returncode == 2 and "late_reason" in refused_book.stderr
    done = taizhang(home, "import", "-", "--late-reason", "督察发现漏报", stdin=jsonl(line))
    assert done.returncode == 0, done.stderr
    assert taizhang(home, "import", str(book), "--late-reason", "补录会议").returncode == 0
    late = taizhang(home, "filing", "late", "--unit", "dui", "--year", "2025", user="wang")
    assert late.returncode == 0, late.stderr
    assert "报后更正 2 项" in late.stdout and "督察发现漏报" in late.stdout and "补录会议" in late.stdout
    assert "study.sessions 各类学习活动: 1 → 3" in late.stdout
    # Reopen, publish, status and progress.
    assert (
        taizhang(
            home, "filing", "reopen", "--unit", "dui", "--year", "2025", "--reason", "重新核对", user="wang"
        ).returncode
        == 0
    )
    pub = taizhang(
        home,
        "filing",
        "publish",
        "--unit",
        "dui",
        "--year",
        "2025",
        "--url",
        "https://gh.gov.cn/fz/2025",
        "--date",
        "2026-03-20",
        user="boss",
    )
    assert pub.returncode == 0 and "已于 2026-03-20 公开发布" in pub.stdout
    status = taizhang(home, "filing", "status", "--unit", "dui", "--year", "2025")
    assert "重新打开" in status.stdout and "重新核对" in status.stdout
    progress = taizhang(home, "filing", "progress", "--unit", "qu", "--year", "2025", "--format", "json")
    rows = {r["unit"]: r for r in json.loads(progress.stdout)["units"]}
    assert rows["dui"]["state"] == "reopened" and rows["dui"]["approved_on"] and rows["zx"]["state"] == "draft"
    text = taizhang(home, "filing", "progress", "--unit", "qu", "--year", "2025")
    assert "执法队（dui）" in text.stdout and "已重新打开" in text.stdout


def test_bad_input_names_the_field(home: Path) -> None:
    bad = taizhang(home, "filing", "publish", "--unit", "dui", "--year", "2025", "--url", "x", "--date", "2026-3-1")
    assert bad.returncode == 2 and "url: " in bad.stderr and "date: " in bad.stderr  # every error at once
    missing = taizhang(home, "filing", "status", "--unit", "nowhere", "--year", "2025")
    assert missing.returncode == 2 and "nowhere" in missing.stderr
    root = taizhang(home, "filing", "submit", "--unit", "qu", "--year", "2025", user="boss")
    assert root.returncode == 0
    nobody = taizhang(home, "filing", "approve", "--unit", "qu", "--year", "2025", user="wang")
    assert nobody.returncode == 4
    dl = taizhang(
        home,
        "filing",
        "deadline",
        "--unit",
        "qu",
        "--year",
        "2025",
        "--date",
        "2026-02-10",
        "--descendants",
        user="wang",
    )
    assert dl.returncode == 0 and dl.stdout.count("2026-02-10") == 2
