"""The page 个人信息 (`/personal`): a petition's personal data for those who see it (the unit's recorders and
admins), through the same use cases as the API and the command line (api/services/personal.py). Opening the
page shows no value and records nothing; the button shows the values and that showing is recorded; typed values
are saved encrypted, every problem named beside its field; auditors and other units' recorders are refused."""

from __future__ import annotations

import re

import pytest
from conftest import petition, study
from webkit import Web
from webpages_kit import Browser, error_beside, errors, value_of

from api.infra.access_log import AccessLogFile
from domain.personal import personal_record_id

WHERE = "unit=north&ref=XF-1"
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def with_petition(web: Web) -> Web:
    assert web.server.ledger.apply([(1, petition("XF-1", "2025-03-01", unit="north"))], "setup").ok
    return web


def revealed(web: Web) -> int:
    events = web.server.ledger.events.get(personal_record_id("north", "XF-1"))
    return [type(e).__name__ for e in events].count("Revealed")


def test_a_recorder_records_and_then_shows_the_personal_data(with_petition: Web) -> None:
    web = with_petition
    b = Browser(web, "rec-north")
    activity = b.get(f"/activity?{WHERE}").text
    assert f'href="/personal?{WHERE.replace("&", "&amp;")}"' in activity  # the way there, from the activity
    page = b.get(f"/personal?{WHERE}").text
    assert "信访人姓名" in page and "公民身份号码" in page and "联系电话" in page
    assert "显示个人信息" in page

    # Every problem at once, beside its field; what was typed stays.
    bad = b.post("/personal", {"unit": "north", "ref": "XF-1", "name": "王五", "id_number": "110105194912310021",
                               "phone": "x"})  # fmt: skip
    assert bad.status_code == 422
    assert "校验位" in error_beside(bad.text, "id_number") and "联系电话" in error_beside(bad.text, "phone")
    assert value_of(bad.text, "name") == "王五" and len(errors(bad.text)) == 2

    saved = b.post("/personal", {"unit": "north", "ref": "XF-1", "name": "王五", "id_number": ID_NUMBER.lower()},
                   follow_redirects=True)  # fmt: skip
    assert "已加密保存个人信息。" in saved.text
    assert "王五" not in saved.text and ID_NUMBER not in saved.text  # not shown until asked for
    assert revealed(web) == 0

    shown = b.post("/personal/show", {"unit": "north", "ref": "XF-1"})
    assert shown.status_code == 200
    listed = re.search(r'<dl class="data" id="shown">(.*?)</dl>', shown.text, re.S)
    assert listed and "王五" in listed.group(1) and ID_NUMBER in listed.group(1) and "（未录入）" in listed.group(1)
    assert revealed(web) == 1
    reads = AccessLogFile(web.server.settings.home).entries("action = ?", ("personal_read",))
    assert [e.actor for e in reads] == ["rec-north"]

    # A field left blank stays as it was; one ticked 清除 is removed.
    b.post("/personal", {"unit": "north", "ref": "XF-1", "phone": "029-8888 6666", "clear.name": "on"})
    again = b.post("/personal/show", {"unit": "north", "ref": "XF-1"}).text
    listed = re.search(r'<dl class="data" id="shown">(.*?)</dl>', again, re.S)
    assert listed and "王五" not in listed.group(1)
    assert ID_NUMBER in listed.group(1) and "029-8888 6666" in listed.group(1)


@pytest.mark.parametrize("username", ["aud-city", "rec-south"])
def test_those_who_do_not_see_personal_data_are_refused_and_not_offered_it(with_petition: Web, username: str) -> None:
    web = with_petition
    Browser(web, "rec-north").post("/personal", {"unit": "north", "ref": "XF-1", "name": "王五"})
    b = Browser(web, username)
    assert b.get(f"/personal?{WHERE}").status_code == 403
    shown = b.post("/personal/show", {"unit": "north", "ref": "XF-1"})
    assert shown.status_code == 403 and "王五" not in shown.text
    assert b.post("/personal", {"unit": "north", "ref": "XF-1", "name": "李四"}).status_code == 403
    assert revealed(web) == 0
    activity = b.get(f"/activity?{WHERE}")
    assert "/personal?" not in activity.text


def test_an_activity_without_personal_fields_offers_no_such_page(web: Web) -> None:
    assert web.server.ledger.apply([(1, study("SS-1", "2025-03-01", unit="north", attendees=3))], "setup").ok
    b = Browser(web, "rec-north")
    assert "/personal?" not in b.get("/activity?unit=north&ref=SS-1").text
    refused = b.get("/personal?unit=north&ref=SS-1")
    assert refused.status_code == 404 and "没有个人信息字段" in refused.text
