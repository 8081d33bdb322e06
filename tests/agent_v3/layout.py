"""The later agent's (68cc533) snapshot layout as `gojson` structs, read from `model_v3.structs`.

Same format and reader as `agent_v2.layout`; the Go field names are shared, so
a value written for Agent V2 encodes in either layout, each in its own spelling.
"""

from __future__ import annotations

from pathlib import Path

from ..agent_v2.layout import parse_structs, snapshot_lists

STRUCTS = parse_structs((Path(__file__).parent / "model_v3.structs").read_text())
CLUSTER_SNAPSHOT = STRUCTS["ClusterSnapshot"]
LISTS = snapshot_lists(CLUSTER_SNAPSHOT)
# (Go field, JSON key) of ClusterSummary's counts.
SUMMARY = tuple((f.go, f.tag) for f in STRUCTS["ClusterSummary"].fields)
OTEL = STRUCTS["OTelSnapshot"]
