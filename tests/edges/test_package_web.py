"""Report packages over HTTP: a township's package uploaded to the city's server by the API and by the page,
listed with who imported it, rolled into the city's figures; reviewers of other units are refused."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from conftest import exam, services_context, settings_for, unit

from api.services import audit, packages, writes
from api.services.context import Unrestricted


def township_package(home: Path) -> tuple[bytes, str]:
    ctx = services_context(settings_for(home), settings_for(home).ledger())
    me = Unrestricted("镇管理员")
    lines = [unit("town", "华西镇"), exam("EX-1", "2025-03-01", 40, 30, 27, unit="town")]
    asyncio.run(writes.import_lines(ctx, me, list(enumerate(lines, 1))))
    sealed = audit.seal(ctx, me, "town", 2025)
    data = packages.export(ctx, me, sealed["seal"])
    ctx.ledger.close()
    return data, sealed["seal"]


def test_a_package_is_imported_by_the_api_and_shown_on_the_page(web: Any, tmp_path: Path) -> None:
    data, seal = township_package(tmp_path / "town")
    before = web.client("aud-city").get("/api/reports/city/2025").json()  # cached by the server's read model
    assert before["figures"]["exam.participants"]["value"] == 0
    south = web.client("aud-south").post("/api/packages?parent=city", content=data)
    assert south.status_code == 403
    r = web.client("aud-city").post("/api/packages?parent=city", content=data)
    assert r.status_code == 201, r.text
    assert r.json()["unit"] == "town" and r.json()["first"] is True
    listed = web.client("aud-city").get("/api/packages").json()
    assert listed[0]["packages"][0]["recorded_by"] == "aud-city"
    report = web.client("aud-city").get("/api/reports/city/2025").json()
    assert report["figures"]["exam.participants"]["value"] == 30
    page = web.browser("aud-city").get("/packages")
    assert page.status_code == 200 and "华西镇" in page.text and seal in page.text
    assert web.client("aud-city").get(f"/packages/town/{seal}").content == data
    # The city's 报送进度 page lists the township beside its own centres, submitted by package.
    progress = web.browser("aud-city").get("/progress?unit=city&year=2025")
    assert progress.status_code == 200 and '华西镇</a> <span class="badge"' in progress.text
    assert "已收到报送包" in progress.text


def test_the_page_refuses_an_altered_file_and_names_the_fault(web: Any, tmp_path: Path) -> None:
    data, _ = township_package(tmp_path / "town")
    browser = web.browser("aud-city")
    r = browser.post("/packages", data={"parent": "city"}, files={"file": ("town.tzpkg", data[:-200] + b"x" * 200)})
    assert r.status_code == 422 and "报送包" in r.text
    r = browser.post("/packages", data={"parent": "city"}, files={"file": ("town.tzpkg", data)})
    assert r.status_code == 200 and "已导入 华西镇" in r.text


def test_a_seal_package_downloads_from_the_unit_server(web: Any) -> None:
    admin = web.client("admin")
    line = exam("EX-1", "2025-03-01", 10, 10, 9, unit="north")
    recorded = admin.post("/api/records", json={k: line[k] for k in ("unit", "kind", "ref", "date", "data")})
    assert recorded.status_code == 201, recorded.text
    sealed = admin.post("/api/seals", json={"unit": "north", "year": 2025})
    assert sealed.status_code == 201, sealed.text
    r = admin.get(f"/api/seals/{sealed.json()['seal']}/package")
    assert r.status_code == 200 and r.content.startswith(b"PK")
    assert web.client("rec-north").get(f"/api/seals/{sealed.json()['seal']}/package").status_code == 403


def test_the_reminders_page_shows_the_users_overdue_items(web: Any) -> None:
    from conftest import petition

    line = petition("XF-1", "2025-01-06", unit="north")
    r = web.client("admin").post("/api/records", json={k: line[k] for k in ("unit", "kind", "ref", "date", "data")})
    assert r.status_code == 201, r.text
    browser = web.browser("rec-north")
    page = browser.get("/reminders")
    assert page.status_code == 200 and "XF-1" in page.text and "已超期" in page.text
    assert "XF-1" not in web.browser("rec-south").get("/reminders").text
    digest = browser.get("/api/reminders").json()
    assert digest["type"] == "taizhang.digest" and digest["items"][0]["ref"] == "XF-1"
    assert digest["items"][0]["status"] == "overdue"


def test_a_key_change_is_shown_on_the_page_and_approved_there_with_a_reason(web: Any, tmp_path: Path) -> None:
    import io
    import json
    import zipfile

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from api.infra.keys import Keys
    from domain.package import package_manifest_payload
    from domain.seal import canonical_json, seal_payload

    data, _ = township_package(tmp_path / "town")
    auditor = web.client("aud-city")
    assert auditor.post("/api/packages?parent=city", content=data).status_code == 201
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    manifest, report = json.loads(files["manifest.json"]), json.loads(files["report.json"])
    new_key = Ed25519PrivateKey.generate()
    s = manifest["seal"]
    s["public_key"] = Keys.public_hex(new_key)
    payload = seal_payload(manifest["unit"], manifest["year"], s["as_of"], s["size"], s["root"], report)
    s["signature"] = new_key.sign(payload).hex()
    files["manifest.json"] = canonical_json(manifest)
    files["manifest.sig"] = new_key.sign(package_manifest_payload(manifest)).hex().encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, body in files.items():
            z.writestr(n, body)
    resigned = buf.getvalue()
    assert auditor.post("/api/packages", content=resigned).status_code == 409
    browser = web.browser("aud-city")
    page = browser.get("/packages")
    assert "签名密钥与登记的不同" in page.text and "批准更换密钥" in page.text
    empty = browser.post("/packages/town/key", data={"key": Keys.public_hex(new_key), "reason": ""})
    assert empty.status_code == 422 and "原因" in empty.text
    ok = browser.post("/packages/town/key", data={"key": Keys.public_hex(new_key), "reason": "镇里换了服务器"})
    assert ok.status_code == 200 and "已批准" in ok.text
    assert auditor.post("/api/packages", content=resigned).status_code == 201
    listed = auditor.get("/api/packages").json()[0]
    assert listed["key_changes"][0]["by"] == "aud-city" and listed["public_key"] == Keys.public_hex(new_key)
