"""A superior reviews a unit on its own server: the district's reviewer returns (with a reason) or approves the
township's report that came as a package, recorded on the district's ledger and shown in its progress; a signed
notice (回执) carries the decision down, and the township's taizhang imports it, verified: a return with its
reason, an approval that locks the township's year as an approval on one ledger does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import exam, services_context, settings_for, study, unit
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.infra import notice_file
from api.services import audit, filing, filing_notices, packages, users, writes
from api.services.context import Context, Unrestricted
from api.services.refusals import Refused
from domain.package import notice_payload

SETUP = Unrestricted("setup")


def home(path: Path, people: list[tuple[str, str, list[str]]], *lines: dict) -> Context:
    settings = settings_for(path)
    ctx = services_context(settings, settings.ledger())
    asyncio.run(writes.import_lines(ctx, SETUP, list(enumerate(lines, 1))))
    for name, role, units in people:
        users.create_user(ctx, SETUP, name, "", role, units)
    return ctx


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Context]:
    ctx = home(
        tmp_path / "town",
        [("t-admin", "admin", []), ("t-clerk", "recorder", ["town"])],
        unit("town", "华西镇"),
        exam("EX-1", "2025-03-01", 40, 30, 27, unit="town"),
    )
    yield ctx
    ctx.ledger.close()


@pytest.fixture
def district(tmp_path: Path) -> Iterator[Context]:
    ctx = home(
        tmp_path / "district",
        [("d-audit", "auditor", ["district"]), ("d-clerk", "recorder", ["district"]), ("d-admin", "admin", [])],
        unit("city", "市"),
        unit("district", "光华区", parent="city"),
        unit("other", "另一区", parent="city"),
        exam("EX-9", "2025-03-01", 10, 10, 2, unit="district"),
    )
    users.create_user(ctx, SETUP, "o-audit", "", "auditor", ["other"])
    yield ctx
    ctx.ledger.close()


def who(ctx: Context, name: str):
    return ctx.ledger.user(name)


def refusal(call) -> Refused:
    with pytest.raises(Refused) as e:
        call()
    return e.value


def send(town: Context, district: Context, first: bool = False) -> str:
    sealed = audit.seal(town, who(town, "t-admin"), "town", 2025)
    data = packages.export(town, who(town, "t-admin"), sealed["seal"])
    packages.import_package(district, who(district, "d-audit"), data, parent="district" if first else None)
    return sealed["seal"]


def row(district: Context, unit_code: str = "town") -> dict:
    p = filing.progress(district, who(district, "d-audit"), "district", 2025).to_json()
    return next(u for u in p["units"] if u["unit"] == unit_code)


def test_the_superior_returns_then_approves_a_remote_unit_and_the_unit_learns_both(
    town: Context, district: Context
) -> None:
    first_seal = send(town, district, first=True)
    assert row(district)["state"] == "submitted" and row(district)["remote"]
    reviewer = who(district, "d-audit")
    # The same rules as on one ledger: a reviewer of an ancestor, a reason to return.
    assert refusal(lambda: filing.approve(district, who(district, "d-clerk"), "town", 2025)).kind == "forbidden"
    assert refusal(lambda: filing.approve(district, who(district, "o-audit"), "town", 2025)).kind == "forbidden"
    assert refusal(lambda: filing.return_(district, reviewer, "town", 2025, " ")).errors[0]["field"] == "reason"
    assert refusal(lambda: filing.submit(district, who(district, "d-admin"), "town", 2025)).kind == "not_found"
    back = filing.return_(district, reviewer, "town", 2025, "考试通过率与记录不符")
    assert back.state == "returned" and back.seal == first_seal
    r = row(district)
    assert r["state"] == "returned" and r["returned_on"] and r["submitted_on"]
    # Nothing to say after the last decision was undone, nor for a unit of this ledger.
    assert refusal(lambda: filing_notices.notice(district, reviewer, "district", 2025)).kind == "invalid"
    returned = filing_notices.notice(district, reviewer, "town", 2025)
    assert returned.kind == "returned" and returned.filename == "town-2025-returned.tznotice"

    # The township imports it: the return and its reason are in its register, the superior's key pinned.
    t_admin = who(town, "t-admin")
    assert refusal(lambda: filing_notices.import_notice(town, who(town, "t-clerk"), returned.data)).kind == "forbidden"
    got = filing_notices.import_notice(town, t_admin, returned.data)
    assert got.kind == "returned" and got.first and got.superior == "district"
    assert got.status.state == "returned"
    last = got.status.entries[-1]
    assert (last.label, last.by, last.text, last.seal) == ("上级退回", "t-admin", "考试通过率与记录不符", first_seal)
    assert last.detail["reviewer"] == "d-audit" and last.detail["superior_name"] == "光华区"
    assert filing_notices.import_notice(town, t_admin, returned.data).again  # the same file: nothing written
    assert len(filing.status(town, t_admin, "town", 2025).entries) == len(got.status.entries)
    # Not yet locked: the township corrects and sends again.
    asyncio.run(writes.import_lines(town, who(town, "t-clerk"), [(1, study("ST-1", "2025-05-01", unit="town"))]))
    second_seal = send(town, district)
    assert row(district)["state"] == "resubmitted"
    done = filing.approve(district, reviewer, "town", 2025, "同意")
    assert done.state == "approved" and done.approved_seal == second_seal
    assert row(district)["approved_on"]
    approved = filing_notices.notice(district, reviewer, "town", 2025)
    got = filing_notices.import_notice(town, t_admin, approved.data)
    assert got.status.state == "approved" and got.status.approved_seal == second_seal and not got.first
    # The township's year is locked as an approval on one ledger locks it.
    with pytest.raises(Refused) as e:
        asyncio.run(writes.import_lines(town, who(town, "t-clerk"), [(1, study("ST-2", "2025-06-01", unit="town"))]))
    assert e.value.errors[0]["field"] == "late_reason"
    # An older decision imported after a newer one is refused (the register keeps its order).
    stale = refusal(lambda: filing_notices.import_notice(town, t_admin, _reencoded(returned.data, town)))
    assert stale.kind in ("conflict", "invalid")


def _reencoded(data: bytes, town: Context) -> bytes:
    """The same notice re-encoded: another file, the same signed content."""
    body = json.loads(data)
    return json.dumps(body, ensure_ascii=True).encode()


def test_a_notice_altered_signed_by_another_key_or_about_another_seal_is_refused(
    town: Context, district: Context
) -> None:
    send(town, district, first=True)
    reviewer = who(district, "d-audit")
    filing.return_(district, reviewer, "town", 2025, "缺少会议记录")
    good = filing_notices.notice(district, reviewer, "town", 2025).data
    t_admin = who(town, "t-admin")

    body = json.loads(good)
    body["manifest"]["kind"] = "approved"  # altered: the signature no longer holds
    e = refusal(lambda: filing_notices.import_notice(town, t_admin, json.dumps(body).encode()))
    assert e.kind == "invalid" and {x["field"] for x in e.errors} == {"signature"}
    assert town.ledger.filing("town", 2025).state == "submitted"  # nothing recorded (the export submitted it)

    body = json.loads(good)
    body["manifest"]["seal"] = "00000000-0000-0000-0000-000000000001"
    e = refusal(lambda: filing_notices.import_notice(town, t_admin, json.dumps(body).encode()))
    assert {x["field"] for x in e.errors} == {"signature", "seal"}

    assert refusal(lambda: filing_notices.import_notice(town, t_admin, b"not json")).kind == "invalid"

    assert filing_notices.import_notice(town, t_admin, good).first  # pins the district's key
    # Someone else's key, validly signed: refused, the pinned key stands.
    other = Ed25519PrivateKey.generate()
    forged = json.loads(good)["manifest"]
    forged["kind"], forged["text"], forged["decided_at"] = "approved", "", "2099-01-01T00:00:00+00:00"
    forged["superior"]["public_key"] = other.public_key().public_bytes_raw().hex()
    signature = other.sign(notice_payload(forged)).hex()
    file = json.dumps({"manifest": forged, "signature": signature}).encode()
    e = refusal(lambda: filing_notices.import_notice(town, t_admin, file))
    assert e.kind == "conflict" and e.field == "key"
    assert town.ledger.filing("town", 2025).state == "returned"


def test_a_remote_units_package_waiting_for_review_is_due_for_its_reviewers_only(
    town: Context, district: Context
) -> None:
    send(town, district, first=True)

    def reviews(name: str) -> list[tuple[str, str]]:
        return [(d.unit, d.action) for d in filing.due(district, who(district, name), 2025) if d.action == "review"]

    assert reviews("d-audit") == [("town", "review")]
    assert reviews("o-audit") == []  # another district's reviewer
    filing.approve(district, who(district, "d-audit"), "town", 2025)
    assert reviews("d-audit") == []


def test_a_superiors_deadline_for_its_units_covers_a_remote_one(town: Context, district: Context) -> None:
    from datetime import date

    send(town, district, first=True)
    set_for = filing.set_deadline(district, who(district, "d-audit"), "district", 2025, date(2026, 2, 15), True)
    assert [(s.unit, s.due) for s in set_for] == [("town", date(2026, 2, 15))]
    assert row(district)["due"] == "2026-02-15"


def test_the_first_notice_can_be_required_to_carry_the_key_the_superior_gave_otherwise(
    town: Context, district: Context
) -> None:
    send(town, district, first=True)
    reviewer = who(district, "d-audit")
    filing.return_(district, reviewer, "town", 2025, "缺少会议记录")
    data = filing_notices.notice(district, reviewer, "town", 2025).data
    real = json.loads(data)["manifest"]["superior"]["public_key"]
    t_admin = who(town, "t-admin")
    e = refusal(lambda: filing_notices.import_notice(town, t_admin, data, key="ab" * 32))
    assert e.kind == "conflict" and e.field == "key"
    assert town.ledger.filing("town", 2025).state == "submitted"
    assert filing_notices.import_notice(town, t_admin, data, key=real.upper()).first


def test_a_reopening_by_the_superior_is_sent_down_and_unlocks_the_units_year(town: Context, district: Context) -> None:
    first_seal = send(town, district, first=True)
    reviewer, t_admin = who(district, "d-audit"), who(town, "t-admin")
    filing.approve(district, reviewer, "town", 2025, "同意")
    approved = filing_notices.notice(district, reviewer, "town", 2025)
    assert refusal(lambda: filing.reopen(district, reviewer, "town", 2025, " ")).errors[0]["field"] == "reason"
    filing.reopen(district, reviewer, "town", 2025, "发现考试人数统计口径有误")
    reopened = filing_notices.notice(district, reviewer, "town", 2025)
    assert reopened.kind == "reopened" and reopened.filename == "town-2025-reopened.tznotice"
    # A reopening of a year the unit does not hold as approved is refused: nothing recorded.
    e = refusal(lambda: filing_notices.import_notice(town, t_admin, reopened.data))
    assert e.kind == "invalid" and e.errors[0]["field"] == "state"
    assert filing.status(town, t_admin, "town", 2025).state == "submitted"
    assert filing_notices.import_notice(town, t_admin, approved.data).status.state == "approved"
    late = [(1, study("ST-2", "2025-06-01", unit="town"))]
    with pytest.raises(Refused) as locked:
        asyncio.run(writes.import_lines(town, who(town, "t-clerk"), late))
    assert locked.value.errors[0]["field"] == "late_reason"

    # A reopening must be about the seal approved here (signed by the superior's own key, yet another seal).
    other = audit.seal(town, t_admin, "town", 2025)["seal"]
    manifest = {**json.loads(reopened.data)["manifest"], "seal": other, "seal_root": ""}
    signer = district.keys.signer("district", district.ledger.suite())
    forged = notice_file.write(manifest, signer.sign(notice_payload(manifest)))
    e = refusal(lambda: filing_notices.import_notice(town, t_admin, forged))
    assert e.kind == "invalid" and e.errors[0]["field"] == "seal"
    got = filing_notices.import_notice(town, t_admin, reopened.data)
    assert got.kind == "reopened" and got.status.state == "reopened"
    last = got.status.entries[-1]
    assert (last.label, last.by, last.seal) == ("上级重新打开", "t-admin", first_seal)
    assert last.text == "发现考试人数统计口径有误"
    assert last.detail["reviewer"] == "d-audit" and last.detail["superior"] == "district"
    assert not town.ledger.filing("town", 2025).locked
    asyncio.run(writes.import_lines(town, who(town, "t-clerk"), late))  # no 报后更正 reason needed any more
    # A notice altered to say "reopened" does not verify.
    body = json.loads(approved.data)
    body["manifest"]["kind"] = "reopened"
    e = refusal(lambda: filing_notices.import_notice(town, t_admin, json.dumps(body).encode()))
    assert {x["field"] for x in e.errors} == {"signature"}
    # The unit sends again; the superior receives it as a resubmission of the reopened year.
    send(town, district)
    assert filing.status(town, t_admin, "town", 2025).state == "resubmitted"
    assert row(district)["state"] == "resubmitted"


def _signed_by_new_key(data: bytes, **changes: object) -> tuple[bytes, str]:
    """The superior's notice as signed by a new key of its (a new server): validly signed, another key."""
    key = Ed25519PrivateKey.generate()
    manifest = json.loads(data)["manifest"]
    manifest.update(changes)
    manifest["superior"]["public_key"] = key.public_key().public_bytes_raw().hex()
    signature = key.sign(notice_payload(manifest)).hex()
    return json.dumps({"manifest": manifest, "signature": signature}).encode(), manifest["superior"]["public_key"]


