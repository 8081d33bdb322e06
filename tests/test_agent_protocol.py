"""Agent V2 conformance: the four calls as the Go agent makes them, against a real master."""

from __future__ import annotations

import httpx
import trio

from .conftest import MasterRunner, StartMaster
from .goagent import GoAgent, event
from .http import TLS


async def command(gateway: httpx.AsyncClient, action: str = "scale", **fields: object) -> str:
    body = {
        "cluster_id": "c1",
        "action": action,
        "target_kind": "Deployment",
        "target_namespace": "default",
        "target_name": "web",
        "params": {"replicas": 3} if action == "scale" else {},
    }
    body.update(fields)
    r = await gateway.post("/api/v2/commands", json=body)
    assert r.status_code == 201, r.text
    command_id: str = r.json()["command_id"]
    return command_id


async def status(gateway: httpx.AsyncClient, command_id: str) -> str:
    r = await gateway.get(f"/api/v2/commands/{command_id}")
    assert r.status_code == 200, r.text
    value: str = r.json()["status"]
    return value


async def test_heartbeat_without_body_registers_cluster(
    agent: GoAgent, gateway: httpx.AsyncClient
) -> None:
    r = await agent.heartbeat()
    assert r.status_code == 200
    assert r.request.headers.get("content-length") in (None, "0")
    assert "content-type" not in r.request.headers
    clusters = (await gateway.get("/api/v2/clusters")).json()
    assert clusters["total"] == 1
    (c1,) = clusters["clusters"]
    assert c1["cluster_id"] == "c1" and c1["status"] == "online"
    assert c1["last_heartbeat"] is not None and c1["last_snapshot"] is None


async def test_snapshot_is_indexed_and_summary_computed(
    agent: GoAgent, gateway: httpx.AsyncClient
) -> None:
    claimed = dict.fromkeys(("total_nodes", "ready_nodes", "total_pods"), 99)
    r = await agent.snapshot(futureKinds=[{"name": "x"}], summary=claimed)
    assert r.status_code in (200, 202), r.text
    detail = (await gateway.get("/api/v2/clusters/c1")).json()
    summary = detail["summary"]
    # Computed from the resources, not the agent's claimed 99s.
    assert summary["total_nodes"] == 2 and summary["ready_nodes"] == 1
    assert summary["total_pods"] == 3 and summary["running_pods"] == 2
    assert summary["pending_pods"] == 1
    assert summary["total_deployments"] == 1 and summary["healthy_deployments"] == 1
    assert summary["total_statefulsets"] == 0  # null list
    assert summary["total_events"] == 2 and summary["warning_events"] == 1
    assert detail["extra_kinds"] == ["futureKinds"]
    assert detail["fetched_at"] == "2026-01-18T01:00:03.123456Z"
    assert detail["status"] == "online" and detail["last_snapshot"] is not None


async def test_event_times_normalised_and_zero_time_unknown(
    agent: GoAgent, gateway: httpx.AsyncClient
) -> None:
    await agent.snapshot()
    events = (
        await gateway.get("/api/v2/events", params={"source": "realtime", "cluster_id": "c1"})
    ).json()
    by_uid = {e["uid"]: e for e in events["events"]}
    assert by_uid["e1"]["last_timestamp"] == "2026-01-18T01:00:03.123456Z"
    assert by_uid["e1"]["first_timestamp"] is None
    assert by_uid["e1"]["severity"] == "critical"
    assert by_uid["e2"]["last_timestamp"] is None and by_uid["e2"]["severity"] == "info"


async def test_events_deduped_by_uid_count_taken_not_added(
    agent: GoAgent, gateway: httpx.AsyncClient, master: MasterRunner
) -> None:
    await agent.snapshot(events=[event("e1", count=3), event("e1", count=4)])
    await agent.snapshot(events=[event("e1", count=5, last="2026-01-18T10:05:00.000000001+09:00")])
    with trio.fail_after(5):
        while True:
            hist = (await gateway.get("/api/v2/events", params={"cluster_id": "c1"})).json()
            if hist["total"] == 1 and hist["events"][0]["count"] == 5:
                break
            await trio.sleep(0.05)
    assert hist["events"][0]["last_timestamp"] == "2026-01-18T01:05:00.000000Z"


