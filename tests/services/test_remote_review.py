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
    assert town.ledger.filing("town", 2025) is None  # nothing recorded

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
    assert town.ledger.filing("town", 2025) is None
    assert filing_notices.import_notice(town, t_admin, data, key=real.upper()).first
