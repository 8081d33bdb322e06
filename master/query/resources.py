"""Resource lists and single resources, filtered on the typed index, served as raw bytes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ..model.errors import BadRequest, NotFound
from ..model.generation import GENERATIONS, Generation, flat_field
from ..model.snapshot import Item
from .base import Reads

# Kinds the gateway lists (every kind the agent sends), and whether their items live in
# a namespace. The path is the snapshot's key in lower case.
LISTED_KINDS = {
    "pods": True,
    "nodes": False,
    "deployments": True,
    "statefulsets": True,
    "daemonsets": True,
    "replicasets": True,
    "services": True,
    "ingresses": True,
    "namespaces": False,
    "configmaps": True,
    "secrets": True,
    "resourcequotas": True,
    "limitranges": True,
    "networkpolicies": True,
    "serviceaccounts": True,
    "jobs": True,
    "cronjobs": True,
    "pvs": False,
    "pvcs": True,
}
SNAPSHOT_KEYS = {
    "resourcequotas": "resourceQuotas",
    "limitranges": "limitRanges",
    "networkpolicies": "networkPolicies",
    "serviceaccounts": "serviceAccounts",
}
# All a Secret may show: the agent's fields (names, type, data_keys), never values,
# in the spelling of the generation that sent it.
_SECRET_FIELDS = (
    "uid",
    "name",
    "namespace",
    "kind",
    "node_name",
    "owner_kind",
    "owner_name",
    "labels",
    "created_at",
    "type",
    "data_keys",
)
SECRET_FIELDS: dict[Generation, frozenset[str]] = {
    g: frozenset(flat_field(g, f) for f in _SECRET_FIELDS) for g in GENERATIONS
}
_fields = msgspec.json.Decoder(dict[str, msgspec.Raw])
_enc = msgspec.json.encode


def _rebuilt(item: Item, fields: dict[str, msgspec.Raw], extra: dict[str, Any]) -> Item:
    """The item as `fields` (each value the agent's own bytes) plus `extra`."""
    parts = [_enc(k) + b":" + bytes(v) for k, v in fields.items()]
    parts += [_enc(k) + b":" + _enc(v) for k, v in extra.items() if k not in fields]
    return msgspec.structs.replace(item, raw=msgspec.Raw(b"{" + b",".join(parts) + b"}"))


def _key_names(fields: dict[str, msgspec.Raw], generation: Generation) -> list[str] | None:
    """The agent's `data_keys` (`dataKeys`), when it is a list of names."""
    raw = fields.get(flat_field(generation, "data_keys"))
    if raw is None:
        return None
    try:
        names = msgspec.json.decode(raw, type=list[str] | None)
    except msgspec.ValidationError:
        return None
    return names or []


def secret_view(item: Item, generation: Generation) -> Item:
    """The Secret with only the agent's own fields: an agent that sent values (a
    modified or compromised one) does not get them shown. The web UI reads the key
    names as `dataKeys` (the later agent's own spelling), added beside Agent V2's
    `data_keys`."""
    allowed = SECRET_FIELDS[generation]
    fields = {k: v for k, v in _fields.decode(item.raw).items() if k in allowed}
    names = _key_names(fields, generation)
    return _rebuilt(item, fields, {"dataKeys": names} if names is not None else {})


def configmap_view(item: Item, generation: Generation) -> Item:
    """The ConfigMap with `keys`, the number of its keys, which the web UI shows."""
    fields = _fields.decode(item.raw)
    names = _key_names(fields, generation)
    return _rebuilt(item, fields, {"keys": len(names)}) if names is not None else item


# What each kind's items look like on the way out, when not exactly as sent.
_VIEWS: dict[str, Callable[[Item, Generation], Item]] = {
    "secrets": secret_view,
    "configmaps": configmap_view,
}


@dataclass
class ResourceFilter:
    namespace: str = ""
    name_contains: str = ""
    labels: list[tuple[str, str | None]] = field(default_factory=list)
    phase: str = ""
    node: str = ""
    ready: bool | None = None

    def matches(self, item: Item) -> bool:
        if self.namespace and item.namespace != self.namespace:
            return False
        if self.name_contains and self.name_contains.lower() not in item.name.lower():
            return False
        if self.phase and item.phase != self.phase:
            return False
        if self.node and item.node != self.node:
            return False
        if self.ready is not None and (item.ready == "True") != self.ready:
            return False
        for key, value in self.labels:
            if key not in item.labels or (value is not None and item.labels[key] != value):
                return False
        return True


@dataclass
class ResourcePage:
    """One page of a list; `note` says why it is empty when the cluster has no resources
    to list (unknown to this master, or no snapshot yet)."""

    cluster_id: str
    kind: str
    total: int
    items: list[Item]
    note: str = ""


def parse_label(selector: str) -> tuple[str, str | None]:
    """`k=v` (equal) or `k` (present)."""
    key, eq, value = selector.partition("=")
    if not key:
        raise BadRequest(f"label filter {selector!r}: expected key=value or key")
    return key, (value if eq else None)


class ResourceReads(Reads):
    async def _items(self, cluster_id: str, kind: str) -> tuple[list[Item], Generation]:
        """The kind's items of the cluster's latest snapshot, and who spelled them."""
        if kind not in LISTED_KINDS:
            raise NotFound(f"unknown resource kind {kind!r}")
        snap = await self.latest(cluster_id)
        return snap.items(SNAPSHOT_KEYS.get(kind, kind)), snap.generation

    async def resources(
        self, cluster_id: str, kind: str, flt: ResourceFilter, *, limit: int | None, offset: int
    ) -> ResourcePage:
        """The matching items from `offset`, at most `limit` (all without one).

        A cluster this master does not know, or that has not sent a snapshot, has
        nothing to list: an empty page whose `note` says which.
        """
        try:
            found, generation = await self._items(cluster_id, kind)
        except NotFound as err:
            if kind not in LISTED_KINDS:
                raise
            return ResourcePage(cluster_id, kind, 0, [], note=err.message)
        items = [i for i in found if flt.matches(i)]
        page = items[offset:] if limit is None else items[offset : offset + limit]
        view = _VIEWS.get(kind)
        if view is not None:
            page = [view(i, generation) for i in page]
        return ResourcePage(cluster_id, kind, len(items), page)

    async def resource(self, cluster_id: str, kind: str, namespace: str | None, name: str) -> Item:
        """The item of that name in `namespace`; with None, the first of that name in any."""
        found, generation = await self._items(cluster_id, kind)
        for item in found:
            if item.name == name and (namespace is None or item.namespace == namespace):
                view = _VIEWS.get(kind)
                return view(item, generation) if view else item
        where = f"{namespace}/{name}" if namespace else name
        raise NotFound(f"{kind} {where} not found in cluster {cluster_id!r}")
