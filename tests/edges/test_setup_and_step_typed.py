"""Issue 12, found in review: the first start's setup dropped without a word a parent typed by name only and a
person typed without a user name (and put the mistakes of the second person beside the first); its last page
named the unit by its code; a second identical step typed as 2025/3/1 beside a 2025-03-01 one was saved without
the question asked for the same date written the ISO way; on the import page a changed workbook row with a mistake,
sent as a correction, was answered "tick the box" to one who had, and the choice was forgotten after a refusal;
开廷 suggested no 开庭; a step on a record refused above was reported as "no such activity"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import rec, settings_for
from webkit import PASSWORD, Web
from webpages_kit import Browser, error_beside, text

from api.infra.passwords import hash_password
from api.services import users as users_service
from api.web.app import create_app
from api.web.context import context
from api.web.server import Server


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Web]:
    """A first start: no unit, only the admin `taizhang serve` creates (its password set, as after first sign-in)."""
    server = Server(settings_for(tmp_path / "home", user="setup"), poll=False)
    users_service.ensure_admin(context(server))
    server.ledger.set_password("admin", hash_password(PASSWORD), False, "admin")
    web = Web(server, create_app(server=server))
    web._tokens = {}
    yield web
    server.close()


def no_error_beside(page: str, name: str) -> bool:
    try:
        error_beside(page, name)
    except AssertionError:
        return True
    return False


UNIT = {"unit_code": "weibin-ur", "unit_name": "渭滨区城市更新中心"}


def test_a_half_typed_parent_or_person_is_shown_beside_the_missing_field_not_dropped(fresh: Web) -> None:
    b = Browser(fresh, "admin")
    form = {**UNIT, "parent_name": "渭滨区法治办", "parent_code": "", "user0_username": "", "user0_name": ""}
    form |= {"user1_name": "李强", "user1_username": "", "user1_role": "auditor"}
    r = b.post("/setup", form)
    assert r.status_code == 422
    assert "单位代码" in error_beside(r.text, "parent_code")  # the parent's name alone: its code is asked for
    assert "用户名" in error_beside(r.text, "user1_username")  # beside the second person, who was typed
    assert no_error_beside(r.text, "user0_username")
    assert 'value="李强"' in r.text and 'value="渭滨区法治办"' in r.text
    assert fresh.server.ledger.unit("weibin-ur") is None  # nothing written


def test_the_second_persons_clash_is_shown_beside_the_second_person(fresh: Web) -> None:
    b = Browser(fresh, "admin")
    form = {**UNIT, "user0_username": "zhangmin", "user0_role": "recorder", "user1_username": "zhangmin"}
    r = b.post("/setup", {**form, "user1_role": "auditor"})
    assert r.status_code == 422 and "相同" in error_beside(r.text, "user1_username")
    assert no_error_beside(r.text, "user0_username")


def test_the_setup_done_page_names_the_unit(fresh: Web) -> None:
    b = Browser(fresh, "admin")
    r = b.post("/setup", {**UNIT, "user0_username": "zhangmin", "user0_name": "张敏", "user0_role": "recorder"})
    assert r.status_code == 201, text(r.text)[:300]
    assert "已登记单位「渭滨区城市更新中心」" in text(r.text)
    assert fresh.server.ledger.user("zhangmin").units == ["weibin-ur"]  # type: ignore[union-attr]


def test_a_second_identical_step_typed_another_way_is_confirmed_first(web: Web) -> None:
    outcome = web.server.ledger.apply(
        [(1, rec("case", "AJ-1", "2025-02-01", unit="north", case_type="admin_litigation", role="defendant"))], "setup"
    )
    assert outcome.ok, outcome.errors
    b = Browser(web, "rec-north")
    hearing = {"unit": "north", "ref": "AJ-1", "step": "hearing", "date": "2025-03-01", "form_key": "h-1"}
    assert b.post("/activity/step", hearing).status_code == 303
    r = b.post("/activity/step", {**hearing, "date": "2025/3/1", "form_key": "h-2"})
    assert r.status_code == 200 and "已有 2025/3/1 的「开庭」" in text(r.text) and "仍然记录开庭" in r.text
    assert len(web.server.ledger.activity("north", "AJ-1").steps) == 1  # type: ignore[union-attr]
    # Confirmed, it is recorded (as 2025-03-01).
    confirmed = {**hearing, "date": "2025/3/1", "form_key": "h-3", "confirm_same": "1"}
    assert b.post("/activity/step", confirmed).status_code == 303
    steps = web.server.ledger.activity("north", "AJ-1").steps.values()  # type: ignore[union-attr]
    assert [s.date.isoformat() for s in steps] == ["2025-03-01", "2025-03-01"]


def _book(tmp_path: Path, attendees: int) -> bytes:
    import openpyxl

    from api.documents.xlsx_import import sheet_name
    from api.services import writes
    from domain.catalogue import KINDS

    out = tmp_path / f"book-{attendees}.xlsx"
    writes.import_template(out)
    wb = openpyxl.load_workbook(out)
    ws = wb[sheet_name(KINDS["study_session"].label)]
    values = {"unit": "north", "ref": "S-1", "date": "2025-03-01", "form": "中心组学习", "topic": "宪法"}
    ws.append([{**values, "attendees": attendees}.get(c.value) for c in ws[1]])
    wb.save(out)
    return out.read_bytes()


def test_a_changed_workbook_row_on_the_import_page_is_explained_then_imported_as_a_correction(
    web: Web, tmp_path: Path
) -> None:
    b = Browser(web, "rec-north")
    b.get("/import")

    def upload(content: bytes, **fields: str):  # noqa: ANN202
        data = {"csrf_token": b.csrf, **fields}
        return b.client.post("/import", data=data, files={"file": ("台账.xlsx", content, "application/octet-stream")})

    assert upload(_book(tmp_path, 20)).status_code == 200
    changed = _book(tmp_path, 25)
    refused = upload(changed)
    shown = text(refused.text)
    assert refused.status_code == 422 and "这一行以前导入过" in shown and "「S-1」用「更正」" in shown
    assert "xlsx-" not in shown  # no internal line id
    r = upload(changed, correct_changed="on", correct_reason="按签到表更正人数")
    assert r.status_code == 200, text(r.text)[:400]
    history = web.server.ledger.history("north", "S-1")
    assert len(history) == 2 and web.server.ledger.activity("north", "S-1").data["attendees"] == 25  # type: ignore[union-attr]
    # Asked without a reason, or refused: said on the page, and the choice and reason typed are kept for the
    # second try (only the file is chosen again).
    r = upload(_book(tmp_path, 30), correct_changed="on", correct_reason="")
    assert r.status_code == 422 and "更正原因" in text(r.text)
    assert 'name="correct_changed" checked' in r.text
    bad = _book(tmp_path, -1)
    r = upload(bad, correct_changed="on", correct_reason="再次核对")
    shown = text(r.text)
    assert r.status_code == 422 and "共 1 处错误" in shown and "参学人数" in shown  # the row's own problem
    assert "这一行以前导入过" not in shown  # not "tick the box" to one who ticked it
    assert 'name="correct_changed" checked' in r.text and 'value="再次核对"' in r.text


def test_a_short_label_with_one_character_mistyped_suggests_its_code(env) -> None:  # noqa: ANN001
    from conftest import case, step, study

    env.ok(case("C-1", "2025-01-02"))
    [error] = env.errors(step("C-1", "开廷", "2025-02-03"))
    assert "您是不是要输入 hearing（开庭）？" in error
    [error] = env.errors(study("SS-1", "2025-03-01", form="党文部会"))  # 党支部会
    assert "您是不是要输入 party_branch（党支部会）？" in error
    [error] = env.errors(study("SS-2", "2025-03-01", form="一二"))  # two characters, nothing one away
    assert "您是不是" not in error


def test_a_line_on_a_record_refused_above_says_so_instead_of_no_such_activity(env) -> None:  # noqa: ANN001
    from conftest import case, step

    errors = env.errors(case("C-1", "2025-02-30"), step("C-1", "hearing", "2025-03-01"))
    assert len(errors) == 2 and "2月没有30日" in errors[0]
    assert errors[1] == "line 2: ref: 活动编号：记录「C-1」的那一行有错误（见上），改正后此行才能导入"
    # A reference to an activity that nobody records is still "no such activity".
    [error] = env.errors(step("C-9", "hearing", "2025-03-01"))
    assert "没有编号为「C-9」的活动" in error
