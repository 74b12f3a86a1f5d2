"""What the worker says about its partitions (the log line and ``/ready``)."""

from __future__ import annotations

from faust.types import TP

from deerstream.agents.worker import partition_counts


def test_counts_per_topic_without_fausts_internal_topic() -> None:
    assigned = {
        TP("prediction-requests", 0),
        TP("prediction-requests", 3),
        TP("prediction-requests.replay", 0),
        TP("deerstream-__assignor-__leader", 0),
    }
    assert partition_counts(assigned) == {
        "total": 3,
        "prediction-requests": 2,
        "prediction-requests.replay": 1,
    }
    assert partition_counts(set()) == {"total": 0}
