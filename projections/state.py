"""Folding events into the state of activities, steps and units, for any as-of filter.

The same SQL materialises the current state (per batch, for the activities a batch touched)
and computes the state as of an earlier instant, so the two can never disagree.
"""

from __future__ import annotations

from domain.catalogue import KINDS

from .schema import ACTIVITY_FIELDS, STEP_FIELDS


def _defaults(fields_of: str) -> dict[str, dict[object, list[str]]]:
    """field -> {default: kinds having that default} (one name may have several: exam.type, inspection.type)."""
    out: dict[str, dict[object, list[str]]] = {}
    for kind in KINDS.values():
        groups = [kind.fields] if fields_of == "activity" else [s.fields for s in kind.steps]
        for group in groups:
            for f in group:
                if f.default is not None:
                    kinds = out.setdefault(f.name, {}).setdefault(f.default, [])
                    if kind.code not in kinds:
                        kinds.append(kind.code)
    return out


def _defaulted(name: str, defaults: dict[object, list[str]]) -> str:
    cases = " ".join(
        f'WHEN kind IN ({", ".join(map(repr, kinds))}) THEN coalesce("{name}", {_literal(value)})'
        for value, kinds in defaults.items()
    )
    return f'CASE {cases} ELSE "{name}" END AS "{name}"'


def activity_year(alias: str = "") -> str:
    """The year an activity counts in (DOMAIN.md §7.5, §8.8): a major decision's catalogue year (目录年度, by
    default the year of its date) in every figure, audit.* included; every other kind's the year of its date."""
    a = f"{alias}." if alias else ""
    return (
        f"CASE WHEN {a}kind = 'major_decision' THEN coalesce({a}catalogue_year, year({a}date)) ELSE year({a}date) END"
    )


def _literal(value: object) -> str:
    return ("TRUE" if value else "FALSE") if isinstance(value, bool) else repr(value)


def _outer() -> tuple[str, str]:
    """The outer select's columns with the catalogue's defaults filled in, and which defaults it filled."""
    defaults = _defaults("activity")
    outer = ", ".join(_defaulted(n, defaults[n]) if n in defaults else f'"{n}"' for n in ACTIVITY_FIELDS)
    # Which defaults the outer select filled in: a declared figure's `present` test (§8.2) sees what was given.
    filled = [
        f"CASE WHEN kind IN ({', '.join(repr(k) for kinds in defaults[n].values() for k in kinds)})"
        f" AND \"{n}\" IS NULL THEN '{n}' END"
        for n in ACTIVITY_FIELDS
        if n in defaults
    ]
    defaulted = f"list_filter([{', '.join(filled)}], lambda x: x IS NOT NULL)" if filled else "[]::VARCHAR[]"
    return outer, defaulted


def recorded_fold(where: str, events: str = "events") -> str:
    """Activities never corrected, from their record (and void) events satisfying `where`: the record event is
    the state, so this is a plain projection. The same rows `activity_fold` gives such activities (its first
    branch), without the per-field aggregate that costs most of a small fold to bind and plan (issue 13.4);
    the caller must only select activities that have no correction."""
    as_recorded = ", ".join(f'd."{n}" AS "{n}"' for n in ACTIVITY_FIELDS)
    outer, defaulted = _outer()
    return f"""
    WITH ev AS (SELECT * FROM {events} WHERE etype IN ('record', 'void') AND ({where}))
    SELECT oid, unit, ref, kind, date, voided, first_recorded_at, corrections, {outer}, {defaulted} AS defaulted
    FROM (
      SELECT oid, unit, ref, kind, date, oid IN (SELECT oid FROM ev WHERE etype = 'void') AS voided,
        recorded_at AS first_recorded_at, 0 AS corrections, {as_recorded}
      FROM ev WHERE etype = 'record')"""