async def test_poll_times_out_with_no_command(start_master: StartMaster) -> None:
    runner = await start_master(commands={"poll_timeout": 0.3})
    async with GoAgent.open(runner.agent_url, "c1") as go:
        await go.heartbeat()
        with trio.fail_after(5):
            assert await go.poll() is None


async def test_poll_returns_at_once_when_command_queued(
    agent: GoAgent, gateway: httpx.AsyncClient
) -> None:
    await agent.heartbeat()
    got: list[dict[str, object] | None] = []
    async with trio.open_nursery() as nursery:

        async def poll() -> None:
            got.append(await agent.poll())

        nursery.start_soon(poll)
        await trio.sleep(0.2)
        command_id = await command(gateway)
        with trio.fail_after(1):  # well inside the 2 s poll timeout
            while not got:
                await trio.sleep(0.01)
    cmd = got[0]
    assert cmd is not None and cmd["id"] == command_id
    assert cmd == {
        "id": command_id,
        "action": "scale",
        "target_kind": "Deployment",
        "target_namespace": "default",
        "target_name": "web",
        "params": {"replicas": 3},
    }
    assert await status(gateway, command_id) == "running"
    r = await agent.result(command_id, output="scaled to 3")
    assert r.status_code == 200
    view = (await gateway.get(f"/api/v2/commands/{command_id}")).json()
    assert view["status"] == "success"
    assert view["result"] == {
        "success": True,
        "output": "scaled to 3",
        "error": "",
        "executed_at": "2026-01-18T01:00:03.123456Z",
    }


async def test_agent_hanging_up_mid_poll_loses_nothing(
    agent: GoAgent, gateway: httpx.AsyncClient, master: MasterRunner
) -> None:
    await agent.heartbeat()
    async with httpx.AsyncClient(verify=TLS, base_url=master.agent_url) as doomed:
        with trio.move_on_after(0.3):
            await doomed.get(
                "/agent/commands", params={"cluster_id": "c1"}, headers={"X-Cluster-ID": "c1"}
            )
    # The hung-up poll's handler is gone; the command waits for the next poll.
    command_id = await command(gateway, "restart")
    await trio.sleep(0.1)
    assert await status(gateway, command_id) == "pending"
    cmd = await agent.poll()
    assert cmd is not None and cmd["id"] == command_id


async def test_repoll_redelivers_scale_and_loses_restart(
    agent: GoAgent, gateway: httpx.AsyncClient
) -> None:
    await agent.heartbeat()
    scale_id = await command(gateway, "scale")
    first = await agent.poll()
    assert first is not None and first["id"] == scale_id
    # The answer was lost on the way: the agent polls again without a result.
    again = await agent.poll()
    assert again is not None and again["id"] == scale_id
    view = (await gateway.get(f"/api/v2/commands/{scale_id}")).json()
    assert view["attempts"] == 2 and view["status"] == "running"
    await agent.result(scale_id)

    restart_id = await command(gateway, "restart")
    first = await agent.poll()
    assert first is not None and first["id"] == restart_id
    with trio.fail_after(5):
        assert await agent.poll() is None  # not handed out again
    view = (await gateway.get(f"/api/v2/commands/{restart_id}")).json()
    assert view["status"] == "lost" and "not safe to repeat" in view["error"]


async def test_repeatable_command_lost_after_max_attempts(start_master: StartMaster) -> None:
    runner = await start_master(commands={"max_attempts": 2, "poll_timeout": 0.3})
    async with GoAgent.open(runner.agent_url, "c1") as go, runner.gateway_client() as gw:
        await go.heartbeat()
        command_id = await command(gw, "scale")
        assert (await go.poll() or {})["id"] == command_id
        assert (await go.poll() or {})["id"] == command_id
        assert await go.poll() is None
        assert await status(gw, command_id) == "lost"


