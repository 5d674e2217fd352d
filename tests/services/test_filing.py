"""Reporting upward across three levels on one ledger (区 → 中心 → 执法队): submit, return, resubmit, approve,
the lock and its late corrections, reopen, the superior's progress, publication and what is due per user."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from conftest import correct, petition, services_context, settings_for, study, unit, void

from api.services import filing, users, writes
from api.services.context import Context, Unrestricted
from api.services.refusals import Refused


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    settings = settings_for(tmp_path)
    ledger = settings.ledger()
    lines = [unit("qu", "光华区"), unit("zx", "城市更新中心", parent="qu"), unit("dui", "执法队", parent="zx")]
    lines += [study("D-1", "2025-03-01", unit="dui"), study("Z-1", "2025-04-01", unit="zx")]
    assert ledger.apply(list(enumerate(lines, 1)), "t").ok
    c = services_context(settings, ledger)
    setup = Unrestricted("setup")
    for name, role, units in [
        ("boss", "admin", ["qu"]),  # submits (any admin: admins cover every unit)
        ("chief", "admin", ["qu"]),
        ("qu-audit", "auditor", ["qu"]),
        ("zx-audit", "auditor", ["zx"]),
        ("dui-audit", "auditor", ["dui"]),
        ("clerk", "recorder", ["dui"]),
    ]:
        users.create_user(c, setup, name, "", role, units)
    yield c
    ledger.close()


def who(ctx: Context, name: str):
    return ctx.ledger.user(name)


def refusal(call) -> Refused:
    with pytest.raises(Refused) as e:
        call()
    return e.value


def write(ctx: Context, name: str, line: dict, late_reason: str | None = None):
    return asyncio.run(writes.import_lines(ctx, who(ctx, name), [(1, line)], late_reason=late_reason))


def test_a_year_goes_up_is_returned_resubmitted_and_approved_and_the_register_says_who_when_why(ctx: Context) -> None:
    boss, zx_audit = who(ctx, "boss"), who(ctx, "zx-audit")
    sent = filing.submit(ctx, boss, "dui", 2025, "请审核")
    assert sent.state == "submitted" and sent.seal
    assert ctx.ledger.repository.get(UUID(sent.seal)).unit == "dui"  # a seal of that year
    # A unit never reviews itself; the submitter never reviews their own submission; a recorder never reviews.
    assert refusal(lambda: filing.approve(ctx, who(ctx, "dui-audit"), "dui", 2025)).kind == "forbidden"
    assert refusal(lambda: filing.approve(ctx, boss, "dui", 2025)).kind == "forbidden"
    assert refusal(lambda: filing.approve(ctx, who(ctx, "clerk"), "dui", 2025)).kind == "forbidden"
    # Returning needs a reason.
    assert refusal(lambda: filing.return_(ctx, zx_audit, "dui", 2025, "  ")).errors[0]["field"] == "reason"
    filing.return_(ctx, zx_audit, "dui", 2025, "学法次数与会议记录不符")
    assert refusal(lambda: filing.approve(ctx, zx_audit, "dui", 2025)).kind == "invalid"  # returned: nothing to approve
    again = filing.submit(ctx, boss, "dui", 2025, "已核对")
    assert again.state == "resubmitted" and again.seal != sent.seal
    done = filing.approve(ctx, who(ctx, "qu-audit"), "dui", 2025, "同意")  # a grandparent's auditor reviews too
    assert done.state == "approved" and done.approved_seal == again.seal
    assert [(e.label, e.by, e.text) for e in done.entries] == [
        ("建立报送", "boss", ""),
        ("报送", "boss", "请审核"),
        ("退回", "zx-audit", "学法次数与会议记录不符"),
        ("重新报送", "boss", "已核对"),
        ("审核通过", "qu-audit", "同意"),
    ]
    assert [e.number for e in done.entries] == [1, 2, 3, 4, 5]
    assert all(e.at[:4] == str(ctx.ledger.today().year) for e in done.entries)
    # A second submission of an approved year is refused; the root unit has nobody above it in this ledger.
    assert refusal(lambda: filing.submit(ctx, boss, "dui", 2025)).kind == "invalid"
    filing.submit(ctx, boss, "qu", 2025)
    assert refusal(lambda: filing.approve(ctx, who(ctx, "chief"), "qu", 2025)).kind == "forbidden"


def test_a_chosen_seal_must_be_of_that_unit_and_year(ctx: Context) -> None:
    from api.services import audit

    boss = who(ctx, "boss")
    other = audit.seal(ctx, boss, "zx", 2025)["seal"]
    wrong = refusal(lambda: filing.submit(ctx, boss, "dui", 2025, seal_id=other))
    assert wrong.kind == "invalid" and wrong.field == "seal"
    own = audit.seal(ctx, boss, "dui", 2025)["seal"]
    assert filing.submit(ctx, boss, "dui", 2025, seal_id=own).seal == own
    # Only an admin submits.
    assert refusal(lambda: filing.submit(ctx, who(ctx, "clerk"), "zx", 2025)).kind == "forbidden"


def approved(ctx: Context, unit_code: str = "dui") -> None:
    filing.submit(ctx, who(ctx, "boss"), unit_code, 2025)
    filing.approve(ctx, who(ctx, "qu-audit"), unit_code, 2025)


def test_an_approved_year_refuses_every_change_without_a_late_reason_and_records_those_with_one(ctx: Context) -> None:
    approved(ctx)
    lines = {
        "record": study("D-2", "2025-06-01", unit="dui"),
        "correct": correct("D-1", unit="dui", attendees=30),
        "void": void("D-1", unit="dui"),
    }
    for op, line in lines.items():
        e = refusal(lambda line=line: write(ctx, "clerk", line))
        assert e.kind == "invalid", op
        assert e.errors[0]["field"] == "late_reason" and "报后更正" in e.errors[0]["message"], op
    assert ctx.ledger.activity("dui", "D-2") is None  # nothing written
    assert ctx.ledger.activity("dui", "D-1").data["attendees"] == 10
    # Another year, and another unit's same year, are not locked.
    assert write(ctx, "clerk", study("D-3", "2026-01-05", unit="dui")).applied == 1
    assert asyncio.run(writes.import_lines(ctx, who(ctx, "boss"), [(1, study("Z-2", "2025-05-01", unit="zx"))])).applied
    # With a reason: written, and listed for the reviewer with the figures it moved since the approved seal.
    assert write(ctx, "clerk", lines["record"], "漏报一次学法，经督察发现补录").applied == 1
    late = filing.late_corrections(ctx, who(ctx, "zx-audit"), "dui", 2025)
    assert [(e.by, e.text, [(x["op"], x["ref"]) for x in e.lines]) for e in late.entries] == [
        ("clerk", "漏报一次学法，经督察发现补录", [("record", "D-2")])
    ]
    assert late.diff is not None
    moved = {m.figure: (m.was, m.now) for m in late.diff.moved}
    assert moved["study.sessions"] == (1, 2)
    assert [c.ref for c in late.diff.changes] == ["D-2"]
    assert filing.status(ctx, who(ctx, "clerk"), "dui", 2025).state == "approved"  # still approved
    # The recorder is not a reviewer.
    assert refusal(lambda: filing.late_corrections(ctx, who(ctx, "clerk"), "dui", 2025)).kind == "forbidden"


def test_a_step_dated_in_a_later_year_still_touches_its_activity_s_locked_year(ctx: Context) -> None:
    assert write(ctx, "clerk", {**correct("D-1", unit="dui", attendees=11)}).applied == 1
    approved(ctx)
    # An activity of 2026 with a step in 2026: free. One of 2025 corrected in 2026: locked.
    assert write(ctx, "clerk", petition("P-1", "2026-01-05", unit="dui")).applied == 1
    e = refusal(lambda: write(ctx, "clerk", correct("D-1", unit="dui", date="2026-01-02")))
    assert e.errors[0]["field"] == "late_reason"


def test_a_parent_s_approved_year_locks_its_descendants_figures_too(ctx: Context) -> None:
    approved(ctx, "zx")
    e = refusal(lambda: write(ctx, "clerk", study("D-9", "2025-07-01", unit="dui")))
    assert e.errors[0]["field"] == "late_reason" and "zx 2025" in e.errors[0]["message"]
    assert write(ctx, "clerk", study("D-9", "2025-07-01", unit="dui"), "补录").applied == 1
    assert [e.refs() for e in filing.status(ctx, who(ctx, "boss"), "zx", 2025).late_corrections] == ["dui/D-9"]


def test_reopening_is_a_reviewer_s_act_with_a_reason_and_lifts_the_lock(ctx: Context) -> None:
    approved(ctx)
    assert refusal(lambda: filing.reopen(ctx, who(ctx, "clerk"), "dui", 2025, "要改")).kind == "forbidden"
    assert refusal(lambda: filing.reopen(ctx, who(ctx, "zx-audit"), "dui", 2025, " ")).errors[0]["field"] == "reason"
    opened = filing.reopen(ctx, who(ctx, "zx-audit"), "dui", 2025, "发现漏报，退回补正")
    assert opened.state == "reopened"
    assert write(ctx, "clerk", study("D-5", "2025-08-01", unit="dui")).applied == 1
    assert filing.submit(ctx, who(ctx, "boss"), "dui", 2025).state == "resubmitted"
    assert filing.approve(ctx, who(ctx, "zx-audit"), "dui", 2025).state == "approved"
    assert (
        refusal(lambda: write(ctx, "clerk", study("D-6", "2025-08-02", unit="dui"))).errors[0]["field"] == "late_reason"
    )


def test_progress_lists_every_descendant_with_its_dates_and_flags_the_overdue(ctx: Context) -> None:
    boss = who(ctx, "boss")
    filing.submit(ctx, boss, "dui", 2025)
    # A superior's own, earlier deadline for the centre.
    filing.set_deadline(ctx, who(ctx, "qu-audit"), "zx", 2025, date(2026, 2, 15))
    on_time = filing.progress(ctx, who(ctx, "qu-audit"), "qu", 2025, today=date(2026, 2, 10))
    assert [(r.status.unit, r.depth, r.status.state, r.status.overdue) for r in on_time.rows] == [
        ("zx", 1, "draft", False),
        ("dui", 2, "submitted", False),
    ]
    late = filing.progress(ctx, who(ctx, "qu-audit"), "qu", 2025, today=date(2026, 2, 20))
    by_unit = {r.status.unit: r for r in late.rows}
    assert by_unit["zx"].status.overdue and by_unit["zx"].status.due == date(2026, 2, 15)
    assert not by_unit["dui"].status.overdue and by_unit["dui"].status.due == date(2026, 3, 1)
    assert by_unit["dui"].submitted_on == ctx.ledger.today().isoformat()
    body = late.to_json()
    assert body["counts"]["draft"] == 1 and body["counts"]["submitted"] == 1 and body["overdue"] == 1
    # The centre's auditor sees only what lies under the centre; the team's auditor cannot see the district.
    assert [r.status.unit for r in filing.progress(ctx, who(ctx, "zx-audit"), "zx", 2025).rows] == ["dui"]
    assert refusal(lambda: filing.progress(ctx, who(ctx, "dui-audit"), "qu", 2025)).kind == "forbidden"
    # Deadlines are set by reviewers only.
    assert (
        refusal(lambda: filing.set_deadline(ctx, who(ctx, "clerk"), "dui", 2025, date(2026, 2, 1))).kind == "forbidden"
    )


def test_publication_is_recorded_and_warned_about_after_1_april(ctx: Context) -> None:
    boss = who(ctx, "boss")
    approved(ctx)
    before = filing.status(ctx, boss, "dui", 2025, today=date(2026, 4, 1))
    assert not before.publication_overdue and before.publish_due == date(2026, 4, 1)
    assert filing.status(ctx, boss, "dui", 2025, today=date(2026, 4, 2)).publication_overdue
    bad = refusal(lambda: filing.publish(ctx, boss, "dui", 2025, "ftp://x", date(2026, 3, 20)))
    assert bad.errors[0]["field"] == "url"
    filing.publish(ctx, boss, "dui", 2025, "https://www.guanghua.gov.cn/fzzf/2025.html", date(2026, 3, 20))
    after = filing.status(ctx, boss, "dui", 2025, today=date(2026, 4, 2))
    assert not after.publication_overdue and after.published_on == "2026-03-20"
    assert after.entries[-1].label == "公开发布"
    assert (
        refusal(lambda: filing.publish(ctx, who(ctx, "clerk"), "dui", 2025, "https://a.b", date(2026, 3, 2))).kind
        == "forbidden"
    )


def test_due_lists_per_user_what_to_submit_review_and_publish(ctx: Context) -> None:
    boss, zx_audit = who(ctx, "boss"), who(ctx, "zx-audit")
    far = filing.due(ctx, boss, 2025, today=date(2026, 1, 2))
    assert far == []  # nothing within 14 days of 1 March
    near = filing.due(ctx, boss, 2025, today=date(2026, 2, 20))
    assert {(d.action, d.unit, d.overdue) for d in near} == {("submit", u, False) for u in ("qu", "zx", "dui")}
    filing.submit(ctx, boss, "dui", 2025)
    late = filing.due(ctx, boss, 2025, today=date(2026, 3, 2))
    assert [(d.action, d.unit, d.overdue) for d in late if d.action == "submit"] == [
        ("submit", "qu", True),
        ("submit", "zx", True),
    ]
    assert [(d.action, d.unit) for d in filing.due(ctx, zx_audit, 2025, today=date(2026, 3, 2))] == [("review", "dui")]
    assert filing.due(ctx, who(ctx, "clerk"), 2025, today=date(2026, 3, 2)) == []  # recorders neither submit nor review
    publish = [d for d in filing.due(ctx, boss, 2025, today=date(2026, 4, 5)) if d.action == "publish"]
    assert {d.unit for d in publish} == {"qu", "zx", "dui"} and all(d.overdue for d in publish)


def test_a_write_retried_after_the_approval_is_answered_as_the_first_time_not_refused(ctx: Context) -> None:
    line = study("D-7", "2025-09-01", unit="dui")
    assert write(ctx, "clerk", line).applied == 1
    approved(ctx)
    again = write(ctx, "clerk", line)  # the same line id and content: already applied before the lock
    assert (again.applied, again.skipped) == (0, 1)
    assert filing.status(ctx, who(ctx, "boss"), "dui", 2025).late_corrections == []


def test_a_late_file_is_one_late_correction_listing_its_lines_and_a_failed_one_records_nothing(ctx: Context) -> None:
    approved(ctx)
    lines = [(n, study(f"B-{n}", "2025-10-01", unit="dui")) for n in range(1, 8)]
    bad = [*lines, (8, study("B-8", "2025-13-01", unit="dui"))]
    e = refusal(lambda: asyncio.run(writes.import_lines(ctx, who(ctx, "clerk"), bad, late_reason="年底补录")))
    assert [x["field"] for x in e.errors] == ["date"]
    assert filing.status(ctx, who(ctx, "boss"), "dui", 2025).late_corrections == []
    assert asyncio.run(writes.import_lines(ctx, who(ctx, "clerk"), lines, late_reason="年底补录")).applied == 7
    [entry] = filing.status(ctx, who(ctx, "boss"), "dui", 2025).late_corrections
    assert (
        len(entry.lines) == 7
        and entry.text == "年底补录"
        and entry.refs() == ("dui/B-1、dui/B-2、dui/B-3、dui/B-4、dui/B-5 等 7 行")
    )


def figure_line(line_id: str, unit_code: str, label: str = "学法") -> dict:
    data = {"code": "local.study.any", "label": label, "unit_word": "次", "kind": "study_session"}
    return {"id": line_id, "op": "figure", "unit": unit_code, "data": {**data, "measure": {"type": "count"}}}


def test_a_declaration_that_changes_an_approved_year_s_figures_needs_a_late_reason(ctx: Context) -> None:
    approved(ctx)  # dui 2025
    # On the unit itself and on an ancestor (it applies to the unit's subtree): refused without a reason.
    for line in (figure_line("F-1", "dui"), figure_line("F-2", "qu")):
        e = refusal(lambda line=line: write(ctx, "boss", line))
        assert e.errors[0]["field"] == "late_reason" and "dui 2025" in e.errors[0]["message"]
    assert write(ctx, "boss", figure_line("F-1", "dui"), "补充本单位自定义指标").applied == 1
    late = filing.late_corrections(ctx, who(ctx, "zx-audit"), "dui", 2025)
    assert [(x["op"], x["ref"]) for e in late.entries for x in e.lines] == [("figure", "local.study.any")]
    # Now dui's own declaration is the nearest: the district's declaration of the same code changes nothing of dui.
    assert write(ctx, "boss", figure_line("F-2", "qu")).applied == 1
    # Redeclaring exactly the same changes nothing; a new label does, and so does retiring it.
    assert write(ctx, "boss", figure_line("F-3", "dui")).applied == 1
    relabel = figure_line("F-4", "dui", "学法活动")
    assert refusal(lambda: write(ctx, "boss", relabel)).errors[0]["field"] == "late_reason"
    retire = {"id": "F-5", "op": "figure", "unit": "dui", "data": {"code": "local.study.any", "retire": True}}
    assert refusal(lambda: write(ctx, "boss", retire)).errors[0]["field"] == "late_reason"


def test_the_declaring_form_and_api_take_the_late_reason_too(ctx: Context) -> None:
    from api.services import figures

    approved(ctx)
    data = figure_line("F-1", "dui")["data"]
    e = refusal(lambda: asyncio.run(figures.declare(ctx, who(ctx, "boss"), "dui", data)))
    assert e.errors[0]["field"] == "late_reason"
    asyncio.run(figures.declare(ctx, who(ctx, "boss"), "dui", data, late_reason="补充自定义指标"))
    asyncio.run(figures.retire(ctx, who(ctx, "boss"), "dui", data["code"], late_reason="指标停用"))
    late = filing.status(ctx, who(ctx, "boss"), "dui", 2025).late_corrections
    assert [e.text for e in late] == ["补充自定义指标", "指标停用"]
