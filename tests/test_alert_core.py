"""The alert lifecycle on its own: cluster states and a driven clock in, decisions out.

No trio, no database, no channels: every path of `alert_core.AlertEngine`.
"""

from __future__ import annotations

from typing import Any

import msgspec

from master.model.agent import OFFLINE, ONLINE, AgentStatus
from master.model.alert import Alert
from master.model.snapshot import ClusterSnapshot
from master.processor import decode_snapshot
from master.service.alert_core import AlertEngine, AlertPolicy, Decisions

from .alerting import CLEAN, crash
from .goagent import deployment, node, snapshot

T0 = 1_000_000.0


def down(*names: str) -> dict[str, Any]:
    """Snapshot fields with these nodes NotReady (one critical alert each)."""
    return {"nodes": [node("node-1"), *(node(n, ready="False") for n in names)]}


class Drive:
    """An engine, the clusters' states and a clock, all moved by hand."""

    def __init__(self, **policy: Any) -> None:
        self.engine = AlertEngine(AlertPolicy(**policy), started=T0)
        self.snapshots: dict[str, ClusterSnapshot | None] = {}
        self.agents: dict[str, AgentStatus] = {}
        self.now = T0

    def post(self, cid: str = "c1", **body: Any) -> None:
        """The cluster's agent sends a snapshot (CLEAN but for `body`)."""
        raw = msgspec.json.encode(snapshot_body(cid, **body))
        self.snapshots[cid] = decode_snapshot(raw, cid, received_at=self.now)
        self.agents.setdefault(cid, AgentStatus(cluster_id=cid, first_seen=self.now))
        self.agents[cid].status = ONLINE

    def round(self, at: float) -> Decisions:
        """One round of the engine at T0 + `at` over every cluster."""
        self.now = T0 + at
        for cid, agent in self.agents.items():
            self.engine.look(agent, self.snapshots.get(cid), self.now)
        return self.engine.conclude(self.now)

    def step(self, at: float, cid: str = "c1", **body: Any) -> Decisions:
        """The agent posts at T0 + `at`, then a round runs."""
        self.now = T0 + at
        self.post(cid, **body)
        return self.round(at)


def snapshot_body(cid: str, **body: Any) -> dict[str, Any]:
    return snapshot(cid, **{**CLEAN, **body})


def said(decided: Decisions) -> list[tuple[str, list[str]]]:
    """(kind, [object names]) of each announcement."""
    return [(a.kind, [x.object_name for x in a.alerts]) for a in decided.announcements]


def test_first_look_is_one_startup_digest_per_cluster_and_clean_says_nothing() -> None:
    drive = Drive()
    assert drive.step(0, "clean") == Decisions(), "a clean first look says and stores nothing"
    decided = drive.step(1, "c1", **down("n2", "n3"))
    assert said(decided) == [("startup", ["n2", "n3"])]
    (digest,) = decided.announcements
    assert digest.severity == "critical" and digest.cluster_id == "c1"
    assert {a.object_name for a in decided.store} == {"n2", "n3"}
    assert all(a.id is None and a.status == "firing" for a in decided.store)
    # Digest lines clear quietly; only the records change.
    decided = drive.step(2, "c1")
    assert said(decided) == []
    assert [a.status for a in decided.store] == ["resolved", "resolved"]
    assert all(a.resolved_at == T0 + 2 for a in decided.store)


def test_nothing_changed_nothing_evaluated() -> None:
    drive = Drive()
    drive.step(0, **down("n2"))
    agent, snap = drive.agents["c1"], drive.snapshots["c1"]
    assert drive.engine.look(agent, snap, T0 + 5) is False, "same snapshot, same status"
    drive.post()
    assert drive.engine.look(agent, drive.snapshots["c1"], T0 + 6) is True


