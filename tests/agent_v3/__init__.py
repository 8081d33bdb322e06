"""The later agent generation (bukahou/atlhyper 68cc533): its snapshot layout and a golden
snapshot with every kind (and, on request, the `otel` subtree), written byte for byte
as that Go agent writes it.

Beside `agent_v2`, with the same Go field names: `golden` starts from Agent V2's
golden cluster and adds what the later agent fills; `layout` reads its structs
from `model_v3.structs` (camelCase keys where it renamed them); `same_in_v2`
gives the same cluster in Agent V2's layout.
"""

from .golden import empty, encode_items, encode_snapshot, golden, same_in_v2
from .layout import CLUSTER_SNAPSHOT, LISTS, SUMMARY
from .otel import BIG, OTelSize, otel

__all__ = [
    "BIG",
    "CLUSTER_SNAPSHOT",
    "LISTS",
    "SUMMARY",
    "OTelSize",
    "empty",
    "encode_items",
    "encode_snapshot",
    "golden",
    "otel",
    "same_in_v2",
]
