"""A username tried at sign-in that a spreadsheet would evaluate stays text in the access log's exports.

Found while re-measuring the campaign (bench/hostile_campaign.py): anyone, before signing in, could put
"=cmd|' /C calc'!A0" into the access log as the actor of a failed sign-in; the CSV export carried it as is, and
the audit administrator's spreadsheet would evaluate it (formula injection)."""

from __future__ import annotations

import csv
import io

import openpyxl
from fastapi.testclient import TestClient
from webkit import PASSWORD, Web

from api.infra.passwords import hash_password

TRIED = "=cmd|' /C calc'!A0"


def test_a_formula_typed_as_a_username_is_text_in_the_csv_and_xlsx_exports(web: Web) -> None:
    web.server.ledger.register_user("aa", "审计管理员", "auditadmin", [], hash_password(PASSWORD), "setup")
    web.server.ledger.set_password("aa", hash_password(PASSWORD), False, "setup")
    web.server.forget()
    r = TestClient(web.app).post("/api/session", json={"username": TRIED, "password": "wrong"})
    assert r.status_code == 401
    text = web.client("aa").get("/access-log/export?format=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    tried = [row for row in rows if "calc" in ",".join(row)]
    assert tried, rows
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if len(c) > 1 and c[0] in "=+-@"], cells
    assert any(c.lower() == "'" + TRIED.lower() for c in tried[0])  # kept, readable, as text
    book = openpyxl.load_workbook(io.BytesIO(web.client("aa").get("/access-log/export?format=xlsx").content))
    found = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in found if c.data_type == "f"] == []
    assert any(isinstance(c.value, str) and c.value.lower() == TRIED.lower() for c in found)
