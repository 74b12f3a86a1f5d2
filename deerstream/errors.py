"""The project's exception tree.

    DeerstreamError                  root; every error carries ``retriable``
    ├── ConfigError                  bad settings or CLI arguments (not retriable)
    ├── ContractError                an event breaks the contract (not retriable)
    │     carries ``code`` (stable reason code) and ``path`` (JSON path of the field)
    ├── UpstreamError                an enrichment source failed
    │   ├── UpstreamUnavailable      connection refused/reset, 5xx (retriable)
    │   ├── UpstreamTimeout          no answer within the timeout/deadline (retriable)
    │   ├── UpstreamRateLimited      HTTP 429; ``retry_after_s`` when given (retriable)
    │   ├── UpstreamRejected         HTTP 4xx other than 429 (not retriable)
    │   ├── UpstreamBadResponse      body not in the documented shape (not retriable)
    │   ├── UpstreamTruncated        a 200 whose body does not parse (retriable)
    │   ├── BudgetExhausted          the shared call budget is spent (not retriable now)
    │   └── CircuitOpen              the breaker is open; failing fast (retriable later)
    ├── BrokerError                  Kafka unreachable, timed out, not acknowledged (retriable)
    └── StackError                   the local stack could not start/stop (not retriable)

Library exceptions (aiohttp, redis, aiokafka) are translated into these at the boundary
of the adapter that saw them. Redis has no error here on purpose: the caches never raise
(a failing Redis is bypassed, counted and retried; see ``deerstream.enrich.cache``).
"""

from __future__ import annotations


class DeerstreamError(Exception):
    """Root of every error raised by deerstream."""

    retriable: bool = False


class ConfigError(DeerstreamError):
    """Invalid settings or command-line arguments."""


class ContractError(DeerstreamError):
    """An event does not satisfy the event contract.

    ``code`` is one of the stable reason codes documented in the README; ``path`` is the
    JSON path (``$.lat``) of the offending field, or ``$`` for the whole event.
    """

    def __init__(self, code: str, message: str, path: str = "$") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path

    def __repr__(self) -> str:
        return f"ContractError({self.code!r}, {self.message!r}, {self.path!r})"


class UpstreamError(DeerstreamError):
    """An enrichment upstream failed. ``source`` names it (terrain/weather/scouting)."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source


class UpstreamUnavailable(UpstreamError):
    retriable = True


class UpstreamTimeout(UpstreamError):
    retriable = True


class UpstreamRateLimited(UpstreamError):
    retriable = True

    def __init__(
        self,
        source: str,
        message: str,
        retry_after_s: float | None = None,
        *,
        quota_s: float | None = None,
    ) -> None:
        super().__init__(source, message)
        self.retry_after_s = retry_after_s
        # A quota that ran out (minute, hour, day): retrying before it resets is useless.
        self.quota_s = quota_s


class UpstreamRejected(UpstreamError):
    retriable = False


class UpstreamBadResponse(UpstreamError):
    retriable = False


class BudgetExhausted(UpstreamError):
    """The shared call budget has no room for this call in one of its windows: the call is
    not made (the upstream is fine; this is not the breaker's business)."""

    retriable = False


class UpstreamTruncated(UpstreamError):
    """A success status whose body does not parse: cut off mid-stream, worth a retry."""

    retriable = True


class CircuitOpen(UpstreamError):
    retriable = True


class BrokerError(DeerstreamError):
    """Kafka refused or failed a request (unreachable, timed out, not acknowledged).

    Retriable: these are the broker's transient faults, not the caller's mistakes.
    """

    retriable = True


class StackError(DeerstreamError):
    """The local stack (Kafka, Redis, simulators) could not be managed."""