def test_a_notice_signed_by_a_new_key_is_held_until_the_units_admin_approves_the_key(
    town: Context, district: Context
) -> None:
    send(town, district, first=True)
    reviewer, t_admin, t_clerk = who(district, "d-audit"), who(town, "t-admin"), who(town, "t-clerk")
    filing.return_(district, reviewer, "town", 2025, "缺少会议记录")
    returned = filing_notices.notice(district, reviewer, "town", 2025).data
    assert refusal(lambda: filing_notices.approve_key(town, t_admin, "town", "ab" * 32, "x")).kind == "not_found"
    old_key = filing_notices.import_notice(town, t_admin, returned).public_key
    assert filing_notices.superior_of(town, t_admin, "town").held == []

    moved, new_key = _signed_by_new_key(returned, kind="approved", text="同意", decided_at="2099-01-01T00:00:00+00:00")
    e = refusal(lambda: filing_notices.import_notice(town, t_admin, moved))
    assert e.kind == "conflict" and e.field == "key" and "暂存" in e.detail and new_key in e.detail
    assert filing.status(town, t_admin, "town", 2025).state == "returned"  # not imported
    held = filing_notices.superior_of(town, t_admin, "town")
    assert held.public_key == old_key
    assert [(h["public_key"], h["kind"], h["year"], h["recorded_by"]) for h in held.held] == [
        (new_key, "approved", 2025, "t-admin")
    ]
    refusal(lambda: filing_notices.import_notice(town, t_admin, moved))
    assert len(filing_notices.superior_of(town, t_admin, "town").held) == 1  # held once per file
    assert refusal(lambda: filing_notices.superior_of(town, t_clerk, "town")).kind == "forbidden"
    # Flagged in the admin's reminders digest too, until the key is approved.
    from api.services import reminders

    def flagged() -> list[tuple[str, str, int]]:
        return [(d.unit, d.action, d.year) for d in filing.due(town, t_admin, 2025) if d.action == "key"]

    assert flagged() == [("town", "key", 2025)]
    assert "上级回执暂存待确认" in reminders.digest(town, t_admin).text()

    # Only the unit's admin approves, with a reason, the key of a held notice.
    assert refusal(lambda: filing_notices.approve_key(town, t_clerk, "town", new_key, "已电话核实")).kind == "forbidden"
    e = refusal(lambda: filing_notices.approve_key(town, t_admin, "town", "zz", " "))
    assert e.kind == "invalid" and {x["field"] for x in e.errors} == {"key", "reason"}
    assert refusal(lambda: filing_notices.approve_key(town, t_admin, "town", old_key, "x")).field == "key"
    e = refusal(lambda: filing_notices.approve_key(town, t_admin, "town", "cd" * 32, "已电话核实"))
    assert e.kind == "conflict" and e.field == "key"
    done = filing_notices.approve_key(town, t_admin, "town", new_key.upper(), "已电话核实，区里更换了服务器")
    assert done.public_key == new_key and done.held == [] and flagged() == []
    assert [(k["was"], k["now"], k["by"], k["reason"]) for k in done.key_changes] == [
        (old_key, new_key, "t-admin", "已电话核实，区里更换了服务器")
    ]
    # The held notice now imports; one signed by the old key is the one held now.
    got = filing_notices.import_notice(town, t_admin, moved)
    assert got.status.state == "approved" and got.public_key == new_key and not got.first
    e = refusal(lambda: filing_notices.import_notice(town, t_admin, _reencoded(returned, town)))
    assert e.kind == "conflict" and e.field == "key"
    assert [h["public_key"] for h in filing_notices.superior_of(town, t_admin, "town").held] == [old_key]


