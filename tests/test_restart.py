"""A restart keeps events, command history and pending commands."""

from __future__ import annotations

import trio

from .conftest import StartMaster
from .goagent import GoAgent
from .test_agent_protocol import command


async def test_restart_keeps_events_history_and_pending_commands(start_master: StartMaster) -> None:
    runner = await start_master()
    async with GoAgent.open(runner.agent_url, "c1") as go, runner.gateway_client() as gw:
        await go.snapshot()
        done = await command(gw)
        assert await go.poll() is not None
        await go.result(done, output="ok")
        running = await command(gw, "get_logs", target_kind="Pod", params={})
        assert (await go.poll() or {})["id"] == running
        pending = await command(gw, "restart")

    await runner.restart()
    async with GoAgent.open(runner.agent_url, "c1") as go, runner.gateway_client() as gw:
        # The cluster is known (offline until it reports), its events and history are there.
        clusters = (await gw.get("/api/v2/clusters")).json()["clusters"]
        assert [(c["cluster_id"], c["status"]) for c in clusters] == [("c1", "offline")]
        events = (await gw.get("/api/v2/events", params={"cluster_id": "c1"})).json()
        assert {e["uid"] for e in events["events"]} == {"e1", "e2"}
        statuses = {
            c["command_id"]: c["status"]
            for c in (await gw.get("/api/v2/commands")).json()["commands"]
        }
        assert statuses == {done: "success", running: "running", pending: "pending"}
        # The running one is still waiting for its result; the pending one is delivered.
        await go.result(running, output="logs")
        assert (await gw.get(f"/api/v2/commands/{running}")).json()["status"] == "success"
        with trio.fail_after(5):
            cmd = await go.poll()
        assert cmd is not None and cmd["id"] == pending
        # Commands can be sent to the restored cluster before it reports again.
        assert (
            await gw.post(
                "/api/v2/commands",
                json={
                    "cluster_id": "c1",
                    "action": "cordon",
                    "target_kind": "Node",
                    "target_name": "node-1",
                },
            )
        ).status_code == 201
