"""Report packages across two separate homes: a township on its own server seals and exports its year, the
district's taizhang imports the file, verifies it offline and rolls the township's figures up; a tampered
package, one signed by another key, and one whose log was rewritten are refused (the last two flagged)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import exam, services_context, settings_for, study, unit
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.infra.keys import Keys
from api.services import audit, packages, reads, writes
from api.services.context import Context, Unrestricted
from api.services.refusals import Refused
from domain.package import package_manifest_payload
from domain.seal import canonical_json, seal_payload
from projections import merkle
from projections.breakdown import breakdown

ME = Unrestricted("审核员")


def home(path: Path, *lines: dict) -> Context:
    ctx = services_context(settings_for(path), settings_for(path).ledger())
    add(ctx, *lines)
    return ctx


def add(ctx: Context, *lines: dict) -> None:
    asyncio.run(writes.import_lines(ctx, ME, list(enumerate(lines, 1))))


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Context]:
    """The township's own server: itself and a village under it, exams and a study session in 2025."""
    ctx = home(
        tmp_path / "town",
        unit("town", "华西镇"),
        unit("village", "华西村", parent="town"),
        exam("EX-1", "2025-03-01", 40, 30, 27, unit="town"),
        exam("EX-2", "2025-04-01", 20, 10, 5, unit="village"),
        study("ST-1", "2025-05-01", unit="town"),
    )
    yield ctx
    ctx.ledger.close()


@pytest.fixture
def district(tmp_path: Path) -> Iterator[Context]:
    ctx = home(
        tmp_path / "district", unit("district", "光华区"), exam("EX-9", "2025-03-01", 10, 10, 2, unit="district")
    )
    yield ctx
    ctx.ledger.close()


def package_of(ctx: Context, unit_code: str = "town", year: int = 2025) -> bytes:
    sealed = audit.seal(ctx, ME, unit_code, year)
    return packages.export(ctx, ME, sealed["seal"])


def figure(ctx: Context, fid: str, unit_code: str = "district", as_of: datetime | None = None) -> dict[str, Any]:
    return reads.report(ctx, ME, unit_code, 2025, as_of).to_json()["figures"][fid]


def refusal(call) -> Refused:
    with pytest.raises(Refused) as e:
        call()
    return e.value


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, body in files.items():
            z.writestr(name, body)
    return buf.getvalue()


def test_a_townships_package_is_verified_and_rolled_up_with_rates_from_summed_parts(
    town: Context, district: Context
) -> None:
    data = package_of(town)
    before = datetime.now(UTC)
    got = packages.import_package(district, ME, data, parent="district")
    assert (got.unit, got.name, got.parent, got.year, got.first) == ("town", "华西镇", "district", 2025, True)
    # The pass rate is recomputed from the summed parts, not averaged: (2 + 27 + 5) / (10 + 30 + 10).
    rate = figure(district, "exam.pass_rate")
    assert rate["value"] == 68.0
    assert figure(district, "exam.participants")["value"] == 50
    assert "town/EX-1" in rate["sources"] and "town/village/EX-2" in rate["sources"] and "EX-9" in rate["sources"]
    # The roll-up breakdown (DOCX, XLSX) has the township as a row, with its sealed values.
    report = reads.report(district, ME, "district", 2025, None)
    rows = district.read(lambda m: breakdown(m.con, report, None, district.settings.tz))
    assert [(r.unit, r.name, r.own) for r in rows] == [("district", "光华区", True), ("town", "华西镇", False)]
    assert rows[1].values["study.sessions"] == 1
    # As of before the import, the district's figures are its own.
    assert figure(district, "exam.pass_rate", as_of=before)["value"] == 20.0
    # The package is kept on the ledger with who imported it; importing it again writes nothing.
    (remote,) = packages.remote_units(district, ME)
    assert remote.packages[0]["recorded_by"] == "审核员" and remote.public_key == Keys(town.settings.home).public_hex(
        Keys(town.settings.home).private("town")
    )
    assert packages.import_package(district, ME, data).again
    assert len(packages.remote_units(district, ME)[0].packages) == 1
    # The district's own seal covers the rolled-up figures, and its verification (rebuilt from its event store)
    # reproduces them.
    audit.seal(district, ME, "district", 2025)
    assert audit.verify(district, ME).ok


def test_the_package_carries_its_docx_report_json_and_the_seals_facts(town: Context) -> None:
    files = members(package_of(town))
    manifest = json.loads(files["manifest.json"])
    assert files["report.docx"].startswith(b"PK")
    assert hashlib.sha256(files["report.docx"]).hexdigest() == manifest["docx_sha256"]
    report = json.loads(files["report.json"])
    assert report["log"] == {"size": manifest["seal"]["size"], "root": manifest["seal"]["root"]}
    assert manifest["parts"]["exam.pass_rate"][:2] == [32, 40]