def test_one_alert_per_key_counted_reminded_resolved_and_back_quietly() -> None:
    drive = Drive(cooldown=100)
    drive.step(0)
    decided = drive.step(1, events=[crash(1)])
    assert said(decided) == [("firing", ["web"])]
    (alert,) = decided.store
    alert.id = 7  # as the shell stores it
    decided = drive.step(50, events=[crash(2)])
    assert said(decided) == [] and decided.store == (alert,), "a repeat within the cooldown"
    assert alert.count == 2
    assert drive.step(60, events=[crash(2)]) == Decisions(), "no change, nothing to store"
    decided = drive.step(150, events=[crash(3)])
    assert [a.kind for a in decided.announcements] == ["repeat"], "past the cooldown: one"
    assert drive.step(160, events=[crash(4)]).announcements == (), "and only one"
    decided = drive.step(170)
    assert [a.kind for a in decided.announcements] == ["resolved"]
    assert alert.status == "resolved" and alert.resolved_at == T0 + 170
    # Back within the cooldown since the resolved message: the same record, quietly.
    decided = drive.step(180, events=[crash(5)])
    assert said(decided) == [] and decided.store == (alert,) and alert.status == "firing"
    assert alert.resolved_at is None and alert.id == 7
    assert drive.step(190).announcements == (), "and it clears quietly too"
    # Back again, and still holding when the cooldown is over: the channels, whose last
    # word was "resolved", hear that it is back (once), then its resolution.
    assert drive.step(200, events=[crash(6)]).announcements == ()
    assert drive.step(269, events=[crash(6)]).announcements == ()
    assert [a.kind for a in drive.step(270, events=[crash(6)]).announcements] == ["firing"]
    assert drive.step(280, events=[crash(6)]).announcements == ()
    assert [a.kind for a in drive.step(290).announcements] == ["resolved"]
    assert alert.id == 7, "one record all along"


def test_resolved_alerts_are_forgotten_after_a_quiet_cooldown() -> None:
    drive = Drive(cooldown=100)
    drive.step(0)
    (first,) = drive.step(1, **down("n2")).store
    drive.step(2)
    assert drive.engine.tracked("c1") == [first], "kept while it could come back quietly"
    drive.step(101, events=[crash(1)])  # another look within the cooldown
    assert drive.engine.tracked("c1")[0] is first
    drive.step(102)  # the cooldown since its resolved message is over
    assert first not in drive.engine.tracked("c1")
    decided = drive.step(103, **down("n2"))
    assert said(decided) == [("firing", ["n2"])], "a new alert, announced on its own"
    (second,) = decided.store
    assert second is not first and second.id is None and first.status == "resolved"


def test_burst_digest_held_alerts_one_digest_per_window_and_the_end_of_it() -> None:
    drive = Drive(burst_count=3, burst_window=100, cooldown=1000)
    drive.step(0)
    assert said(drive.step(1, **down("a", "b"))) == [("firing", ["a"]), ("firing", ["b"])]
    decided = drive.step(2, **down("a", "b", "c", "d"))
    assert said(decided) == [("burst", ["c", "d"])], "more than 3 within the window"
    # While the burst is on, new alerts are held, and one that clears leaves quietly.
    assert said(drive.step(50, **down("a", "b", "c", "d", "e", "f"))) == []
    decided = drive.step(60, **down("a", "b", "c", "d", "e"))
    assert said(decided) == [] and [(a.object_name, a.status) for a in decided.store] == [
        ("f", "resolved")
    ]
    assert said(drive.round(101)) == [], "the window is not over yet"
    decided = drive.round(102)
    assert said(decided) == [("burst", ["e"])], "one digest for the window, without f"
    # The next window: one more held, one digest at its end.
    assert said(drive.step(150, **down("a", "b", "c", "d", "e", "g"))) == []
    assert said(drive.round(201)) == []
    assert said(drive.round(202)) == [("burst", ["g"])]
    # A window without new alerts ends the burst; then alerts go out on their own again.
    assert said(drive.round(302)) == []
    decided = drive.step(303, **down("a", "b", "c", "d", "e", "g", "h"))
    assert said(decided) == [("firing", ["h"])]
    # Burst digest lines clear quietly, single alerts with their resolved message.
    decided = drive.step(304, **down("a", "b", "c", "d", "e", "g"))
    assert said(decided) == [("resolved", ["h"])]
    assert said(drive.step(305)) == [("resolved", ["a"]), ("resolved", ["b"])]


