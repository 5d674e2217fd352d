"""A retry with the same Idempotency-Key is always a replay, even when it races the first request on another
worker (issue 13, item 8): the receipt and the activity are read one after the other, not in one snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSWORD_COST, TZ, study, unit
from fastapi.testclient import TestClient

from api.infra.passwords import hash_password, new_token
from api.infra.settings import Settings
from api.web.app import create_app
from api.web.server import Server
from domain.ids import receipt_id
from domain.ledger import Ledger, Submission


def _ledgers(home: Path, store_url: str | None) -> tuple[Ledger, Ledger]:
    """Two applications on one store, as two web workers have."""
    settings = Settings(home=home, database_url=store_url, tz=TZ, user="setup")
    first = settings.ledger()
    assert first.apply([(1, unit("u1"))], "setup").ok
    return first, settings.ledger()


def test_a_retry_that_finds_no_receipt_and_then_the_activity_is_a_replay(tmp_path: Path, store_url: str | None) -> None:
    """The interleaving that made a 422: worker B, in a careful pass (its group had a bad line), reads the
    line's receipt before worker A's identical line commits, and the activity after it."""
    a, b = _ledgers(tmp_path, store_url)
    line = study("S-1", "2025-03-01") | {"id": "rec:key-1"}
    rid = receipt_id(line["id"])
    original = b._get
    raced = []

    def get(aggregate_id: Any) -> Any:
        found = original(aggregate_id)
        if aggregate_id == rid and found is None and not raced:
            raced.append(True)
            assert a.apply([(1, dict(line))], "rec").applied == 1  # worker A's request commits just now
        return found

    original_many = b._get_many

    def get_many(ids: Any) -> dict[Any, Any]:
        """The bulk load of a file's aggregates: the receipt read before A commits, the rest after it."""
        ids = list(ids)
        found = original_many(ids)
        if rid in found and found[rid] is None and not raced:
            raced.append(True)
            assert a.apply([(1, dict(line))], "rec").applied == 1
            found.update(original_many([i for i in ids if i != rid]))
        return found

    b._get = get  # type: ignore[method-assign]
    b._get_many = get_many  # type: ignore[method-assign]
    bad = Submission([(1, study("S-2", "2025-03-01") | {"date": "not a date"})], "other")
    outcomes = b.apply_each([bad, Submission([(1, dict(line))], "rec")])
    assert raced, "the interleaving did not happen"
    assert not outcomes[0].ok
    assert outcomes[1].errors == [] and outcomes[1].skipped == 1
    assert len(a.history("u1", "S-1")) == 1


@pytest.fixture
def two_workers(tmp_path: Path, postgres_url: str) -> Iterator[tuple[TestClient, TestClient]]:
    settings = Settings(home=tmp_path, database_url=postgres_url + "?schema=@home", tz=TZ, user="setup")
    first = Server(settings, poll=False)
    assert first.ledger.apply([(1, unit("north"))], "setup").ok
    stored = hash_password("x" * 12, cost=PASSWORD_COST)
    first.ledger.register_user("rec", "rec", "recorder", ["north"], stored, "setup")
    token, digest = new_token("rec")
    first.ledger.issue_token("rec", digest, "tests", "setup")
    second = Server(settings, poll=False)
    clients = []
    for server in (first, second):
        client = TestClient(create_app(server=server))
        client.headers["Authorization"] = f"Bearer {token}"
        clients.append(client)
    yield clients[0], clients[1]
    first.close()
    second.close()


def test_pairs_of_one_request_sent_at_once_to_two_workers_are_each_written_once(
    two_workers: tuple[TestClient, TestClient],
) -> None:
    """Many pairs at once, so that groups on both workers fall into careful passes while the other worker's
    transactions are in flight: every second request of a pair is a replay, never a 422."""
    pairs = 120

    def send(n: int) -> tuple[int, int, bool]:
        client = two_workers[n % 2]
        i = n // 2
        body = {"unit": "north", "kind": "study_session", "ref": f"S-{i}", "date": "2025-03-01"}
        body["data"] = {"form": "central_group", "topic": "学习宪法", "attendees": 3}
        if i % 5 == 0:  # now and then a bad request, which sends its group into a careful pass
            body["date"] = "2025-02-30"
        r = client.post("/api/records", json=body, headers={"Idempotency-Key": f"k-{i}"})
        return i, r.status_code, r.headers.get("Idempotent-Replayed") == "true"

    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(send, range(2 * pairs)))
    by_pair: dict[int, list[tuple[int, bool]]] = {}
    for i, status, replayed in results:
        by_pair.setdefault(i, []).append((status, replayed))
    wrong = {
        i: got
        for i, got in by_pair.items()
        if sorted(got) != ([(422, False)] * 2 if i % 5 == 0 else [(201, False), (201, True)])
    }
    assert wrong == {}
