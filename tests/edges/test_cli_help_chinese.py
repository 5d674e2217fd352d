"""`taizhang --help` speaks Chinese first: every command's line in the list begins in Chinese, so staff who
read no English can find the command they need (the English explanation follows in each command's help)."""

from __future__ import annotations

import re

from click.testing import CliRunner

from api.cli import COMMANDS, main

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_command_is_introduced_in_chinese():
    for cmd in COMMANDS:
        short = cmd.get_short_help_str(limit=200)
        assert HAN.match(short), f"{cmd.name}: {short}"


def test_the_top_level_help_opens_in_chinese():
    shown = CliRunner().invoke(main, ["--help"]).output
    assert "法治建设工作台账" in shown.split("\n\n")[1]
    listed = shown.split("命令:")[1].strip().splitlines()
    assert len(listed) >= len(COMMANDS) and all(HAN.search(line) for line in listed if line.startswith("  "))