def test_exporting_a_package_is_the_units_submission(tmp_path: Path, district: Context) -> None:
    import hashlib
    from datetime import date

    ctx = home(
        tmp_path / "town2",
        [("t-admin", "admin", []), ("t-clerk", "recorder", ["town"])],
        unit("town", "华西镇"),
        unit("office", "镇司法所", parent="town"),
        exam("EX-1", "2025-03-01", 40, 30, 27, unit="town"),
        exam("EX-2", "2025-03-01", 8, 8, 8, unit="office"),
    )
    try:
        t_admin = who(ctx, "t-admin")
        near = date(2026, 2, 20)

        def due(unit_code: str) -> list[str]:
            return [d.action for d in filing.due(ctx, t_admin, 2025, near) if d.unit == unit_code]

        assert "submit" in due("town")
        sealed = audit.seal(ctx, t_admin, "town", 2025)["seal"]
        data = packages.export(ctx, t_admin, sealed)
        s = filing.status(ctx, t_admin, "town", 2025)
        assert (s.state, s.state_label, s.seal, s.submitted) == ("submitted", "已报送（待上级审核）", sealed, True)
        sent = s.entries[-1]
        assert (sent.event, sent.by, sent.seal) == ("Submitted", "t-admin", sealed)
        assert sent.detail["package_sha256"] == hashlib.sha256(data).hexdigest()
        assert "submit" not in due("town")
        packages.export(ctx, t_admin, sealed)  # the same seal downloaded again: no second submission
        assert len(filing.status(ctx, t_admin, "town", 2025).entries) == len(s.entries)

        # The superior returns it; the notice moves the unit's filing to returned, a new package to resubmitted.
        packages.import_package(district, who(district, "d-audit"), data, parent="district")
        filing.return_(district, who(district, "d-audit"), "town", 2025, "缺少会议记录")
        notice = filing_notices.notice(district, who(district, "d-audit"), "town", 2025).data
        assert filing_notices.import_notice(ctx, t_admin, notice).status.state == "returned"
        newer = audit.seal(ctx, t_admin, "town", 2025)["seal"]
        packages.export(ctx, t_admin, newer)
        s = filing.status(ctx, t_admin, "town", 2025)
        assert (s.state, s.state_label, s.seal) == ("resubmitted", "已重新报送（待上级审核）", newer)

        # The progress of a unit above says so too.
        office = audit.seal(ctx, t_admin, "office", 2025)["seal"]
        packages.export(ctx, t_admin, office)
        rows = filing.progress(ctx, t_admin, "town", 2025).to_json()["units"]
        r = next(x for x in rows if x["unit"] == "office")
        assert (r["state"], r["state_label"]) == ("submitted", "已报送（待上级审核）") and r["submitted_on"]
    finally:
        ctx.ledger.close()
