"""DuckDB tables of the read model, their columns derived from the domain catalogue."""

from __future__ import annotations

import json

from domain.catalogue import Field, all_fields

from .imported import DDL as IMPORTED_DDL
from .tracking import TRACKING_DDL

# Money and scores are stored in events as exact decimal strings ("136161.00") and read here as exact decimals.
SQL_TYPES = {
    "str": "VARCHAR",
    "code": "VARCHAR",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "list": "VARCHAR[]",
    "money": "DECIMAL(15, 2)",
    "score": "DECIMAL(5, 2)",
}

ACTIVITY_FIELDS: dict[str, Field] = all_fields("activity")
STEP_FIELDS: dict[str, Field] = all_fields("step")
# Activity and step data share one struct column: a field name means the same thing wherever it appears.
DATA_FIELDS: dict[str, Field] = {**STEP_FIELDS, **ACTIVITY_FIELDS}


def struct_type(fields: dict[str, Field]) -> str:
    return "STRUCT(" + ", ".join(f'"{n}" {SQL_TYPES[f.type]}' for n, f in fields.items()) + ")"


def json_spec(fields: dict[str, Field]) -> str:
    return json.dumps({n: SQL_TYPES[f.type] for n, f in fields.items()})


# Topic suffix -> the event type the read model knows it by.
ETYPES = {
    "Unit.Registered": "unit",
    "Unit.Changed": "unit",
    "Activity.Recorded": "record",
    "Activity.StepAdded": "step",
    "Activity.Corrected": "correct",
    "Activity.Voided": "void",
    "Activity.StepVoided": "void_step",
    "Receipt.Issued": "receipt",
}

DDL = [
    f"""CREATE TABLE IF NOT EXISTS events (
        pos BIGINT NOT NULL, oid VARCHAR NOT NULL, version BIGINT NOT NULL, topic VARCHAR NOT NULL,
        etype VARCHAR, recorded_at TIMESTAMPTZ, recorded_by VARCHAR, line_id VARCHAR,
        unit VARCHAR, ref VARCHAR, kind VARCHAR, step VARCHAR, target VARCHAR, date DATE, reason VARCHAR,
        name VARCHAR, parent VARCHAR, digest VARCHAR, keys VARCHAR[], d {struct_type(DATA_FIELDS)})""",
    f"""CREATE TABLE IF NOT EXISTS act (
        oid VARCHAR, unit VARCHAR, ref VARCHAR, kind VARCHAR, date DATE, voided BOOLEAN,
        first_recorded_at TIMESTAMPTZ, corrections BIGINT,
        {", ".join(f'"{n}" {SQL_TYPES[f.type]}' for n, f in ACTIVITY_FIELDS.items())}, defaulted VARCHAR[])""",
    f"""CREATE TABLE IF NOT EXISTS stp (
        step_id VARCHAR, oid VARCHAR, step VARCHAR, date DATE, voided BOOLEAN,
        {", ".join(f'"{n}" {SQL_TYPES[f.type]}' for n, f in STEP_FIELDS.items())},
        sy INTEGER, unit VARCHAR, ref VARCHAR, kind VARCHAR, y INTEGER, case_type VARCHAR, category VARCHAR,
        action VARCHAR, live BOOLEAN)""",
    """CREATE TABLE IF NOT EXISTS contrib (
        oid VARCHAR, unit VARCHAR, ref VARCHAR, fid VARCHAR, yr_from INTEGER, yr_to INTEGER, num BIGINT, den BIGINT)""",
    # Figures units declare (§8, projections/declared.py): every version as given, and which are in contrib.
    """CREATE TABLE IF NOT EXISTS decl (
        pos BIGINT, oid VARCHAR, recorded_at TIMESTAMPTZ, recorded_by VARCHAR, line_id VARCHAR,
        unit VARCHAR, code VARCHAR, retired BOOLEAN, data VARCHAR)""",
    "CREATE TABLE IF NOT EXISTS decl_applied (fid VARCHAR)",
    "CREATE TABLE IF NOT EXISTS leaves (idx BIGINT, pos BIGINT, oid VARCHAR, hash BLOB)",
    "CREATE TABLE IF NOT EXISTS merkle (size BIGINT, frontier BLOB)",  # the frontier at every batch boundary
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)",
    "CREATE TABLE IF NOT EXISTS units (code VARCHAR, name VARCHAR, parent VARCHAR)",
    TRACKING_DDL,
    *IMPORTED_DDL,  # report packages of units on their own servers (projections/imported.py)
]
