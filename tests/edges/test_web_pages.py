"""The server-rendered pages, as a person uses them: sign in, record, read the report, drill down, correct,
void, upload, audit and manage users, each refused to those who may not."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from conftest import rec
from webkit import Web
from webpages_kit import Browser, error_beside, errors, figure, study_form, text, today, value_of


def seed(web: Web, *lines: dict) -> None:
    outcome = web.server.ledger.apply(list(enumerate(lines, start=1)), "setup")
    assert outcome.ok, outcome.errors


def year_report(b: Browser, unit: str, year: int | str, as_of: str = "") -> str:
    r = b.get(f"/report?unit={unit}&year={year}" + (f"&as_of={as_of}" if as_of else ""))
    assert r.status_code == 200, r.text[:300]
    return r.text


# ---- signing in ----


@pytest.mark.parametrize("url", ["/", "/entry", "/entry/study_session", "/ledger", "/report", "/audit", "/users"])
def test_pages_send_strangers_to_login(web: Web, url: str) -> None:
    r = web.client().get(url, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")


def test_wrong_password_says_so_and_keeps_the_name(web: Web) -> None:
    r = web.client().post("/login", data={"username": "rec-north", "password": "nope", "next": "/"})
    assert r.status_code == 401
    assert "用户名或密码不正确" in r.text
    assert value_of(r.text, "username") == "rec-north"


def test_login_lands_on_the_dashboard_and_logout_ends_the_session(web: Web) -> None:
    b = Browser(web, "rec-north")
    page = b.get("/").text
    assert "北区城市更新中心" in page and "各类学习活动" in page and "快速录入" in page
    assert b.follow(b.post("/logout", {})).url.path == "/login"
    assert b.get("/", follow=False).status_code == 303


def test_login_goes_back_where_it_was_asked_but_never_off_site(web: Web) -> None:
    c = web.client(follow_redirects=False)
    r = c.post("/login", data={"username": "rec-north", "password": "correct horse battery", "next": "/ledger"})
    assert r.headers["location"] == "/ledger"
    r = c.post("/login", data={"username": "rec-north", "password": "correct horse battery", "next": "//evil.example"})
    assert r.headers["location"] == "/"


def test_a_one_time_password_must_be_changed_first(web: Web) -> None:
    admin = Browser(web, "admin")
    page = admin.post("/users/reset", {"username": "rec-south"}).text
    one_time = re.search(r'<code class="password">([^<]+)</code>', page).group(1)  # type: ignore[union-attr]
    b = Browser(web, "rec-south", one_time)
    r = b.get("/ledger", follow=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/password")
    page = b.get(r.headers["location"]).text
    assert "初始密码" in page
    r = b.post("/password", {"current": one_time, "new": "a much better secret", "again": "a much better secret"})
    assert b.follow(r).status_code == 200
    assert b.get("/ledger").status_code == 200


# ---- quick entry ----


def test_entry_form_is_made_from_the_catalogue_with_defaults(web: Web) -> None:
    b = Browser(web, "rec-north")
    kinds = b.get("/entry").text
    assert "学法/学习活动" in kinds and "人大建议/政协提案" in kinds
    page = b.get("/entry/study_session").text
    assert value_of(page, "date") == today(web)
    assert 'min="2000-01-01"' in page  # the earliest date the domain accepts (DOMAIN.md §2)
    assert value_of(page, "unit") == "north"
    assert value_of(page, "ref").startswith("SS-" + today(web).replace("-", ""))
    assert "中心组学习" in page and "业务培训/集体学习" in page  # codes shown by their Chinese labels
    assert 'name="data.laws"' in page and "每行一项" in page
    assert 'name="data.led_by_head"' in page and 'type="checkbox"' in page


def test_quick_entry_records_an_activity_and_its_figure_goes_up(web: Web) -> None:
    b = Browser(web, "rec-north")
    year = today(web)[:4]
    assert figure(year_report(b, "north", year), "study.sessions") == "0"
    r = b.post("/entry/study_session", study_form("S-1", today(web), **{"data.laws": "宪法\n民法典"}))
    page = b.follow(r).text
    assert "已记录" in page and "宪法、民法典" in page and "法治讲座" in page
    report = year_report(b, "north", year)
    assert figure(report, "study.sessions") == "1"
    assert figure(report, "study.law_sessions") == "1"
    assert figure(report, "study.attendance") == "30"
    drill = b.get(f"/report/figure?unit=north&year={year}&figure=study.sessions").text
    assert "来源活动 1 项" in drill and "/activity?unit=north&amp;ref=S-1" in drill


def test_bad_input_comes_back_with_each_message_beside_its_field_and_nothing_lost(web: Web) -> None:
    b = Browser(web, "rec-north")
    form = study_form("S-2", today(web), **{"data.topic": " ", "data.attendees": "-3", "data.lecturer": "王老师"})
    r = b.post("/entry/study_session", form)
    assert r.status_code == 422
    assert "学习主题" in error_beside(r.text, "data.topic")
    assert "参学人数" in error_beside(r.text, "data.attendees")
    assert value_of(r.text, "data.attendees") == "-3"
    assert value_of(r.text, "data.lecturer") == "王老师"
    assert value_of(r.text, "data.form") == "lecture"
    assert value_of(r.text, "ref") == "S-2"
    r = b.post("/entry/study_session", study_form("S-2", today(web), **{"data.attendees": "三十"}))
    assert r.status_code == 422 and "须为整数" in error_beside(r.text, "data.attendees")
    future = (web.server.ledger.today() + timedelta(days=3)).isoformat()
    r = b.post("/entry/study_session", study_form("S-2", future))
    assert r.status_code == 422 and "不能晚于今天" in error_beside(r.text, "date")
    assert b.get("/activity?unit=north&ref=S-2").status_code == 404


def test_a_double_submit_records_once(web: Web) -> None:
    b = Browser(web, "rec-north")
    form = study_form("S-3", today(web))
    first, second = b.post("/entry/study_session", form), b.post("/entry/study_session", form)
    assert "done=recorded" in first.headers["location"]
    assert "done=replayed" in second.headers["location"]
    assert "未重复记录" in b.follow(second).text
    assert figure(year_report(b, "north", today(web)[:4]), "study.sessions") == "1"
    assert len(web.server.ledger.history("north", "S-3")) == 1


def test_a_taken_reference_is_named_beside_the_reference(web: Web) -> None:
    b = Browser(web, "rec-north")
    b.post("/entry/study_session", study_form("S-4", today(web)))
    r = b.post("/entry/study_session", {**study_form("S-4", today(web)), "form_key": "another"})
    assert r.status_code == 422 and "S-4" in error_beside(r.text, "ref")
    assert "S-4" not in value_of(b.get("/entry/study_session").text, "ref")


def test_csrf_missing_is_refused_and_records_nothing(web: Web) -> None:
    b = Browser(web, "rec-north")
    r = b.post("/entry/study_session", study_form("S-5", today(web)), csrf=False)
    assert r.status_code == 403 and "CSRF" in r.text
    r = b.post("/entry/study_session", {**study_form("S-5", today(web)), "csrf_token": "forged"}, csrf=False)
    assert r.status_code == 403
    assert web.server.ledger.activity("north", "S-5") is None


# ---- the activity page: correct, void, steps, history ----


def test_correct_with_reason_and_read_the_history_old_to_new(web: Web) -> None:
    b = Browser(web, "rec-north")
    b.post("/entry/study_session", study_form("S-6", today(web)))
    page = b.get("/activity?unit=north&ref=S-6").text
    assert value_of(page, "version") == "1"
    form = {
        "unit": "north",
        "ref": "S-6",
        "version": "1",
        "form_key": "fix-1",
        "reason": "参学人数记错",
        "date": today(web),
        "data.form": "lecture",
        "data.topic": "宪法学习",
        "data.attendees": "45",
    }
    page = b.follow(b.post("/activity/correct", form)).text
    shown = text(page)
    assert "已更正" in shown and re.search("参学人数：\\s*30 → 45", shown) and "原因：参学人数记错" in shown
    assert figure(year_report(b, "north", today(web)[:4]), "study.attendance") == "45"


def test_correct_on_a_stale_version_shows_the_conflict_and_the_current_state(web: Web) -> None:
    b = Browser(web, "rec-north")
    b.post("/entry/study_session", study_form("S-7", today(web)))
    base = {"unit": "north", "ref": "S-7", "version": "1", "reason": "改人数", "date": today(web)}
    data = {"data.form": "lecture", "data.topic": "宪法学习"}
    b.post("/activity/correct", {**base, **data, "data.attendees": "31", "form_key": "a"})
    r = b.post("/activity/correct", {**base, **data, "data.attendees": "99", "form_key": "b"})
    assert r.status_code == 409
    assert "记录已被他人修改" in r.text
    assert "第 2 版" in r.text and "<dd>31</dd>" in r.text  # the current state
    assert value_of(r.text, "data.attendees") == "99"  # what was typed is kept
    assert web.server.ledger.activity("north", "S-7").data["attendees"] == 31  # type: ignore[union-attr]


def test_a_correction_needs_a_reason_and_a_change(web: Web) -> None:
    b = Browser(web, "rec-north")
    b.post("/entry/study_session", study_form("S-8", today(web)))
    same = {"unit": "north", "ref": "S-8", "version": "1", "date": today(web), "form_key": "x", **study_form("", "")}
    same.update(unit="north", ref="S-8", date=today(web))
    r = b.post("/activity/correct", {**same, "reason": ""})
    assert r.status_code == 422 and any("原因" in m for m in errors(r.text))
    r = b.post("/activity/correct", {**same, "reason": "看看"})
    assert r.status_code == 422 and any("没有修改任何内容" in m for m in errors(r.text))


def test_void_takes_the_activity_out_of_the_figures(web: Web) -> None:
    b = Browser(web, "rec-north")
    b.post("/entry/study_session", study_form("S-9", today(web)))
    r = b.post("/activity/void", {"unit": "north", "ref": "S-9", "version": "1", "reason": "重复录入", "form_key": "v"})
    page = b.follow(r).text
    assert "已作废" in page and "原因：重复录入" in text(page)
    assert "保存更正" not in page  # a voided activity takes nothing more
    assert figure(year_report(b, "north", today(web)[:4]), "study.sessions") == "0"
    assert "已作废" in b.get("/ledger?unit=north").text


def test_steps_are_offered_per_kind_and_recorded(web: Web) -> None:
    day = today(web)
    seed(web, rec("petition", "P-1", day, unit="north", channel="visit", persons=2, category="claim", subject="补偿"))
    b = Browser(web, "rec-north")
    page = b.get("/activity?unit=north&ref=P-1").text
    for label in ("再次来访接待", "受理告知", "延期", "答复", "办结"):
        assert f"记录{label}" in page
    r = b.post("/activity/step", {"unit": "north", "ref": "P-1", "step": "extended", "date": day, "data.days": "45"})
    assert r.status_code == 422 and "延期天数" in error_beside(r.text, "data.days")
    r = b.post("/activity/step", {"unit": "north", "ref": "P-1", "step": "replied", "date": day, "form_key": "s1"})
    page = b.follow(r).text
    assert "已记录步骤" in page and "<td>答复</td>" in page


def test_evidence_upload_and_download(web: Web) -> None:
    b = Browser(web, "rec-north")
    b.post("/entry/study_session", study_form("S-10", today(web)))
    pdf = b"%PDF-1.4\n% a signed attendance sheet\n"
    files = {"file": ("签到表.pdf", pdf, "application/pdf")}
    data = {"unit": "north", "ref": "S-10", "csrf_token": b.csrf}
    page = b.follow(b.client.post("/activity/evidence", data=data, files=files)).text
    assert "附件已上传" in page and "签到表.pdf" in page
    assert "不超过 20 MB" in page and 'data-max-bytes="20971520"' in page  # the limit of api/infra/evidence.py
    link = re.search(r'href="(/evidence\?[^"]+)"', page).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert b.get(link).content == pdf
    r = b.client.post("/activity/evidence", data=data, files={"file": ("a.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 422 and "只接受" in error_beside(r.text, "file")
    assert web.client("rec-south").get(link).status_code == 403


# ---- who may see what ----


def test_a_recorder_cannot_open_another_units_pages(web: Web) -> None:
    seed(web, rec("study_session", "S-S", today(web), unit="south", form="lecture", topic="x", attendees=1))
    b = Browser(web, "rec-north")
    for url in (
        "/activity?unit=south&ref=S-S",
        "/ledger?unit=south",
        f"/report?unit=south&year={today(web)[:4]}",
        f"/report/figure?unit=south&year={today(web)[:4]}&figure=study.sessions",
        "/entry/study_session?unit=south",
        "/?unit=south",
    ):
        r = b.get(url)
        assert r.status_code == 403, url
        assert "无权" in r.text
    r = b.post("/entry/study_session", study_form("S-X", today(web), unit="south"))
    assert r.status_code == 403 and web.server.ledger.activity("south", "S-X") is None


@pytest.mark.parametrize(
    ("user", "allowed", "refused"),
    [
        ("rec-north", ["/", "/entry", "/ledger", "/report"], ["/audit", "/users"]),
        ("aud-city", ["/", "/ledger", "/report", "/audit"], ["/entry", "/users"]),
        ("admin", ["/", "/entry", "/ledger", "/report", "/audit", "/users"], []),
    ],
)
def test_each_role_sees_its_pages(web: Web, user: str, allowed: list[str], refused: list[str]) -> None:
    b = Browser(web, user)
    for url in allowed:
        assert b.get(url).status_code == 200, url
    for url in refused:
        assert b.get(url).status_code == 403, url


def test_an_auditor_reads_but_is_offered_no_forms(web: Web) -> None:
    seed(web, rec("study_session", "S-A", today(web), unit="north", form="lecture", topic="x", attendees=1))
    b = Browser(web, "aud-city")
    page = b.get("/activity?unit=north&ref=S-A").text
    assert "历史记录" in page and "保存更正" not in page and "上传" not in page
    assert "快速录入" not in b.get("/?unit=north").text
    r = b.post("/activity/void", {"unit": "north", "ref": "S-A", "version": "1", "reason": "x"})
    assert r.status_code == 403


# ---- lists and reports ----


def test_ledger_list_filters_searches_and_pages(web: Web) -> None:
    day = today(web)
    lines = [
        rec("study_session", f"L-{i:02d}", day, unit="north", form="lecture", topic="学习", attendees=1)
        for i in range(35)
    ]
    lines.append(rec("meeting", "M-1", day, unit="north", form="special", topic="依法征收", rule_of_law_agenda=True))
    seed(web, *lines)
    b = Browser(web, "aud-city")
    page = b.get("/ledger?unit=city").text
    assert "共 36 项" in page and "第 1/2 页" in page
    second = b.get(re.search(r'href="([^"]*page=2)"', page).group(1).replace("&amp;", "&")).text  # type: ignore[union-attr]
    assert second.count("/activity?unit=north") == 6
    assert "共 1 项" in b.get("/ledger?unit=city&kind=meeting").text
    found = b.get("/ledger?unit=city&q=征收").text
    assert "共 1 项" in found and "M-1" in found and "依法征收" in found
    assert "共 0 项" in b.get(f"/ledger?unit=city&year={int(day[:4]) - 1}").text


def test_report_has_previous_year_checks_log_trends_and_an_as_of_picker(web: Web) -> None:
    b = Browser(web, "rec-north")
    year = int(today(web)[:4])
    before = web.server.ledger.today()
    seed(web, rec("study_session", "OLD", f"{year - 1}-06-01", unit="north", form="lecture", topic="x", attendees=1))
    page = year_report(b, "north", year)
    assert f"{year - 1} 年" in page and "各类学习活动" in page
    assert re.search(r'<tr id="study.sessions">.*?class="muted">1</a>', page, re.S)  # previous year
    assert "月度趋势" in page and "<svg" in page  # (the log and Merkle root: auditors' fold, test_web_audit_fold.py)
    assert "正常" in page
    assert "注意" in year_report(b, "north", year - 1)  # last year's late entry warns
    stamp = web.server.ledger.history("north", "OLD")[0].timestamp
    time.sleep(1.1)
    b.post("/entry/study_session", study_form("NOW", before.isoformat()))
    as_of = (stamp + timedelta(seconds=1)).astimezone(web.server.ledger.tz).strftime("%Y-%m-%dT%H:%M:%S")
    assert figure(year_report(b, "north", year), "study.sessions") == "1"
    assert figure(year_report(b, "north", year, as_of), "study.sessions") == "0"
    r = b.get(f"/report?unit=north&year={year}&as_of=yesterday")
    assert r.status_code == 422 and "时点" in r.text


def test_narrative_text_is_edited_in_the_browser(web: Web) -> None:
    b = Browser(web, "rec-north")
    year = today(web)[:4]
    form = {"unit": "north", "year": year, "section": "measures", "text": "全年组织学法活动，成效明显。"}
    page = b.follow(b.post("/report/narrative", form)).text
    assert "已保存报告文字" in page and "全年组织学法活动，成效明显。" in page
    assert web.server.ledger.narratives("north", int(year))["measures"] == "全年组织学法活动，成效明显。"
    assert Browser(web, "rec-south").post("/report/narrative", form).status_code == 403


def test_year_documents_download(web: Web) -> None:
    b = Browser(web, "rec-north")
    year = today(web)[:4]
    r = b.get(f"/report/download?unit=north&year={year}&format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "attachment" in r.headers["content-disposition"]


# ---- audit and users ----


def test_audit_page_lists_late_entries_and_corrections_and_verifies(web: Web) -> None:
    year = int(today(web)[:4])
    seed(web, rec("study_session", "LATE", f"{year - 1}-01-05", unit="north", form="lecture", topic="x", attendees=1))
    rec_b = Browser(web, "rec-north")
    rec_b.post("/activity/void", {"unit": "north", "ref": "LATE", "version": "1", "reason": "录错单位"})
    seed(web, rec("study_session", "LATE2", f"{year - 1}-01-05", unit="north", form="lecture", topic="x", attendees=1))
    b = Browser(web, "aud-city")
    page = b.get("/audit?unit=north").text
    assert "LATE2" in page and "补录活动（发生 30 日后才录入）" in page  # the period from domain/deadlines.py
    assert "作废活动" in page and "录错单位" in page and "rec-north" in page
    checked = b.follow(b.post("/audit/verify", {"unit": "north", "year": ""})).text
    for _ in range(600):  # the verification runs in the background; the page refreshes itself meanwhile
        if "正在后台核验" not in checked:
            break
        assert 'http-equiv="refresh"' in checked
        time.sleep(0.05)
        checked = b.get("/audit?unit=north").text
    assert "完整无篡改" in checked and "重新核验" in checked and "aud-city" in checked
    assert "封存单位" not in page


def test_admin_seals_a_year_after_a_confirmation_naming_what_is_frozen(web: Web) -> None:
    b = Browser(web, "admin")
    last_year = str(int(today(web)[:4]) - 1)
    form = b.get("/audit?unit=city").text
    seal_form = form[form.index('action="/audit/seal"') :]
    seal_form = seal_form[: seal_form.index("</form>")]
    assert 'name="unit"' in seal_form and "北区城市更新中心" in seal_form  # the unit is chosen in the form
    assert f'<option value="{last_year}" selected>' in seal_form  # last year by default, not the unfinished one
    confirm = b.post("/audit/seal", {"unit": "north", "year": last_year})
    assert confirm.status_code == 200 and "确认封存：北区城市更新中心" in confirm.text
    assert "各类学习活动" in confirm.text
    assert web.server.ledger.seals() == []  # nothing sealed before the confirmation
    page = b.follow(b.post("/audit/seal", {"unit": "north", "year": last_year, "confirm": "1"})).text
    assert "已封存" in page and f"<td>北区城市更新中心</td><td>{last_year}</td>" in page
    assert "<td>admin</td>" in page  # who sealed
    assert web.server.ledger.seals()[0].recorded_by == "admin"
    current = b.post("/audit/seal", {"unit": "north", "year": today(web)[:4]}).text
    assert "尚未结束" in current
    assert Browser(web, "aud-city").post("/audit/seal", {"unit": "north", "year": last_year}).status_code == 403


def test_admin_adds_a_user_and_sees_the_one_time_password_once(web: Web) -> None:
    b = Browser(web, "admin")
    r = b.post("/users/new", {"username": "zhang", "display_name": "张敏", "role": "recorder", "units": "north"})
    assert r.status_code == 201 and "一次性密码" in r.text
    assert "张敏" in b.get("/users").text and 'class="password"' not in b.get("/users").text
    r = b.post("/users/new", {"username": "Bad Name", "role": "recorder"})
    assert r.status_code == 422 and any("用户名" in m for m in errors(r.text))
    b.follow(b.post("/users/change", {"username": "zhang", "role": "recorder", "units": "south", "disabled": "on"}))
    changed = web.server.ledger.user("zhang")
    assert changed is not None and changed.disabled and changed.units == ["south"]


# ---- the pages keep to the Content-Security-Policy ----


def test_pages_use_no_inline_script_or_style(web: Web) -> None:
    seed(web, rec("case", "C-1", today(web), unit="north", case_type="admin_litigation", role="defendant"))
    b = Browser(web, "admin")
    for url in ("/", "/entry/case", "/activity?unit=north&ref=C-1", "/ledger", "/report", "/audit", "/users"):
        page = b.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert " style=" not in page and "<style" not in page, url
        assert "https://" not in page, url  # nothing from outside
    r = b.get("/static/site.js")
    assert r.status_code == 200 and "Content-Security-Policy" in b.get("/").headers


def test_the_users_page_assigns_units_by_name_with_checkboxes_kept_after_an_error(web: Web) -> None:
    b = Browser(web, "admin")
    page = b.get("/users").text
    assert '<select id="u-units"' not in page and 'type="checkbox" name="units" value="north"' in page
    assert "北区城市更新中心" in page
    bad = b.post("/users/new", {"username": "", "display_name": "张敏", "role": "recorder", "units": "north"})
    assert bad.status_code == 422
    assert 'type="checkbox" name="units" value="north" checked' in bad.text  # what was ticked stays ticked
