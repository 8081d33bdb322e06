"""Go `encoding/json` over described Go structs: what an agent's `json.Marshal` writes.

A fixture generation (see `agent_v2`) describes its Go structs as `Struct`s
of `Field`s (Go name, JSON tag, type, omitempty). Values are dicts keyed by Go
field names; a missing field is Go's zero value, so a fixture names only what
it sets, and the encoding follows Go's rules, not the fixture's care:

- fields in struct order, compact, no spaces;
- `omitempty` drops false, 0, "", nil pointers and empty or nil slices and
  maps, but never a struct (a `time.Time` or a nested struct always shows);
- a nil slice or map without omitempty is `null`, an empty one `[]` / `{}`;
- map keys sorted; strings HTML-escaped (`<` is `\\u003c`), U+2028/9 escaped,
  `\\b` and `\\f` short (Go 1.22+, the agent is built with 1.24);
- `time.Time` values are written by the fixture as Go prints them (RFC 3339
  with nanoseconds trimmed of trailing zeros, the local offset, `Z` for UTC);
  None is the zero time `0001-01-01T00:00:00Z`.

`decode` is the strict inverse (unknown keys are errors, keys must match the
tag exactly), so `encode(decode(x)) == x` proves `x` is byte-for-byte what the
Go agent would have written for those values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec

ZERO_TIME = "0001-01-01T00:00:00Z"
GO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?(Z|[+-]\d\d:\d\d)")
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


class GoType:
    """A Go type: a scalar (`String`, `Bool`, `Int`, `Float`, `Time`) or a composite."""


@dataclass(frozen=True)
class Scalar(GoType):
    name: str  # string, bool, int, int32, int64, float64, time.Time


STRING = Scalar("string")
BOOL = Scalar("bool")
INT = Scalar("int")
I32 = Scalar("int32")
I64 = Scalar("int64")
F64 = Scalar("float64")
TIME = Scalar("time.Time")


@dataclass(frozen=True)
class Ptr(GoType):
    elem: GoType


@dataclass(frozen=True)
class Slice(GoType):
    elem: GoType


@dataclass(frozen=True)
class Map(GoType):
    elem: GoType  # keys are strings


@dataclass(frozen=True)
class Field:
    go: str
    tag: str
    type: GoType
    omitempty: bool = False


@dataclass(frozen=True)
class Struct(GoType):
    name: str
    fields: tuple[Field, ...] = field(default_factory=tuple)

    def by_tag(self) -> dict[str, Field]:
        return {f.tag: f for f in self.fields}


def F(go: str, tag: str, type_: GoType = STRING, *, omit: bool = False) -> Field:  # noqa: N802
    """One field: Go name, JSON tag name, type (string by default), omitempty."""
    return Field(go, tag, type_, omit)


# -- encoding -------------------------------------------------------------------

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_NEEDS_ESCAPE = re.compile('["\\\\\x00-\x1f<>&\u2028\u2029]')


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group()
    return _ESCAPES.get(ch) or f"\\u{ord(ch):04x}"


def go_string(s: str) -> str:
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, s) + '"'


def _go_float(f: float) -> str:
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError(f"Go cannot encode {f}")
    if f == 0:
        return "0"
    if not 1e-6 <= abs(f) < 1e21:
        raise ValueError(f"exponent form of {f} is not emulated")
    text = format(Decimal(repr(f)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _is_empty(t: GoType, v: Any) -> bool:
    """Go's omitempty test (structs, including time.Time, are never empty)."""
    if isinstance(t, Struct) or t == TIME:
        return False
    if isinstance(t, Ptr):
        return v is None
    if isinstance(t, Slice | Map):
        return not v
    return not v  # "", 0, 0.0, False


_SCALAR_ZEROS: dict[GoType, Any] = {STRING: "", BOOL: False, F64: 0.0, TIME: None}


def _zero(t: GoType) -> Any:
    if isinstance(t, Struct):
        return {}
    if isinstance(t, Ptr | Slice | Map):
        return None
    return _SCALAR_ZEROS.get(t, 0)