def test_a_tampered_package_is_refused_naming_what_was_altered_and_nothing_is_recorded(
    town: Context, district: Context
) -> None:
    files = members(package_of(town))
    report = json.loads(files["report.json"])
    report["figures"]["exam.participants"]["value"] = 400
    tampered = rezip({**files, "report.json": canonical_json(report)})
    e = refusal(lambda: packages.import_package(district, ME, tampered, parent="district"))
    assert e.kind == "invalid" and {"report", "seal"} <= {x["field"] for x in e.errors}
    manifest = json.loads(files["manifest.json"])
    manifest["parts"]["exam.participants"][0] = 400  # parts edited to match: the package signature breaks
    e = refusal(
        lambda: packages.import_package(
            district, ME, rezip({**files, "manifest.json": canonical_json(manifest)}), parent="district"
        )
    )
    assert "signature" in {x["field"] for x in e.errors}
    assert refusal(lambda: packages.import_package(district, ME, b"not a zip", parent="district")).kind == "invalid"
    assert packages.remote_units(district, ME) == []
    assert figure(district, "exam.participants")["value"] == 10


def resigned(data: bytes, key: Ed25519PrivateKey) -> bytes:
    """The same package, seal and manifest signed again with another key (a forger, or a new server's key)."""
    files = members(data)
    manifest = json.loads(files["manifest.json"])
    report = json.loads(files["report.json"])
    s = manifest["seal"]
    s["public_key"] = Keys.public_hex(key)
    s["signature"] = key.sign(
        seal_payload(manifest["unit"], manifest["year"], s["as_of"], s["size"], s["root"], report)
    ).hex()
    signature = key.sign(package_manifest_payload(manifest)).hex()
    return rezip({**files, "manifest.json": canonical_json(manifest), "manifest.sig": signature.encode()})


def test_a_package_signed_by_another_key_is_refused_until_a_reviewer_approves_the_key(
    town: Context, district: Context
) -> None:
    packages.import_package(district, ME, package_of(town), parent="district")
    add(town, study("ST-2", "2025-06-01", unit="town"))
    other = Ed25519PrivateKey.generate()
    forged = resigned(package_of(town), other)
    e = refusal(lambda: packages.import_package(district, ME, forged))
    assert e.kind == "conflict" and e.field == "key"
    (remote,) = packages.remote_units(district, ME)
    assert [r["reason"] for r in remote.refusals] == ["key"] and remote.refusals[0]["public_key"] == Keys.public_hex(
        other
    )
    assert figure(district, "study.sessions")["value"] == 1  # still the first package's one session
    bad = refusal(lambda: packages.approve_key(district, ME, "town", Keys.public_hex(other), " "))
    assert [x["field"] for x in bad.errors] == ["reason"]
    packages.approve_key(district, ME, "town", Keys.public_hex(other), "镇里更换了服务器")
    packages.import_package(district, ME, forged)
    remote = packages.remote_units(district, ME)[0]
    assert remote.key_changes[0]["reason"] == "镇里更换了服务器" and remote.key_changes[0]["by"] == "审核员"
    assert figure(district, "study.sessions")["value"] == 2


def forged_town(tmp_path: Path, town: Context, passed: int) -> Context:
    """The township's server rebuilt with the same number of lines but other history, its key copied over."""
    forged_home = tmp_path / "forged"
    forged_home.mkdir()
    shutil.copytree(town.settings.home / "keys", forged_home / "keys")
    return home(
        forged_home,
        unit("town", "华西镇"),
        unit("village", "华西村", parent="town"),
        exam("EX-1", "2025-03-01", 40, 40, passed, unit="town"),
        exam("EX-2", "2025-04-01", 20, 10, 5, unit="village"),
        study("ST-1", "2025-05-01", unit="town"),
    )


def test_a_newer_package_proves_the_log_only_grew(town: Context, district: Context) -> None:
    packages.import_package(district, ME, package_of(town), parent="district")
    first_size = packages.remote_units(district, ME)[0].size
    add(town, exam("EX-3", "2025-07-01", 10, 10, 10, unit="town"))
    newer = package_of(town)
    assert [p["size"] for p in json.loads(members(newer)["manifest.json"])["proofs"]] == [first_size]
    packages.import_package(district, ME, newer)
    remote = packages.remote_units(district, ME)[0]
    assert remote.size > first_size and len(remote.packages) == 2 and remote.refusals == []
    assert figure(district, "exam.participants")["value"] == 60  # the newer package only, not both


