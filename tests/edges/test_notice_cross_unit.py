"""A filing notice (回执) asked of another unit is refused before anything about that unit is said.

Found by bench/hostile_campaign.py: the recorder of `north` asking for `south`'s or `city`'s notice was answered
422 "「south」是本台账的单位…" (the access check came after), unlike every other route, which refuses with 403."""

from __future__ import annotations

from webkit import Web


def test_a_notice_of_another_unit_is_a_403_over_the_api_and_the_page(web: Web) -> None:
    for unit in ("south", "city"):
        r = web.client("rec-north").get(f"/api/filings/{unit}/2025/notice")
        assert r.status_code == 403, r.text
        assert "本台账的单位" not in r.text
        r = web.client("rec-north").get("/filing/notice", params={"unit": unit, "year": "2025"})
        assert r.status_code == 403, r.text[:300]
        assert "本台账的单位" not in r.text


def test_a_reader_of_the_unit_is_still_told_why_there_is_no_notice(web: Web) -> None:
    for who, unit in (("aud-city", "south"), ("rec-north", "north")):
        r = web.client(who).get(f"/api/filings/{unit}/2025/notice")
        assert r.status_code == 422, r.text
        assert "本台账的单位" in r.json()["detail"]
    assert web.client("admin").get("/api/filings/nowhere/2025/notice").status_code == 404