def _encode(t: GoType, v: Any, out: list[str], where: str) -> None:
    if isinstance(t, Struct):
        if not isinstance(v, dict):
            raise TypeError(f"{where}: {t.name} wants a dict, got {type(v).__name__}")
        known = {f.go for f in t.fields}
        unknown = set(v) - known
        if unknown:
            raise KeyError(f"{where}: {t.name} has no field {sorted(unknown)}")
        out.append("{")
        first = True
        for f in t.fields:
            value = v.get(f.go, _zero(f.type))
            if f.omitempty and _is_empty(f.type, value):
                continue
            if not first:
                out.append(",")
            first = False
            out.append(go_string(f.tag) + ":")
            _encode(f.type, value, out, f"{where}.{f.tag}")
        out.append("}")
    elif isinstance(t, Ptr):
        if v is None:
            out.append("null")
        else:
            _encode(t.elem, v, out, where)
    elif isinstance(t, Slice):
        if v is None:
            out.append("null")
            return
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _encode(t.elem, item, out, f"{where}[{i}]")
        out.append("]")
    elif isinstance(t, Map):
        if v is None:
            out.append("null")
            return
        out.append("{")
        for i, key in enumerate(sorted(v)):
            if i:
                out.append(",")
            out.append(go_string(key) + ":")
            _encode(t.elem, v[key], out, f"{where}[{key!r}]")
        out.append("}")
    else:
        assert isinstance(t, Scalar)
        _encode_scalar(t, v, out, where)


def _encode_scalar(t: Scalar, v: Any, out: list[str], where: str) -> None:
    if t == TIME:
        text = ZERO_TIME if v is None else v
        if not isinstance(text, str) or not GO_TIME.fullmatch(text) or "+00:00" in text:
            raise ValueError(f"{where}: {v!r} is not how Go prints a time.Time")
        out.append(f'"{text}"')
    elif t == STRING:
        if not isinstance(v, str):
            raise TypeError(f"{where}: string wanted, got {v!r}")
        out.append(go_string(v))
    elif t == BOOL:
        if not isinstance(v, bool):
            raise TypeError(f"{where}: bool wanted, got {v!r}")
        out.append("true" if v else "false")
    elif t == F64:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise TypeError(f"{where}: float64 wanted, got {v!r}")
        out.append(_go_float(float(v)))
    else:
        low, high = INT32 if t == I32 else INT64
        if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
            raise TypeError(f"{where}: {t.name} wanted, got {v!r}")
        out.append(str(v))


def encode(t: GoType, value: Any) -> bytes:
    """`json.Marshal(value)` for a value of Go type `t`."""
    out: list[str] = []
    _encode(t, value, out, t.name if isinstance(t, Struct) else "value")
    return "".join(out).encode()


# -- strict decoding ------------------------------------------------------------


def _decode(t: GoType, v: Any, where: str) -> Any:
    if isinstance(t, Struct):
        if not isinstance(v, dict):
            raise TypeError(f"{where}: {t.name} wants an object, got {v!r}")
        tags = t.by_tag()
        unknown = set(v) - set(tags)
        if unknown:
            raise KeyError(f"{where}: {t.name} has no key {sorted(unknown)}")
        return {tags[k].go: _decode(tags[k].type, item, f"{where}.{k}") for k, item in v.items()}
    if isinstance(t, Ptr):
        return None if v is None else _decode(t.elem, v, where)
    if isinstance(t, Slice):
        if v is None:
            return None
        if not isinstance(v, list):
            raise TypeError(f"{where}: array wanted, got {v!r}")
        return [_decode(t.elem, item, f"{where}[{i}]") for i, item in enumerate(v)]
    if isinstance(t, Map):
        if v is None:
            return None
        if not isinstance(v, dict):
            raise TypeError(f"{where}: object wanted, got {v!r}")
        return {k: _decode(t.elem, item, f"{where}[{k!r}]") for k, item in v.items()}
    assert isinstance(t, Scalar)
    if t == TIME:
        return None if v == ZERO_TIME else v
    return v


def decode(t: GoType, data: bytes) -> Any:
    """Read `data` as a value of `t`; unknown keys, wrong types and bad times raise.

    Raises KeyError for a key the struct has no tag for, TypeError for a
    value of the wrong JSON type (types are checked when re-encoded).
    """
    return _decode(t, msgspec.json.decode(data), t.name if isinstance(t, Struct) else "value")
