"""Reviewing a unit on its own server through every edge: the command line across two data directories, the API
and the pages of the superior (approve or return the unit's package, download the notice) and of the unit
(import the notice). Each edge only translates: the rules are in api/services/filing.py and filing_notices.py."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from cli_kit import taizhang
from conftest import exam, services_context, settings_for, study, unit

from api.services import audit, filing_notices, packages, writes
from api.services.context import Context, Unrestricted
from api.services.refusals import Refused
from api.web.context import context

ME = Unrestricted("镇管理员")


def jsonl(*lines: dict) -> str:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def test_the_command_line_returns_a_remote_unit_and_the_unit_imports_the_notice(tmp_path: Path) -> None:
    town, district = tmp_path / "town", tmp_path / "district"
    lines = jsonl(unit("town", "华西镇"), exam("EX-1", "2025-03-01", 40, 30, 27, unit="town"))
    assert taizhang(town, "import", "-", stdin=lines).returncode == 0
    assert taizhang(district, "import", "-", stdin=jsonl(unit("district", "光华区"))).returncode == 0
    sealed = json.loads(taizhang(town, "seal", "--unit", "town", "--year", "2025").stdout)["seal"]
    pkg = tmp_path / "town.tzpkg"
    assert taizhang(town, "package", "export", "--seal", sealed, "--output", str(pkg)).returncode == 0
    assert taizhang(district, "package", "import", str(pkg), "--parent", "district").returncode == 0

    ran = taizhang(district, "filing", "return", "--unit", "town", "--year", "2025", "--reason", "")
    assert ran.returncode == 2 and "退回理由" in ran.stderr
    ran = taizhang(district, "filing", "return", "--unit", "town", "--year", "2025", "--reason", "缺少考试记录")
    assert ran.returncode == 0, ran.stderr
    assert "已退回" in ran.stdout
    progress = json.loads(
        taizhang(district, "filing", "progress", "--unit", "district", "--year", "2025", "--format", "json").stdout
    )
    assert [(u["unit"], u["state"], u["remote"]) for u in progress["units"]] == [("town", "returned", True)]
    note = tmp_path / "notice.tznotice"
    ran = taizhang(district, "filing", "notice", "--unit", "town", "--year", "2025", "-o", str(note))
    assert ran.returncode == 0, ran.stderr

    altered = tmp_path / "altered.tznotice"
    altered.write_text(note.read_text(encoding="utf-8").replace("缺少考试记录", "同意"), encoding="utf-8")
    ran = taizhang(town, "filing", "receive", str(altered))
    assert ran.returncode == 2 and "签名" in ran.stderr
    ran = taizhang(town, "filing", "receive", str(note), "--format", "json")
    assert ran.returncode == 0, ran.stderr
    got = json.loads(ran.stdout)
    assert got["kind"] == "returned" and got["filing"]["state"] == "returned"
    assert got["filing"]["register"][-1]["text"] == "缺少考试记录"
    shown = taizhang(town, "filing", "status", "--unit", "town", "--year", "2025").stdout
    assert "上级退回" in shown and "光华区" in shown


def township(home: Path) -> Context:
    ctx = services_context(settings_for(home), settings_for(home).ledger())
    lines = [unit("town", "华西镇"), exam("EX-1", "2025-03-01", 40, 30, 27, unit="town")]
    asyncio.run(writes.import_lines(ctx, ME, list(enumerate(lines, 1))))
    return ctx


def package(ctx: Context) -> bytes:
    return packages.export(ctx, ME, audit.seal(ctx, ME, "town", 2025)["seal"])


def test_the_superiors_api_and_pages_review_a_remote_unit_and_give_the_notice(web: Any, tmp_path: Path) -> None:
    town = township(tmp_path / "town")
    try:
        assert web.client("aud-city").post("/api/packages?parent=city", content=package(town)).status_code == 201
        # A reviewer of another unit may not decide; a return needs its reason.
        assert web.client("aud-south").post("/api/filings/town/2025/approve", json={}).status_code == 403
        r = web.client("aud-city").post("/api/filings/town/2025/return", json={"reason": " "})
        assert r.status_code == 422
        assert web.client("aud-city").get("/api/filings/town/2025/notice").status_code == 409  # nothing decided yet
        # The page: the remote unit's filing, with the review forms.
        b = web.browser("aud-city")
        page = b.get("/filing?unit=town&year=2025")
        assert page.status_code == 200 and "华西镇" in page.text and 'action="/filing/return"' in page.text
        r = b.post("/filing/return", data={"unit": "town", "year": "2025", "reason": "请补充考试记录"})
        assert r.status_code == 200 and "已退回" in r.text and "下载回执" in r.text
        notice = b.get("/filing/notice?unit=town&year=2025")
        assert notice.status_code == 200 and "town-2025-returned.tznotice" in notice.headers["content-disposition"]
        progress = web.client("aud-city").get("/api/progress/city/2025").json()
        assert [(u["unit"], u["state"], u["remote"]) for u in progress["units"] if u["remote"]] == [
            ("town", "returned", True)
        ]
        # The township sends again; the API approves; the notice says so and the township's year locks.
        got = filing_notices.import_notice(town, ME, notice.content)
        assert got.status.state == "returned"
        asyncio.run(writes.import_lines(town, ME, [(1, study("ST-1", "2025-05-01", unit="town"))]))
        assert web.client("aud-city").post("/api/packages", content=package(town)).status_code == 201
        r = web.client("aud-city").post("/api/filings/town/2025/approve", json={"comment": "同意"})
        assert r.status_code == 200 and r.json()["state"] == "approved", r.text
        approved = web.client("aud-city").get("/api/filings/town/2025/notice")
        assert approved.status_code == 200
        assert filing_notices.import_notice(town, ME, approved.content).status.state == "approved"
        assert town.ledger.filing("town", 2025).locked
    finally:
        town.ledger.close()


def test_the_units_api_and_page_import_its_superiors_notice(web: Any, tmp_path: Path) -> None:
    """Here the web application is the unit's own server (its unit `city`); the superior is another home."""
    from api.services import filing, users

    api_admin, api_recorder = web.client("admin"), web.client("rec-north")  # tokens issued before users are cached
    ctx = context(web.server)
    admin = web.server.ledger.user("admin")
    sealed = audit.seal(ctx, admin, "city", 2025)["seal"]
    data = packages.export(ctx, admin, sealed)
    province = services_context(settings_for(tmp_path / "province"), settings_for(tmp_path / "province").ledger())
    try:
        asyncio.run(writes.import_lines(province, ME, [(1, unit("province", "省"))]))
        users.create_user(province, ME, "p-audit", "", "auditor", ["province"])
        reviewer = province.ledger.user("p-audit")
        packages.import_package(province, reviewer, data, parent="province")
        filing.return_(province, reviewer, "city", 2025, "数据口径不一致")
        returned = filing_notices.notice(province, reviewer, "city", 2025).data
        browser = web.browser("admin")
        page = browser.get("/filing?unit=city&year=2025")
        assert "导入上级回执" in page.text
        r = browser.post(
            "/filing/notice", data={"unit": "city", "year": "2025"}, files={"file": ("x.tznotice", b"{}")}
        )
        assert r.status_code == 422 and "回执" in r.text
        r = browser.post(
            "/filing/notice", data={"unit": "city", "year": "2025"}, files={"file": ("r.tznotice", returned)}
        )
        assert r.status_code == 200 and "已导入上级回执" in r.text and "数据口径不一致" in r.text, r.text[:2000]
        assert "上级退回" in r.text
        # A recorder cannot import the unit's notices; an admin by the API can (the same file: nothing new).
        assert api_recorder.post("/api/filing-notices", content=returned).status_code == 403
        again = api_admin.post("/api/filing-notices", content=returned)
        assert again.status_code == 200 and again.json()["again"] is True
        # The superior cannot approve a returned report until a newer package comes.
        with pytest.raises(Refused):
            filing.approve(province, reviewer, "city", 2025)
    finally:
        province.ledger.close()


