"""A read waits for the log as it found it, not for writes that keep coming (issue 13.4).

Under a steady stream of writes a catch-up that read until it found no new event never reached its fold: every
read beside 22 writers waited until the writes stopped (14 s in bench/mixed_load.py)."""

from __future__ import annotations

from conftest import study

from projections import source


def test_bring_up_to_date_stops_at_the_log_it_was_asked_for_while_writes_keep_coming(env, monkeypatch):
    env.ok(*[study(f"S-{i}", "2025-03-01") for i in range(5)])
    model = env.settings.read_model()
    try:
        model.bring_up_to_date(env.ledger.recorder)
        latest = env.ledger.recorder.max_notification_id()
        real = source.read_rows
        calls = 0

        def writers_never_stop(src, after, size):  # a new record committed before every read of the log
            nonlocal calls
            calls += 1
            assert calls < 20, "the catch-up chased the head of the log instead of folding"
            env.ok(study(f"W-{calls}", "2025-03-02"))
            return real(src, after, size)

        monkeypatch.setattr(source, "read_rows", writers_never_stop)
        env.ok(study("MINE", "2025-03-01"))  # this user's write: the read must show it
        asked = env.ledger.recorder.max_notification_id()
        assert asked > latest
        model.bring_up_to_date(env.ledger.recorder)
        monkeypatch.undo()
        assert model.position() == asked and model.folded() == asked  # folded, exactly to what was asked
        reader = model.reader()
        try:
            report = reader.report("u1", 2025).to_json()
        finally:
            reader.close()
        assert report["figures"]["study.sessions"]["value"] == 6  # the five and MINE, none of the later ones
        assert report["log"]["size"] < env.ledger.recorder.max_notification_id()  # says which log it reflects
        model.bring_up_to_date(env.ledger.recorder)  # the next read catches up with the writes since
        assert model.folded() == env.ledger.recorder.max_notification_id()
    finally:
        model.close()


def test_a_reader_that_waited_catches_up_with_the_log_as_it_is_when_its_turn_comes(env):
    """Readers queue for the catch-up; the one whose turn comes folds the log as it is then, so the readers
    behind it (who found a longer log than it did) find their writes folded and need no catch-up of their own."""
    env.ok(study("S-0", "2025-03-01"))
    model = env.settings.read_model()
    try:
        model.bring_up_to_date(env.ledger.recorder)
        env.ok(study("S-1", "2025-03-01"))
        found = env.ledger.recorder.max_notification_id()  # what this reader found before it waited
        env.ok(*[study(f"S-later-{i}", "2025-03-01") for i in range(3)])  # written while it waited
        model.bring_up_to_date(env.ledger.recorder, latest=found)
        assert model.folded() == env.ledger.recorder.max_notification_id() > found
    finally:
        model.close()
