"""Figures units declare (DOMAIN.md §8) in the read model: their versions, which one a report uses, and their
SQL, compiled into the same kind of parts as the built-in figures so that one grouped scan computes both.

A declaration version is known by the position of its event: its rows in `contrib` have fid `@<pos>`. The
current `contrib` holds the rows of every declaration live now (over every unit: a report filters by its
scope, and which declaration applies depends on the hierarchy, which may change); `decl_applied` lists the
versions whose rows are there. An as-of report compiles the versions live at its instant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import duckdb

from domain.catalogue import KINDS, Field
from domain.definition import Condition, Definition, FieldTest, Not, StepTest, parse, step_fields

from .evaluate import bind, rows
from .figures import Figure, Part
from .schema import SQL_TYPES
from .state import activity_year

# Every declaration event of a batch, with `data` kept as given (the definition, for explain and for SQL).
_TOPIC = "declaration:FigureDeclaration."
DECL_INSERT = f"""
INSERT INTO decl
SELECT pos, oid, json_extract_string(state, '$.timestamp._data_')::TIMESTAMPTZ,
       json_extract_string(state, '$.recorded_by'), json_extract_string(state, '$.line_id'),
       json_extract_string(state, '$.unit'), json_extract_string(state, '$.code'),
       suffix(topic, '.Retired'), json_extract(state, '$.data')::VARCHAR
