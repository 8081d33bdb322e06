"""Query-string parsing with errors that say which parameter is wrong and why."""

from __future__ import annotations

from quart import request

from ..model.errors import BadRequest
from ..model.gotime import format_time, parse_go_time

MAX_LIMIT = 1000
MAX_OFFSET = 2**31 - 1  # SQLite takes 64-bit integers; nobody pages past two billion rows
MAX_ID = 2**63 - 1  # a row id SQLite can hold


def text(name: str) -> str | None:
    value = request.args.get(name)
    return value if value else None


def required(name: str) -> str:
    value = request.args.get(name)
    if not value:
        raise BadRequest(f"query parameter {name!r} is required")
    return value


def integer(name: str, default: int, *, low: int = 0, high: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"query parameter {name!r} must be an integer, got {raw!r}") from None
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadRequest(f"query parameter {name!r} must be {bounds}, got {value}")
    return value


def number(name: str, default: float, *, low: float, high: float) -> float:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"query parameter {name!r} must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"query parameter {name!r} must be between {low} and {high}")
    return value


def boolean(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise BadRequest(f"query parameter {name!r} must be true or false, got {raw!r}")


def timestamp(name: str) -> str | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return format_time(parse_go_time(raw))
    except ValueError:
        raise BadRequest(
            f"query parameter {name!r} must be an RFC 3339 time, got {raw!r}"
        ) from None


def epoch(name: str) -> float | None:
    """An RFC 3339 query parameter as Unix seconds, or None when absent."""
    stamp = timestamp(name)
    parsed = parse_go_time(stamp) if stamp else None
    return parsed.timestamp() if parsed else None


def paging(default_limit: int = 100) -> tuple[int, int]:
    return (
        integer("limit", default_limit, low=1, high=MAX_LIMIT),
        integer("offset", 0, high=MAX_OFFSET),
    )
