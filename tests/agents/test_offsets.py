"""OffsetGate: events come back for acknowledgement only in offset order per partition."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deerstream.agents.offsets import OffsetGate


def _gate(*held: tuple[str, int]) -> OffsetGate[tuple[str, int]]:
    gate: OffsetGate[tuple[str, int]] = OffsetGate()
    for partition, offset in held:
        gate.hold(partition, offset, (partition, offset), now=float(offset))
    return gate


def test_the_issue_606_shape_holds_back_the_later_event() -> None:
    # A at the committed position is stuck; B behind it finishes first.
    gate = _gate(("p0", 1), ("p0", 2))
    assert gate.finish([("p0", 2)]) == []
    assert gate.blocking() == {"p0": (1, 1.0)}
    assert gate.finish([("p0", 1)]) == [("p0", 1), ("p0", 2)]
    assert gate.held() == 0 and gate.blocking() == {}


def test_offset_zero_of_a_fresh_partition_is_not_skipped() -> None:
    gate = _gate(("p3", 0), ("p3", 1), ("p3", 2))
    assert gate.finish([("p3", 1), ("p3", 2)]) == []
    assert gate.finish([("p3", 0)]) == [("p3", 0), ("p3", 1), ("p3", 2)]


def test_partitions_are_independent() -> None:
    gate = _gate(("p0", 5), ("p1", 7), ("p0", 6), ("p1", 8))
    assert gate.finish([("p1", 7), ("p1", 8), ("p0", 6)]) == [("p1", 7), ("p1", 8)]
    assert gate.blocking() == {"p0": (5, 5.0)}


def test_gaps_in_offsets_are_fine_when_held_in_order() -> None:
    # Transaction markers and compaction leave holes; only consumption order matters.
    gate = _gate(("p0", 10), ("p0", 14), ("p0", 15))
    assert gate.finish([("p0", 14)]) == []
    assert gate.finish([("p0", 10)]) == [("p0", 10), ("p0", 14)]


def test_unknown_events_are_ignored() -> None:
    gate = _gate(("p0", 1))
    assert gate.finish([("p9", 1), ("p0", 99)]) == []
    assert gate.held() == 1


def test_a_seek_back_drops_what_will_be_consumed_again() -> None:
    # A rebalance hands p0 back from committed offset 5 while 5..7 were still held.
    gate = _gate(("p0", 4), ("p0", 5), ("p0", 6), ("p0", 7))
    gate.hold("p0", 5, ("p0", 5))
    assert gate.finish([("p0", 6), ("p0", 7)]) == []  # the stale copies are gone
    assert gate.finish([("p0", 4), ("p0", 5)]) == [("p0", 4), ("p0", 5)]
    assert gate.held() == 0


def test_abandoning_an_event_drops_everything_behind_it() -> None:
    gate = _gate(("p0", 1), ("p0", 2), ("p0", 3), ("p1", 0))
    assert gate.finish([("p0", 3)]) == []
    assert gate.abandon([("p0", 2)]) == 2  # 2, and 3 which is finished but behind it
    assert gate.finish([("p0", 1)]) == [("p0", 1)]
    assert gate.blocking() == {"p1": (0, 0.0)}


def test_stats_report_the_oldest_unfinished_age() -> None:
    gate = _gate(("p0", 1), ("p1", 3))
    assert gate.stats(now=10.0) == {"held": 2.0, "oldest_unfinished_age_seconds": 9.0}
    gate.finish([("p0", 1), ("p1", 3)])
    assert gate.stats(now=10.0) == {"held": 0.0, "oldest_unfinished_age_seconds": 0.0}


@given(
    sizes=st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=4),
    data=st.data(),
)
def test_released_prefix_is_always_contiguous(sizes: list[int], data: st.DataObject) -> None:
    """Whatever order batches finish in, what has been released for a partition is exactly
    a prefix of what it consumed: the committed offset never passes an unfinished event."""
    gate: OffsetGate[tuple[int, int]] = OffsetGate()
    events = [(p, o) for p, n in enumerate(sizes) for o in range(n)]
    for p, o in events:
        gate.hold(p, o, (p, o))
    order = data.draw(st.permutations(events))
    released: dict[int, list[int]] = {p: [] for p in range(len(sizes))}
    finished: set[tuple[int, int]] = set()
    for chunk_start in range(0, len(order), 3):
        chunk = order[chunk_start : chunk_start + 3]
        finished.update(chunk)
        for p, o in gate.finish(chunk):
            released[p].append(o)
        for p, offsets in released.items():
            assert offsets == list(range(len(offsets)))  # a prefix, in order
            nxt = len(offsets)
            assert nxt == sizes[p] or (p, nxt) not in finished  # released all it could
    assert all(len(released[p]) == n for p, n in enumerate(sizes))
