"""The workload generator: seeded, mixed as asked, on dawn and dusk, valid requests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deerstream.bench.workload import (
    DAWN_UTC,
    DUSK_UTC,
    WorkloadSpec,
    count_kinds,
    encode_item,
    generate_workload,
)
from deerstream.enrich.keys import weather_cell
from deerstream.models.codec import decode_request

START = date(2026, 11, 1)


def test_same_spec_same_workload_byte_for_byte() -> None:
    spec = WorkloadSpec(size=500, spots=40, seed=3)
    a = [encode_item(i, f"r{n}") for n, i in enumerate(generate_workload(spec, START))]
    b = [encode_item(i, f"r{n}") for n, i in enumerate(generate_workload(spec, START))]
    assert a == b


def test_another_seed_gives_another_workload() -> None:
    a = generate_workload(WorkloadSpec(size=50, seed=1), START)
    b = generate_workload(WorkloadSpec(size=50, seed=2), START)
    assert a != b


def test_mix_follows_the_shares() -> None:
    spec = WorkloadSpec(size=4000, repeat_share=0.5, nearby_share=0.3, fresh_share=0.2)
    counts = count_kinds(generate_workload(spec, START))
    assert sum(counts.values()) == 4000
    assert counts["repeat"] == pytest.approx(2000, rel=0.1)
    assert counts["nearby"] == pytest.approx(1200, rel=0.1)
    assert counts["fresh"] == pytest.approx(800, rel=0.15)


def test_repeats_hit_a_few_hundred_spots_and_nearby_stays_close() -> None:
    spec = WorkloadSpec(size=3000, spots=200, nearby_m=60.0)
    items = generate_workload(spec, START)
    repeats = {(i.lat, i.lon) for i in items if i.kind == "repeat"}
    assert 50 < len(repeats) <= 200
    fresh = [i for i in items if i.kind == "fresh"]
    assert len({(i.lat, i.lon) for i in fresh}) == len(fresh)  # every fresh spot is new
    # A nearby spot orbits a known spot, so it nearly always shares that spot's weather cell.
    same_cell = sum(
        1
        for i in items
        if i.kind == "nearby"
        and any(
            weather_cell(i.lat, i.lon, i.target_time) == weather_cell(la, lo, i.target_time)
            for la, lo in repeats
        )
    )
    assert same_cell > 0.8 * count_kinds(items)["nearby"]


def test_target_times_are_dawn_or_dusk_of_the_coming_days() -> None:
    spec = WorkloadSpec(size=1000, days=4)
    for item in generate_workload(spec, START):
        t = item.target_time
        assert t.tzinfo is UTC
        assert 1 <= (t.date() - START).days <= 4
        minutes = t.hour * 60 + t.minute
        anchors = [h * 60 + m for h, m in (DAWN_UTC, DUSK_UTC)]
        assert min(abs(minutes - a) for a in anchors) <= 60
        assert t.minute % 15 == 0


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    shares=st.tuples(*[st.floats(0.0, 1.0)] * 3).filter(lambda s: sum(s) > 0.01),
)
def test_every_item_encodes_to_a_valid_request(
    seed: int, shares: tuple[float, float, float]
) -> None:
    spec = WorkloadSpec(
        size=30, seed=seed, repeat_share=shares[0], nearby_share=shares[1], fresh_share=shares[2]
    )
    for n, item in enumerate(generate_workload(spec, START)):
        req = decode_request(encode_item(item, f"id-{n}"))
        assert req.request_id == f"id-{n}"
        assert (req.lat, req.lon) == (item.lat, item.lon)
        assert req.target_time == item.target_time
        assert req.target_time > datetime(2026, 11, 1, tzinfo=UTC)


def test_bad_specs_are_refused() -> None:
    with pytest.raises(ValueError):
        generate_workload(WorkloadSpec(repeat_share=0, nearby_share=0, fresh_share=0), START)
    with pytest.raises(ValueError):
        generate_workload(WorkloadSpec(spots=0), START)
