"""A mixed fleet: Agent V2 (92d37dd) and the later agent (68cc533) report to one master.

Each agent is answered in its own dialect, whatever the other does: the same
cluster content gives the same views, summaries, events and alerts from
either; commands reach Agent V2's poll and the later agent's `ops` poll, each
in its own spelling, and come back in each one's result dialect; the `ai`
poll is held and gets nothing; a lost hand-off is judged per poll loop. The
master remembers which generation each cluster runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import msgspec
import pytest
import trio

from master.demo import DemoAgent, SimulatedCluster

from .alerting import CLEAN, alerts, crash, first_look, start_alerting, wait_for
from .conftest import MasterRunner, StartMaster
from .goagent import GoAgent, LaterAgent, decode_later_poll, decode_poll

OLD, NEW = "old", "new"
SCALE = {
    "action": "scale",
    "target_kind": "Deployment",
    "target_namespace": "default",
    "target_name": "web",
    "params": {"replicas": 3},
}
LOGS = {
    "action": "get_logs",
    "target_kind": "Pod",
    "target_namespace": "default",
    "target_name": "web-5d9c7b8f6d-abcde",
}


async def submit(gw: httpx.AsyncClient, cluster_id: str, body: dict[str, Any]) -> dict[str, Any]:
    r = await gw.post("/api/v2/commands", json={"cluster_id": cluster_id, **body})
    assert r.status_code == 201, r.text
    view: dict[str, Any] = r.json()
    return view


async def command(gw: httpx.AsyncClient, command_id: str) -> dict[str, Any]:
    r = await gw.get(f"/api/v2/commands/{command_id}")
    assert r.status_code == 200, r.text
    view: dict[str, Any] = r.json()
    return view


async def test_both_generations_show_the_same_cluster_the_same_way(
    master: MasterRunner, gateway: httpx.AsyncClient
) -> None:
    async with (
        GoAgent.open(master.agent_url, OLD) as old,
        LaterAgent.open(master.agent_url, NEW) as new,
    ):
        assert (await old.snapshot()).status_code == 200
        assert (await new.snapshot()).status_code == 200
    listed = {
        c["cluster_id"]: c for c in (await gateway.get("/api/v2/clusters")).json()["clusters"]
    }
    assert {cid: c["agent_generation"] for cid, c in listed.items()} == {OLD: "v2", NEW: "v3"}
    old_view, new_view = [(await gateway.get(f"/api/v2/clusters/{c}")).json() for c in (OLD, NEW)]
    assert old_view["summary"] == new_view["summary"]
    assert new_view["extra_kinds"] == [] and new_view["otel_bytes"] == 0
    # The kinds the later agent spells differently are counted and served, as sent.
    for kind, key in (("replicasets", "ownerKind"), ("configmaps", "dataKeys")):
        page = (await gateway.get(f"/api/v2/{kind}", params={"cluster_id": NEW})).json()
        assert page["total"] == 1 and key in page["data"][0], kind
    # The Go master's routes read either spelling: a ConfigMap's number of keys, the
    # overview of one cluster (nodes, workloads, jobs, pods).
    page = (await gateway.get("/api/v2/configmaps", params={"cluster_id": NEW})).json()
    assert page["data"][0]["keys"] == 1
    overviews = [
        (await gateway.get("/api/v2/overview", params={"cluster_id": c})).json() for c in (OLD, NEW)
    ]
    assert overviews[0] == {**overviews[1], "cluster_id": OLD}
    # Events: uid, object, counts and times whichever spelling carried them.
    views = {}
    for cid in (OLD, NEW):
        events = (
            await gateway.get("/api/v2/events", params={"cluster_id": cid, "source": "realtime"})
        ).json()
        views[cid] = sorted(({**e, "cluster_id": ""} for e in events["events"]), key=str)
    assert views[OLD] == views[NEW] and len(views[NEW]) == 2
    backoff = next(e for e in views[NEW] if e["uid"] == "e1")
    assert backoff["involved_object"]["name"] == "web-5d9c7b8f6d-abcde"
    assert backoff["created_at"] == "2026-01-18T00:58:00.000000Z"
    assert backoff["last_timestamp"] == "2026-01-18T01:00:03.123456Z"
    # A Deployment's related objects come through its ReplicaSet's ownerKind/ownerName.
    related = await gateway.get(
        "/api/v2/events/by-resource",
        params={"cluster_id": NEW, "kind": "Deployment", "namespace": "default", "name": "web"},
    )
    kinds = {o["kind"] for o in related.json()["objects"]}
    assert kinds == {"Deployment", "ReplicaSet", "Pod"}, related.text


async def test_commands_in_each_dialect(master: MasterRunner, gateway: httpx.AsyncClient) -> None:
    async with (
        GoAgent.open(master.agent_url, OLD) as old,
        LaterAgent.open(master.agent_url, NEW) as new,
    ):
        await old.snapshot()
        await new.snapshot()
        to_old, to_new = await submit(gateway, OLD, SCALE), await submit(gateway, NEW, SCALE)

        got = decode_poll((await old.poll_raw()).content)
        assert got is not None and (got.id, got.target_kind, got.params) == (
            to_old["command_id"],
            "Deployment",
            {"replicas": 3},
        )
        answer = await new.poll_raw("ops")
        later = decode_later_poll(answer.content)
        assert later is not None
        assert answer.json() == {
            "hasCommand": True,
            "command": {
                "id": to_new["command_id"],
                "clusterId": NEW,
                "action": "scale",
                "kind": "Deployment",
                "namespace": "default",
                "name": "web",
                "params": {"replicas": 3},
                "createdAt": to_new["created_at"],
            },
        }
        assert isinstance(later.createdAt, datetime)

        r = await old.result(to_old["command_id"], output="scaled")
        assert r.status_code == 200, r.text
        r = await new.result(
            to_new["command_id"], output="scaled <3>", executed_at="2026-04-20T10:16:00.5+09:00"
        )
        assert r.status_code == 200, r.text
    for sent, output in ((to_old, "scaled"), (to_new, "scaled <3>")):
        view = await command(gateway, sent["command_id"])
        assert view["status"] == "success" and view["result"]["output"] == output
    view = await command(gateway, to_new["command_id"])
    assert view["result"]["executed_at"] == "2026-04-20T01:16:00.500000Z"


async def test_an_ai_poll_is_held_and_gets_nothing(start_master: StartMaster) -> None:
    """The later agent polls `ai` again 100 ms after an empty answer: it must be held
    for the poll timeout, and a command queued meanwhile waits for the `ops` poll."""
    runner = await start_master(commands={"poll_timeout": 0.6})
    async with LaterAgent.open(runner.agent_url, NEW) as new, runner.gateway_client() as gw:
        await new.snapshot()
        queued = await submit(gw, NEW, SCALE)
        started = trio.current_time()
        r = await new.poll_raw("ai")
        assert trio.current_time() - started >= 0.3, "answered before the second half"
        assert r.status_code == 200 and r.json() == {"hasCommand": False}
        assert (await command(gw, queued["command_id"]))["status"] == "pending"
        async with trio.open_nursery() as nursery:  # an ai poll held beside the ops poll
            nursery.start_soon(new.poll_raw, "ai")
            got = await new.poll("ops")
        assert got is not None and got["id"] == queued["command_id"]
        assert (await new.result(got["id"])).status_code == 200
        r = await new.poll_raw("ops")  # nothing more: the empty answer at the timeout
        assert r.json() == {"hasCommand": False}


async def test_the_repoll_rule_applies_per_poll_loop(start_master: StartMaster) -> None:
    """A new poll of the same loop while a hand-off has no result: it was lost (handed out
    again if safe, else marked lost). A poll of another loop says nothing about it: the
    agent's other topic, or the other generation's agent during an upgrade."""
    runner = await start_master(commands={"poll_timeout": 0.3})
    async with (
        LaterAgent.open(runner.agent_url, NEW) as new,
        GoAgent.open(runner.agent_url, NEW) as old_pod,  # the same cluster, being upgraded
        runner.gateway_client() as gw,
    ):
        await new.snapshot()
        logs = await submit(gw, NEW, LOGS)
        assert (await new.poll("ops") or {}).get("id") == logs["command_id"]
        assert await new.poll("ai") is None
        assert await old_pod.poll() is None
        view = await command(gw, logs["command_id"])
        assert (view["status"], view["attempts"]) == ("running", 1)
        # The ops loop polls again without reporting: the hand-off was lost.
        assert (await new.poll("ops") or {}).get("id") == logs["command_id"]
        assert (await command(gw, logs["command_id"]))["attempts"] == 2
        assert (await new.result(logs["command_id"], output="line")).status_code == 200

        # Agent V2's loop keeps its own: the later agent's ops poll leaves it running.
        restart = await submit(gw, NEW, {**SCALE, "action": "restart", "params": {}})
        assert (await old_pod.poll() or {}).get("id") == restart["command_id"]
        assert await new.poll("ops") is None
        assert (await command(gw, restart["command_id"]))["status"] == "running"
        assert await old_pod.poll() is None  # its own loop again: not safe to repeat
        view = await command(gw, restart["command_id"])
        assert view["status"] == "lost" and "not safe to repeat" in view["error"]


async def test_logs_are_held_to_what_the_later_agent_returns(
    master: MasterRunner, gateway: httpx.AsyncClient
) -> None:
    """The later agent reads 200 lines at most (100 without tailLines): the master fills
    in 200 and refuses more, for its clusters only."""
    async with (
        GoAgent.open(master.agent_url, OLD) as old,
        LaterAgent.open(master.agent_url, NEW) as new,
    ):
        await old.snapshot()
        await new.snapshot()
    assert (await submit(gateway, OLD, LOGS))["params"]["tailLines"] == 1000
    assert (await submit(gateway, NEW, LOGS))["params"]["tailLines"] == 200
    assert await submit(gateway, OLD, {**LOGS, "params": {"tailLines": 500}})
    r = await gateway.post(
        "/api/v2/commands", json={"cluster_id": NEW, **LOGS, "params": {"tailLines": 500}}
    )
    assert r.status_code == 400 and "between 1 and 200" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"command_id": "x", "commandId": "x", "success": True},
        {"success": True, "output": "no id"},
        {"commandId": 7, "success": True},
        {"commandId": "x", "success": True, "execTime": "3s"},
        {"commandId": "x", "success": "yes"},
        {"commandId": "x", "success": True, "executedAt": "yesterday"},
    ],
    ids=["both", "neither", "id-number", "exec-time-text", "success-text", "bad-time"],
)
async def test_results_that_are_neither_dialect_are_refused(
    agent: GoAgent, body: dict[str, Any]
) -> None:
    r = await agent.client.post(
        "/agent/result",
        content=msgspec.json.encode(body),
        headers={"Content-Type": "application/json", "X-Cluster-ID": agent.cluster_id},
    )
    assert r.status_code == 400 and r.json()["error"]["code"], r.text


async def test_a_poll_before_anything_else_is_answered_in_its_dialect(
    start_master: StartMaster,
) -> None:
    """The later agent polls before its first snapshot: the request alone says how."""
    runner = await start_master(commands={"poll_timeout": 0.2})
    async with (
        LaterAgent.open(runner.agent_url, NEW) as new,
        GoAgent.open(runner.agent_url, OLD) as old,
    ):
        assert (await new.poll_raw("ops")).json() == {"hasCommand": False}
        assert (await new.poll_raw("ai")).json() == {"hasCommand": False}
        assert (await old.poll_raw()).json() == {"has_command": False}


async def test_an_unknown_topic_is_refused(master: MasterRunner) -> None:
    async with LaterAgent.open(master.agent_url, NEW) as new:
        r = await new.poll_raw("logs")
    assert r.status_code == 400 and "ops, ai" in r.json()["error"]["message"]


async def test_the_generation_is_remembered_across_a_restart(
    start_master: StartMaster,
) -> None:
    runner = await start_master()
    async with LaterAgent.open(runner.agent_url, NEW) as new:
        await new.snapshot()
    await runner.restart()
    async with runner.gateway_client() as gw:
        (cluster,) = (await gw.get("/api/v2/clusters")).json()["clusters"]
    assert (cluster["status"], cluster["agent_generation"]) == ("offline", "v3")


async def test_the_later_agents_crash_loops_alert_on_their_deployment(
    start_master: StartMaster,
) -> None:
    """Alert rules read the later spelling: the pod's ReplicaSet names its Deployment in
    ownerKind/ownerName, the events' object and counts in involvedObject and count."""
    runner = await start_alerting(start_master)
    async with runner.gateway_client() as gw, LaterAgent.open(runner.agent_url, NEW) as new:
        await first_look(new, gw)
        events = [crash(3), crash(2, name="web-5d9c7b8f6d-fghij", uid="crash2")]
        assert (await new.snapshot(**{**CLEAN, "events": events})).status_code == 200

        async def fired() -> list[dict[str, Any]]:
            return await alerts(gw, cluster_id=NEW, rule="workload_events")

        (alert,) = await wait_for(fired, "the crash loop's alert")
    assert alert["object"] == {"kind": "Deployment", "namespace": "default", "name": "web"}
    assert alert["count"] == 5 and alert["reason"] == "BackOff"


