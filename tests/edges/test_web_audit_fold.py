"""The report page's 审计信息 fold (event log size, Merkle root, figure ids) and the drill-down's figure id are for
those who audit (domain/access.py AUDITOR_ROLES: auditors and admins); staff who record do not get them."""

from __future__ import annotations

import re

import pytest
from conftest import rec
from webkit import Web
from webpages_kit import Browser, today

FOLD = re.compile(r'<details class="card proof".*?</details>', re.S)


def report_of(web: Web, username: str) -> str:
    day = today(web)
    outcome = web.server.ledger.apply(
        [(1, rec("study_session", "S-1", day, unit="north", form="lecture", topic="民法典", attendees=3))], "setup"
    )
    assert outcome.ok, outcome.errors
    page = Browser(web, username).get(f"/report?unit=north&year={day[:4]}")
    assert page.status_code == 200, page.text[:300]
    return page.text


@pytest.mark.parametrize("username", ["aud-city", "admin"])
def test_auditors_and_admins_get_the_fold(web: Web, username: str) -> None:
    page = report_of(web, username)
    fold = FOLD.search(page)
    assert fold, "no 审计信息 fold"
    assert "Merkle 根" in fold.group(0) and "<code>study.sessions</code>" in fold.group(0)
    assert "事件日志" in fold.group(0)
    assert 'href="/audit?unit=north' in fold.group(0)  # and the way to the audit page


def test_a_recorder_gets_the_figures_but_no_fold(web: Web) -> None:
    page = report_of(web, "rec-north")
    assert '<tr id="study.sessions">' in page  # the figures themselves are there
    assert not FOLD.search(page) and "审计信息" not in page
    assert "Merkle" not in page and "<code>study.sessions</code>" not in page


@pytest.mark.parametrize(("username", "shown"), [("rec-north", False), ("aud-city", True), ("admin", True)])
def test_the_drill_down_names_the_figure_id_to_auditors_only(web: Web, username: str, shown: bool) -> None:
    year = today(web)[:4]
    page = Browser(web, username).get(f"/report/figure?unit=north&year={year}&figure=study.sessions").text
    assert ("审计信息" in page) is shown
    assert ("taizhang explain study.sessions" in page) is shown
