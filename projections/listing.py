"""The ledger list (台账): activities of a unit and its descendants, filtered by kind, year and text, in pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from domain.catalogue import KINDS, all_fields

from .report import scope

# Text fields worth searching (topic, theme, subject, title, case number, cause …): declared in the catalogue.
TEXT_FIELDS = sorted(name for name, f in all_fields().items() if f.type == "str")
SUMMARY_FIELDS = {k.code: [f.name for f in k.fields if f.type == "str"] for k in KINDS.values()}


@dataclass
class Page:
    total: int
    page: int
    size: int
    rows: list[dict[str, Any]]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def search(
    con: duckdb.DuckDBPyConnection,
    unit: str,
    year: int | None,
    kind: str | None,
    text: str | None,
    page: int = 1,
    size: int = 50,
) -> Page:
    """Newest first; `text` matches the ref or any text field (case-insensitive substring)."""
    units = scope(con, unit, None).units
    where = ["unit IN (SELECT unnest(?))"]
    params: list[Any] = [units]
    if year is not None:
        where.append("year(date) = ?")
        params.append(year)
    if kind:
        where.append("kind = ?")
        params.append(kind)
    if text and text.strip():
        columns = ["ref", *(f'"{n}"' for n in TEXT_FIELDS)]
        where.append("(" + " OR ".join(f"{c} ILIKE ? ESCAPE '\\'" for c in columns) + ")")
        pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [pattern] * len(columns)
    condition = " AND ".join(where)
    total = con.execute(f"SELECT count(*) FROM act WHERE {condition}", params).fetchall()[0][0]
    page = max(page, 1)
    cur = con.execute(
        f"SELECT * EXCLUDE (oid, first_recorded_at) FROM act WHERE {condition}"
        " ORDER BY date DESC, unit, ref LIMIT ? OFFSET ?",
        [*params, size, (page - 1) * size],
    )
    names = [d[0] for d in cur.description]
    rows = []
    for values in cur.fetchall():
        r = dict(zip(names, values, strict=True))
        summary = next((r[f] for f in SUMMARY_FIELDS[r["kind"]] if r.get(f)), "")
        rows.append(
            {
                "unit": r["unit"],
                "ref": r["ref"],
                "kind": r["kind"],
                "kind_label": KINDS[r["kind"]].label,
                "date": r["date"].isoformat(),
                "voided": bool(r["voided"]),
                "corrections": int(r["corrections"] or 0),
                "summary": summary,
            }
        )
    return Page(int(total), page, size, rows)


def summaries(con: duckdb.DuckDBPyConnection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(unit, ref) → what the ledger list shows of the activity (its topic, title, subject …: the first text field
    of its kind that is filled in), for pages that list activities found elsewhere (a figure's sources)."""
    if not keys:
        return {}
    columns = sorted({f for fields in SUMMARY_FIELDS.values() for f in fields})
    quoted = ", ".join(f'"{c}"' for c in columns)
    cur = con.execute(
        f"SELECT unit, ref, kind, {quoted} FROM act"
        " WHERE (unit, ref) IN (SELECT (u, r) FROM (SELECT unnest(?) AS u, unnest(?) AS r))",
        [[u for u, _ in keys], [r for _, r in keys]],
    )
    out = {}
    for unit, ref, kind, *values in cur.fetchall():
        row = dict(zip(columns, values, strict=True))
        out[(unit, ref)] = next((row[f] for f in SUMMARY_FIELDS[kind] if row.get(f)), "")
    return out