async def test_a_fleet_of_both_generations_runs_its_commands(
    start_master: StartMaster, nursery: trio.Nursery
) -> None:
    """Demo agents of each generation, their loops as the Go agents run them (the later
    one's ops and ai polls side by side), each executing operators' commands."""
    runner = await start_master(commands={"poll_timeout": 2})
    agents = {
        cid: DemoAgent(
            runner.agent_url,
            SimulatedCluster(cid, pods=20, seed=3),
            snapshot_interval=0.5,
            heartbeat_interval=0.5,
            later=cid == NEW,
        )
        for cid in (OLD, NEW)
    }
    for agent in agents.values():
        await nursery.start(agent.run)
    async with runner.gateway_client() as gw:
        for cid in (OLD, NEW):
            view = (await gw.get(f"/api/v2/clusters/{cid}")).json()
            assert view["agent_generation"] == ("v3" if cid == NEW else "v2")
            assert view["pods"]["total"] >= 20 and view["summary"]["total_statefulsets"] > 0
            web = (await gw.get("/api/v2/deployments", params={"cluster_id": cid})).json()
            target = web["data"][0]["summary"]
            for action, params in (("scale", {"replicas": 4}), ("restart", {})):
                r = await gw.post(
                    "/api/v2/commands",
                    params={"wait": 15},
                    json={
                        "cluster_id": cid,
                        "action": action,
                        "target_kind": "Deployment",
                        "target_namespace": target["namespace"],
                        "target_name": target["name"],
                        "params": params,
                    },
                )
                assert r.status_code == 201 and r.json()["status"] == "success", r.text
    assert agents[NEW].commands_executed == agents[OLD].commands_executed == 2
    assert agents[NEW].errors == agents[OLD].errors == 0


async def test_an_oversized_later_result_fails_its_command(start_master: StartMaster) -> None:
    """The later agent writes commandId and success first too: a result over the limit
    still names its command, which fails instead of being handed out again."""
    runner = await start_master(agent={"max_result_bytes": 10_000})
    async with LaterAgent.open(runner.agent_url, NEW) as new, runner.gateway_client() as gw:
        await new.snapshot()
        logs = await submit(gw, NEW, LOGS)
        assert (await new.poll("ops") or {}).get("id") == logs["command_id"]
        r = await new.result(logs["command_id"], output="line\n" * 5000)
        assert r.status_code == 413 and "marked failed" in r.json()["error"]["message"]
        view = await command(gw, logs["command_id"])
    assert view["status"] == "failed" and "MASTER_AGENT_MAX_RESULT" in view["error"]
