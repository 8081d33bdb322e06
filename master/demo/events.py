"""A cluster's events as Kubernetes keeps them: a repeat counts up, old ones expire."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from .objects import event_doc
from .resources import Doc

EVENT_WINDOW = timedelta(hours=1)  # events not seen for this long are dropped


class EventLog:
    """Events by uid. `stamp` formats times, `new_uid` draws uids (both the cluster's)."""

    def __init__(self, stamp: Callable[[datetime], str], new_uid: Callable[[], str]) -> None:
        self._stamp = stamp
        self._new_uid = new_uid
        self.docs: dict[str, Doc] = {}
        self.seen: dict[str, datetime] = {}  # uid -> when it last happened
        self._keys: dict[tuple[str, str, str], str] = {}  # (reason, object uid, message) -> uid

    def emit(
        self,
        at: datetime,
        type_: str,
        reason: str,
        message: str,
        *,
        kind: str,
        namespace: str,
        name: str,
        uid: str,
        source: str,
        series: bool = False,
    ) -> Doc:
        """Record an event; a repeat (same reason, object and message) counts up the same uid.

        A `series` event comes from the newer events API (the scheduler's): count
        0, no first or last time, its creation the only time it carries.
        """
        key = (reason, uid, message)
        event_uid = self._keys.get(key)
        stamp = self._stamp(at)
        if event_uid is not None:
            doc = self.docs[event_uid]
            if not doc["count"]:
                return doc  # a series event shows no repeats; it expires from its creation
            doc["count"] += 1
            doc["last_timestamp"] = stamp
        else:
            event_uid = self._new_uid()
            obj: Doc = {"kind": kind}
            if namespace:
                obj["namespace"] = namespace
            obj.update(name=name, uid=uid)
            doc = event_doc(
                uid=event_uid,
                namespace=namespace or "default",
                type_=type_,
                reason=reason,
                message=message,
                source=source,
                obj=obj,
                at=stamp,
                series=series,
            )
            self.docs[event_uid] = doc
            self._keys[key] = event_uid
        self.seen[event_uid] = at
        return doc

    def prune(self, now: datetime) -> None:
        """Drop events not seen within the window, so a long run stays bounded."""
        horizon = now - EVENT_WINDOW
        stale = {uid for uid, seen in self.seen.items() if seen < horizon}
        if not stale:
            return
        for uid in stale:
            del self.docs[uid], self.seen[uid]
        self._keys = {k: v for k, v in self._keys.items() if v not in stale}

    def about(self, uid: str) -> list[tuple[datetime, Doc]]:
        """(last seen, event) of one object's events, oldest first."""
        return sorted(
            (
                (self.seen[e["uid"]], e)
                for e in self.docs.values()
                if e["involved_object"]["uid"] == uid
            ),
            key=lambda pair: pair[0],
        )
