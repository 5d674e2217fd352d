"""The year-end report draft as its reader sees it (python-docx reading the file): "其中" only for true parts,
sentences that keep their subject, GB/T 9704 版头, 主送机关, 附件说明, page numbers and 落款, the plain 数据核验表,
one rate format, the file's metadata, and the fonts the chart needs."""

from __future__ import annotations

import io
import itertools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import docx
import pytest
from conftest import case, exam, make, rec, services_context, study, unit, void
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from api.documents import docx_report, fonts, write_report
from api.documents.docx_layout import BODY_PT, width
from api.documents.prose import HEAD_LED_LECTURES, PARTS, head_led_lectures
from api.services import reads
from api.services.context import Unrestricted
from api.services.refusals import Refused
from domain.errors import DomainError
from domain.report_settings import DocumentSettings
from projections.ledger_rows import ledger_rows

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx(env: Any, path: Path, unit_code: str = "u1", year: int = 2025, **kw: Any) -> tuple[Any, dict]:
    with env.read_model() as model:
        report = model.report(unit_code, year).to_json()
        write_report(model, report, "docx", path, None, False, **kw)
    return docx.Document(str(path)), report


def _body(d: Any) -> list[str]:
    return [p.text for p in d.paragraphs]


# ---- "其中" is a true part of its whole, over random ledgers ----

FORMS = ["central_group", "party_group", "party_lecture", "business_training", "online"]
LEGAL = ["major_decision", "contract", "normative_document", "consultation"]
CASES = ["admin_litigation", "civil_litigation", "enforcement", "reconsideration", "other"]
ACTIONS = ["reviewed", "filed", "abolished", "amended", "issued"]

activity = st.one_of(
    st.tuples(st.just("study"), st.sampled_from(FORMS), st.booleans(), st.booleans()),
    st.tuples(st.just("meeting"), st.booleans(), st.just(False), st.just(False)),
    st.tuples(st.just("legal"), st.sampled_from(LEGAL), st.booleans(), st.just(False)),
    st.tuples(st.just("case"), st.sampled_from(CASES), st.just(False), st.just(False)),
    st.tuples(st.just("normdoc"), st.sampled_from(ACTIONS), st.just(False), st.just(False)),
)
ledgers = st.lists(st.tuples(activity, st.integers(0, 364), st.booleans()), min_size=4, max_size=30)
# The issue's ledger: law studied in a business training too (法律法规学习 is not a part of 各类学习活动).
ISSUE = [(("study", "business_training", False, True), 10, False), (("study", "central_group", False, True), 20, False)]
_units = itertools.count(1)
PHASES = (Phase.explicit, Phase.reuse, Phase.generate)


def _lines(code: str, items: list[tuple[tuple[str, Any, bool, bool], int, bool]]) -> list[dict]:
    lines = [unit(code, f"随机单位{code}")]
    for n, ((what, a, b, c), day, voided) in enumerate(items):
        ref, date = f"R-{n}", (datetime(2025, 1, 1) + timedelta(days=day)).date().isoformat()
        if what == "study":
            lines.append(study(ref, date, unit=code, form=a, led_by_head=b, **({"laws": ["宪法"]} if c else {})))
        elif what == "meeting":
            lines.append(rec("meeting", ref, date, unit=code, form="party_group", topic="议题", rule_of_law_agenda=a))
        elif what == "legal":
            reviewer = "legal_advisor" if b else "in_house"
            lines.append(rec("legal_review", ref, date, unit=code, subject=a, title="事项", reviewer=reviewer))
        elif what == "case":
            lines.append(case(ref, date, a, unit=code))
        else:
            lines.append(rec("normative_document", ref, date, unit=code, action=a, title="文件", count=1 + day % 3))
        if voided:
            lines.append(void(ref, unit=code))
    return lines


NUMBER = re.compile(r"(\d+(?:\.\d+)?)(%|[^\d%]+)$")


def _claims(paragraph: str) -> list[tuple[str, list[str]]]:
    """(whole, parts) for each "其中" a reader meets: the clause before "，其中" and the clauses after it, up to
    the end of its sentence group (；or 。)."""
    out = []
    for group in re.split("[；。]", paragraph):
        if "其中" not in group:
            continue
        before, after = group.split("，其中", 1)
        out.append((before.split("，")[-1], after.split("，")))
    return out


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make(tmp_path_factory.mktemp("random-ledgers"))


