"""The worker's bounded store of recently published predictions."""

from __future__ import annotations

import pytest

from deerstream.agents.recent import RECENT_PREDICTIONS, RecentPredictions


def test_keeps_the_latest_value_per_request_id_newest_first() -> None:
    store = RecentPredictions(capacity=3)
    store.add(b"a", b"1")
    store.add(b"b", b"2")
    store.add(b"a", b"3")  # republished: newer value, now the most recent
    assert store.ids() == ["a", "b"]
    assert store.get("a") == b"3" and store.get("b") == b"2"
    assert store.get("missing") is None


def test_is_bounded_dropping_the_least_recently_published() -> None:
    store = RecentPredictions(capacity=2)
    for key in (b"a", b"b", b"c"):
        store.add(key, key.upper())
    assert store.ids() == ["c", "b"] and len(store) == 2
    assert store.get("a") is None


def test_default_capacity_is_two_hundred() -> None:
    store = RecentPredictions()
    for i in range(RECENT_PREDICTIONS + 50):
        store.add(f"r{i}".encode(), b"{}")
    assert RECENT_PREDICTIONS == 200 and len(store) == 200
    assert store.ids()[0] == f"r{RECENT_PREDICTIONS + 49}" and store.get("r49") is None


def test_rejects_a_useless_capacity() -> None:
    with pytest.raises(ValueError):
        RecentPredictions(capacity=0)
