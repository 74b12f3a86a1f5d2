"""One typed settings object, built once at the entry point from the environment.

Nothing else in the project reads ``os.environ``. ``Settings`` mirrors the environment one
field per variable, and is parsed and validated once; each component then receives only
its slice, as typed values: ``settings.kafka`` (the connection and the topics),
``settings.redis``, ``settings.upstreams``, ``settings.agent``, ``settings.web`` and
``settings.logging``. The bootstrap list is split into host and port here and nowhere else.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any, get_type_hints

from deerstream.errors import ConfigError

LOCAL_WEATHER_URL = "http://127.0.0.1:8701"
LOCAL_ELEVATION_URL = "http://127.0.0.1:8702"
LOCAL_SCOUTING_URL = "http://127.0.0.1:8703"

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
EVENT_LOOPS = ("auto", "uvloop", "asyncio")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 literal
        return f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class KafkaConnection:
    """Where the brokers are and how to authenticate to them (validated)."""

    bootstrap: tuple[BrokerAddress, ...]
    security_protocol: str  # one of SECURITY_PROTOCOLS, upper case
    sasl_mechanism: str  # one of SASL_MECHANISMS, upper case
    sasl_username: str
    sasl_password: str = field(repr=False)
    ssl_cafile: str
    ssl_certfile: str
    ssl_keyfile: str

    @property
    def bootstrap_servers(self) -> str:
        """The comma-separated ``host:port`` list Kafka clients take."""
        return ",".join(str(b) for b in self.bootstrap)

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")


@dataclass(frozen=True, slots=True)
class Topics:
    request: str
    prediction: str
    dlq: str
    replay: str
    partitions: int
    replication: int

    def all(self) -> list[str]:
        return [self.request, self.prediction, self.dlq, self.replay]


@dataclass(frozen=True, slots=True)
class KafkaSettings:
    connection: KafkaConnection
    topics: Topics


@dataclass(frozen=True, slots=True)
class RedisSettings:
    url: str = field(repr=False)  # may carry a password
    cluster: str  # auto, true, false


@dataclass(frozen=True, slots=True)
class UpstreamSettings:
    weather_url: str
    elevation_url: str
    scouting_url: str
    scouting_shared: bool
    elevation_api: str
    open_meteo_api_key: str = field(repr=False)
    weather_budget: str
    elevation_budget: str
    connect_timeout_s: float
    request_timeout_s: float
    deadline_s: float
    max_connections: int
    retries: int
    breaker_failure_threshold: int
    breaker_reset_s: float


@dataclass(frozen=True, slots=True)
class AgentSettings:
    app_id: str
    batch_max: int
    batch_within_s: float
    batches_in_flight: int
    enrichment_unavailable_deadline_s: float
    shutdown_grace_s: float
    max_event_bytes: int
    event_loop: str  # auto, uvloop, asyncio
    exactly_once: bool
    session_timeout_s: float
    commit_interval_s: float
    heartbeat_interval_s: float
    state_dir: str


@dataclass(frozen=True, slots=True)
class WebSettings:
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class LogSettings:
    level: str
    format: str  # auto, json, text
    library_level: str = "WARNING"  # the frameworks' own loggers (faust, mode, aiokafka)


def parse_bootstrap(text: str) -> tuple[BrokerAddress, ...]:
    """``host:port[,host:port...]`` as addresses; ``ConfigError`` names the bad entry."""
    out = []
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        host, _, port = entry.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"KAFKA_BOOTSTRAP_SERVERS entry {entry!r} needs host:port")
        out.append(BrokerAddress(host.strip("[]"), int(port)))
    if not out:
        raise ConfigError("KAFKA_BOOTSTRAP_SERVERS is empty")
    return tuple(out)


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
    # A Confluent-compatible schema registry: predictions are registered and framed.
    schema_registry_url: str = ""
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
    event_loop: str = "auto"  # auto (uvloop when installed), uvloop, asyncio

    # Worker web server (metrics, health)
    web_host: str = "127.0.0.1"
    web_port: int = 6066

    # Logging
    log_level: str = "INFO"
    log_format: str = "auto"  # auto (text on a terminal, JSON otherwise), json or text
    # Faust, mode and aiokafka log every service start and stop at INFO; their warnings
    # and errors (a broker lost, a rebalance failing) still show at WARNING.
    log_library_level: str = "WARNING"

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
        return cls(**values)

    def __post_init__(self) -> None:
        self.validate()  # no Settings exists with values that cannot work

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def validate(self) -> None:
        parse_bootstrap(self.kafka_bootstrap_servers)  # ConfigError names a bad entry
        if self.kafka_security_protocol.upper() not in SECURITY_PROTOCOLS:
            raise ConfigError(
                f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol!r} is not one of "
                + ", ".join(SECURITY_PROTOCOLS)
            )
        if self.kafka_sasl_mechanism.upper() not in SASL_MECHANISMS:
            raise ConfigError(
                f"KAFKA_SASL_MECHANISM={self.kafka_sasl_mechanism!r} is not one of "
                + ", ".join(SASL_MECHANISMS)
            )
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
        if self.event_loop not in EVENT_LOOPS:
            raise ConfigError("EVENT_LOOP must be one of " + ", ".join(EVENT_LOOPS))
        if self.log_level.upper() not in LOG_LEVELS:
            raise ConfigError("LOG_LEVEL must be one of " + ", ".join(LOG_LEVELS))
        if self.log_library_level.upper() not in LOG_LEVELS:
            raise ConfigError("LOG_LIBRARY_LEVEL must be one of " + ", ".join(LOG_LEVELS))
        if not 0 <= self.web_port < 65536:
            raise ConfigError("WEB_PORT must be 0..65535 (0: any free port)")
        if self.topic_replication < 1:
            raise ConfigError("TOPIC_REPLICATION must be >= 1")
        if self.schema_registry_url and not self.schema_registry_url.startswith(
            ("http://", "https://")
        ):
            raise ConfigError("SCHEMA_REGISTRY_URL must start with http:// or https://")
        if self.log_format not in ("auto", "json", "text"):
            raise ConfigError("LOG_FORMAT must be auto, json or text")

    # ------------------------------------------------------------------ the slices

    @cached_property
    def kafka(self) -> KafkaSettings:
        return KafkaSettings(
            connection=KafkaConnection(
                bootstrap=parse_bootstrap(self.kafka_bootstrap_servers),
                security_protocol=self.kafka_security_protocol.upper(),
                sasl_mechanism=self.kafka_sasl_mechanism.upper(),
                sasl_username=self.kafka_sasl_username,
                sasl_password=self.kafka_sasl_password,
                ssl_cafile=self.kafka_ssl_cafile,
                ssl_certfile=self.kafka_ssl_certfile,
                ssl_keyfile=self.kafka_ssl_keyfile,
            ),
            topics=Topics(
                request=self.request_topic,
                prediction=self.prediction_topic,
                dlq=self.dlq_topic,
                replay=self.replay_topic,
                partitions=self.topic_partitions,
                replication=self.topic_replication,
            ),
        )

    @cached_property
    def redis(self) -> RedisSettings:
        return RedisSettings(url=self.redis_url, cluster=self.redis_cluster)

    @cached_property
    def upstreams(self) -> UpstreamSettings:
        return UpstreamSettings(
            weather_url=self.weather_url,
            elevation_url=self.elevation_url,
            scouting_url=self.scouting_url,
            scouting_shared=self.scouting_shared,
            elevation_api=self.elevation_api,
            open_meteo_api_key=self.open_meteo_api_key,
            weather_budget=self.weather_budget,
            elevation_budget=self.elevation_budget,
            connect_timeout_s=self.upstream_connect_timeout_s,
            request_timeout_s=self.upstream_request_timeout_s,
            deadline_s=self.upstream_deadline_s,
            max_connections=self.upstream_max_connections,
            retries=self.upstream_retries,
            breaker_failure_threshold=self.breaker_failure_threshold,
            breaker_reset_s=self.breaker_reset_s,
        )

    @cached_property
    def agent(self) -> AgentSettings:
        return AgentSettings(
            app_id=self.app_id,
            batch_max=self.batch_max,
            batch_within_s=self.batch_within_s,
            batches_in_flight=self.batches_in_flight,
            enrichment_unavailable_deadline_s=self.enrichment_unavailable_deadline_s,
            shutdown_grace_s=self.shutdown_grace_s,
            max_event_bytes=self.max_event_bytes,
            event_loop=self.event_loop,
            exactly_once=self.exactly_once,
            session_timeout_s=self.consumer_session_timeout_s,
            commit_interval_s=self.commit_interval_s,
            heartbeat_interval_s=self.consumer_heartbeat_interval_s,
            state_dir=self.state_dir,
        )

    @cached_property
    def web(self) -> WebSettings:
        return WebSettings(host=self.web_host, port=self.web_port)

    @cached_property
    def logging(self) -> LogSettings:
        return LogSettings(
            level=self.log_level, format=self.log_format, library_level=self.log_library_level
        )

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