def _reread(document: Any) -> Any:
    out = io.BytesIO()
    document.save(out)
    return docx.Document(io.BytesIO(out.getvalue()))


# No shrinking phase: one example is a ledger and a document (a shrink would take minutes); the failing
# example is printed whole instead.
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), phases=PHASES)
@given(items=ledgers)
@example(items=ISSUE)
def test_every_qizhong_is_a_true_part(shared: Any, items: list) -> None:
    code = f"r{next(_units)}"
    shared.ok(*_lines(code, items))
    with shared.read_model() as model:
        report = model.report(code, 2025).to_json()
        rows = ledger_rows(model.con, code, 2025, None, model.tz)["study_session"]
    extra = head_led_lectures(rows, 2025, code)
    stamp = datetime.fromisoformat(report["as_of"])
    d = _reread(docx_report.build(report, stamp, [], extra=extra))  # the document as its reader opens it
    prose = [p.text for p in d.paragraphs if p.text.startswith("（")]
    for paragraph in prose:
        for whole, parts in _claims(paragraph):
            w = NUMBER.search(whole)
            assert w, (whole, paragraph)
            for part in parts:
                p = NUMBER.search(part)
                assert p and p.group(2)[0] == w.group(2)[0], (part, whole, paragraph)  # 件 and 件次 alike
                assert float(p.group(1)) <= float(w.group(1)), (part, whole, paragraph)
    # and the declarations behind the wording hold: a part's activities are among its whole's
    figures = {**report["figures"], **extra}
    for part, whole in PARTS.items():
        assert set(figures[part]["sources"]) <= set(figures[whole]["sources"]), (part, whole)
        assert (figures[part]["value"] or 0) <= (figures[whole]["value"] or 0), (part, whole)


def test_law_study_is_not_written_as_part_of_the_sessions(env: Any, tmp_path: Path) -> None:
    # the issue's ledger: law studied in business trainings too, so more law studies than sessions
    env.ok(
        study("S-1", "2025-03-01", laws=["宪法"]),
        study("S-2", "2025-03-02", form="business_training", laws=["民法典"]),
        study("S-3", "2025-03-03", form="business_training", laws=["民法典"]),
    )
    text = "\n".join(_body(_docx(env, tmp_path / "r.docx")[0]))
    assert "累计开展各类学习活动1次；开展法律法规学习3次" in text
    assert "其中开展法律法规学习" not in text


def test_head_led_party_lectures_only_when_led_by_the_head(env: Any, tmp_path: Path) -> None:
    env.ok(study("DK-1", "2025-06-01", form="party_lecture"))
    text = "\n".join(_body(_docx(env, tmp_path / "a.docx")[0]))
    assert "开展专题党课1次" in text and "带头讲" not in text
    env.ok(study("DK-2", "2025-07-01", form="party_lecture", led_by_head=True))
    text = "\n".join(_body(_docx(env, tmp_path / "b.docx")[0]))
    assert "开展专题党课2次，其中主要负责人带头讲1次" in text


def test_filing_keeps_its_subject_without_reviews(env: Any, tmp_path: Path) -> None:
    env.ok(rec("normative_document", "GF-1", "2025-05-01", action="filed", title="征收补偿办法", count=2))
    text = "\n".join(_body(_docx(env, tmp_path / "r.docx")[0]))
    assert "规范性文件报送备案2件" in text
    env.ok(rec("normative_document", "GF-2", "2025-05-02", action="reviewed", title="征收补偿办法", count=3))
    text = "\n".join(_body(_docx(env, tmp_path / "s.docx")[0]))
    assert "完成规范性文件审查3件，报送备案2件" in text


def test_one_rate_format_in_prose_and_table(env: Any, tmp_path: Path) -> None:
    env.ok(exam("KS-1", "2025-04-01", 8, 8, 1))  # 通过率 12.5%
    d, _ = _docx(env, tmp_path / "r.docx")
    prose = "\n".join(_body(d))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    assert "通过率12.5%" in prose and "12.5%" in cells
    assert not any("12.50" in c for c in cells) and "12.50" not in prose