def test_a_rewritten_log_whose_consistency_proof_fails_is_refused_and_flagged(
    town: Context, district: Context, tmp_path: Path
) -> None:
    packages.import_package(district, ME, package_of(town), parent="district")
    witnessed = packages.remote_units(district, ME)[0]
    forged = forged_town(tmp_path, town, passed=40)
    sealed = audit.seal(forged, ME, "town", 2025)  # same size as the witnessed seal, other events
    assert sealed["size"] == witnessed.size and sealed["root"] != witnessed.root
    add(forged, exam("EX-3", "2025-07-01", 10, 10, 10, unit="town"))
    rewritten = package_of(forged)  # carries a proof from that size: it cannot link to the witnessed root
    e = refusal(lambda: packages.import_package(district, ME, rewritten))
    assert e.kind == "conflict" and "一致性证明不成立" in e.detail and "改写" in e.detail
    remote = packages.remote_units(district, ME)[0]
    assert [r["reason"] for r in remote.refusals] == ["rewrite"] and remote.refusals[0]["recorded_by"] == "审核员"
    assert remote.size == witnessed.size and len(remote.packages) == 1
    assert figure(district, "exam.participants")["value"] == 50  # the forged figures are not rolled up
    # The same size but another root, imported directly: also a rewrite.
    e = refusal(lambda: packages.import_package(district, ME, packages.export(forged, ME, sealed["seal"])))
    assert e.kind == "conflict" and "日志被改写" in e.detail
    forged.ledger.close()


def test_a_newer_package_without_a_proof_from_the_witnessed_log_is_refused(
    town: Context, district: Context, tmp_path: Path
) -> None:
    packages.import_package(district, ME, package_of(town), parent="district")
    forged = forged_town(tmp_path, town, passed=33)
    add(forged, exam("EX-3", "2025-07-01", 10, 10, 10, unit="town"))
    e = refusal(lambda: packages.import_package(district, ME, package_of(forged)))
    assert e.kind == "conflict" and "无法证明日志只增未改" in e.detail
    assert packages.remote_units(district, ME)[0].refusals[0]["reason"] == "rewrite"
    forged.ledger.close()


def test_consistency_is_checked_against_what_was_witnessed_whatever_the_order_packages_come_in(
    town: Context, district: Context
) -> None:
    older = package_of(town)
    add(town, study("ST-2", "2025-06-01", unit="town"))
    newer = package_of(town)
    packages.import_package(district, ME, newer, parent="district")
    packages.import_package(district, ME, older)  # came late: proved a prefix by the newer package's proof
    assert figure(district, "study.sessions")["value"] == 2  # the roll-up keeps the larger log's package


def test_only_reviewers_of_the_parent_import_and_a_local_unit_cannot_be_imported(
    town: Context, district: Context
) -> None:
    data = package_of(town)
    assert refusal(lambda: packages.import_package(district, ME, data)).field == "parent"
    assert (
        refusal(lambda: packages.import_package(district, Unrestricted("x", role="recorder"), data, "district")).kind
        == "forbidden"
    )
    add(district, unit("town", "华西镇（本地）", parent="district"))
    assert refusal(lambda: packages.import_package(district, ME, data, parent="district")).kind == "conflict"


def test_consistency_proofs_match_a_brute_force_tree() -> None:
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(40)]
    for n in range(1, 40):
        for m in range(1, n + 1):
            path = merkle.consistency_proof(leaves[:n], m)
            assert merkle.verify_consistency(m, n, path, merkle.root(leaves[:m]), merkle.root(leaves[:n]))
            if m < n:
                assert not merkle.verify_consistency(
                    m, n, path, merkle.root(leaves[1 : m + 1]), merkle.root(leaves[:n])
                )


def test_verify_on_the_superior_finds_an_altered_or_missing_copy_of_an_imported_package(
    town: Context, district: Context
) -> None:
    packages.import_package(district, ME, package_of(town), parent="district")
    assert audit.verify(district, ME).ok
    (stored,) = (district.settings.home / "packages").glob("*.tzpkg")
    stored.write_bytes(stored.read_bytes()[:-10] + b"0123456789")
    problems = audit.verify(district, ME).problems
    assert any("report package of town 2025" in p and "altered" in p for p in problems), problems
    stored.unlink()
    assert any("missing" in p for p in audit.verify(district, ME).problems)


