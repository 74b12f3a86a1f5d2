"""One typed settings object, built once at the entry point from the environment.

Nothing else in the project reads ``os.environ``: components receive ``Settings`` (or the
part of it they need) as a constructor argument.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, get_type_hints

from deerstream.errors import ConfigError

LOCAL_WEATHER_URL = "http://127.0.0.1:8701"
LOCAL_ELEVATION_URL = "http://127.0.0.1:8702"
LOCAL_SCOUTING_URL = "http://127.0.0.1:8703"


@dataclass(frozen=True, kw_only=True)
class Settings:
    """All configuration. Each field maps to the environment variable of the same name in
    upper case (``kafka_bootstrap_servers`` ← ``KAFKA_BOOTSTRAP_SERVERS``)."""

    # Kafka
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    request_topic: str = "prediction-requests"
    prediction_topic: str = "predictions"
    dlq_topic: str = "prediction-requests.dlq"
    replay_topic: str = "prediction-requests.replay"
    topic_partitions: int = 8
    topic_replication: int = 1
    app_id: str = "deerstream"
    kafka_security_protocol: str = "PLAINTEXT"  # PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL
    kafka_sasl_mechanism: str = "SCRAM-SHA-512"  # or PLAIN, SCRAM-SHA-256
    kafka_sasl_username: str = ""
    kafka_sasl_password: str = ""
    kafka_ssl_cafile: str = ""
    kafka_ssl_certfile: str = ""
    kafka_ssl_keyfile: str = ""
    exactly_once: bool = False
    consumer_session_timeout_s: float = 10.0
    commit_interval_s: float = 1.0
    consumer_heartbeat_interval_s: float = 3.0

    # Redis
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_cluster: str = "auto"  # auto (ask the node), true, false

    # Upstreams (the local simulators by default; the public APIs are a URL away)
    weather_url: str = LOCAL_WEATHER_URL
    elevation_url: str = LOCAL_ELEVATION_URL
    scouting_url: str = LOCAL_SCOUTING_URL
    scouting_shared: bool = False
    elevation_api: str = "open-meteo"  # or opentopodata (ELEVATION_URL is then a dataset URL)
    open_meteo_api_key: str = ""  # the commercial endpoint's key, sent as apikey=
    # Shared call budgets ("600/min,5000/h,10000/day"; "none"); auto = Open-Meteo's free
    # tier for a non-local URL without an API key, no limit otherwise.
    weather_budget: str = "auto"
    elevation_budget: str = "auto"
    upstream_connect_timeout_s: float = 2.0
    upstream_request_timeout_s: float = 3.0
    upstream_deadline_s: float = 6.0
    upstream_max_connections: int = 32
    upstream_retries: int = 3
    breaker_failure_threshold: int = 5
    breaker_reset_s: float = 10.0

    # Agent
    batch_max: int = 200
    batch_within_s: float = 0.05
    batches_in_flight: int = 2
    enrichment_unavailable_deadline_s: float = 30.0
    shutdown_grace_s: float = 10.0  # a stop or rebalance waits this long for batches
    max_event_bytes: int = 65536

    # Worker web server (metrics, health)
    web_host: str = "127.0.0.1"
    web_port: int = 6066

    # Logging
    log_level: str = "INFO"
    log_format: str = "auto"  # auto (text on a terminal, JSON otherwise), json or text

    # Local stack
    state_dir: str = ".deerstream"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.name, hints[f.name], raw)
        values.update(overrides)
        settings = cls(**values)
        settings.validate()
        return settings

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def validate(self) -> None:
        if self.topic_partitions < 1:
            raise ConfigError("TOPIC_PARTITIONS must be >= 1")
        if self.batch_max < 1:
            raise ConfigError("BATCH_MAX must be >= 1")
        if self.batches_in_flight < 1:
            raise ConfigError("BATCHES_IN_FLIGHT must be >= 1")
        if self.shutdown_grace_s < 0:
            raise ConfigError("SHUTDOWN_GRACE_S must be >= 0")
        if self.batch_within_s <= 0:
            raise ConfigError("BATCH_WITHIN_S must be > 0")
        if not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("REDIS_URL must start with redis://, rediss:// or unix://")
        if self.elevation_api not in ("open-meteo", "opentopodata"):
            raise ConfigError("ELEVATION_API must be open-meteo or opentopodata")
        if self.redis_cluster not in ("auto", "true", "false"):
            raise ConfigError("REDIS_CLUSTER must be auto, true or false")
        if self.log_format not in ("auto", "json", "text"):
            raise ConfigError("LOG_FORMAT must be auto, json or text")

    @property
    def uses_local_upstreams(self) -> bool:
        return (self.weather_url, self.elevation_url, self.scouting_url) == (
            LOCAL_WEATHER_URL,
            LOCAL_ELEVATION_URL,
            LOCAL_SCOUTING_URL,
        )

    def redacted(self) -> dict[str, Any]:
        """The settings as a dict with secrets masked (safe to log)."""
        out = dataclasses.asdict(self)
        for key in ("kafka_sasl_password", "open_meteo_api_key"):
            if out[key]:
                out[key] = "***"
        out["redis_url"] = _redact_url(self.redis_url)
        return out


def _redact_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}" if ":" in creds else url


def _parse(name: str, typ: Any, raw: str) -> Any:
    try:
        if typ is bool:
            low = raw.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if typ is int:
            return int(raw)
        if typ is float:
            return float(raw)
        return raw
    except ValueError:
        raise ConfigError(f"{name.upper()}={raw!r} is not a valid {typ.__name__}") from None
