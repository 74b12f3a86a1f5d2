from __future__ import annotations

import pytest

from deerstream.errors import ConfigError
from deerstream.settings import Settings


def test_defaults_match_the_documented_local_stack() -> None:
    s = Settings.from_env({})
    assert s.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert s.redis_url == "redis://127.0.0.1:6379/0"
    assert (s.request_topic, s.prediction_topic, s.dlq_topic) == (
        "prediction-requests",
        "predictions",
        "prediction-requests.dlq",
    )
    assert s.topic_partitions == 8
    assert s.uses_local_upstreams


@pytest.mark.parametrize(
    ("env", "field", "expected"),
    [
        ({"TOPIC_PARTITIONS": "16"}, "topic_partitions", 16),
        ({"BATCH_WITHIN_S": "0.2"}, "batch_within_s", 0.2),
        ({"EXACTLY_ONCE": "true"}, "exactly_once", True),
        ({"EXACTLY_ONCE": "0"}, "exactly_once", False),
        ({"PREDICTION_TOPIC": "p2"}, "prediction_topic", "p2"),
    ],
)
def test_environment_overrides(env: dict[str, str], field: str, expected: object) -> None:
    assert getattr(Settings.from_env(env), field) == expected


@pytest.mark.parametrize(
    "env",
    [
        {"TOPIC_PARTITIONS": "eight"},
        {"TOPIC_PARTITIONS": "0"},
        {"EXACTLY_ONCE": "maybe"},
        {"REDIS_URL": "http://x"},
        {"BATCH_WITHIN_S": "-1"},
    ],
)
def test_invalid_values_are_config_errors(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        Settings.from_env(env)


def test_redacted_hides_secrets() -> None:
    s = Settings.from_env(
        {"KAFKA_SASL_PASSWORD": "hunter2", "REDIS_URL": "redis://alice:s3cret@127.0.0.1:6379/0"}
    )
    red = s.redacted()
    assert "hunter2" not in str(red) and "s3cret" not in str(red)
    assert red["redis_url"] == "redis://alice:***@127.0.0.1:6379/0"