def test_a_signed_package_with_malformed_parts_is_refused_not_rolled_up(town: Context, district: Context) -> None:
    files = members(package_of(town))
    manifest = json.loads(files["manifest.json"])
    manifest["parts"]["no.such.figure"] = [1, 2, 3, 4]
    manifest["parts"]["exam.participants"] = ["30", 0, 0, 0]
    key = Keys(town.settings.home).private("town")  # signed by the unit itself: still checked
    signature = key.sign(package_manifest_payload(manifest)).hex().encode()
    hostile = rezip({**files, "manifest.json": canonical_json(manifest), "manifest.sig": signature})
    e = refusal(lambda: packages.import_package(district, ME, hostile, parent="district"))
    assert e.kind == "invalid" and len([x for x in e.errors if x["field"] == "parts"]) == 2
    assert figure(district, "exam.participants")["value"] == 10


def test_a_package_into_an_approved_year_needs_a_late_correction_reason_listed_for_the_reviewer(
    town: Context, district: Context
) -> None:
    from api.services import filing

    add(district, unit("county", "光华县", parent="district"))
    filing.submit(district, ME, "county", 2025, "请审核")
    filing.approve(district, Unrestricted("区审核员"), "county", 2025)
    data = package_of(town)
    e = refusal(lambda: packages.import_package(district, ME, data, parent="county"))
    assert e.kind == "invalid" and [x["field"] for x in e.errors] == ["late_reason"]
    assert packages.remote_units(district, ME) == []
    packages.import_package(district, ME, data, parent="county", late_reason="华西镇报送包迟到")
    (late,) = district.ledger.filing("county", 2025).late_corrections()
    assert late.by == "审核员" and late.text == "华西镇报送包迟到" and late.lines[0]["op"] == "package"
    assert figure(district, "exam.participants", "county")["value"] == 40


def test_a_unit_on_its_own_server_shows_in_the_superior_s_progress_as_submitted_once_its_package_arrived(
    town: Context, district: Context
) -> None:
    from api.services import filing

    data = package_of(town)
    packages.import_package(district, ME, data, parent="district")
    progress = filing.progress(district, ME, "district", 2025)
    (row,) = progress.rows
    assert (row.status.unit, row.status.name, row.remote, row.status.state) == ("town", "华西镇", True, "submitted")
    assert row.submitted_on == district.ledger.today().isoformat() and not row.status.overdue
    assert progress.to_json()["counts"]["submitted"] == 1 and progress.to_json()["units"][0]["remote"]
    # For a year with no package from it, the township is listed as not submitted, overdue after 1 March.
    later = filing.progress(district, ME, "district", 2026, today=date(2027, 3, 2))
    assert [(r.status.unit, r.status.state, r.status.overdue) for r in later.rows] == [("town", "draft", True)]


def declare(ctx: Context, unit_code: str, code: str, label: str) -> None:
    data = {"code": code, "label": label, "unit_word": "次", "kind": "study_session", "measure": {"type": "count"}}
    add(ctx, {"id": f"F-{unit_code}-{code}", "op": "figure", "unit": unit_code, "data": data})


def test_the_import_result_names_the_declared_figures_a_package_does_not_roll_up(
    town: Context, district: Context
) -> None:
    declare(town, "town", "local.study.town", "镇学法")
    declare(town, "town", "local.study.both", "学法（镇）")
    declare(district, "district", "local.study.both", "学法")
    declare(district, "district", "local.study.district", "区学法")
    got = packages.import_package(district, ME, package_of(town), parent="district")
    assert [(n.code, n.why) for n in got.not_rolled_up] == [
        ("local.study.town", "theirs"),
        ("local.study.district", "ours"),
    ]
    assert "镇学法（local.study.town）" in got.not_rolled_up[0].message
    # Declared on both with what counts the same (the label aside): the township's session is added
    # (tests/services/test_package_declared.py for the other cases).
    assert figure(district, "local.study.both")["value"] == 1
    assert figure(district, "study.sessions")["value"] == 1  # built-in figures are rolled up


def test_the_reviewer_is_reminded_of_a_unit_on_its_own_server_that_sent_no_package(
    town: Context, district: Context
) -> None:
    from api.services import filing

    packages.import_package(district, ME, package_of(town), parent="district")  # its 2025 package
    assert [d for d in filing.due(district, ME, 2025, today=date(2026, 2, 20)) if d.action == "package"] == []
    assert [d for d in filing.due(district, ME, 2026, today=date(2027, 2, 1)) if d.action == "package"] == []
    (late,) = [d for d in filing.due(district, ME, 2026, today=date(2027, 3, 2)) if d.action == "package"]
    assert (late.unit, late.name, late.overdue, late.label) == ("town", "华西镇", True, "催收报送包")
