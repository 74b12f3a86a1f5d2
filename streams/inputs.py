"""Read prediction requests from JSONL or CSV text, validating every row.

Pure parsing over lines of text (the caller opens the file): each row either becomes a
``PredictionRequest`` or a ``Rejection`` with its line number and reason, so a caller can
refuse to send anything while any row is invalid.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import orjson

from deerstream.errors import ConfigError, ContractError
from deerstream.models.codec import request_from_dict
from deerstream.models.records import PredictionRequest

FORMATS = ("jsonl", "csv")

#: CSV columns understood by ``read_csv``; ``lat``, ``lon`` and ``target_time`` are required.
CSV_COLUMNS = ("request_id", "lat", "lon", "target_time", "radius_m", "season", "hunter_id")
CSV_REQUIRED = ("lat", "lon", "target_time")
_CSV_NUMBERS = ("lat", "lon", "radius_m")

IdFactory = Callable[[], str]


def generate_request_id() -> str:
    """A fresh request id for requests given without one (ids are the one random thing)."""
    return f"req-{uuid.uuid4().hex}"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that is not a valid request."""

    line: int
    code: str
    message: str
    path: str = "$"

    def describe(self) -> str:
        where = "" if self.path == "$" else f" at {self.path}"
        return f"line {self.line}: {self.code}{where}: {self.message}"


@dataclass(slots=True)
class Parsed:
    """Valid requests (with their line numbers) and rejected rows, in file order."""

    requests: list[tuple[int, PredictionRequest]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def format_for(path: str, explicit: str | None) -> str:
    """The input format: ``explicit`` if given, else from the file extension."""
    if explicit is not None:
        if explicit not in FORMATS:
            raise ConfigError(f"format {explicit!r} is not one of {', '.join(FORMATS)}")
        return explicit
    lowered = path.lower()
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith(".csv"):
        return "csv"
    if path == "-":
        return "jsonl"
    raise ConfigError(f"cannot tell the format of {path!r} from its name: say jsonl or csv")


def request_from_row(obj: Mapping[str, object], *, new_id: IdFactory) -> PredictionRequest:
    """Validate one parsed row, generating ``request_id`` when it is absent."""
    data = dict(obj)
    if data.get("request_id") in (None, ""):
        data["request_id"] = new_id()
    return request_from_dict(data)


def read_jsonl(lines: Iterable[str], *, new_id: IdFactory = generate_request_id) -> Parsed:
    """Parse JSON Lines: one request object per line; blank lines are skipped."""
    out = Parsed()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            out.rejections.append(Rejection(number, "invalid_json", str(exc)))
            continue
        if not isinstance(obj, dict):
            out.rejections.append(Rejection(number, "wrong_type", "expected a JSON object"))
            continue
        _accept(out, number, obj, new_id)
    return out


def read_csv(lines: Iterable[str], *, new_id: IdFactory = generate_request_id) -> Parsed:
    """Parse CSV with a header row of ``CSV_COLUMNS`` (any order, required ones present).

    A bad header is a ``ConfigError`` (the whole file is unusable); bad rows are rejections.
    Empty cells mean "not given".
    """
    reader = csv.reader(lines)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ConfigError("the CSV file is empty (it needs a header row)") from None
    unknown = [h for h in header if h not in CSV_COLUMNS]
    missing = [h for h in CSV_REQUIRED if h not in header]
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if unknown or missing or duplicated:
        problems = []
        if unknown:
            problems.append("unknown column(s) " + ", ".join(unknown))
        if missing:
            problems.append("missing column(s) " + ", ".join(missing))
        if duplicated:
            problems.append("repeated column(s) " + ", ".join(duplicated))
        raise ConfigError(
            f"bad CSV header: {'; '.join(problems)} (columns: {', '.join(CSV_COLUMNS)})"
        )
    out = Parsed()
    for row in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            out.rejections.append(
                Rejection(number, "wrong_shape", f"expected {len(header)} cells, got {len(row)}")
            )
            continue
        obj: dict[str, object] = {}
        for name, cell in zip(header, row, strict=True):
            cell = cell.strip()
            if cell:
                obj[name] = _csv_number(cell) if name in _CSV_NUMBERS else cell
        _accept(out, number, obj, new_id)
    return out


def read_requests(
    lines: Iterable[str], fmt: str, *, new_id: IdFactory = generate_request_id
) -> Parsed:
    """Parse ``lines`` in format ``fmt`` (``jsonl`` or ``csv``)."""
    if fmt == "csv":
        return read_csv(lines, new_id=new_id)
    return read_jsonl(lines, new_id=new_id)


def _accept(out: Parsed, number: int, obj: Mapping[str, object], new_id: IdFactory) -> None:
    try:
        out.requests.append((number, request_from_row(obj, new_id=new_id)))
    except ContractError as exc:
        out.rejections.append(Rejection(number, exc.code, exc.message, exc.path))


def _csv_number(cell: str) -> object:
    # Leave non-numbers as strings so the codec reports them with its own reason code.
    try:
        return float(cell)
    except ValueError:
        return cell