# ---- the unit's settings: 红头, 主送机关, 附件说明 ----


def _actor(env: Any) -> tuple[Any, Unrestricted]:
    return services_context(env.settings, env.ledger), Unrestricted("tester")


def test_masthead_recipients_and_attachment_note_from_the_units_settings(env: Any, tmp_path: Path) -> None:
    from api.services import report_settings

    env.ok(unit("u2", "下级中心", parent="u1"), study("S-1", "2025-03-01"))
    ctx, actor = _actor(env)
    saved = report_settings.write_report_settings(
        ctx,
        actor,
        "u1",
        2025,
        {
            "issuer": "测试中心文件",
            "number": "卫城更[2025]33号",  # typed with square brackets: written with 〔〕
            "recipients": "光华区人民政府",
            "attachments": ["2025年度法治建设工作台账"],
        },
    )
    assert saved.number == "卫城更〔2025〕33号"
    d, _ = _docx(env, tmp_path / "r.docx", settings=report_settings.report_settings(ctx, actor, "u1", 2025))
    paras = d.paragraphs
    texts = _body(d)
    issuer = paras[texts.index("测试中心文件")]
    assert issuer.alignment == WD_ALIGN_PARAGRAPH.CENTER and str(issuer.runs[0].font.color.rgb) == "FF0000"
    number = paras[texts.index("卫城更〔2025〕33号")]
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    title = texts.index("测试中心关于2025年度法治政府建设情况的报告")
    assert texts.index("卫城更〔2025〕33号") < title
    assert texts[title + 1] == "光华区人民政府："
    assert paras[title + 1].paragraph_format.first_line_indent in (None, 0)
    note = [t for t in texts if t.startswith("附件：")]
    assert note == ["附件：1. 数据核验表"]
    i = texts.index(note[0])
    assert texts[i + 1 : i + 3] == ["2. 2025年分单位主要数据", "3. 2025年度法治建设工作台账"]
    assert "分单位情况见附件2" in "\n".join(texts)


def test_verification_attachment_is_optional(env: Any, tmp_path: Path) -> None:
    env.ok(unit("u2", "下级中心", parent="u1"), study("S-1", "2025-03-01"))
    d, _ = _docx(env, tmp_path / "r.docx", settings=DocumentSettings(verification=False))
    texts = _body(d)
    assert "数据核验表" not in texts and "附件：2025年分单位主要数据" in texts
    assert "附件1" in texts and "附件2" not in texts and "分单位情况见附件1" in "\n".join(texts)


def test_settings_refuse_every_problem_at_once_and_carry_over(env: Any) -> None:
    with pytest.raises(DomainError) as e:
        env.ledger.write_report_settings("u1", 2025, {"number": "33号", "issuer": "文" * 41}, "tester")
    assert {x.field for x in e.value.errors} == {"number", "issuer"}
    assert "卫城更〔2025〕33号" in str(e.value)
    with pytest.raises(DomainError, match="年份应为 2025"):
        env.ledger.write_report_settings("u1", 2025, {"number": "卫城更〔2024〕3号"}, "tester")
    env.ledger.write_report_settings("u1", 2025, {"issuer": "测试中心文件", "number": "卫城更〔2025〕3号"}, "tester")
    nxt = env.ledger.report_settings("u1", 2026)
    assert nxt.issuer == "测试中心文件" and nxt.number == ""  # the number is the year's own


def test_settings_need_write_access(env: Any) -> None:
    from api.services import report_settings

    auditor = env.ledger.register_user("auditor1", "审计员", "auditor", ["u1"], "x", "tester")  # a read-only role
    ctx = services_context(env.settings, env.ledger)
    with pytest.raises(Refused) as e:
        report_settings.write_report_settings(ctx, auditor, "u1", 2025, {"issuer": "测试中心文件"})
    assert e.value.kind == "forbidden"


# ---- GB/T 9704 layout: page numbers, 落款, tables; metadata ----


def test_page_numbers_odd_right_even_left(env: Any, tmp_path: Path) -> None:
    d, _ = _docx(env, tmp_path / "r.docx")
    assert d.settings.odd_and_even_pages_header_footer
    section = d.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert "PAGE" in odd._p.xml and "PAGE" in even._p.xml
    assert odd.paragraph_format.right_indent.pt == even.paragraph_format.left_indent.pt == 14  # 空一字


