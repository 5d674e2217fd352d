"""The order of an issue's steps (domain/rectification.py) on the aggregate alone: each step refuses with every
broken rule at once, each naming its field, and records nothing then."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import DomainError
from domain.rectification import EvidenceLink, Issue, check_new

TODAY = date(2025, 6, 30)


def _issue() -> Issue:
    return Issue("city", "I-1", "street", "audit", "问题", "", "2025-03-01", "2025-05-31", None, "boss", "")


def _refused(step, *args, **kw) -> list[str]:
    with pytest.raises(DomainError) as e:
        step(*args, **kw)
    return [f.field for f in e.value.errors]


def test_a_new_issue_lists_every_problem_of_its_fields() -> None:
    found = check_new("bad ref", "rumour", " ", date(2025, 7, 1), date(2025, 6, 1), TODAY)
    assert [f.field for f in found] == ["ref", "source", "title", "found_on", "deadline"]
    assert check_new("I-1", "audit", "问题", date(2025, 3, 1), date(2025, 5, 31), TODAY) == []


def test_each_step_refuses_with_all_its_broken_rules_and_records_nothing() -> None:
    issue = _issue()
    # completion: no measures, no evidence, a day in the future and before the finding, no summary
    assert _refused(issue.complete, date(2025, 7, 1), "", "owner", TODAY) == ["measures", "evidence", "on", "summary"]
    assert _refused(issue.complete, date(2025, 2, 1), "done", "owner", TODAY) == ["measures", "evidence", "on"]
    # verification before completion, in the future, without a reason
    assert _refused(issue.verify, True, date(2025, 7, 1), "", "boss", TODAY) == ["status", "on", "reason"]
    assert _refused(issue.reopen, date(2025, 7, 1), "", "boss", TODAY, date(2025, 6, 1)) == [
        "status", "on", "deadline", "reason"
    ]  # fmt: skip
    assert _refused(issue.move_deadline, date(2025, 1, 1), " ", "boss") == ["deadline", "reason"]
    assert issue.status == "open" and issue.version == 1  # nothing recorded


def test_whoever_reported_completion_cannot_verify_it() -> None:
    issue = _issue()
    issue.plan("整改措施", "owner")
    issue.add_evidence(EvidenceLink("file", "ab" * 32, "整改报告.pdf", "owner"))
    issue.complete(date(2025, 6, 1), "已整改", "owner", TODAY)
    assert _refused(issue.verify, True, date(2025, 5, 1), "通过", "owner", TODAY) == ["on", "by"]
    issue.verify(True, date(2025, 6, 2), "通过", "boss", TODAY)
    assert issue.status == "signed_off" and issue.signed_off_on == "2025-06-02"
    assert _refused(issue.move_deadline, date(2025, 8, 1), "延期", "boss") == ["status"]
    issue.reopen(date(2025, 6, 20), "问题反弹", "boss", TODAY)
    assert (issue.status, issue.recurrences, issue.reopened_on) == ("open", 1, ["2025-06-20"])
