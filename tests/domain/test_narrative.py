"""Narrative text per report section: recorded as events, rewritten with history, printed in the DOCX."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from api.infra.settings import Settings
from domain.errors import DomainError
from domain.narrative import narrative_id


@pytest.fixture
def ledger(tmp_path: Path):
    ledger = Settings(tmp_path, None, "Asia/Shanghai", "王芳").ledger()
    assert ledger.apply([(1, {"id": "u", "op": "unit", "unit": "ctr", "data": {"name": "某城市更新中心"}})], "王芳").ok
    return ledger


def test_a_rewritten_section_keeps_its_earlier_version_in_the_history(ledger) -> None:
    ledger.write_narrative("ctr", 2025, "plans", "2026年重点推进规范性文件清理。", "王芳")
    ledger.write_narrative("ctr", 2025, "plans", "2026年重点推进行政争议实质性化解。", "李强")
    assert ledger.narratives("ctr", 2025) == {"plans": "2026年重点推进行政争议实质性化解。"}
    events = list(ledger.events.get(narrative_id("ctr", 2025, "plans")))
    assert [e.text for e in events] == ["2026年重点推进规范性文件清理。", "2026年重点推进行政争议实质性化解。"]
    assert [e.recorded_by for e in events] == ["王芳", "李强"]


@pytest.mark.parametrize(
    ("unit", "section", "text", "field"),
    [("ctr", "summary", "x", "section"), ("ctr", "plans", "   ", "text"), ("nowhere", "plans", "x", "unit")],
)
def test_bad_narratives_are_refused_naming_the_field(ledger, unit: str, section: str, text: str, field: str) -> None:
    with pytest.raises(DomainError) as e:
        ledger.write_narrative(unit, 2025, section, text, "王芳")
    assert e.value.errors[0].field == field


def test_the_docx_prints_each_written_section_and_marks_the_rest(tmp_path: Path) -> None:
    import json

    from cli_kit import taizhang

    unit = json.dumps({"id": "u", "op": "unit", "unit": "ctr", "data": {"name": "某城市更新中心"}}, ensure_ascii=False)
    assert taizhang(tmp_path, "import", "-", stdin=unit).returncode == 0
    text = "主要负责人全年主持研究法治工作6次。"
    written = taizhang(
        tmp_path, "narrative", "--unit", "ctr", "--year", "2025", "--section", "leadership", "-", stdin=text
    )
    assert written.returncode == 0, written.stderr
    out = tmp_path / "r.docx"
    made = taizhang(tmp_path, "report", "--unit", "ctr", "--year", "2025", "--format", "docx", "--output", str(out))
    assert made.returncode == 0, made.stderr
    paragraphs = [p.text for p in docx.Document(str(out)).paragraphs]
    at = paragraphs.index("三、党政主要负责人履行推进法治建设第一责任人职责情况")
    assert paragraphs[at + 1] == text
    assert paragraphs[paragraphs.index("四、下一年度主要安排") + 1] == "（待填写）"