def test_signature_is_kept_with_its_date(env: Any, tmp_path: Path) -> None:
    env.ok(study("S-1", "2025-03-01"))
    d, report = _docx(env, tmp_path / "r.docx")
    texts = _body(d)
    # The date in the ledger's zone, as the document writes it (not the machine's: they differ 16:00–24:00 UTC).
    stamp = datetime.fromisoformat(report["as_of"]).astimezone(ZoneInfo(env.settings.tz))
    day = f"{stamp.year}年{stamp.month}月{stamp.day}日"
    i = texts.index(day)
    sig, date_p = d.paragraphs[i - 1], d.paragraphs[i]
    assert sig.text == "测试中心"
    assert sig.paragraph_format.keep_with_next and d.paragraphs[i - 2].paragraph_format.keep_with_next
    # 7.3.5.2: the unit 右空二字, the date's first character two characters right of the unit's
    sig_right = sig.paragraph_format.right_indent.pt / BODY_PT
    date_right = date_p.paragraph_format.right_indent.pt / BODY_PT
    assert sig_right == 2 or date_right == 2
    assert (sig_right + width(sig.text)) - (date_right + width(day)) == pytest.approx(2)


def test_tables_repeat_their_header_and_keep_rows_whole(env: Any, tmp_path: Path) -> None:
    env.ok(study("S-1", "2025-03-01"))
    d, _ = _docx(env, tmp_path / "r.docx")
    table = d.tables[0]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    assert [c.text for c in table.rows[0].cells][:2] == ["序号", "数据项"]
    assert "各类学习活动" in [c.text for c in table.rows[1].cells]


