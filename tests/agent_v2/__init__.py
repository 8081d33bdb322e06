"""The Agent V2 generation (bukahou/atlhyper 92d37dd): its snapshot layout and a golden
snapshot with every kind, written byte for byte as the Go agent writes it.

`layout` reads the model_v2 structs from `model_v2.structs`; `golden` builds
the values (Go field names as keys, see `tests/gojson.py`). A later agent
generation (68cc533, camelCase keys) gets a package of its own beside this one.
"""

from ..gojson import ZERO_TIME
from .golden import (
    OFFSETS,
    agent_summary,
    empty,
    encode_items,
    encode_snapshot,
    golden,
    gzip,
    namespace_resources,
)
from .layout import CLUSTER_SNAPSHOT, LISTS, NAMESPACE_RESOURCES, SUMMARY

__all__ = [
    "CLUSTER_SNAPSHOT",
    "LISTS",
    "NAMESPACE_RESOURCES",
    "OFFSETS",
    "SUMMARY",
    "ZERO_TIME",
    "agent_summary",
    "empty",
    "encode_items",
    "encode_snapshot",
    "golden",
    "gzip",
    "namespace_resources",
]