async def test_results_for_unknown_duplicate_and_late_commands_are_harmless(
    agent: GoAgent, gateway: httpx.AsyncClient
) -> None:
    await agent.heartbeat()
    r = await agent.result("no-such-command")
    assert r.status_code == 200
    command_id = await command(
        gateway, "get_logs", target_kind="Pod", target_name="web-1", params={"tailLines": 10}
    )
    assert await agent.poll() is not None
    assert (await agent.result(command_id, output="line 1\nline 2")).status_code == 200
    assert (await agent.result(command_id, success=False, error="late")).status_code == 200
    view = (await gateway.get(f"/api/v2/commands/{command_id}")).json()
    assert view["status"] == "success" and view["result"]["output"] == "line 1\nline 2"
    assert view["result"]["error"] == ""


async def test_a_result_received_twice_changes_nothing_across_a_restart(
    start_master: StartMaster,
) -> None:
    """A proxy may repeat a result: after a restart too, the second copy changes nothing."""
    runner = await start_master()
    async with runner.gateway_client() as gw, GoAgent.open(runner.agent_url, "c1") as go:
        await go.heartbeat()
        command_id = await command(gw)
        assert await go.poll() is not None
        assert (await go.result(command_id, output="scaled")).status_code == 200
        first = (await gw.get(f"/api/v2/commands/{command_id}")).json()
    await runner.restart()
    async with runner.gateway_client() as gw, GoAgent.open(runner.agent_url, "c1") as go:
        r = await go.result(command_id, success=False, output="again", error="no")
        assert r.status_code == 200
        assert (await gw.get(f"/api/v2/commands/{command_id}")).json() == first
    assert first["status"] == "success" and first["result"]["output"] == "scaled"


async def test_failed_result_marks_failed(agent: GoAgent, gateway: httpx.AsyncClient) -> None:
    await agent.heartbeat()
    command_id = await command(gateway)
    assert await agent.poll() is not None
    await agent.result(command_id, success=False, error='deployments.apps "web" not found')
    view = (await gateway.get(f"/api/v2/commands/{command_id}")).json()
    assert view["status"] == "failed" and view["result"]["success"] is False
    assert view["error"] == 'deployments.apps "web" not found'


async def test_result_for_another_clusters_command_refused(
    agent: GoAgent, gateway: httpx.AsyncClient, master: MasterRunner
) -> None:
    await agent.heartbeat()
    command_id = await command(gateway)
    async with GoAgent.open(master.agent_url, "c2") as other:
        r = await other.result(command_id)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert await status(gateway, command_id) == "pending"


async def test_plain_json_snapshot_and_body_cluster_id_fallback(
    master: MasterRunner, gateway: httpx.AsyncClient
) -> None:
    async with httpx.AsyncClient(verify=TLS, base_url=master.agent_url) as client:
        r = await client.post("/agent/snapshot", json={"cluster_id": "plain", "pods": None})
    assert r.status_code == 200, r.text
    assert (await gateway.get("/api/v2/clusters/plain")).json()["summary"]["total_pods"] == 0


async def test_health(master: MasterRunner) -> None:
    async with httpx.AsyncClient(verify=TLS) as client:
        assert (await client.get(master.agent_url + "/health")).json() == {"status": "ok"}
        assert (await client.get(master.gateway_url + "/health")).json()["status"] == "ok"


async def test_metrics_count_what_happened(agent: GoAgent, gateway: httpx.AsyncClient) -> None:
    await agent.snapshot()
    await agent.heartbeat()
    await agent.push(b"not gzip")
    command_id = await command(gateway)
    assert await agent.poll() is not None
    await agent.result(command_id)
    r = await gateway.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    lines = set(r.text.splitlines())
    assert "master_snapshots_total 1.0" in lines
    assert "master_heartbeats_total 1.0" in lines
    assert 'master_agent_rejected_total{status="400"} 1.0' in lines
    assert 'master_command_transitions_total{status="success"} 1.0' in lines
    assert "master_command_dispatch_seconds_count 1.0" in lines
    assert "master_polls_held 0.0" in lines
    bytes_line = next(line for line in lines if line.startswith("master_snapshot_bytes_total "))
    assert float(bytes_line.split()[1]) > 1000