def test_metadata_names_the_unit_and_the_generation_time(env: Any, tmp_path: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    d, _ = _docx(env, tmp_path / "r.docx")
    props = d.core_properties
    created = props.created if props.created.tzinfo else props.created.replace(tzinfo=UTC)
    assert props.author == "测试中心" and props.last_modified_by == "测试中心"
    assert before <= created <= datetime.now(UTC) + timedelta(seconds=1)
    assert "python-docx" not in (props.comments or "")


# ---- fonts ----


def test_missing_cjk_font_stops_the_document_with_what_to_install(env: Any, tmp_path: Path, monkeypatch) -> None:
    env.ok(study("S-1", "2025-03-01"))  # something to chart
    monkeypatch.setattr(fonts, "CJK_FONTS", ("No Such CJK Font",))
    ctx, actor = _actor(env)
    out = tmp_path / "r.docx"
    with pytest.raises(Refused) as e:
        reads.report_document(ctx, actor, "u1", 2025, None, "docx", out)
    assert "apt-get install fonts-noto-cjk" in e.value.detail and "\n" not in e.value.detail
    assert not out.exists()


def test_fonts_installed_after_the_cache_was_made_are_found(monkeypatch) -> None:
    from matplotlib import font_manager

    manager = font_manager.fontManager
    kept = [f for f in manager.ttflist if "CJK" not in f.name and "Han" not in f.name and "Hei" not in f.name]
    monkeypatch.setattr(manager, "ttflist", kept)  # a cache from before the CJK fonts were installed
    assert fonts.cjk_font() in fonts.CJK_FONTS


def test_head_led_lectures_count_live_sessions_of_the_year() -> None:
    from projections.ledger_rows import ActivityRow

    def row(ref: str, when: str, voided: bool = False, **data: Any) -> ActivityRow:
        return ActivityRow("u1", ref, "study_session", datetime.fromisoformat(when).date(), voided, 0, data, None, None)

    rows = [
        row("a", "2025-01-02", form="party_lecture", led_by_head=True),
        row("b", "2025-01-02", True, form="party_lecture", led_by_head=True),
        row("c", "2024-12-31", form="party_lecture", led_by_head=True),
        row("d", "2025-03-02", form="central_group", led_by_head=True),
    ]
    assert head_led_lectures(rows, 2025, "u1")[HEAD_LED_LECTURES]["sources"] == ["a"]


def test_letterhead_command_sets_and_prints_the_settings(tmp_path: Path) -> None:
    import json

    from cli_kit import taizhang

    home = tmp_path / "h"
    src = tmp_path / "u.jsonl"
    src.write_text(json.dumps(unit("u1", "测试中心"), ensure_ascii=False) + "\n", encoding="utf-8")
    assert taizhang(home, "import", str(src)).returncode == 0
    done = taizhang(
        home, "letterhead", "--unit", "u1", "--year", "2025", "--issuer", "测试中心文件",
        "--number", "测更（2025）5号", "--to", "光华区人民政府", "--no-verification",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "发文字号：测更〔2025〕5号" in done.stdout and "附数据核验表：否" in done.stdout
    shown = taizhang(home, "letterhead", "--unit", "u1", "--year", "2025").stdout
    assert "发文机关标志：测试中心文件" in shown and "主送机关：光华区人民政府" in shown
    bad = taizhang(home, "letterhead", "--unit", "u1", "--year", "2025", "--number", "5号")
    assert bad.returncode == 2 and "发文字号" in bad.stderr
    out = tmp_path / "r.docx"
    assert (
        taizhang(home, "report", "--unit", "u1", "--year", "2025", "--format", "docx", "--output", str(out)).returncode
        == 0
    )
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert "测试中心文件" in texts and "测更〔2025〕5号" in texts and "光华区人民政府：" in texts
    assert not any(t.startswith("附件") for t in texts)  # no attachment chosen, none named


def test_sections_follow_the_2019_order_unless_the_unit_chooses_2025(env: Any, tmp_path: Path) -> None:
    from conftest import proposal

    env.ok(study("S-1", "2025-03-01"), proposal("JY-1", "2025-03-01"))
    env.ledger.write_narrative("u1", 2025, "leadership", "主要负责人带头履职。", "tester")
    headings = [t for t in _body(_docx(env, tmp_path / "a.docx")[0]) if re.match("^[一二三四五六]、", t)]
    assert headings == [
        "一、主要举措和成效",
        "二、存在的不足和原因",
        "三、党政主要负责人履行推进法治建设第一责任人职责情况",
        "四、下一年度主要安排",
        "五、其他需要报告的情况",
    ]
    texts_of_unit = env.ledger.narratives("u1", 2025)
    d, _ = _docx(env, tmp_path / "b.docx", narratives=texts_of_unit, settings=DocumentSettings(order="2025"))
    texts = _body(d)
    headings = [t for t in texts if re.match("^[一二三四五六]、", t)]
    assert headings[:3] == [
        "一、党政主要负责人履行推进法治建设第一责任人职责情况",
        "二、主要举措和成效",
        "三、自觉接受人大监督和政协民主监督情况",
    ]
    assert texts[texts.index(headings[0]) + 1] == "主要负责人带头履职。"
    supervision = texts[texts.index(headings[2]) + 1]
    assert "承办人大代表建议1件" in supervision
    assert sum("承办人大代表建议" in t for t in texts) == 1  # not also under 主要举措和成效
    with pytest.raises(DomainError, match="章节顺序"):
        env.ledger.write_report_settings("u1", 2025, {"order": "2030"}, "tester")


# ---- declared figures (DOMAIN.md §8.7: md, docx and xlsx list them after the built-in ones) ----


def test_declared_figures_are_in_the_word_draft_and_the_workbook(env: Any, tmp_path: Path) -> None:
    import openpyxl

    data = {"code": "local.study.all_sessions", "label": "全部学习活动", "unit_word": "次", "kind": "study_session",
            "measure": {"type": "count"}}  # fmt: skip
    env.ok(study("S-1", "2025-03-01"), study("S-2", "2025-04-01"), {"id": "F-1", "op": "figure", "unit": "u1",
                                                                    "data": data})  # fmt: skip
    d, _ = _docx(env, tmp_path / "r.docx")
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    assert "全部学习活动" in cells, "the 数据核验表 lists the declared figure"
    with env.read_model() as model:
        write_report(model, model.report("u1", 2025), "xlsx", tmp_path / "r.xlsx", None, False)
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["指标"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[1]]
    assert rows[-1][1:5] == ("local.study.all_sessions", "全部学习活动", "次", 2)  # after the built-in ones