def test_burst_counts_only_alerts_within_the_window() -> None:
    drive = Drive(burst_count=2, burst_window=100)
    drive.step(0)
    drive.step(1, **down("a"))
    drive.step(2, **down("a", "b"))
    # Both earlier ones are older than the window now: a third is no burst.
    assert said(drive.step(103, **down("a", "b", "c"))) == [("firing", ["c"])]
    # Two within the window and one more is.
    assert said(drive.step(104, **down("a", "b", "c", "d", "e"))) == [("burst", ["d", "e"])]


def test_restored_alerts_carry_on_in_the_startup_digest() -> None:
    def restored(name: str, notified: tuple[str, ...]) -> Alert:
        return Alert(
            rule="node_not_ready",
            cluster_id="c1",
            severity="critical",
            title=f"Node {name}",
            message="",
            object_kind="Node",
            object_namespace="",
            object_name=name,
            reason="NodeNotReady",
            fired_at=T0 - 50,
            notified=notified,
            id=len(name),
        )

    drive = Drive(offline_grace=30)
    told, untold = restored("told", ("slack",)), restored("untold0", ())
    drive.engine.restore([told, untold])
    drive.agents["c1"] = AgentStatus(cluster_id="c1", status=OFFLINE, first_seen=T0 - 100)
    assert drive.round(10) == Decisions(), "offline, no snapshot: wait for the agent"
    decided = drive.step(20, **down("told", "untold0"))
    assert said(decided) == [("startup", ["told", "untold0"])], "no new records"
    assert all(a.id is not None for a in decided.store)
    # One announced on its own before the restart still gets its resolved message.
    assert said(drive.step(21)) == [("resolved", ["told"])]


def test_an_agent_that_never_comes_back_alerts_after_the_grace() -> None:
    drive = Drive(offline_grace=30)
    drive.agents["c1"] = AgentStatus(cluster_id="c1", status=OFFLINE, first_seen=T0 - 100)
    assert drive.round(29) == Decisions()
    decided = drive.round(30)
    assert said(decided) == [("startup", ["c1"])]
    assert decided.store[0].rule == "agent_offline"
    drive.post()
    assert said(drive.round(31)) == [], "it was in a digest: it clears quietly"


def test_a_lagging_deployment_alerts_when_its_grace_runs_out_without_a_new_snapshot() -> None:
    drive = Drive(deployment_grace=60)
    drive.step(0)
    assert drive.step(1, deployments=[deployment("web", replicas=3, ready=1)]) == Decisions()
    assert drive.round(60) == Decisions()
    decided = drive.round(61)
    assert said(decided) == [("firing", ["web"])] and decided.store[0].severity == "warning"
    assert decided.store[0].message == "1 of 3 replicas ready"


def test_a_rise_in_severity_is_announced_at_once_and_kept_to_the_end() -> None:
    drive = Drive(deployment_grace=0)
    drive.step(0)
    decided = drive.step(1, deployments=[deployment("web", replicas=3, ready=1)])
    assert said(decided) == [("firing", ["web"])]
    (alert,) = decided.store
    assert alert.severity == "warning"
    decided = drive.step(2, deployments=[deployment("web", replicas=3, ready=0)])
    assert said(decided) == [("escalated", ["web"])]
    assert decided.announcements[0].severity == "critical" == alert.severity
    assert alert.message == "0 of 3 replicas ready"
    decided = drive.step(3, deployments=[deployment("web", replicas=3, ready=2)])
    assert said(decided) == [] and alert.message == "2 of 3 replicas ready"
    assert alert.severity == "critical", "to the end: its resolution reaches the same channels"
    decided = drive.step(4)
    assert said(decided) == [("resolved", ["web"])]
    assert decided.announcements[0].severity == "critical"


def test_a_rise_in_severity_while_held_in_a_burst_waits_for_the_digest() -> None:
    drive = Drive(deployment_grace=0, burst_count=1, burst_window=100)
    drive.step(0)
    assert said(drive.step(1, **down("a", "b"))) == [("burst", ["a", "b"])]
    lagging = deployment("web", replicas=3, ready=1)
    assert said(drive.step(2, **down("a", "b"), deployments=[lagging])) == []
    lagging = deployment("web", replicas=3, ready=0)
    assert said(drive.step(3, **down("a", "b"), deployments=[lagging])) == []
    decided = drive.round(101)
    assert said(decided) == [("burst", ["web"])]
    assert decided.announcements[0].severity == "critical"
