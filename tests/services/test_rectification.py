"""Rectification (整改): issues tracked from registration to sign-off and reopening, every step attributed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import instant, rec, services_context, settings_for, study, unit

from api.services import rectification as rect
from api.services import users
from api.services.context import Context, Unrestricted
from api.services.rectification import IssueDraft
from api.services.refusals import Refused


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    settings = settings_for(tmp_path)
    ledger = settings.ledger()
    lines = [
        unit("district"),
        unit("dept", parent="district"),
        unit("town", parent="district"),
        rec("inspection", "JC-1", "2025-05-10", unit="district", subject="征收协议签订", findings=2),
        study("S-1", "2025-06-01", unit="dept"),
    ]
    assert ledger.apply(list(enumerate(lines, 1)), "setup").ok
    context = services_context(settings, ledger)
    boss = Unrestricted("setup")
    users.create_user(context, boss, "fzb", "法治办", "recorder", ["district"])
    users.create_user(context, boss, "dept1", "部门录入员", "recorder", ["dept"])
    users.create_user(context, boss, "town1", "街镇录入员", "recorder", ["town"])
    yield context
    ledger.close()


def who(ctx: Context, name: str):
    return ctx.ledger.user(name)


def refusal(call) -> Refused:
    with pytest.raises(Refused) as e:
        call()
    return e.value


def draft(ref: str, owner: str = "dept", deadline: str = "2025-09-30", **kw) -> IssueDraft:
    kw.setdefault("found_on", date(2025, 3, 1))
    return IssueDraft(ref, owner, kw.pop("title", "行政执法案卷不规范"), date.fromisoformat(deadline), **kw)


def signed_off(ctx: Context, ref: str) -> None:
    fzb, dept = who(ctx, "fzb"), who(ctx, "dept1")
    rect.plan(ctx, dept, "district", ref, "组织案卷评查并逐卷整改")
    rect.link_activity(ctx, dept, "district", ref, "dept", "S-1")
    rect.complete(ctx, dept, "district", ref, date(2025, 8, 1), "已完成整改")
    rect.verify(ctx, fzb, "district", ref, True, "整改到位，同意销号", date(2025, 8, 5))


def test_an_issue_goes_from_registration_to_sign_off_with_every_step_attributed(ctx: Context) -> None:
    fzb, dept = who(ctx, "fzb"), who(ctx, "dept1")
    made = rect.register(ctx, fzb, "district", draft("DC-1", source="supervision", found_on=date(2025, 3, 1)))
    assert (made.status, made.owner, made.source) == ("open", "dept", "supervision")
    # The owner cannot report completion before measures and evidence exist: every missing thing at once.
    early = refusal(lambda: rect.complete(ctx, dept, "district", "DC-1", date(2025, 7, 1), "完成"))
    assert early.kind == "invalid" and {e["field"] for e in early.errors} == {"measures", "evidence"}
    signed_off(ctx, "DC-1")
    found = rect.issue(ctx, dept, "district", "DC-1")
    assert found.status == "signed_off" and found.signed_off_on == "2025-08-05"
    assert [h["event"] for h in found.history] == [
        "Registered",
        "MeasuresSet",
        "EvidenceAdded",
        "Completed",
        "Verified",
    ]
    assert [h["recorded_by"] for h in found.history] == ["fzb", "dept1", "dept1", "dept1", "fzb"]
    assert found.history[-1]["reason"] == "整改到位，同意销号"
    assert found.evidence == [
        {"what": "activity", "target": "dept/S-1", "label": "学法/学习活动 S-1", "recorded_by": "dept1"}
    ]


def test_each_side_does_only_its_own_steps(ctx: Context) -> None:
    fzb, dept, town = who(ctx, "fzb"), who(ctx, "dept1"), who(ctx, "town1")
    rect.register(ctx, fzb, "district", draft("DC-2"))
    # A department cannot register for the district, nor sign off its own issue; a town cannot even see it.
    assert refusal(lambda: rect.register(ctx, dept, "district", draft("DC-3"))).kind == "forbidden"
    assert refusal(lambda: rect.plan(ctx, town, "district", "DC-2", "措施")).kind == "not_found"
    assert refusal(lambda: rect.issue(ctx, town, "district", "DC-2")).kind == "not_found"
    rect.plan(ctx, dept, "district", "DC-2", "措施")
    rect.link_activity(ctx, dept, "district", "DC-2", "dept", "S-1")
    assert refusal(lambda: rect.link_activity(ctx, dept, "district", "DC-2", "town", "X")).kind == "forbidden"
    rect.complete(ctx, dept, "district", "DC-2", None, "已整改")
    assert refusal(lambda: rect.verify(ctx, dept, "district", "DC-2", True, "自己销号")).kind == "forbidden"
    # The district's writer may act for its department, but whoever reported completion does not sign off.
    rect.verify(ctx, fzb, "district", "DC-2", False, "请补充材料")
    rect.complete(ctx, fzb, "district", "DC-2", None, "区法治办代为报告")
    same = refusal(lambda: rect.verify(ctx, fzb, "district", "DC-2", True, "同意"))
    assert [e["field"] for e in same.errors] == ["by"]
    # An issue is assigned to the issuer or a descendant; bad fields are all named at once.
    bad = refusal(
        lambda: rect.register(
            ctx, who(ctx, "town1"), "town", IssueDraft("bad ref", "dept", "", date(2020, 1, 1), source="rumour")
        )
    )
    assert {e["field"] for e in bad.errors} == {"ref", "source", "title", "deadline", "owner"}


def test_a_failed_verification_returns_the_issue_and_a_recurrence_reopens_it(ctx: Context) -> None:
    fzb, dept = who(ctx, "fzb"), who(ctx, "dept1")
    rect.register(ctx, fzb, "district", draft("DC-4", found_on=date(2025, 4, 1)))
    rect.plan(ctx, dept, "district", "DC-4", "建立台账")
    rect.link_activity(ctx, dept, "district", "DC-4", "dept", "S-1")
    rect.complete(ctx, dept, "district", "DC-4", date(2025, 7, 1), "已整改")
    back = rect.verify(ctx, fzb, "district", "DC-4", False, "佐证不足，请补充评查记录", date(2025, 7, 3))
    assert (back.status, back.returns, back.completed_on) == ("in_progress", 1, None)
    assert refusal(lambda: rect.verify(ctx, fzb, "district", "DC-4", True, "")).kind == "invalid"
    rect.complete(ctx, dept, "district", "DC-4", date(2025, 7, 10), "已补充评查记录")
    rect.verify(ctx, fzb, "district", "DC-4", True, "同意销号", date(2025, 7, 12))
    before = instant()
    # Reopening needs a reason; then the issue is open again, counted once as a recurrence.
    assert {e["field"] for e in refusal(lambda: rect.reopen(ctx, fzb, "district", "DC-4", " ")).errors} == {"reason"}
    again = rect.reopen(ctx, fzb, "district", "DC-4", "回头看发现同类问题再次出现", deadline=date(2026, 12, 20))
    assert (again.status, again.recurrences, again.deadline, again.signed_off_on) == ("open", 1, "2026-12-20", None)
    assert [h["event"] for h in rect.issue(ctx, fzb, "district", "DC-4").history][-1] == "Reopened"
    # As of before the reopening the issue was signed off; the figures follow the instant.
    then = {i.ref: i for i in rect.issues(ctx, fzb, "district", as_of=before)}
    assert then["DC-4"].status == "signed_off"
    now = rect.figures(ctx, fzb, "dept", 2025)
    assert now["rectification.recurrences"].value == 1
    assert now["rectification.completion_rate"].value == 0.0
    assert rect.figures(ctx, fzb, "dept", 2025, as_of=before)["rectification.completion_rate"].value == 100.0


def test_issues_found_by_an_inspection_are_registered_from_it_in_one_step(ctx: Context) -> None:
    fzb = who(ctx, "fzb")
    drafts = [draft("JC-1-1", "dept"), draft("JC-1-2", "town", title="协议签订程序不全")]
    bad = refusal(lambda: rect.register_from_inspection(ctx, fzb, "district", "JC-1", [drafts[0], drafts[0]]))
    assert bad.kind == "invalid" and rect.issues(ctx, fzb, "district") == []  # nothing registered
    made = rect.register_from_inspection(ctx, fzb, "district", "JC-1", drafts)
    assert [(i.ref, i.owner, i.source, i.found_on, i.origin) for i in made] == [
        ("JC-1-1", "dept", "inspection", "2025-05-10", "district/JC-1"),
        ("JC-1-2", "town", "inspection", "2025-05-10", "district/JC-1"),
    ]
    not_inspection = refusal(lambda: rect.register_from_inspection(ctx, who(ctx, "dept1"), "dept", "S-1", drafts))
    assert not_inspection.kind == "invalid"


def test_rates_and_reminders_per_unit(ctx: Context) -> None:
    fzb, dept = who(ctx, "fzb"), who(ctx, "dept1")
    today = ctx.ledger.today()
    rect.register(ctx, fzb, "district", draft("R-1", found_on=date(2025, 3, 1)))  # signed off in time
    signed_off(ctx, "R-1")
    rect.register(ctx, fzb, "district", draft("R-2", found_on=date(2025, 3, 1), deadline="2025-06-30"))  # overdue
    rect.register(
        ctx, fzb, "district", draft("R-3", "town", found_on=today, deadline=(today + timedelta(5)).isoformat())
    )
    rect.register(
        ctx, fzb, "district", draft("R-4", "town", found_on=today, deadline=(today + timedelta(60)).isoformat())
    )
    year = rect.figures(ctx, fzb, "district", 2025)
    assert year["rectification.issues"].value == 2
    assert year["rectification.completion_rate"].value == 50.0
    assert (year["rectification.overdue_rate"].num, year["rectification.overdue_rate"].den) == (1, 2)
    assert year["rectification.overdue_rate"].sources == ["district/R-1", "district/R-2"]
    due = rect.reminders(ctx, fzb, "district", within=14)
    assert {u: [(r.ref, r.state) for r in rs] for u, rs in due.items()} == {
        "dept": [("R-2", "overdue")],
        "town": [("R-3", "due_soon")],
    }
    assert due["dept"][0].days_left == (date(2025, 6, 30) - today).days
    assert list(rect.reminders(ctx, dept, "dept")) == ["dept"]


def test_the_daily_digest_lists_the_rectification_issues_due_or_overdue(ctx: Context) -> None:
    from api.services import reminders

    fzb = who(ctx, "fzb")
    rect.register(ctx, fzb, "district", draft("DC-9", title="执法公示不及时"))  # due 2025-09-30: long past
    rect.register(ctx, fzb, "district", draft("DC-10", deadline="2099-12-31"))  # far off: not yet a reminder
    mine = reminders.digest(ctx, who(ctx, "dept1"))
    assert [(r.issuer, r.ref, r.state) for r in mine.rectification] == [("district", "DC-9", "overdue")]
    assert not mine.empty and "整改 district/DC-9（dept）执法公示不及时" in mine.text() and "已超期" in mine.text()
    assert "已超期 1 项" in mine.subject()
    assert mine.to_json()["rectification"][0]["ref"] == "DC-9"
    # The issuer's recorder sees it too (its subtree owns it), once; another town's does not.
    assert [r.ref for r in reminders.digest(ctx, fzb).rectification] == ["DC-9"]
    assert reminders.digest(ctx, who(ctx, "town1")).rectification == []
