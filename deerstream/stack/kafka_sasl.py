"""SASL listeners for the local broker: ``SASL_PLAINTEXT``, and ``SASL_SSL`` when the broker
has a certificate. Both accept SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN for a fixed set of users.

SCRAM credentials are written into the cluster metadata when storage is formatted
(``StorageTool format --add-scram``); PLAIN users live in the listeners' JAAS entries. No
authorizer is configured, so any authenticated user may do anything: this secures the
connection, which is what the project's clients need to be tested against.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from deerstream.errors import StackError
from deerstream.settings import SASL_MECHANISMS  # the listeners accept every one clients may use

_SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule"
_PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule"
# Names and passwords go into StorageTool's "[name=...,password=...]" syntax and a JAAS
# line; characters that would need quoting there are refused rather than escaped.
_SAFE_CREDENTIAL = re.compile(r"[A-Za-z0-9_.@+~!#%^*()/?:-]+")


@dataclass(frozen=True)
class BrokerTls:
    """The broker's certificate for ``SASL_SSL``: a PEM certificate (chain) and its
    unencrypted PKCS#8 PEM key (``-----BEGIN PRIVATE KEY-----``)."""

    cert_file: Path
    key_file: Path


@dataclass(frozen=True)
class SaslConfig:
    """Which SASL listeners to open and who may log in (``users``: name → password)."""

    users: Mapping[str, str]
    port: int | None = None  # SASL_PLAINTEXT
    ssl_port: int | None = None  # SASL_SSL; needs ``tls``
    tls: BrokerTls | None = None

    def __post_init__(self) -> None:
        if not self.users:
            raise StackError("a SASL listener needs at least one user (name → password)")
        for name, password in self.users.items():
            if not (_SAFE_CREDENTIAL.fullmatch(name) and _SAFE_CREDENTIAL.fullmatch(password)):
                raise StackError(
                    f"SASL user {name!r}: names and passwords may use letters, digits and "
                    "_.@+~!#%^*()/?:- only"
                )
        if self.port is None and self.ssl_port is None:
            raise StackError("a SASL configuration needs port and/or ssl_port")
        if self.ssl_port is not None and self.tls is None:
            raise StackError("a SASL_SSL listener needs the broker's certificate (tls=)")

    @property
    def _names(self) -> tuple[str, ...]:
        """The listener names, which double as their security protocols."""
        return (("SASL_PLAINTEXT",) if self.port is not None else ()) + (
            ("SASL_SSL",) if self.ssl_port is not None else ()
        )

    def ports(self) -> list[int]:
        return [p for p in (self.port, self.ssl_port) if p is not None]

    def listeners(self, host: str) -> list[str]:
        """``NAME://host:port`` for each listener (the name doubles as its protocol)."""
        port_of = {"SASL_PLAINTEXT": self.port, "SASL_SSL": self.ssl_port}
        return [f"{name}://{host}:{port_of[name]}" for name in self._names]

    def protocol_map(self) -> list[str]:
        return [f"{name}:{name}" for name in self._names]

    def props(self, keystore: Path) -> dict[str, str]:
        """Mechanisms, JAAS entries and (for SASL_SSL) the PEM keystore at ``keystore``."""
        plain_users = " ".join(f'user_{n}="{p}"' for n, p in self.users.items())
        props = {"sasl.enabled.mechanisms": ",".join(SASL_MECHANISMS)}
        for name in self._names:
            prefix = f"listener.name.{name.lower()}"
            props[f"{prefix}.scram-sha-512.sasl.jaas.config"] = f"{_SCRAM_LOGIN} required;"
            props[f"{prefix}.scram-sha-256.sasl.jaas.config"] = f"{_SCRAM_LOGIN} required;"
            props[f"{prefix}.plain.sasl.jaas.config"] = f"{_PLAIN_LOGIN} required {plain_users};"
        if "SASL_SSL" in self._names:
            props["listener.name.sasl_ssl.ssl.keystore.type"] = "PEM"
            props["listener.name.sasl_ssl.ssl.keystore.location"] = str(keystore)
        return props

    def write_keystore(self, keystore: Path) -> None:
        """Kafka's PEM keystore: the private key followed by the certificate chain."""
        if self.tls is None:
            return
        try:
            key = self.tls.key_file.read_text()
            cert = self.tls.cert_file.read_text()
        except OSError as exc:
            raise StackError(f"cannot read the broker's TLS files: {exc}") from exc
        if "BEGIN PRIVATE KEY" not in key:
            raise StackError(
                f"{self.tls.key_file} must be an unencrypted PKCS#8 key (BEGIN PRIVATE KEY); "
                "convert it with: openssl pkcs8 -topk8 -nocrypt"
            )
        keystore.write_text(key.rstrip() + "\n" + cert)
        keystore.chmod(0o600)

    def scram_args(self) -> list[str]:
        """``StorageTool format`` arguments that create every user for both SCRAM hashes."""
        args: list[str] = []
        for mechanism in ("SCRAM-SHA-512", "SCRAM-SHA-256"):
            for name, password in self.users.items():
                args += ["--add-scram", f"{mechanism}=[name={name},password={password}]"]
        return args

    def redact(self, text: str) -> str:
        for password in self.users.values():
            text = text.replace(password, "***")
        return text
