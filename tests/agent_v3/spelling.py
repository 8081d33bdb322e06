"""Agent V2's JSON in the later agent's spelling, from the two layouts alone.

Each key is looked up by its Agent V2 tag, and written with the later tag of
the same Go field; keys neither layout knows (a hostile or future body's) and
values of an unexpected type pass unchanged, so a test can send any V2 body,
broken or not, as the later agent would have spelled it.
"""

from __future__ import annotations

from typing import Any

from .. import agent_v2
from ..gojson import GoType, Map, Ptr, Slice, Struct
from . import layout

# Agent V2's top-level list key -> the later agent's.
LIST_KEYS = {
    v2: v3 for go, v2, _, _ in agent_v2.LISTS for go3, v3, _, _ in layout.LISTS if go3 == go
}


def _respell(old: GoType | None, new: GoType | None, value: Any) -> Any:
    while isinstance(old, Ptr) and isinstance(new, Ptr):
        old, new = old.elem, new.elem
    if isinstance(old, Struct) and isinstance(new, Struct) and isinstance(value, dict):
        later = {f.go: f for f in new.fields}
        out = {}
        for key, item in value.items():
            field = old.by_tag().get(key)
            twin = later.get(field.go) if field else None
            if field is None or twin is None:
                out[key] = item
            else:
                out[twin.tag] = _respell(field.type, twin.type, item)
        return out
    if isinstance(old, Slice) and isinstance(new, Slice) and isinstance(value, list):
        return [_respell(old.elem, new.elem, item) for item in value]
    if isinstance(old, Map) and isinstance(new, Map) and isinstance(value, dict):
        return {k: _respell(old.elem, new.elem, item) for k, item in value.items()}
    return value


def later_spelling(body: dict[str, Any]) -> dict[str, Any]:
    """A snapshot body (JSON keys, Agent V2's spelling) in the later agent's spelling."""
    respelled: dict[str, Any] = _respell(agent_v2.CLUSTER_SNAPSHOT, layout.CLUSTER_SNAPSHOT, body)
    return respelled
