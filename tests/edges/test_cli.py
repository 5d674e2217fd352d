"""The `taizhang` command (DOMAIN.md §5), run as a user would, with TAIZHANG_HOME and TAIZHANG_USER.

The commands run in this process through click's runner (`cli_kit.py`), once, as one story in stages
(`story` below); the tests then read what each command printed. Two smoke tests at the end run the
installed console script as a real process (marked slow).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_kit import Ran, taizhang, taizhang_process
from conftest import correct, exam, petition, rec, step, study, unit, void

from projections.figures import BY_ID

FIGURE_IDS = sorted(BY_ID)
assert len(FIGURE_IDS) == 64 + 68  # DOMAIN.md §3 and §7.5


def stage(**calls: tuple) -> dict[str, Ran]:
    """Run independent commands: name=(home, *args[, {"stdin": text}])."""

    def run(call: tuple) -> Ran:
        kw = call[-1] if isinstance(call[-1], dict) else {}
        args = call[:-1] if kw else call
        return taizhang(*args, **kw)

    return {name: run(call) for name, call in calls.items()}


def jsonl(lines: list) -> str:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def write(path: Path, lines: list) -> Path:
    path.write_text(jsonl(lines), encoding="utf-8")
    return path


def comparable(r: dict) -> dict:
    return {"figures": r["figures"], "checks": r["checks"]}


def report_args(unit_code: str = "u1", year: int = 2025, *extra: str) -> tuple[str, ...]:
    return ("report", "--unit", unit_code, "--year", str(year), *extra)


LINES = [
    unit("top", "某区政府"),
    unit("u1", "某区城市更新中心", parent="top"),
    study("SS-1", "2025-03-01", attendees=20, speeches=2, laws=["民法典"]),
    study("SS-2", "2025-05-01", form="business_training", attendees=30),
    study("SS-0", "2024-05-01", attendees=9),
    {**correct("SS-1", attendees=21, reason="漏记一名参会人员"), "by": "王五"},
    exam("KS-1", "2025-06-01", 800, 625, 600),
    rec("case", "C-1", "2025-01-10", case_type="admin_litigation", role="defendant"),
    step("C-1", "hearing", "2025-03-01", head_appeared=True),
    step("C-1", "decided", "2025-04-01", outcome="won"),
    petition("XF-1", "2025-02-01"),
    step("XF-1", "concluded", "2025-02-20"),
    rec("meeting", "HY-1", "2025-01-05", form="party_group", topic="法治工作", rule_of_law_agenda=True),
    rec("meeting", "HY-X", "2025-01-06", form="other", topic="误录", rule_of_law_agenda=False),
    void("HY-X", reason="重复录入"),
]
BAD = [
    unit("u9", "新单位"),  # valid, but must not be applied
    study("SS-9", "2025-01-01", attendees=-1),
    study("SS-10", "2025-01-01"),  # valid, but must not be applied
    step("C-404", "hearing", "2025-02-01"),
]
LATER = [study("SS-3", "2025-07-01", attendees=4), unit("u1", "某区城市更新推进中心", parent="top")]  # and a rename


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> dict:
    """Everything the CLI tests look at, each command run once."""
    root = tmp_path_factory.mktemp("cli")
    home, demo = root / "home", root / "demo"
    files = root / "files"
    files.mkdir()
    out: dict = {}
    # 1. import from stdin; elsewhere: the demo
    out |= stage(imported=(home, "import", "-", {"stdin": jsonl(LINES)}), demo1=(demo, "demo"))
    # 2. imports that must change nothing: the same file again, a bad file, a line that is not JSON
    out |= stage(
        reimport=(home, "import", str(write(files / "ledger.jsonl", LINES))),
        bad=(home, "import", str(write(files / "bad.jsonl", BAD))),
        not_json=(home, "import", "-", {"stdin": jsonl([study("SS-11", "2025-01-01")]) + "{not json\n"}),
        demo2=(demo, "demo"),
    )
    # 3. read
    out["instant"] = datetime.now(UTC).isoformat()
    out |= stage(
        report=(home, *report_args()),
        report_as_of=(home, *report_args("u1", 2025, "--as-of", out["instant"])),
        md=(home, *report_args("u1", 2025, "--format", "md")),
        explain=(home, "explain", "study.attendance", "--unit", "u1", "--year", "2025"),
        history=(home, "history", "--unit", "u1", "SS-1"),
        unknown_unit=(home, *report_args("u9")),
    )
    # 4. rebuild, then the same as-of report
    out |= stage(rebuild=(home, "rebuild"))
    out |= stage(rebuilt_as_of=(home, *report_args("u1", 2025, "--as-of", out["instant"])))
    # 5. a second import with new lines, then the report again
    out |= stage(later=(home, "import", "-", {"stdin": jsonl(LATER)}))
    out |= stage(report_later=(home, *report_args()))
    return out


def ok(result: Ran) -> str:
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def report_json(story: dict, name: str = "report") -> dict:
    return json.loads(ok(story[name]))


# ---- import ----


def test_import_from_stdin_applies_every_line(story):
    assert f"applied {len(LINES)}, skipped 0" in ok(story["imported"])


def test_reimport_of_a_file_reports_every_line_skipped(story):
    assert f"applied 0, skipped {len(LINES)}" in ok(story["reimport"])


def test_rejected_file_exits_2_and_lists_every_error(story):
    r = story["bad"]
    assert r.returncode == 2
    errors = [line for line in r.stderr.splitlines() if line.startswith("line ")]
    assert len(errors) == 2
    assert errors[0].startswith("line 2: data.attendees: ")
    assert errors[1].startswith("line 4: ref: ")
    assert "applied" not in r.stdout


def test_rejected_file_applied_nothing(story):
    sources = report_json(story)["figures"]["study.attendance"]["sources"]
    assert "SS-10" not in sources and "SS-9" not in sources
    # the unit of the rejected file's (valid) first line does not exist
    assert story["unknown_unit"].returncode != 0


def test_line_that_is_not_json_is_named(story):
    r = story["not_json"]
    assert r.returncode == 2
    assert re.search(r"^line 2: json: ", r.stderr, re.M)
    assert "SS-11" not in report_json(story)["figures"]["study.sessions"]["sources"]


def test_second_import_of_new_lines_updates_the_report(story):
    assert "applied 2, skipped 0" in ok(story["later"])
    later = report_json(story, "report_later")
    attendance = later["figures"]["study.attendance"]
    assert (attendance["value"], attendance["sources"]) == (21 + 30 + 4, ["SS-1", "SS-2", "SS-3"])
    assert later["unit_name"] == "某区城市更新推进中心"


# ---- report ----


def test_report_json_has_the_documented_shape(story):
    r = report_json(story)
    assert {"unit", "unit_name", "year", "as_of", "figures", "checks", "log"} <= set(r)
    assert (r["unit"], r["unit_name"], r["year"]) == ("u1", "某区城市更新中心", 2025)
    assert datetime.fromisoformat(r["as_of"]).tzinfo is not None
    assert sorted(r["figures"]) == FIGURE_IDS
    for fid, f in r["figures"].items():
        assert set(f) == {"label", "unit", "value", "previous", "sources"}, fid
        assert f["sources"] == sorted(f["sources"]), fid
    for c in r["checks"]:
        assert set(c) == {"id", "ok", "message"}
    assert {"disclosure.balance", "exam.consistency", "petition.overdue", "audit.late_entries"} <= {
        c["id"] for c in r["checks"]
    }
    assert {"size", "root"} <= set(r["log"]) and isinstance(r["log"]["size"], int) and r["log"]["size"] > 0


def test_report_log_root_is_a_hex_digest(story):
    assert re.fullmatch(r"[0-9a-f]{32,}", report_json(story)["log"]["root"] or "")


def test_report_figures_reflect_the_import(story):
    f = report_json(story)["figures"]
    assert f["study.attendance"]["value"] == 51  # 21 (corrected) + 30
    assert f["study.attendance"]["previous"] == 9
    assert f["study.sessions"]["sources"] == ["SS-1"]
    assert f["exam.participation_rate"]["value"] == 78.13
    assert f["case.head_appearance_rate"]["value"] == 100.0
    assert f["case.admin_loss_rate"]["value"] == 0.0
    assert f["governance.meetings"]["sources"] == ["HY-1"]
    assert f["audit.voided"]["sources"] == ["HY-X"]
    assert f["audit.corrections"]["sources"] == ["SS-1"]
    assert f["reconsideration.correction_rate"]["value"] is None


def test_report_markdown(story):
    md = ok(story["md"])
    assert md.startswith("# 某区城市更新中心 2025")
    assert "| 参学人次 | `study.attendance` | 51人次 | 9人次 |" in md
    assert "78.13%" in md
    for fid in FIGURE_IDS:
        assert f"`{fid}`" in md


def test_report_as_of_now_equals_the_current_report(story):
    r = report_json(story, "report_as_of")
    assert comparable(r) == comparable(report_json(story))
    assert r["as_of"] == datetime.fromisoformat(story["instant"]).isoformat()


def test_unknown_unit_exits_nonzero_naming_unit(story):
    r = story["unknown_unit"]
    assert r.returncode != 0
    assert r.stderr.startswith("unit: ") and "u9" in r.stderr
    assert r.stdout == ""


# ---- explain and history ----


def test_explain_lists_the_activities_behind_a_figure(story):
    text = ok(story["explain"])
    assert "参学人次" in text and "51" in text
    assert "SS-1" in text and "SS-2" in text and "SS-0" not in text


def test_history_shows_the_correction_its_reason_and_who(story):
    text = ok(story["history"])
    assert "漏记一名参会人员" in text
    assert "王五" in text and "cli-tester" in text


# ---- rebuild ----


def test_rebuild_gives_an_identical_report(story):
    assert "rebuilt from" in ok(story["rebuild"])
    before, after = report_json(story, "report_as_of"), report_json(story, "rebuilt_as_of")
    assert comparable(after) == comparable(before)
    assert after["log"] == before["log"]


# ---- demo ----


def test_demo_prints_a_report(story):
    out = ok(story["demo1"])
    assert re.search(r"applied [1-9]\d*, skipped 0", out)
    assert "| 各类学习活动 | `study.sessions` |" in out


def test_demo_twice_on_the_same_home_says_so_and_prints_the_same_report(story):
    assert re.search(r"applied [1-9]\d*, skipped 0", ok(story["demo1"]))
    second = ok(story["demo2"])
    assert "本台账已有演示数据" in second and "applied" not in second  # said in one line, nothing written
    table = [line for line in story["demo1"].stdout.splitlines() if line.startswith("|")]
    assert [line for line in second.splitlines() if line.startswith("|")] == table


def test_demo_re_run_on_another_day_writes_nothing_and_reports_the_year_it_was_loaded_for(tmp_path, monkeypatch):
    import datetime as dt

    from domain.ledger import Ledger

    monkeypatch.setattr(Ledger, "today", lambda self: dt.date(2025, 11, 20))
    first = taizhang(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    table = [line for line in first.stdout.splitlines() if line.startswith("|")]
    events = logged(tmp_path)
    # A year later its lines would be other content under the same ids ("已用于内容不同的另一行"): not written.
    monkeypatch.setattr(Ledger, "today", lambda self: dt.date(2026, 12, 1))
    again = taizhang(tmp_path, "demo")
    assert again.returncode == 0, again.stderr
    said = [line for line in again.stdout.splitlines() if "演示数据" in line]
    assert said == ["本台账已有演示数据（2025 年度），未重复写入 / the demo is already in this ledger: nothing written"]
    assert [line for line in again.stdout.splitlines() if line.startswith("|")] == table
    assert logged(tmp_path) == events


def logged(home: Path) -> int:
    from conftest import settings_for

    ledger = settings_for(home).ledger()
    try:
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()


# ---- the installed command, as a real process ----


@pytest.mark.slow
def test_the_installed_command_imports_and_reports(tmp_path):
    imported = taizhang_process(tmp_path, "import", "-", stdin=jsonl(LINES))
    assert imported.returncode == 0, imported.stderr
    assert comparable(json.loads(ok(taizhang_process(tmp_path, *report_args())))) == comparable(
        json.loads(ok(taizhang(tmp_path, *report_args())))
    )


@pytest.mark.slow
def test_the_installed_command_exits_2_naming_the_field(tmp_path):
    assert taizhang_process(tmp_path, "unit", "add", "u1", "单位一").returncode == 0  # a ledger, without u9
    r = taizhang_process(tmp_path, *report_args("u9"))
    assert r.returncode == 2 and r.stderr.startswith("unit: ")