FROM batch WHERE contains(topic, '{_TOPIC}')"""


@dataclass(frozen=True)
class Declaration:
    """One version of a declaration: the line that made it, and its definition."""

    unit: str
    code: str
    line: str
    recorded_at: datetime
    by: str
    pos: int
    data: dict[str, Any]
    definition: Definition

    @property
    def fid(self) -> str:
        return f"@{self.pos}"

    def figure(self) -> Figure:
        return compile_figure(self.definition, self.fid)

    def declared(self) -> dict[str, Any]:
        """The `declared` object of report JSON (§8.7)."""
        return {"unit": self.unit, "line": self.line, "recorded_at": self.recorded_at.isoformat()}


def live(con: duckdb.DuckDBPyConnection, as_of: datetime | None) -> list[Declaration]:
    """Every declaration live at `as_of` (now when None): the latest line per (unit, code) recorded by then,
    unless it retires the code (§8.5)."""
    when = "TRUE" if as_of is None else "recorded_at <= $t"
    found = con.execute(
        f"""SELECT n.unit, n.code, d.line_id, d.recorded_at, d.recorded_by, d.pos, d.data FROM decl d
            JOIN (SELECT oid, unit, code FROM decl WHERE unit IS NOT NULL) n USING (oid)
            WHERE {when} QUALIFY row_number() OVER (PARTITION BY d.oid ORDER BY d.pos DESC) = 1 AND NOT d.retired
            ORDER BY n.code, n.unit""",
        {"t": as_of} if as_of is not None else {},
    ).fetchall()
    out = []
    for unit, code, line, at, by, pos, data in found:
        raw = json.loads(data)
        definition = parse(raw)
        assert isinstance(definition, Definition)  # validated when the line was applied
        out.append(Declaration(unit, code, line, at, by, pos, raw, definition))
    return out


def applicable(declarations: list[Declaration], chain: list[str]) -> dict[str, Declaration]:
    """code -> the declaration a report of chain[0] uses: the nearest one on the unit or an ancestor (§8.6)."""
    rank = {u: i for i, u in enumerate(chain)}
    out: dict[str, Declaration] = {}
    for d in declarations:
        if d.unit in rank and (d.code not in out or rank[d.unit] < rank[out[d.code].unit]):
            out[d.code] = d
    return dict(sorted(out.items()))


def sync(con: duckdb.DuckDBPyConnection, touched: str, tz: str) -> None:
    """Bring the declared figures' rows in `contrib` in line with the declarations live now. Called once per
    fold, inside its transaction, after `act`, `stp` and the built-in rows of the `touched` activities are
    done: every live declaration's rows for the touched activities, and a new version's rows for the others."""
    current = {d.fid: d for d in live(con, None)}
    applied = {fid for (fid,) in con.execute("SELECT fid FROM decl_applied").fetchall()}
    gone = sorted(applied - current.keys())
    new = [d.figure() for fid, d in current.items() if fid not in applied]
    if not current and not gone:
        return  # no declared figures: nothing to fold (and no relations to bind, a good part of a small fold)
    if gone:
        listed = ", ".join(f"'{fid}'" for fid in gone)
        con.execute(f"DELETE FROM contrib WHERE fid IN ({listed})")
        con.execute(f"DELETE FROM decl_applied WHERE fid IN ({listed})")
    _over(con, touched)
    _insert(con, [d.figure() for d in current.values()], tz)
    if new:
        if touched != "TRUE":  # (a rebuild touches everything: done above)
            _over(con, f"NOT ({touched})")
            _insert(con, new, tz)
        con.executemany("INSERT INTO decl_applied VALUES (?)", [[f.id] for f in new])


def _over(con: duckdb.DuckDBPyConnection, activities: str) -> None:
    """A, AV and S over the folded state of the activities satisfying `activities` (a predicate on oid)."""
    bind(con, "AV", f"SELECT *, {activity_year()} AS y FROM act WHERE {activities}")
    bind(con, "A", "SELECT * FROM AV WHERE NOT voided")
    bind(con, "S", f"SELECT * FROM stp WHERE live AND {activities}")


GROUP = 8  # declared figures per INSERT: a rebuild of millions of events stays within the memory limit


def _insert(con: duckdb.DuckDBPyConnection, figures: list[Figure], tz: str) -> None:
    for i in range(0, len(figures), GROUP):
        con.execute(f"INSERT INTO contrib SELECT * FROM ({rows(tuple(figures[i : i + GROUP]), tz)}) ORDER BY unit")


# ---- a definition as SQL ----


def _lit(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | Decimal):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _scaled(f: Field) -> bool:
    """Whether the read model keeps this decimal type as an integer of hundredths (money as cents)."""
    return f.type in ("money", "score") and SQL_TYPES.get(f.type, "").startswith(("BIGINT", "INTEGER"))


def _stored(f: Field, value: Decimal) -> str:
    """A bound written as the column stores it."""
    if _scaled(f):
        return str(int(value * 100))
    if f.type in ("money", "score"):
        return f"CAST('{value}' AS DECIMAL(18, 2))"
    return str(int(value))


def _read(f: Field, alias: str, step: bool = False) -> str:
    """A field's value as conditions and sums read it: absent = its default (§8.2, §8.8), else NULL. The
    catalogue's defaults (`count` and `items` 1, `exam.type`, `inspection.type`, step bools) are filled in by
    the fold already; §8.2 adds false for every bool and §7.2 the year of `date` for `catalogue_year`."""
    col = f'{alias}."{f.name}"'
    if f.default is not None:
        return col
    if f.type == "bool":
        return f"coalesce({col}, FALSE)"
    if not step and f.name == "catalogue_year":
        return f"coalesce({col}, year({alias}.date))"
    return col


def _test(kind: str, t: FieldTest, alias: str, step: str | None = None) -> str:
    fields = step_fields(KINDS[kind], step) if step else KINDS[kind].fields
    f = next(x for x in fields if x.name == t.field)
    value = _read(f, alias, step is not None)
    if t.op == "present":
        # The fold fills in catalogue defaults; `defaulted` lists the fields it filled, so the test sees
        # what the record (as corrected) gave.
        raw = f'{alias}."{f.name}"'  # not `value`: that reads absent as the default
        given = f"NOT list_contains({alias}.defaulted, '{f.name}')" if f.default is not None else f"{raw} IS NOT NULL"
        sql = given if t.flag else f"NOT ({given})"
    elif t.op == "in":
        sql = f"{value} IN ({', '.join(map(_lit, t.values))})"
    elif t.op == "is":
        sql = f"{value} = {_lit(t.flag)}"
    elif t.op == "nonempty":
        sql = f"coalesce(len({value}), 0) {'>' if t.flag else '='} 0"
    elif t.op == "contains":
        sql = f"list_contains({value}, {_lit(t.item)})"
    else:
        bounds = [f"{value} >= {_stored(f, t.gte)}"] if t.gte is not None else []
        bounds += [f"{value} <= {_stored(f, t.lte)}"] if t.lte is not None else []
        sql = " AND ".join(bounds)
    # An absent field without a default makes every test false (NULL), also under `not`.
    return f"coalesce({sql}, FALSE)"


def _step_match(kind: str, s: StepTest, alias: str, year: str | None) -> str:
    parts = [f"{alias}.step = {_lit(s.step)}"]
    if year is not None:
        parts.append(f"{alias}.sy = {year}")
    if s.test is not None:
        parts.append(_test(kind, s.test, alias, s.step))
    return " AND ".join(parts)


def _condition(kind: str, c: Condition, year: str) -> str:
    """SQL true when activity `a` meets the condition; `year` is the year its row counts in."""
    if isinstance(c, Not):
        return f"NOT ({_condition(kind, c.inner, year)})"
    if isinstance(c, StepTest):
        match = _step_match(kind, c, "x", year if c.in_year else None)
        return f"EXISTS (SELECT 1 FROM S x WHERE x.oid = a.oid AND {match})"
    return _test(kind, c, "a")


def _all(kind: str, conditions: tuple[Condition, ...], year: str) -> str:
    return " AND ".join([_condition(kind, c, year) for c in conditions]) or "TRUE"


def compile_figure(d: Definition, fid: str) -> Figure:
    """The definition as one part selecting (oid, unit, ref, yr_from, yr_to, num, den), like a built-in figure."""
    kind, m = d.kind, d.measure
    if m.type == "steps":
        assert m.step is not None
        sql = (
            "SELECT a.oid, a.unit, a.ref, s.sy AS yr_from, s.sy AS yr_to, 1 AS num, 0 AS den"
            f" FROM S s JOIN A a ON a.oid = s.oid WHERE a.kind = {_lit(kind)}"
            f" AND {_step_match(kind, m.step, 's', None)} AND {_all(kind, d.where, 's.sy')}"
        )
        return Figure(fid, d.label, d.unit_word, (Part("SQL", sql=sql),))
    year = "a.y"  # the activity's year (§7.5: a major decision's catalogue year), as AV computes it
    num, den = "1", "0"
    if m.type == "sum":
        f = KINDS[kind].field(m.field or "")
        assert f is not None
        value = f"coalesce({_read(f, 'a')}, 0)"
        num = f"round({value} * 100)" if f.type == "money" and not _scaled(f) else value  # money in cents
    elif m.type == "rate":
        num, den = f"CASE WHEN {_all(kind, m.numerator, year)} THEN 1 ELSE 0 END", "1"
    sql = (
        f"SELECT a.oid, a.unit, a.ref, {year} AS yr_from, {year} AS yr_to, {num} AS num, {den} AS den"
        f" FROM A a WHERE a.kind = {_lit(kind)} AND {_all(kind, d.where, year)}"
    )
    return Figure(fid, d.label, d.unit_word, (Part("SQL", sql=sql),), rate=d.rate, money=d.money)
