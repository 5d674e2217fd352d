"""The fast JSON paths write exactly what the standard library would: stored events and line digests."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import case, make, petition, rec, step, study, unit, void
from eventsourcing.persistence import JSONTranscoder
from hypothesis import given
from hypothesis import strategies as st

from domain.transcoder import canonical

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_line_digests_are_the_standard_librarys_canonical_json(value: object) -> None:
    expected = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    assert canonical(value) == expected


def test_every_stored_event_is_byte_for_byte_what_the_library_encoder_writes(tmp_path: Path) -> None:
    env = make(tmp_path)
    env.ok(
        unit(),
        study("S-1", "2025-03-01", laws=["宪法", "民法典"], led_by_head=True),
        rec("study_writing", "W-1", "2025-03-02", genre="notes", title="笔记\n第二行\t\u2028\U0001f4dd"),
        petition("P-1", "2025-03-03"),
        case("C-1", "2025-03-04"),
        step("C-1", "hearing", "2025-04-01"),
        void("S-1"),
    )
    ledger = env.ledger
    reference = JSONTranscoder()
    ledger.register_transcodings(reference)
    stored = ledger.recorder.select_notifications(0, 1000)
    assert len(stored) > 10
    for n in stored:
        event = ledger.mapper.to_domain_event(n)
        state = dict(vars(event))
        state.pop("originator_id")
        state.pop("originator_version")
        assert n.state == reference.encode(state)
