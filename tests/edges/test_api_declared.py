"""A figure a unit declares (DOMAIN.md §8) is explained over the JSON API like a built-in one."""

from __future__ import annotations

from conftest import study

DECLARED = {
    "id": "F-city-1",
    "op": "figure",
    "unit": "city",
    "data": {
        "code": "local.study.party_group",
        "label": "党组会学法",
        "unit_word": "次",
        "kind": "study_session",
        "where": [{"field": "form", "in": ["party_group"]}],
        "measure": {"type": "count"},
    },
}


def test_a_declared_code_is_explained_for_the_units_it_applies_to(web):
    lines = [DECLARED, study("S-1", "2025-03-01", unit="north", form="party_group")]
    lines.append(study("S-2", "2025-03-02", unit="north"))
    assert web.server.ledger.apply(list(enumerate(lines, 1)), "setup").ok
    client = web.client("aud-city")
    r = client.get("/api/reports/north/2025/figures/local.study.party_group")
    assert r.status_code == 200, r.text
    assert [row["ref"] for row in r.json()] == ["S-1"]
    assert client.get("/api/reports/north/2025/figures/local.nobody.declared").status_code == 404
    report = client.get("/api/reports/north/2025").json()
    assert report["figures"]["local.study.party_group"]["value"] == 1