def activity_fold(where: str, events: str = "events") -> str:
    """Activities (live or voided) from record/correct/void events satisfying `where` (in the relation `events`).

    Most activities are never corrected: their record event is their state. Only corrected ones
    need the per-field "latest value wins" aggregation.
    """
    latest = ",\n".join(
        f"arg_max({{'v': d.\"{n}\"}}, pos) FILTER (WHERE etype = 'record' OR list_contains(keys, '{n}')).v AS \"{n}\""
        for n in ACTIVITY_FIELDS
    )
    as_recorded = ", ".join(f'd."{n}" AS "{n}"' for n in ACTIVITY_FIELDS)
    outer, defaulted = _outer()
    return f"""
    WITH ev AS (SELECT * FROM {events} WHERE etype IN ('record', 'correct', 'void') AND ({where})),
    corrected AS (SELECT DISTINCT oid FROM ev WHERE etype = 'correct'),
    voided AS (SELECT DISTINCT oid FROM ev WHERE etype = 'void')
    SELECT oid, unit, ref, kind, date, voided, first_recorded_at, corrections, {outer}, {defaulted} AS defaulted
    FROM (
      SELECT oid, unit, ref, kind, date, oid IN (SELECT oid FROM voided) AS voided, recorded_at AS first_recorded_at,
        0 AS corrections, {as_recorded}
      FROM ev WHERE etype = 'record' AND oid NOT IN (SELECT oid FROM corrected)
      UNION ALL
      SELECT oid,
        any_value(unit) FILTER (WHERE etype = 'record') AS unit,
        any_value(ref) FILTER (WHERE etype = 'record') AS ref,
        any_value(kind) FILTER (WHERE etype = 'record') AS kind,
        arg_max(date, pos) FILTER (WHERE etype <> 'void' AND date IS NOT NULL) AS date,
        bool_or(etype = 'void') AS voided,
        min(recorded_at) FILTER (WHERE etype = 'record') AS first_recorded_at,
        count(*) FILTER (WHERE etype = 'correct') AS corrections,
        {latest}
      FROM ev WHERE oid IN (SELECT oid FROM corrected)
      GROUP BY oid HAVING count(*) FILTER (WHERE etype = 'record') > 0)"""


def step_fold(where: str, events: str = "events") -> str:
    """Steps of activities, with whether they are voided, from events satisfying `where` (in `events`)."""
    defaults = _defaults("step")
    # Step defaults are kind-independent (head_appeared, corrected: false), so they are applied to every step.
    assert all(len(d) == 1 for d in defaults.values()), defaults
    cols = ", ".join(
        f'coalesce(s.d."{n}", {_literal(next(iter(defaults[n])))}) AS "{n}"' if n in defaults else f's.d."{n}" AS "{n}"'
        for n in STEP_FIELDS
    )
    return f"""
    SELECT s.line_id AS step_id, s.oid, s.step, s.date, (v.target IS NOT NULL) AS voided, {cols}
    FROM {events} s
    LEFT JOIN (SELECT DISTINCT target FROM {events} WHERE etype = 'void_step' AND ({where})) v ON v.target = s.line_id
    WHERE s.etype = 'step' AND ({where})"""


def step_rows(steps: str, activities: str) -> str:
    """Steps with what the figures need of their activity, and whether they count (live step of a live activity)."""
    return f"""
    SELECT s.*, year(s.date) AS sy, a.unit, a.ref, a.kind, {activity_year("a")} AS y, a.case_type, a.category, a.action,
           NOT s.voided AND NOT a.voided AS live
    FROM ({steps}) s JOIN {activities} a ON a.oid = s.oid"""


def unit_fold(where: str) -> str:
    """Units by their latest name and parent; only the registration names the code."""
    return f"""
    SELECT any_value(unit) FILTER (WHERE unit IS NOT NULL) AS code, arg_max(name, pos) AS name,
           arg_max({{'v': parent}}, pos).v AS parent
    FROM events WHERE etype = 'unit' AND ({where}) GROUP BY oid"""
