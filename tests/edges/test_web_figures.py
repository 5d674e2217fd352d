"""The figures page (DOMAIN.md §8) as a unit's staff use it: declare a figure by choosing kind, conditions and
measure, see its value before saving, edit it, read its versions, retire it; a parent's declaration applies
and only the parent may change it; every error of a definition at once, nothing recorded."""

from __future__ import annotations

from conftest import study
from webkit import Web
from webpages_kit import Browser, figure, text, today, value_of

CODE = "local.study.party_group_law"


def _setup(web: Web) -> str:
    day = today(web)
    lines = [
        study("S-1", day, unit="north", form="party_group"),
        study("S-2", day, unit="north", form="party_group"),
        study("S-3", day, unit="north", form="lecture"),
    ]
    assert web.server.ledger.apply(list(enumerate(lines, 1)), "setup").ok
    return day[:4]


def _form(**extra: object) -> dict[str, object]:
    return {
        "unit": "north",
        "code": "study.party_group_law",
        "label": "党工委会学法",
        "unit_word": "次",
        "kind": "study_session",
        "m.type": "count",
        "w0.subject": "f:form",
        "w0.op": "in",
        "w0.in": ["party_group"],
        **extra,
    }


def test_a_figure_is_chosen_from_the_catalogue_previewed_saved_and_shown_in_the_report(web: Web) -> None:
    year = _setup(web)
    b = Browser(web, "admin")  # declared figures are defined by admins (domain/access.py may_declare)
    page = b.get("/figures?unit=north")
    assert page.status_code == 200 and "还没有自定义指标" in text(page.text)
    page = b.get("/figures/edit?unit=north&kind=study_session")
    assert value_of(page.text, "code") == "study_session.n1"  # a code is suggested: nobody has to invent one
    assert "字段：学习形式" in page.text and "步骤" not in text(page.text).split("统计方式")[0].split("条件")[-1]
    # Choosing the subject and pressing 更新 offers its codes by their labels: nothing is typed.
    page = b.post("/figures/edit", {**_form(), "w0.in": [], "action": "refresh"})
    assert page.status_code == 200
    assert 'name="w0.in" value="party_group"' in page.text and "党组(党委、党工委)会" in page.text
    page = b.post("/figures/edit", {**_form(), "action": "refresh"})
    assert f"{year} 年：" in text(page.text) and "<strong>2</strong>" in page.text, text(page.text)[-600:]
    assert "来源活动 2 项" in text(page.text)
    assert b.get("/figures?unit=north").text.count("党工委会学法") == 0  # a preview writes nothing
    r = b.post("/figures/edit", {**_form(), "action": "save"})
    listing = b.follow(r)
    assert "已保存指标声明" in listing.text and CODE in listing.text
    assert "学习形式为党组(党委、党工委)会" in text(listing.text)
    report = b.get(f"/report?unit=north&year={year}")
    assert figure(report.text, CODE) == "2" and "/figures?unit=north" in report.text
    drill = text(b.get(f"/report/figure?unit=north&year={year}&figure={CODE}").text)
    assert "自定义指标：由 北区城市更新中心 声明" in drill and "来源活动 2 项" in drill and "声明历史" in drill


def test_every_error_of_a_definition_is_shown_at_once_and_nothing_is_recorded(web: Web) -> None:
    _setup(web)
    b = Browser(web, "admin")  # declared figures are defined by admins (domain/access.py may_declare)
    bad = _form(code="Study", unit_word="%", label=" ")
    page = b.post("/figures/edit", {**bad, "action": "save"})
    assert page.status_code == 422
    shown = text(page.text)
    assert 'data.code: must be "local." + 1–64 characters' in shown
    assert 'data.unit_word: "%" is only for a rate' in shown
    assert "data.label: must be a text of 1–64 characters, not blank" in shown
    assert "有 3 处需要修改" in shown
    assert "编号 · data.code" in shown and "计量单位 · data.unit_word" in shown  # where on the form, in words
    assert value_of(page.text, "unit_word") == "%" and 'value="party_group" checked' in page.text  # values kept
    # A condition's error sits beside its row (where[0] is the first row drawn).
    page = b.post(
        "/figures/edit", {**_form(), "w0.op": "range", "w0.subject": "f:attendees", "w0.gte": "x", "action": "save"}
    )
    assert "条件第 1 行 · data.where[0].gte: must be an integer 0–1,000,000,000" in text(page.text)
    assert 'id="w0"' in page.text and page.text.rindex("data.where[0].gte") > page.text.index('id="w0"')
    assert "还没有自定义指标" in text(b.get("/figures?unit=north").text)


