"""Entering and fixing on the activity page: only the steps that can still be added (once per action of a §7
enforcement case, licence outcomes for a licence), step errors that keep the input and speak of the step by its
name and date, a warning before a second identical step on one day, and "保存并继续录入"."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from conftest import rec
from webkit import Web
from webpages_kit import Browser, error_beside, study_form, text, today

from api.web.page_entry import activity_url


def seed(web: Web, *lines: dict) -> None:
    outcome = web.server.ledger.apply(list(enumerate(lines, start=1)), "setup")
    assert outcome.ok, outcome.errors


def step_summaries(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", s).strip() for s in re.findall(r"<summary>(.*?)</summary>", page, re.S)]


def test_a_licence_case_offers_its_own_decision_once_with_licence_outcomes(web: Web) -> None:
    seed(web, rec("enforcement_case", "ZF-1", "2025-03-01", unit="north", action="licence", subject="施工许可"))
    b = Browser(web, "rec-north")
    page = b.get(activity_url("north", "ZF-1")).text
    offered = step_summaries(page)
    assert sum(s.startswith("许可决定") for s in offered) == 1 and not any(s.startswith("处罚决定") for s in offered)
    decision = page[page.index("许可决定") :]
    decision = decision[: decision.index("</form>")]
    assert "准予许可" in decision and "不予许可" in decision and "警告" not in decision
    form = {"unit": "north", "ref": "ZF-1", "step": "accepted", "date": "2025-03-02", "form_key": "k-acc"}
    assert b.post("/activity/step", form).status_code == 303
    offered = step_summaries(b.get(activity_url("north", "ZF-1")).text)
    assert not any(s.startswith("受理") for s in offered)  # at most one, already live: no longer offered


def test_a_step_error_keeps_the_input_and_names_the_step_by_its_name_and_date(web: Web) -> None:
    seed(
        web,
        rec(
            "petition",
            "XF-1",
            "2025-03-01",
            unit="north",
            channel="visit",
            persons=1,
            category="claim",
            subject="拆迁补偿",
        ),
    )
    b = Browser(web, "rec-north")
    first = {"unit": "north", "ref": "XF-1", "step": "acknowledged", "date": "2025-03-05", "form_key": "k-1"}
    assert b.post("/activity/step", first).status_code == 303
    # The same at-most-one step again, posted from a page opened before the first was saved.
    again = {**first, "date": "2025-03-06", "form_key": "k-2"}
    r = b.post("/activity/step", again)
    assert r.status_code == 422
    message = error_beside(r.text, "date") if "has-error" in r.text.split("受理告知")[-1][:50] else text(r.text)
    assert "2025-03-05" in message and "受理告知" in message
    assert "k-1" not in text(r.text) and "rec-north:" not in text(r.text)
    assert 'value="2025-03-06"' in r.text  # the date typed is kept


def test_a_second_identical_step_on_the_same_day_is_confirmed_first(web: Web) -> None:
    seed(web, rec("case", "AJ-1", "2025-02-01", unit="north", case_type="admin_litigation", role="defendant"))
    b = Browser(web, "rec-north")
    hearing = {"unit": "north", "ref": "AJ-1", "step": "hearing", "date": "2025-03-01", "form_key": "h-1"}
    assert b.post("/activity/step", hearing).status_code == 303
    r = b.post("/activity/step", {**hearing, "form_key": "h-2"})
    assert r.status_code == 200 and "已有 2025-03-01 的「开庭」" in text(r.text) and "仍然记录开庭" in r.text
    steps = web.server.ledger.activity("north", "AJ-1").steps  # type: ignore[union-attr]
    assert len(steps) == 1  # nothing saved before the user confirms
    assert b.post("/activity/step", {**hearing, "form_key": "h-3", "confirm_same": "1"}).status_code == 303
    assert len(web.server.ledger.activity("north", "AJ-1").steps) == 2  # type: ignore[union-attr]


def test_save_and_continue_opens_the_same_kind_with_the_same_date(web: Web) -> None:
    b = Browser(web, "rec-north")
    assert "保存并继续录入" in b.get("/entry/study_session").text
    r = b.post("/entry/study_session", {**study_form("S-1", "2025-03-01"), "then": "next"})
    assert r.status_code == 303
    target = urlparse(r.headers["location"])
    assert target.path == "/entry/study_session" and parse_qs(target.query)["date"] == ["2025-03-01"]
    page = b.follow(r).text
    assert 'value="2025-03-01"' in page and "上一项「" in page and "S-1" in page
    assert web.server.ledger.activity("north", "S-1") is not None
    # A date from the future in the address is not offered.
    page = b.get("/entry/study_session?date=2999-01-01").text
    assert f'id="f-date" name="date" value="{today(web)}"' in page


def test_an_enforcement_entry_takes_the_fields_of_its_action_only(web: Web) -> None:
    b = Browser(web, "rec-north")
    page = b.get("/entry/enforcement_case").text
    assert "仅当执法类别为行政检查、其他行政执法行为时填写" in page  # the prefilled 件数 says when it applies
    assert 'name="data.count" value="1"' in page
    form = {"unit": "north", "ref": "E-1", "date": "2025-03-01", "form_key": "e-1", "data.action": "penalty"}
    form |= {"data.subject": "违法占道", "data.procedure": "ordinary", "data.count": "1"}
    r = b.post("/entry/enforcement_case", form)
    assert r.status_code == 303, text(r.text)[:300]
    assert "count" not in web.server.ledger.activity("north", "E-1").data  # type: ignore[union-attr]
    licence = {**form, "ref": "E-2", "form_key": "e-2", "data.action": "licence", "data.count": ""}
    r = b.post("/entry/enforcement_case", licence)
    assert r.status_code == 422
    assert "仅当执法类别为行政处罚时填写，请清空此项" in error_beside(r.text, "data.procedure")
    assert "null" not in text(r.text)
