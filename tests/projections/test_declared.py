"""Figures a unit declares (DOMAIN.md §8): the figure line, versions as of an instant, roll-up by the nearest
declaration, report JSON and explain; and the property that a declared figure equals the built-in one it restates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import case, correct, make, next_id, petition, rec, step, study, unit, void
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def fig(code: str, *, unit: str = "u1", **data: Any) -> dict:
    return {"id": next_id("F"), "op": "figure", "unit": unit, "data": {"code": code, **data}}


def count(code: str, kind: str = "study_session", where: list | None = None, **kw: Any) -> dict:
    data: dict[str, Any] = {"label": "党组会学法", "unit_word": "次", "kind": kind, "measure": {"type": "count"}}
    if where is not None:
        data["where"] = where
    return fig(code, **{**data, **kw})


def retire(code: str, *, unit: str = "u1") -> dict:
    return fig(code, unit=unit, retire=True)


PARTY_GROUP = [{"field": "form", "in": ["party_group"]}]
WITH_LAWS = [*PARTY_GROUP, {"field": "laws", "nonempty": True}]


# ---- validation (§8.4) ----


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"where": [PARTY_GROUP[0], {"field": "forms", "in": ["x"]}]},
            'data.where[1].field: study_session has no field "forms"',
        ),
        (
            {"where": [{"field": "form", "in": ["party_group", "central_group", "partygroup"]}]},
            'data.where[0].in[2]: "partygroup" is not a code of study_session.form',
        ),
        ({"where": [{}, {}, {"field": "topic", "nonempty": True}]}, 'data.where[2]: "nonempty" needs a list field'),
        (
            {"kind": "case", "where": [{"step": "adopted"}]},
            'data.where[0].step: case has no step "adopted"',
        ),
        ({"measure": {"type": "sum", "field": "topic"}}, 'data.measure.field: "topic" is not an int or money field'),
        (
            {"unit_word": "%", "measure": {"type": "rate", "numerator": []}},
            "data.measure.numerator: needs 1–20 conditions",
        ),
        ({"measure": {"type": "rate", "numerator": PARTY_GROUP}}, 'data.unit_word: must be "%" for a rate'),
        ({"kind": "meeting_minutes"}, 'data.kind: unknown kind "meeting_minutes"'),
        ({"colour": "red"}, 'data.colour: unknown key "colour"'),
        (
            {"where": [{"field": "form", "in": ["party_group"], "is": True}]},
            "data.where[0]: a condition has exactly one",
        ),
        ({"where": [{"field": "form"}]}, "data.where[0]: a condition has exactly one"),
        ({"where": [{"not": {"field": "led_by_head", "is": "yes"}}]}, "data.where[0].not.is: must be true or false"),
        ({"where": [{"field": "topic", "present": True}]}, 'data.where[0]: "present" needs an optional field'),
        ({"where": [{"field": "attendees", "gte": -1}]}, "data.where[0].gte: must be an integer"),
        ({"where": [{"step": "hearing", "in_year": False}], "kind": "case"}, "data.where[0].in_year: must be true"),
        (
            {"where": [{"step": "hearing", "field": "outcome", "is": True}], "kind": "case"},
            'data.where[0].field: case step "hearing" has no field "outcome"',
        ),
        ({"where": [{"field": "x"}] * 21}, "data.where: needs 0–20 conditions"),
        ({"label": " "}, "data.label: must be a text of 1–64 characters"),
    ],
)
def test_a_declaration_is_rejected_naming_the_key(env, data, expected):
    errors = env.errors(count("local.study.pg", **{"where": PARTY_GROUP, **data}))
    assert any(e.startswith(f"line 1: {expected}") for e in errors), errors


def test_every_error_of_a_line_at_once(env):
    line = fig(
        "local.x",
        label="",
        unit_word="次",
        kind="study_session",
        where=[{"field": "forms", "in": ["a"]}, {"field": "form", "in": ["partygroup"]}],
        measure={"type": "rate", "numerator": PARTY_GROUP},
    )
    assert [f for _, f in env.fields(line)] == [
        "data.label",
        "data.where[0].field",
        "data.where[1].in[0]",
        "data.unit_word",
    ]


@pytest.mark.parametrize("code", ["study.sessions", "local.", "local.Study", "local.a..b", "local." + "a" * 65, 7])
def test_only_local_codes_and_never_a_built_in_id(env, code):
    [error] = env.errors(count(code))
    assert error.startswith('line 1: data.code: must be "local." + ')


def test_retire_takes_no_other_key_and_needs_a_live_declaration(env):
    assert env.errors(fig("local.a", retire=True, label="x")) == ["line 1: data.retire: no other key than code"]
    assert env.errors(retire("local.a")) == ["line 1: data.code: no live declaration on unit u1"]
    env.ok(count("local.a"), retire("local.a"))
    assert env.errors(retire("local.a")) == ["line 1: data.code: no live declaration on unit u1"]
    assert env.errors(fig("study.sessions", retire=True))[0].startswith("line 1: data.code: ")


def test_a_unit_must_exist_and_a_file_is_all_or_nothing(env):
    good = study("S-1", "2025-03-01")
    errors = env.errors(good, count("local.a", unit="nowhere"), count("local.b", kind="x"))
    assert [e.split(":")[0] + ":" + e.split(":")[1] for e in errors] == ["line 2: unit", "line 3: data.kind"]
    assert env.ledger.activity("u1", "S-1") is None


def test_idempotent_like_every_line(env):
    line = count("local.a")
    env.ok(line)
    assert env.apply([line]).skipped == 1
    [error] = env.errors({**line, "data": {**line["data"], "label": "另一个"}})
    assert error.startswith("line 1: id: ")
    assert env.ledger.declaration("u1", "local.a").data["label"] == "党组会学法"


def test_a_declaration_is_an_event_attributed_to_who_recorded_it(env):
    env.ok({**count("local.a"), "by": "张敏"})
    [created] = list(env.ledger.events.get(env.ledger.declaration("u1", "local.a").id))
    assert created.recorded_by == "张敏" and created.line_id.startswith("F")


# ---- measures, conditions and defaults (§8.2, §8.3) ----


def test_measures_and_their_sources(env):
    env.ok(
        study("S-1", "2025-03-01", form="party_group", laws=["宪法"], attendees=12),
        study("S-2", "2025-04-01", form="party_group", attendees=8),
        study("S-3", "2024-04-01", form="party_group", laws=["民法典"]),
        petition("XF-1", "2024-12-20"),
        step("XF-1", "replied", "2025-01-05"),
        petition("XF-2", "2025-02-01"),
        step("XF-2", "replied", "2025-02-05"),
        petition("XF-3", "2025-02-01"),
        count("local.study.pg", where=WITH_LAWS),
        fig(
            "local.att",
            label="参学",
            unit_word="人次",
            kind="study_session",
            where=PARTY_GROUP,
            measure={"type": "sum", "field": "attendees"},
        ),
        fig(
            "local.replies", label="答复", unit_word="件", kind="petition", measure={"type": "steps", "step": "replied"}
        ),
        fig(
            "local.rate",
            label="当年答复率",
            unit_word="%",
            kind="petition",
            measure={"type": "rate", "numerator": [{"step": "replied", "in_year": True}]},
        ),
    )
    figures = env.report()["figures"]
    assert (figures["local.study.pg"]["value"], figures["local.study.pg"]["previous"]) == (1, 1)
    assert figures["local.study.pg"]["sources"] == ["S-1"]
    assert (figures["local.att"]["value"], figures["local.att"]["sources"]) == (20, ["S-1", "S-2"])
    # A step count: steps dated in Y on activities of any date.
    assert (figures["local.replies"]["value"], figures["local.replies"]["sources"]) == (2, ["XF-1", "XF-2"])
    assert (figures["local.rate"]["value"], figures["local.rate"]["sources"]) == (50.0, ["XF-2", "XF-3"])
    assert figures["local.rate"]["previous"] == 0.0  # XF-1 (2024) was replied in 2025, not in 2024
    assert figures["local.att"]["declared"]["unit"] == "u1"
    assert list(figures)[-4:] == ["local.att", "local.rate", "local.replies", "local.study.pg"]


def test_absent_fields_read_as_their_defaults_and_present_ignores_them(env):
    env.ok(
        rec("study_writing", "W-1", "2025-03-01", genre="notes"),
        rec("study_writing", "W-2", "2025-03-02", genre="notes", count=3),
        study("S-1", "2025-03-01", led_by_head=True),
        study("S-2", "2025-03-02"),
        fig(
            "local.notes", label="笔记", unit_word="篇", kind="study_writing", measure={"type": "sum", "field": "count"}
        ),
        count("local.one", kind="study_writing", where=[{"field": "count", "lte": 1}]),
        count("local.given", kind="study_writing", where=[{"field": "count", "present": True}]),
        count("local.not_led", where=[{"not": {"field": "led_by_head", "is": True}}]),
        count("local.led_false", where=[{"field": "led_by_head", "is": False}]),
        count("local.no_lecturer", where=[{"not": {"field": "lecturer", "in": ["张三"]}}]),
        count("local.constitution", where=[{"field": "laws", "contains": "宪法"}]),
        count("local.no_speeches", where=[{"not": {"field": "speeches", "gte": 0}}]),
    )
    figures = env.report()["figures"]
    assert figures["local.notes"]["value"] == 4
    assert figures["local.one"]["sources"] == ["W-1"]
    assert figures["local.given"]["sources"] == ["W-2"]
    assert figures["local.not_led"]["sources"] == figures["local.led_false"]["sources"] == ["S-2"]
    assert figures["local.no_lecturer"]["value"] == 2  # absent: `in` is false, so `not` holds
    assert figures["local.constitution"]["value"] == 0
    assert figures["local.no_speeches"]["sources"] == ["S-1", "S-2"]  # absent, no default: `gte` is false


def test_step_conditions_with_a_field_and_in_year(env):
    env.ok(
        case("C-1", "2024-05-01"),
        step("C-1", "hearing", "2024-06-01", head_appeared=True),
        case("C-2", "2025-02-01"),
        step("C-2", "hearing", "2025-03-01"),
        case("C-3", "2025-02-01"),
        step("C-3", "hearing", "2025-03-01", head_appeared=True),
        count("local.head", kind="case", where=[{"step": "hearing", "field": "head_appeared", "is": True}]),
        count("local.heard_in_year", kind="case", where=[{"step": "hearing", "in_year": True}]),
        fig(
            "local.head_hearings",
            label="负责人出庭",
            unit_word="次",
            kind="case",
            measure={"type": "steps", "step": "hearing", "field": "head_appeared", "is": True},
        ),
    )
    figures = env.report()["figures"]
    assert figures["local.head"]["sources"] == ["C-3"]
    assert figures["local.heard_in_year"]["sources"] == ["C-2", "C-3"]
    assert (figures["local.head_hearings"]["value"], figures["local.head_hearings"]["previous"]) == (1, 1)


def test_corrections_voids_and_new_activities_follow_a_live_declaration(env):
    env.ok(count("local.pg", where=PARTY_GROUP), study("S-1", "2025-03-01", form="party_group"))
    assert env.value("local.pg") == 1
    env.ok(study("S-2", "2025-03-02", form="party_group"), correct("S-1", form="all_staff"))
    assert env.figure("local.pg")["sources"] == ["S-2"]
    env.ok(void("S-2"))
    assert env.value("local.pg") == 0


# ---- versions and as of (§8.5) ----


def test_declared_redeclared_and_retired_between_as_of_instants(env):
    env.ok(
        study("S-1", "2025-03-01", form="party_group", laws=["宪法"]),
        study("S-2", "2025-03-02", form="party_group"),
        study("S-3", "2024-03-02", form="party_group"),
    )
    before = env.instant()
    first = count("local.pg", where=PARTY_GROUP)
    env.ok(first)
    declared = env.instant()
    second = count("local.pg", where=WITH_LAWS, label="党组会学法(含法律)")
    env.ok(second)
    redeclared = env.instant()
    env.ok(retire("local.pg"))
    retired = env.instant()

    assert "local.pg" not in env.report(as_of=before)["figures"]
    at_first = env.figure("local.pg", as_of=declared)
    assert (at_first["value"], at_first["previous"], at_first["label"]) == (2, 1, "党组会学法")
    assert at_first["declared"]["line"] == first["id"]
    at_second = env.figure("local.pg", as_of=redeclared)
    assert (at_second["value"], at_second["previous"], at_second["label"]) == (1, 0, "党组会学法(含法律)")
    assert at_second["declared"]["line"] == second["id"]
    assert "local.pg" not in env.report(as_of=retired)["figures"]
    assert "local.pg" not in env.report()["figures"]
    # The declaration is back, and what was live at each instant is still what an as-of report shows.
    env.ok(count("local.pg", where=PARTY_GROUP, label="再次声明"))
    assert env.figure("local.pg")["label"] == "再次声明"
    # The current report (precomputed rows, kept in step with each version) says what an as-of report says.
    assert env.figure("local.pg") == env.figure("local.pg", as_of=env.instant())
    assert env.value("local.pg") == 2
    assert env.figure("local.pg", as_of=redeclared) == at_second


def test_explain_shows_the_declaration_it_used(env):
    env.ok(study("S-1", "2025-03-01", form="party_group"))
    line = count("local.pg", where=PARTY_GROUP)
    env.ok(line)
    with env.read_model() as model:
        used = model.declaration("local.pg", "u1")
        assert (used.unit, used.line, used.by, used.data) == ("u1", line["id"], "tester", line["data"])
        assert model.declaration("local.other", "u1") is None
    assert [r["source"] for r in env.explain("local.pg")] == ["S-1"]
    with pytest.raises(KeyError):
        env.explain("local.other")


# ---- which reports show it; roll-up (§8.6) ----


@pytest.fixture
def tree(tmp_path: Path):
    """dist → street-a (→ street-a-1), street-b; a party-group study in each."""
    e = make(tmp_path)
    e.ok(
        unit("dist", "区"),
        unit("sa", "街道A", parent="dist"),
        unit("sa1", "社区A1", parent="sa"),
        unit("sb", "街道B", parent="dist"),
        *(study(f"S-{u}", "2025-03-01", form="party_group", unit=u) for u in ("dist", "sa", "sa1", "sb")),
        study("L-sa", "2025-03-02", form="party_group", laws=["宪法"], unit="sa"),
    )
    return e


def test_a_parents_declaration_covers_children_that_redeclare(tree):
    tree.ok(count("local.pg", unit="dist", where=PARTY_GROUP), count("local.pg", unit="sa", where=WITH_LAWS))
    dist = tree.figure("local.pg", "dist")
    assert dist["value"] == 5  # one definition, the district's, over its whole subtree
    assert dist["sources"] == ["S-dist", "sa/L-sa", "sa/S-sa", "sa1/S-sa1", "sb/S-sb"]
    assert dist["declared"]["unit"] == "dist"
    sa = tree.figure("local.pg", "sa")
    assert (sa["value"], sa["sources"], sa["declared"]["unit"]) == (1, ["L-sa"], "sa")
    assert tree.figure("local.pg", "sa1")["declared"]["unit"] == "sa"  # the nearest declaration
    assert tree.figure("local.pg", "sb")["declared"]["unit"] == "dist"


def test_a_descendants_declaration_never_appears_above_it(tree):
    tree.ok(count("local.own", unit="sa", where=PARTY_GROUP))
    assert "local.own" not in tree.report("dist")["figures"]
    assert "local.own" not in tree.report("sb")["figures"]
    assert tree.value("local.own", "sa") == 3


def test_retiring_lets_the_ancestors_declaration_apply_again(tree):
    tree.ok(count("local.pg", unit="dist", where=PARTY_GROUP), count("local.pg", unit="sa", where=WITH_LAWS))
    assert tree.value("local.pg", "sa") == 1
    tree.ok(retire("local.pg", unit="sa"))
    sa = tree.figure("local.pg", "sa")
    assert (sa["value"], sa["declared"]["unit"]) == (3, "dist")


def test_the_hierarchy_as_of_t_chooses_the_declaration(tree):
    tree.ok(count("local.pg", unit="dist", where=PARTY_GROUP))
    attached = tree.instant()
    tree.ok(unit("sb", "街道B"))  # sb leaves the district
    assert "local.pg" not in tree.report("sb")["figures"]
    assert tree.figure("local.pg", "sb", as_of=attached)["value"] == 1


# ---- property: a declared figure equals the built-in one it restates ----

FORMS = ["central_group", "party_group", "business_training", "party_lecture", "online"]
studies = st.lists(
    st.tuples(
        st.sampled_from(FORMS),
        st.integers(2024, 2025),
        st.integers(1, 12),
        st.integers(0, 40),
        st.booleans(),
        st.booleans(),
    ),
    max_size=12,
)


@pytest.mark.slow  # 15 generated histories through a ledger and a read model each: 20 s
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sessions=studies)
def test_declared_figures_equal_the_built_in_ones_they_restate(tmp_path_factory, sessions):
    e = make(tmp_path_factory.mktemp("prop"))
    e.ok(unit("u1", "中心"))
    lines = [
        study(f"S-{i}", f"{y}-{m:02d}-01", form=form, attendees=n, **({"laws": ["宪法"]} if laws else {}))
        for i, (form, y, m, n, laws, _) in enumerate(sessions)
    ]
    voided = [void(f"S-{i}") for i, s in enumerate(sessions) if s[5]]
    half = len(lines) // 2
    e.ok(*lines[:half])
    e.report()  # a catch-up here: the declarations and the rest arrive in later, incremental folds
    e.ok(
        count("local.all"),
        count("local.lectures", where=[{"field": "form", "in": ["party_lecture"]}]),
        count("local.laws", where=[{"field": "laws", "nonempty": True}]),
        fig(
            "local.attendance",
            label="参学",
            unit_word="人次",
            kind="study_session",
            measure={"type": "sum", "field": "attendees"},
        ),
    )
    e.report()
    e.ok(*lines[half:])
    if voided:
        e.ok(*voided)
    for as_of in (None, e.instant()):
        f = e.report(as_of=as_of)["figures"]
        for key in ("value", "previous"):
            assert f["local.all"][key] == f["study.sessions"][key] + f["study.business_trainings"][key]
            assert f["local.lectures"][key] == f["study.party_lectures"][key]
            assert f["local.laws"][key] == f["study.law_sessions"][key]
            assert f["local.attendance"][key] == f["study.attendance"][key]
        assert f["local.all"]["sources"] == sorted(
            f["study.sessions"]["sources"] + f["study.business_trainings"]["sources"]
        )
        assert f["local.attendance"]["sources"] == f["study.attendance"]["sources"]


# ---- over the kinds of §7: catalogue year, scores, defaults on every action ----


def decision(ref: str, date: str, **kw: Any) -> dict:
    return rec("major_decision", ref, date, title="旧城改造实施方案", **kw)


def test_major_decisions_count_in_their_catalogue_year(env):
    env.ok(
        decision("D-1", "2024-12-20", catalogue_year=2025),
        decision("D-2", "2025-03-01"),
        decision("D-3", "2024-03-01"),
        count("local.decisions", kind="major_decision"),
        count("local.next_year", kind="major_decision", where=[{"field": "catalogue_year", "present": True}]),
        count("local.default_year", kind="major_decision", where=[{"field": "catalogue_year", "lte": 2024}]),
    )
    f = env.report()["figures"]
    assert (f["local.decisions"]["sources"], f["local.decisions"]["previous"]) == (["D-1", "D-2"], 1)
    assert f["local.decisions"]["value"] == f["decision.catalogued"]["value"]
    assert f["local.next_year"]["sources"] == ["D-1"]
    assert (f["local.default_year"]["value"], f["local.default_year"]["previous"]) == (0, 1)


def test_scores_and_counts_read_on_every_action(env):
    env.ok(
        rec("exam", "E-1", "2025-03-01", title="考试", eligible=10, participants=10, passed=9, average_score="92.5"),
        rec("exam", "E-2", "2025-04-01", title="考试", eligible=10, participants=10, passed=9, average_score=88),
        rec("exam", "E-3", "2025-05-01", title="考试", eligible=10, participants=10, passed=9, type="qualification"),
        rec("enforcement_case", "P-1", "2025-03-01", action="penalty", subject="占道经营", procedure="simple"),
        rec("enforcement_case", "I-1", "2025-03-02", action="inspection", subject="检查", count=5),
        count("local.good", kind="exam", where=[{"field": "average_score", "gte": 90.5}]),
        count("local.law_exams", kind="exam", where=[{"field": "type", "in": ["law_exam"]}]),
        count("local.typed", kind="exam", where=[{"field": "type", "present": False}]),
        fig(
            "local.acts",
            label="执法行为",
            unit_word="件",
            kind="enforcement_case",
            measure={"type": "sum", "field": "count"},
        ),
        count("local.no_procedure", kind="enforcement_case", where=[{"field": "procedure", "present": False}]),
    )
    f = env.report()["figures"]
    assert f["local.good"]["sources"] == ["E-1"]
    assert f["local.law_exams"]["sources"] == f["local.typed"]["sources"] == ["E-1", "E-2"]
    assert f["local.acts"]["value"] == 6  # count absent on a penalty reads as 1
    assert f["local.no_procedure"]["sources"] == ["I-1"]


def test_a_step_field_test_names_the_step(env):
    line = fig(
        "local.lost",
        label="败诉",
        unit_word="起",
        kind="case",
        measure={"type": "steps", "step": "decided", "field": "outcome", "in": ["lost", "los"]},
    )
    assert env.errors(line) == ['line 1: data.measure.in[1]: "los" is not a code of case.decided.outcome']


# ---- the command line (in process) ----


def test_cli_explain_prints_the_declaration_then_the_activities(tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from api.cli import main

    monkeypatch.setenv("TAIZHANG_HOME", str(tmp_path))
    monkeypatch.setenv("TAIZHANG_USER", "张敏")
    declaration = count("local.study.pg", where=PARTY_GROUP)
    lines = [unit("u1", "中心"), unit("u2", "下级", parent="u1"), study("S-1", "2025-03-01", form="party_group")]
    lines += [declaration, count("local.below", unit="u2")]
    runner = CliRunner()
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    assert runner.invoke(main, ["import", "-"], input=text).exit_code == 0
    out = runner.invoke(main, ["explain", "local.study.pg", "--unit", "u1", "--year", "2025"])
    assert out.exit_code == 0, out.output
    assert declaration["id"] in out.output and "张敏" in out.output and '"party_group"' in out.output
    assert out.output.index(declaration["id"]) < out.output.index("S-1")
    got = json.loads(
        runner.invoke(main, ["explain", "local.study.pg", "--unit", "u1", "--year", "2025", "--format", "json"]).output
    )
    assert got["declaration"]["data"] == declaration["data"] and got["declaration"]["by"] == "张敏"
    assert [a["source"] for a in got["activities"]] == ["S-1"] and got["declared"]["line"] == declaration["id"]
    # A descendant's declaration, or none at all: answered like an unknown figure id.
    for code in ("local.below", "local.none"):
        missing = runner.invoke(main, ["explain", code, "--unit", "u1", "--year", "2025"])
        assert missing.exit_code == 2 and "figure: " in missing.output
    md = runner.invoke(main, ["report", "--unit", "u1", "--year", "2025", "--format", "md"]).output
    assert md.index("`audit.voided`") < md.index("`local.study.pg`")


def test_a_sealed_report_is_reproduced_whatever_is_declared_later(env):
    from conftest import services_context

    from api.services.audit import make_seal, verify_log

    env.ok(
        study("S-1", "2025-03-01", form="party_group"), study("S-2", "2025-03-02"), count("local.pg", where=PARTY_GROUP)
    )
    with env.read_model() as model:
        sealed = make_seal(services_context(env.settings, env.ledger), model, "u1", 2025, "审计员")
    env.ok(count("local.pg", where=[]), count("local.new"))
    env.ok(retire("local.pg"))
    with env.read_model() as model:
        assert verify_log(services_context(env.settings, env.ledger), model).problems == []
        again = model.report("u1", 2025, datetime.fromisoformat(sealed["as_of"])).to_json()
    [seal] = env.ledger.seals()
    assert again["figures"] == seal.report["figures"]
    assert seal.report["figures"]["local.pg"]["value"] == 1 and "local.new" not in again["figures"]