def test_editing_keeps_every_version_and_retiring_takes_the_figure_off_the_report(web: Web) -> None:
    year = _setup(web)
    b = Browser(web, "admin")  # declared figures are defined by admins (domain/access.py may_declare)
    b.follow(b.post("/figures/edit", {**_form(), "action": "save"}))
    page = b.get(f"/figures/edit?unit=north&code={CODE}")
    assert value_of(page.text, "label") == "党工委会学法" and 'value="party_group" checked' in page.text
    assert "<strong>2</strong>" in page.text  # the value as it stands, shown at once when editing
    changed = _form(label="党组会和讲座学法", **{"w0.in": ["party_group", "lecture"]}, editing="1")
    b.follow(b.post("/figures/edit", {**changed, "action": "save"}))
    assert figure(b.get(f"/report?unit=north&year={year}").text, CODE) == "3"
    history = text(b.get(f"/figures/history?unit=north&code={CODE}").text)
    assert "第 2 版 · 修改" in history and "第 1 版 · 声明" in history and "当前生效：第 2 版" in history
    assert "党组会和讲座学法" in history and "党工委会学法" in history
    confirm = b.get(f"/figures/retire?unit=north&code={CODE}")
    assert "确认撤销" in confirm.text
    listing = b.follow(b.post("/figures/retire", {"unit": "north", "code": CODE}))
    assert "已撤销指标声明" in listing.text and "本单位已撤销的声明" in listing.text
    assert CODE not in b.get(f"/report?unit=north&year={year}").text
    assert "第 3 版 · 撤销" in text(b.get(f"/figures/history?unit=north&code={CODE}").text)


def test_a_parents_declaration_applies_below_and_only_the_parent_changes_it(web: Web) -> None:
    _setup(web)
    admin = Browser(web, "admin")
    admin.follow(admin.post("/figures/edit", {**_form(unit="city"), "action": "save"}))
    page = admin.get("/figures?unit=north")
    assert "上级" in page.text and "在本单位重新定义" in page.text and "/figures/retire" not in page.text
    assert admin.get(f"/figures/retire?unit=north&code={CODE}").status_code == 404
    r = admin.post("/figures/retire", {"unit": "north", "code": CODE})
    assert r.status_code == 422 and "no live declaration on unit north" in r.text
    # The unit's recorder sees the figure, and is offered no declaring: that is an admin's decision.
    rec = Browser(web, "rec-north")
    page = rec.get("/figures?unit=north")
    assert "上级" in page.text and "在本单位重新定义" not in page.text and "声明新指标" not in page.text
    assert rec.post("/figures/edit", {**_form(), "action": "save"}).status_code == 403
    # Nobody outside the unit writes: an auditor sees the figures but cannot declare.
    aud = Browser(web, "aud-city")
    assert aud.get("/figures?unit=north").status_code == 200
    assert "声明新指标" not in aud.get("/figures?unit=north").text
    assert aud.post("/figures/edit", {**_form(), "action": "save"}).status_code == 403
    assert rec.post("/figures/edit", {**_form(unit="south"), "action": "save"}).status_code == 403


def test_the_report_page_has_the_annual_enforcement_table_only_for_units_with_enforcement(web: Web) -> None:
    from conftest import rec, step

    day = today(web)
    lines = [
        rec("enforcement_case", "P-1", day, unit="north", action="penalty", subject="占道经营", procedure="simple"),
        step("P-1", "decided", day, unit="north", outcome="penalized", penalty_class="fine", fine="1753.79"),
        rec("enforcement_case", "J-1", day, unit="north", action="inspection", subject="燃气安全", count=4),
    ]
    assert web.server.ledger.apply(list(enumerate(lines, 1)), "setup").ok
    b = Browser(web, "aud-city")
    page = b.get(f"/report?unit=city&year={day[:4]}")
    assert "年行政执法数据年报" in page.text
    table = text(page.text.split('id="enforcement-annual"')[1].split("</section>")[0])
    assert "一、行政处罚" in table and "立案查处 件 1" in table and "罚款金额 元 1,753.79" in table
    assert "行政检查 次 4" in table
    assert figure(page.text, "enforcement.fines") == "1,753.79"  # and under its own heading with the rest
    assert "行政执法" in page.text
    assert "行政执法数据年报" not in b.get(f"/report?unit=south&year={day[:4]}").text


def test_saving_the_same_form_twice_records_one_version(web: Web) -> None:
    _setup(web)
    b = Browser(web, "admin")  # declared figures are defined by admins (domain/access.py may_declare)
    page = b.get("/figures/edit?unit=north&kind=study_session")
    key = value_of(page.text, "form_key")
    assert key
    first = b.post("/figures/edit", {**_form(), "form_key": key, "action": "save"})
    again = b.post("/figures/edit", {**_form(), "form_key": key, "action": "save"})
    assert "已保存指标声明" in b.follow(first).text
    assert "此表单已提交过" in b.follow(again).text
    history = text(b.get(f"/figures/history?unit=north&code={CODE}").text)
    assert "第 1 版 · 声明" in history and "第 2 版" not in history