def test_the_packages_page_leads_to_the_review_and_names_what_was_not_rolled_up(web: Any, tmp_path: Path) -> None:
    town = township(tmp_path / "town")
    try:
        data = {"code": "local.study.town", "label": "镇学法", "unit_word": "次", "kind": "study_session",
                "measure": {"type": "count"}}  # fmt: skip
        asyncio.run(writes.import_lines(town, ME, [(1, {"id": "F-1", "op": "figure", "unit": "town", "data": data})]))
        b = web.browser("aud-city")
        r = b.post("/packages", data={"parent": "city"}, files={"file": ("town.tzpkg", package(town))})
        assert r.status_code == 200 and "镇学法（local.study.town）" in r.text and "未计入本级" in r.text
        assert "/filing?unit=town&amp;year=2025" in r.text or "/filing?unit=town&year=2025" in r.text
        assert "报送审核" in b.get("/packages").text
    finally:
        town.ledger.close()


def _new_key(data: bytes) -> tuple[bytes, str]:
    """The superior's notice re-signed by a new key of its (a new server): validly signed, another key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from domain.package import notice_payload

    key = Ed25519PrivateKey.generate()
    manifest = json.loads(data)["manifest"]
    manifest["decided_at"] = "2099-01-01T00:00:00+00:00"
    manifest["superior"]["public_key"] = key.public_key().public_bytes_raw().hex()
    body = {"manifest": manifest, "signature": key.sign(notice_payload(manifest)).hex()}
    return json.dumps(body).encode(), manifest["superior"]["public_key"]


def test_the_command_line_sends_a_reopening_down_and_approves_a_new_superior_key(tmp_path: Path) -> None:
    town, district = tmp_path / "town", tmp_path / "district"
    lines = jsonl(unit("town", "华西镇"), exam("EX-1", "2025-03-01", 40, 30, 27, unit="town"))
    assert taizhang(town, "import", "-", stdin=lines).returncode == 0
    assert taizhang(district, "import", "-", stdin=jsonl(unit("district", "光华区"))).returncode == 0
    sealed = json.loads(taizhang(town, "seal", "--unit", "town", "--year", "2025").stdout)["seal"]
    pkg = tmp_path / "town.tzpkg"
    assert taizhang(town, "package", "export", "--seal", sealed, "--output", str(pkg)).returncode == 0
    # The export is the submission: the unit's status says it was sent.
    assert "已报送（待上级审核）" in taizhang(town, "filing", "status", "--unit", "town", "--year", "2025").stdout
    assert taizhang(district, "package", "import", str(pkg), "--parent", "district").returncode == 0
    assert taizhang(district, "filing", "approve", "--unit", "town", "--year", "2025").returncode == 0
    approved = tmp_path / "approved.tznotice"
    ran = taizhang(district, "filing", "notice", "--unit", "town", "--year", "2025", "-o", str(approved))
    assert ran.returncode == 0, ran.stderr
    assert taizhang(town, "filing", "receive", str(approved)).returncode == 0
    ran = taizhang(district, "filing", "reopen", "--unit", "town", "--year", "2025", "--reason", "口径有误")
    assert ran.returncode == 0, ran.stderr
    reopened = tmp_path / "reopened.tznotice"
    ran = taizhang(district, "filing", "notice", "--unit", "town", "--year", "2025", "-o", str(reopened))
    assert ran.returncode == 0 and "重新打开" in ran.stdout, ran.stderr
    ran = taizhang(town, "filing", "receive", str(reopened), "--format", "json")
    assert ran.returncode == 0, ran.stderr
    got = json.loads(ran.stdout)
    assert got["kind"] == "reopened" and got["filing"]["state"] == "reopened"
    shown = taizhang(town, "filing", "status", "--unit", "town", "--year", "2025").stdout
    assert "上级重新打开" in shown and "口径有误" in shown and "光华区" in shown

    # The superior's new key: the notice is held, the admin approves the key, the notice then imports.
    moved, key = _new_key(approved.read_bytes())
    held = tmp_path / "held.tznotice"
    held.write_bytes(moved)
    ran = taizhang(town, "filing", "receive", str(held))
    assert ran.returncode != 0 and "暂存" in ran.stderr and "approve-key" in ran.stderr
    shown = taizhang(town, "filing", "superior", "--unit", "town").stdout
    assert "暂存待确认" in shown and key in shown
    ran = taizhang(town, "filing", "approve-key", "--unit", "town", "--key", key, "--reason", " ")
    assert ran.returncode == 2 and "原因" in ran.stderr
    ran = taizhang(town, "filing", "approve-key", "--unit", "town", "--key", key, "--reason", "已电话核实")
    assert ran.returncode == 0 and key in ran.stdout, ran.stderr
    ran = taizhang(town, "filing", "receive", str(held), "--format", "json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["filing"]["state"] == "approved"
    body = json.loads(taizhang(town, "filing", "superior", "--unit", "town", "--format", "json").stdout)
    assert body["public_key"] == key and body["held"] == [] and body["key_changes"][0]["reason"] == "已电话核实"


def test_the_superiors_api_and_page_give_a_reopening_notice(web: Any, tmp_path: Path) -> None:
    town = township(tmp_path / "town")
    try:
        assert web.client("aud-city").post("/api/packages?parent=city", content=package(town)).status_code == 201
        assert web.client("aud-city").post("/api/filings/town/2025/approve", json={}).status_code == 200
        approved = web.client("aud-city").get("/api/filings/town/2025/notice").content
        r = web.client("aud-city").post("/api/filings/town/2025/reopen", json={"reason": "口径有误"})
        assert r.status_code == 200 and r.json()["state"] == "reopened", r.text
        b = web.browser("aud-city")
        assert "下载回执（已重新打开）" in b.get("/filing?unit=town&year=2025").text
        notice = b.get("/filing/notice?unit=town&year=2025")
        assert "town-2025-reopened.tznotice" in notice.headers["content-disposition"]
        filing_notices.import_notice(town, ME, approved)
        got = filing_notices.import_notice(town, ME, notice.content)
        assert got.status.state == "reopened" and not town.ledger.filing("town", 2025).locked
    finally:
        town.ledger.close()


def test_the_units_api_and_page_hold_a_notice_of_a_new_superior_key_until_the_admin_approves_it(
    web: Any, tmp_path: Path
) -> None:
    from api.services import filing, users

    api_admin, api_recorder = web.client("admin"), web.client("rec-north")
    ctx = context(web.server)
    admin = web.server.ledger.user("admin")
    data = packages.export(ctx, admin, audit.seal(ctx, admin, "city", 2025)["seal"])
    page = web.browser("admin").get("/filing?unit=city&year=2025")
    assert "已报送（待上级审核）" in page.text  # the export was the submission
    province = services_context(settings_for(tmp_path / "province"), settings_for(tmp_path / "province").ledger())
    try:
        asyncio.run(writes.import_lines(province, ME, [(1, unit("province", "省"))]))
        users.create_user(province, ME, "p-audit", "", "auditor", ["province"])
        reviewer = province.ledger.user("p-audit")
        packages.import_package(province, reviewer, data, parent="province")
        filing.return_(province, reviewer, "city", 2025, "数据口径不一致")
        returned = filing_notices.notice(province, reviewer, "city", 2025).data
        assert api_admin.post("/api/filing-notices", content=returned).status_code == 200
        moved, key = _new_key(returned)
        r = api_admin.post("/api/filing-notices", content=moved)
        assert r.status_code == 409 and "暂存" in r.text
        assert api_recorder.get("/api/filing-notices/city/superior").status_code == 403
        held = api_admin.get("/api/filing-notices/city/superior").json()["held"]
        assert [h["public_key"] for h in held] == [key]
        # The page flags it, with the approval form; a reason is required.
        b = web.browser("admin")
        page = b.get("/filing?unit=city&year=2025")
        assert "上级回执暂存待确认" in page.text and key in page.text and 'action="/filing/approve-key"' in page.text
        r = b.post("/filing/approve-key", data={"unit": "city", "year": "2025", "key": key, "reason": ""})
        assert r.status_code == 422 and "原因" in r.text
        r = api_admin.post("/api/filing-notices/key", json={"unit": "city", "key": "ab" * 32, "reason": "x"})
        assert r.status_code == 409
        r = api_recorder.post("/api/filing-notices/key", json={"unit": "city", "key": key, "reason": "x"})
        assert r.status_code == 403
        r = b.post("/filing/approve-key", data={"unit": "city", "year": "2025", "key": key, "reason": "已电话核实"})
        assert r.status_code == 200 and "已批准上级的新签名密钥" in r.text and "上级回执暂存待确认" not in r.text
        r = api_admin.post("/api/filing-notices", content=moved)
        assert r.status_code == 200 and r.json()["public_key"] == key, r.text
        changes = api_admin.get("/api/filing-notices/city/superior").json()["key_changes"]
        assert [(c["now"], c["by"], c["reason"]) for c in changes] == [(key, "admin", "已电话核实")]
    finally:
        province.ledger.close()
