"""The command API and lifecycle: 400/404/429, expiry, timeout, wait, history.

What the agent executes and how requests are checked against it: `test_command_rules`.
"""

from __future__ import annotations

import httpx
import pytest
import trio

from .conftest import StartMaster, WallClock
from .goagent import GoAgent
from .test_agent_protocol import command, status

BASE = {
    "cluster_id": "c1",
    "target_kind": "Deployment",
    "target_namespace": "default",
    "target_name": "web",
}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({**BASE, "action": "explode"}, "unknown action"),
        ({**BASE, "action": "scale"}, "params.replicas is required"),
        ({**BASE, "action": "restart", "target_name": ""}, "target_name is required"),
        ({**BASE, "action": "restart", "target_namespace": ""}, "target_namespace"),
        (
            {**BASE, "action": "scale", "params": {"replicas": 1}, "surprise": 1},
            "invalid command body",
        ),
        ({**BASE, "params": {"replicas": 1}}, "invalid command body"),
        ({**BASE, "action": "scale", "params": []}, "invalid command body"),
    ],
)
async def test_invalid_commands_are_400(
    agent: GoAgent, gateway: httpx.AsyncClient, body: dict[str, object], fragment: str
) -> None:
    await agent.heartbeat()
    r = await gateway.post("/api/v2/commands", json=body)
    assert r.status_code == 400, r.text
    assert fragment in r.json()["error"]["message"]
    assert (await gateway.get("/api/v2/commands")).json()["total"] == 0


@pytest.mark.parametrize(
    "body", [b"{nope", b"", b'{"cluster_id": "\xff", "action": "scale"}', b"[]"]
)
async def test_invalid_json_body_is_400(gateway: httpx.AsyncClient, body: bytes) -> None:
    r = await gateway.post("/api/v2/commands", content=body)
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"


async def test_unknown_cluster_is_404(gateway: httpx.AsyncClient) -> None:
    r = await gateway.post("/api/v2/commands", json={**BASE, "action": "restart"})
    assert r.status_code == 404 and "not known" in r.json()["error"]["message"]


async def test_full_queue_is_429(start_master: StartMaster) -> None:
    runner = await start_master(commands={"queue_size": 2})
    async with GoAgent.open(runner.agent_url, "c1") as go, runner.gateway_client() as gw:
        await go.heartbeat()
        await command(gw)
        await command(gw)
        r = await gw.post("/api/v2/commands", json={**BASE, "action": "restart"})
        assert r.status_code == 429 and r.json()["error"]["code"] == "queue_full"
        assert (await gw.get("/api/v2/commands")).json()["total"] == 2


async def test_undelivered_command_expires(start_master: StartMaster) -> None:
    clock = WallClock()
    runner = await start_master(clock=clock, commands={"poll_timeout": 0.3})
    async with GoAgent.open(runner.agent_url, "c1") as go, runner.gateway_client() as gw:
        await go.heartbeat()
        command_id = await command(gw)
        assert await status(gw, command_id) == "pending"
        clock.ahead = runner.config.commands.expire  # the default, 5 minutes
        with trio.fail_after(5):
            while await status(gw, command_id) != "expired":
                await trio.sleep(0.1)
        assert await go.poll() is None  # skipped, never handed out


async def test_delivered_command_without_result_times_out(start_master: StartMaster) -> None:
    clock = WallClock()
    runner = await start_master(clock=clock)
    async with GoAgent.open(runner.agent_url, "c1") as go, runner.gateway_client() as gw:
        await go.heartbeat()
        command_id = await command(gw)
        assert await go.poll() is not None
        clock.ahead = runner.config.commands.result_timeout  # the default, 5 minutes
        with trio.fail_after(5):
            while await status(gw, command_id) != "timeout":
                await trio.sleep(0.1)
        assert (await go.result(command_id)).status_code == 200  # late: harmless
        assert await status(gw, command_id) == "timeout"


async def test_wait_answers_with_the_result(agent: GoAgent, gateway: httpx.AsyncClient) -> None:
    await agent.heartbeat()

    async def run_agent() -> None:
        cmd = await agent.poll()
        assert cmd is not None
        await agent.result(cmd["id"], output="done")

    async with trio.open_nursery() as nursery:
        nursery.start_soon(run_agent)
        r = await gateway.post(
            "/api/v2/commands",
            params={"wait": 5},
            json={**BASE, "action": "scale", "params": {"replicas": 2.0}},
        )
    assert r.status_code == 201
    assert r.json()["status"] == "success" and r.json()["result"]["output"] == "done"


async def test_wait_ends_with_current_status(agent: GoAgent, gateway: httpx.AsyncClient) -> None:
    await agent.heartbeat()
    r = await gateway.post(
        "/api/v2/commands", params={"wait": 0.3}, json={**BASE, "action": "restart"}
    )
    assert r.status_code == 201 and r.json()["status"] == "pending"


@pytest.mark.parametrize("wait", ["-1", "abc", "1000"])
async def test_bad_wait_is_400(agent: GoAgent, gateway: httpx.AsyncClient, wait: str) -> None:
    await agent.heartbeat()
    r = await gateway.post(
        "/api/v2/commands", params={"wait": wait}, json={**BASE, "action": "restart"}
    )
    assert r.status_code == 400


async def test_history_newest_first_and_filters(agent: GoAgent, gateway: httpx.AsyncClient) -> None:
    await agent.heartbeat()
    first = await command(gateway)
    second = await command(gateway, "restart")
    cmd = await agent.poll()
    assert cmd is not None and cmd["id"] == first
    await agent.result(first)
    with trio.fail_after(5):
        while True:
            listed = (await gateway.get("/api/v2/commands", params={"cluster_id": "c1"})).json()
            if [c["status"] for c in listed["commands"]] == ["pending", "success"]:
                break
            await trio.sleep(0.05)
    assert [c["command_id"] for c in listed["commands"]] == [second, first]
    with trio.fail_after(5):  # the status filter reads the database, written just after
        while (
            only := (await gateway.get("/api/v2/commands", params={"status": "success"})).json()
        )["total"] == 0:
            await trio.sleep(0.05)
    assert only["total"] == 1 and only["commands"][0]["command_id"] == first
    assert (await gateway.get("/api/v2/commands", params={"status": "bogus"})).status_code == 400
    assert (await gateway.get("/api/v2/commands/nope")).status_code == 404
