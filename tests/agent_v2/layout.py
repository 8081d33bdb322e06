"""The Agent V2 snapshot layout as `gojson` structs, read from `model_v2.structs`.

The data file lists model_v2's Go structs field by field (Go name, JSON tag
with omitempty, type) in Go's order. Go field names are the keys of fixture
values, so a later agent generation (68cc533, camelCase tags) can describe
its own structs in a package beside this one and reuse the same values.
"""

from __future__ import annotations

from pathlib import Path

from ..gojson import BOOL, F64, I32, I64, INT, STRING, TIME, Field, GoType, Map, Ptr, Slice, Struct

_SCALARS: dict[str, GoType] = {
    "string": STRING,
    "bool": BOOL,
    "int": INT,
    "int32": I32,
    "int64": I64,
    "float64": F64,
    "time": TIME,
    "map": Map(STRING),
}


def parse_structs(text: str) -> dict[str, Struct]:
    """Every struct of `text` (the format `model_v2.structs` describes), by name.

    Raises KeyError for a type that names no struct of the text.
    """
    raw: dict[str, list[list[str]]] = {}
    fields: list[list[str]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0].isspace():
            fields.append(line.split())
        else:
            fields = raw.setdefault(line.strip(), [])
    built: dict[str, Struct] = {}

    def go_type(name: str) -> GoType:
        if name.startswith("*"):
            return Ptr(go_type(name[1:]))
        if name.startswith("[]"):
            return Slice(go_type(name[2:]))
        if name.startswith("map[string]"):
            return Map(go_type(name.removeprefix("map[string]")))
        return _SCALARS.get(name) or build(name)

    def build(name: str) -> Struct:
        if name not in built:
            out: list[Field] = []
            for go, *rest in raw[name]:
                if not rest:  # an embedded struct: its fields, inlined
                    out.extend(build(go).fields)
                    continue
                tag, _, option = rest[0].partition(",")
                out.append(
                    Field(
                        go,
                        tag,
                        go_type(rest[1] if len(rest) > 1 else "string"),
                        option == "omitempty",
                    )
                )
            built[name] = Struct(name, tuple(out))
        return built[name]

    for name in raw:
        build(name)
    return built


def snapshot_lists(snapshot: Struct) -> tuple[tuple[str, str, Struct, bool], ...]:
    """(Go field, JSON key, item struct, omitempty) of a snapshot's lists, in Go's order."""
    return tuple(
        (f.go, f.tag, f.type.elem, f.omitempty)  # type: ignore[attr-defined]
        for f in snapshot.fields
        if isinstance(f.type, Slice)
    )


STRUCTS = parse_structs((Path(__file__).parent / "model_v2.structs").read_text())
CLUSTER_SNAPSHOT = STRUCTS["ClusterSnapshot"]
LISTS = snapshot_lists(CLUSTER_SNAPSHOT)
# (Go field, JSON key) of ClusterSummary's counts and of a namespace's resource counts.
SUMMARY = tuple((f.go, f.tag) for f in STRUCTS["ClusterSummary"].fields)
NAMESPACE_RESOURCES = tuple((f.go, f.tag) for f in STRUCTS["NamespaceResources"].fields)
