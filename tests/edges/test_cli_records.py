"""The command line as a user in the ledger's time zone meets it: record, add a step, correct and void without
writing JSON by hand (the same checks as everywhere); `--as-of` read and instants printed in the ledger's zone;
the truth about a unit registered later and about a folder with no ledger."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cli_kit import taizhang

SHANGHAI = ZoneInfo("Asia/Shanghai")


def ledger_with_unit(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    assert taizhang(home, "unit", "add", "ctr", "城市更新中心").returncode == 0
    return home


def test_record_step_correct_and_void_from_the_command_line(tmp_path: Path) -> None:
    home = ledger_with_unit(tmp_path)
    r = taizhang(
        home, "record", "--unit", "ctr", "--kind", "学法/学习活动", "--ref", "S-1", "--date", "2025/3/1",
        "-f", "form=中心组学习", "-f", "attendees=20", "-f", "topic=民法典",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "已记录：ctr / S-1（版本 1" in r.stdout and re.search(r"\d\d:\d\d:\d\d\+08:00", r.stdout)
    assert (
        json.loads(taizhang(home, "report", "--unit", "ctr", "--year", "2025").stdout)["figures"]["study.sessions"][
            "value"
        ]
        == 1
    )
    # Every problem of the line at once, naming the field, nothing written.
    bad = taizhang(home, "record", "--unit", "ctr", "--kind", "study_session", "--ref", "S-2", "--date", "2025-02-30",
                   "-f", "attendees=-3")  # fmt: skip
    assert bad.returncode == 2 and "2月没有30日" in bad.stderr and "attendees" in bad.stderr and "form" in bad.stderr
    # A correction that changes nothing is refused; a real one is recorded with its reason.
    same = taizhang(home, "correct", "--unit", "ctr", "S-1", "--reason", "核对", "-f", "attendees=20")
    assert same.returncode == 2
    fixed = taizhang(home, "correct", "--unit", "ctr", "S-1", "--reason", "签到表为 25 人", "-f", "attendees=25")
    assert fixed.returncode == 0 and "已更正" in fixed.stdout
    assert taizhang(home, "correct", "--unit", "ctr", "S-1", "--reason", "x").returncode == 2  # nothing to change
    history = taizhang(home, "history", "--unit", "ctr", "S-1").stdout
    assert "签到表为 25 人" in history and "+08:00" in history and "." not in history.split()[5]


def test_steps_are_added_and_voided_by_name_and_date(tmp_path: Path) -> None:
    home = ledger_with_unit(tmp_path)
    assert taizhang(home, "record", "--unit", "ctr", "--kind", "case", "--ref", "AJ-1", "--date", "2025-02-01",
                    "-f", "case_type=admin_litigation", "-f", "role=defendant").returncode == 0  # fmt: skip
    for day in ("2025-03-01", "2025-04-01"):
        assert taizhang(home, "step", "--unit", "ctr", "AJ-1", "开庭", "--date", day).returncode == 0
    twice = taizhang(home, "step", "--unit", "ctr", "AJ-1", "hearing", "--date", "2025/4/1")
    assert twice.returncode == 2 and "已有 2025/4/1 的「开庭」" in twice.stderr and "--again" in twice.stderr
    assert taizhang(home, "step", "--unit", "ctr", "AJ-1", "开庭", "--date", "2025-04-01", "--again").returncode == 0
    dup = taizhang(home, "void", "--unit", "ctr", "AJ-1", "--step", "开庭", "--step-date", "2025-04-01",
                   "--reason", "重复")  # fmt: skip
    assert dup.returncode == 0 and "作废最后记录的那一个" in dup.stderr  # of two on one day: the later one
    both = taizhang(home, "void", "--unit", "ctr", "AJ-1", "--step", "开庭", "--reason", "重复")
    assert both.returncode == 2 and "2025-03-01、2025-04-01" in both.stderr and "--step-date" in both.stderr
    one = taizhang(home, "void", "--unit", "ctr", "AJ-1", "--step", "hearing", "--step-date", "2025-04-01",
                   "--reason", "重复录入")  # fmt: skip
    assert one.returncode == 0, one.stderr
    shown = json.loads(taizhang(home, "history", "--unit", "ctr", "AJ-1", "--format", "json").stdout)
    assert shown[-1]["event"] == "StepVoided" and shown[-1]["reason"] == "重复录入"
    assert taizhang(home, "void", "--unit", "ctr", "AJ-1", "--reason", "录错单位").returncode == 0


def test_as_of_is_read_in_the_ledger_time_zone(tmp_path: Path) -> None:
    home = ledger_with_unit(tmp_path)
    assert taizhang(home, "record", "--unit", "ctr", "--kind", "study_session", "--ref", "S-1", "--date", "2025-03-01",
                    "-f", "form=central_group", "-f", "attendees=5", "-f", "topic=宪法").returncode == 0  # fmt: skip
    now = datetime.now(SHANGHAI).replace(microsecond=0)
    # A local time one minute from now, without an offset, counts the record; one written as UTC 8 hours earlier
    # would not have.
    local = (now + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")
    data = json.loads(taizhang(home, "report", "--unit", "ctr", "--year", "2025", "--as-of", local).stdout)
    assert data["figures"]["study.sessions"]["value"] == 1
    earlier = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    before = taizhang(home, "report", "--unit", "ctr", "--year", "2025", "--as-of", earlier)
    assert before.returncode == 2
    assert "还没有登记" in before.stderr and "登记于" in before.stderr and "不存在" not in before.stderr
    unknown = taizhang(home, "report", "--unit", "nowhere", "--year", "2025")
    assert unknown.returncode == 2 and "不存在" in unknown.stderr


def test_a_read_in_a_folder_without_a_ledger_creates_nothing_and_names_the_folder(tmp_path: Path) -> None:
    home = tmp_path / "wrong-folder"
    r = taizhang(home, "report", "--unit", "ctr", "--year", "2025")
    assert r.returncode == 2 and "没有找到台账" in r.stderr and str(tmp_path) in r.stderr
    assert not home.exists()
    assert taizhang(home, "history", "--unit", "ctr", "S-1").returncode == 2 and not home.exists()


def test_seal_and_diff_print_local_instants_to_the_second(tmp_path: Path) -> None:
    home = ledger_with_unit(tmp_path)
    sealed = taizhang(home, "seal", "--unit", "ctr", "--year", "2025")
    assert sealed.returncode == 0, sealed.stderr
    assert re.search(r"截至 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+08:00，封存人 cli-tester", sealed.stderr)
    seal_id = json.loads(sealed.stdout)["seal"]
    assert taizhang(home, "record", "--unit", "ctr", "--kind", "study_session", "--ref", "S-9", "--date", "2025-12-01",
                    "-f", "form=online", "-f", "attendees=3", "-f", "topic=宪法").returncode == 0  # fmt: skip
    out = taizhang(home, "diff", "--seal", seal_id).stdout
    stamps = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:[+-]\d\d:\d\d)?", out)
    assert len(stamps) == 2 and all(re.fullmatch(r".{19}\+08:00", s) for s in stamps), out


def test_usage_errors_and_help_are_in_chinese(tmp_path: Path) -> None:
    missing = taizhang(tmp_path, "record", "--unit", "ctr")
    assert missing.returncode == 2 and "错误：缺少选项 '--kind'" in missing.stderr and "用法：" in missing.stderr
    typo = taizhang(tmp_path, "reprt")
    assert typo.returncode == 2 and "没有命令 'reprt'" in typo.stderr and "'report'" in typo.stderr
    assert "显示本帮助并退出" in taizhang(tmp_path, "step", "--help").stdout
    assert not tmp_path.joinpath("events.db").exists()
