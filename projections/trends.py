"""Monthly trends of a year's main figures, from the same declarations as the figures themselves."""

from __future__ import annotations

from datetime import datetime

import duckdb

from .figures import BY_ID, TRENDS
from .report import materialize

THEMES = TRENDS  # the figures charted by month (declared in figures.py)


def monthly(
    con: duckdb.DuckDBPyConnection, units: list[str], year: int, as_of: datetime | None, tz: str
) -> dict[str, list[int]]:
    """figure id -> its 12 monthly values (by the activity's date) for the units, as of the instant."""
    materialize(con, as_of, units)
    out = {}
    for fid in THEMES:
        part = BY_ID[fid].parts[0]
        found = dict(
            con.execute(
                f"SELECT month(date), sum(CAST({part.num} AS BIGINT)) FROM A"
                f" WHERE y = $y AND {part.where.replace('{TZ}', tz)} GROUP BY 1",
                {"y": year},
            ).fetchall()
        )
        out[fid] = [int(found.get(m, 0) or 0) for m in range(1, 13)]
    return out
