"""Declared figures (DOMAIN §8) in report packages: a package carries the definition its report used and the
parts of each declared figure; the superior adds them where it declares the same code with a definition that
counts the same (rates from the summed parts), and names every other one as not rolled up, saying why."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import study, unit
from test_packages import ME, add, figure, home, members, package_of, refusal, rezip

from api.infra.keys import Keys
from api.services import packages
from api.services.context import Context
from domain.package import package_manifest_payload
from domain.seal import canonical_json
from projections.report import rate


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Context]:
    """The township's own server: itself, a village under it, a study session in 2025."""
    ctx = home(
        tmp_path / "town", unit("town", "华西镇"), unit("village", "华西村", parent="town"),
        study("ST-1", "2025-05-01", unit="town"),
    )  # fmt: skip
    yield ctx
    ctx.ledger.close()


@pytest.fixture
def district(tmp_path: Path) -> Iterator[Context]:
    ctx = home(tmp_path / "district", unit("district", "光华区"))
    yield ctx
    ctx.ledger.close()


def declare(ctx: Context, unit_code: str, code: str, label: str, **definition: Any) -> None:
    data = {"code": code, "label": label, "unit_word": "次", "kind": "study_session", "measure": {"type": "count"}}
    data.update(definition)
    add(ctx, {"id": f"F-{unit_code}-{code}-{len(json.dumps(data))}", "op": "figure", "unit": unit_code, "data": data})


CENTRAL = {"field": "form", "in": ["central_group"]}
LAWS = {"field": "laws", "nonempty": True}


def test_a_declared_count_with_the_same_definition_is_added_with_its_sources_and_previous_year(
    town: Context, district: Context
) -> None:
    add(town, study("ST-0", "2024-05-01", unit="town"), study("ST-2", "2025-06-01", unit="village"))
    add(district, study("DS-1", "2025-02-01", unit="district"))
    # The same figure: the label, the unit word and the order of the conditions and values aside.
    where = [{"field": "form", "in": ["central_group", "party_group"]}, {"field": "attendees", "gte": 1}]
    declare(town, "town", "local.study.law", "镇学法", unit_word="场", where=where)
    reordered = [where[1], {**where[0], "in": ["party_group", "central_group"]}]
    declare(district, "district", "local.study.law", "学法", where=reordered)
    before = figure(district, "local.study.law")
    assert (before["value"], before["previous"]) == (1, 0)
    got = packages.import_package(district, ME, package_of(town), parent="district")
    assert got.not_rolled_up == ()
    after = figure(district, "local.study.law")
    assert (after["value"], after["previous"]) == (3, 1)  # ST-1, village's ST-2 and DS-1; ST-0 the year before
    assert {"town/ST-1", "town/village/ST-2", "DS-1"} <= set(after["sources"])
    assert after["declared"]["unit"] == "district"  # the superior's own definition, as §8.6 has it


def test_a_declared_rate_is_recomputed_from_the_summed_parts(town: Context, district: Context) -> None:
    add(town, study("ST-2", "2025-06-01", form="party_group", unit="town"))
    add(district, study("DS-1", "2025-02-01", unit="district"))
    rate_of = {"unit_word": "%", "measure": {"type": "rate", "numerator": [CENTRAL]}}
    declare(town, "town", "local.study.central_share", "中心组学习占比", **rate_of)
    declare(district, "district", "local.study.central_share", "中心组学习占比", **rate_of)
    assert figure(town, "local.study.central_share", "town")["value"] == 50.0  # 1 of 2
    packages.import_package(district, ME, package_of(town), parent="district")
    # (1 + 1) / (2 + 1), not the average of 50 % and 100 %
    assert figure(district, "local.study.central_share")["value"] == rate(2, 3)


def test_a_different_definition_is_not_added_and_the_import_says_why(town: Context, district: Context) -> None:
    declare(town, "town", "local.study.law", "学法", where=[CENTRAL])
    declare(district, "district", "local.study.law", "学法", where=[CENTRAL, LAWS])
    got = packages.import_package(district, ME, package_of(town), parent="district")
    assert [(n.code, n.why) for n in got.not_rolled_up] == [("local.study.law", "differs")]
    assert "口径不同" in got.not_rolled_up[0].message
    assert figure(district, "local.study.law")["value"] == 0


def test_a_package_without_definitions_is_named_not_checked(town: Context, district: Context) -> None:
    """A package exported before packages carried definitions: its declared values cannot be checked."""
    declare(town, "town", "local.study.law", "学法")
    declare(district, "district", "local.study.law", "学法")
    files = members(package_of(town))
    manifest = json.loads(files["manifest.json"])
    del manifest["declared"]
    signature = Keys(town.settings.home).private("town").sign(package_manifest_payload(manifest)).hex().encode()
    older = rezip({**files, "manifest.json": canonical_json(manifest), "manifest.sig": signature})
    got = packages.import_package(district, ME, older, parent="district")
    assert [(n.code, n.why) for n in got.not_rolled_up] == [("local.study.law", "undefined")]
    assert figure(district, "local.study.law")["value"] == 0


@pytest.mark.parametrize("change", ["parts", "definition"])
def test_declared_parts_that_do_not_give_the_sealed_value_are_refused(
    town: Context, district: Context, change: str
) -> None:
    declare(town, "town", "local.study.law", "学法")
    declare(district, "district", "local.study.law", "学法")
    files = members(package_of(town))
    manifest = json.loads(files["manifest.json"])
    entry = manifest["declared"]["local.study.law"]
    if change == "parts":
        entry["parts"] = [7, 0, 0, 0]
    else:
        entry["data"]["measure"] = {"type": "bogus"}
    signature = Keys(town.settings.home).private("town").sign(package_manifest_payload(manifest)).hex().encode()
    hostile = rezip({**files, "manifest.json": canonical_json(manifest), "manifest.sig": signature})
    e = refusal(lambda: packages.import_package(district, ME, hostile, parent="district"))
    assert e.kind == "invalid" and [x["field"] for x in e.errors] == ["declared"]
    assert figure(district, "local.study.law")["value"] == 0


def test_export_carries_the_definition_used_and_its_parts(town: Context, tmp_path: Path) -> None:
    declare(town, "town", "local.study.law", "学法", where=[LAWS])
    add(town, study("ST-2", "2025-06-01", laws=["宪法"], unit="town"))
    manifest = json.loads(members(package_of(town))["manifest.json"])
    entry = manifest["declared"]["local.study.law"]
    assert entry["unit"] == "town" and entry["data"]["where"] == [LAWS] and entry["parts"][:2] == [1, 0]
