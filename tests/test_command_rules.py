"""Commands offered only as the Go agent executes them, delivered as it decodes them.

Every action is tried on every kind through the API: the one kind the agent
acts on (or none named) is accepted and the poll answer, decoded as the agent
decodes it (`goagent.decode_poll`, `agent_params`), carries typed parameters;
every other pair is a 400 that names what is supported. Results of any size
end their command.
"""

from __future__ import annotations

from typing import Any

import httpx
import msgspec
import pytest
import trio

from master.model.command import AGENT_ACTIONS, NOT_EXECUTED

from .conftest import StartMaster
from .goagent import GoAgent, agent_params, decode_poll

KINDS = (
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Pod",
    "Node",
    "ConfigMap",
    "Secret",
    "Service",
    "Job",
    "Namespace",
    "",
)
# A valid parameter set per action (the others need none).
PARAMS: dict[str, dict[str, Any]] = {"scale": {"replicas": 3}, "update_image": {"image": "web:2"}}


def body(action: str, kind: str, params: dict[str, Any] | None = None, **target: str) -> Any:
    return {
        "cluster_id": "c1",
        "action": action,
        "target_kind": kind,
        "target_namespace": "" if kind == "Node" else "shop",
        "target_name": "web",
        "params": PARAMS.get(action, {}) if params is None else params,
        **target,
    }


async def deliver(agent: GoAgent) -> tuple[Any, dict[str, Any]]:
    """Poll as the agent does: its command and the typed params it decodes; then report."""
    r = await agent.poll_raw()
    assert r.status_code == 200, r.text
    cmd = decode_poll(r.content)
    assert cmd is not None
    typed = agent_params(cmd.action, cmd.params)
    assert (await agent.result(cmd.id)).status_code == 200
    return cmd, typed


async def test_each_action_on_each_kind(agent: GoAgent, gateway: httpx.AsyncClient) -> None:
    await agent.heartbeat()
    refused: dict[tuple[str, str], str] = {}
    accepted: list[tuple[str, str]] = []
    for action, spec in AGENT_ACTIONS.items():
        for kind in KINDS:
            r = await gateway.post("/api/v2/commands", json=body(action, kind))
            if r.status_code == 400:
                refused[(action, kind)] = r.json()["error"]["message"]
                continue
            assert r.status_code == 201, (action, kind, r.text)
            accepted.append((action, kind))
            view = r.json()
            assert view["target_kind"] == spec.kind  # an empty kind names the action's kind
            cmd, typed = await deliver(agent)
            assert (cmd.id, cmd.action, cmd.target_kind) == (view["command_id"], action, spec.kind)
            assert (cmd.target_namespace, cmd.target_name) == (
                "" if spec.kind == "Node" else "shop",
                "web",
            )
            expected = agent_params(action, PARAMS.get(action, {}))
            if action == "get_logs":
                expected["tailLines"] = 1000  # the default of a full log
            assert typed == expected
    assert sorted(accepted) == sorted(
        pair for a, s in AGENT_ACTIONS.items() for pair in ((a, s.kind), (a, ""))
    )
    assert len(refused) == len(AGENT_ACTIONS) * len(KINDS) - len(accepted)
    for (action, kind), message in refused.items():
        spec = AGENT_ACTIONS[action]
        assert f"supports target_kind {spec.kind} only, not {kind!r}" in message
        if spec.kind == "Deployment":  # scale/restart/update_image would hit a Deployment
            assert "the Deployment of that name" in message
    assert (await gateway.get("/api/v2/commands")).json()["total"] == len(accepted)


@pytest.mark.parametrize("action", sorted(NOT_EXECUTED))
async def test_actions_the_agent_does_not_execute_are_refused(
    agent: GoAgent, gateway: httpx.AsyncClient, action: str
) -> None:
    await agent.heartbeat()
    r = await gateway.post("/api/v2/commands", json=body(action, "Pod"))
    assert r.status_code == 400
    message = r.json()["error"]["message"]
    assert f"does not execute {action!r}" in message
    assert all(name in message for name in AGENT_ACTIONS)


def run(action: str, params: dict[str, Any], kind: str = "") -> Any:
    return body(action, kind or AGENT_ACTIONS[action].kind, params)


# (request, what the agent decodes) for accepted ones; (request, 400 fragment) for refused.
ACCEPTED = {
    "scale 3": (run("scale", {"replicas": 3}), {"replicas": 3}),
    "scale 3.0 (a float64 to Go anyway)": (run("scale", {"replicas": 3.0}), {"replicas": 3}),
    "scale 0": (run("scale", {"replicas": 0}), {"replicas": 0}),
    "scale int32 max": (run("scale", {"replicas": 2**31 - 1}), {"replicas": 2**31 - 1}),
    "update_image, first container": (run("update_image", {"image": "web:2"}), {"image": "web:2"}),
    "update_image, named container": (
        run("update_image", {"image": "ghcr.io/a/web@sha256:ab12", "container": "sidecar-1"}),
        {"image": "ghcr.io/a/web@sha256:ab12", "container": "sidecar-1"},
    ),
    "get_logs, the default tail": (run("get_logs", {}), {"tailLines": 40}),
    "get_logs, all it reads": (
        run(
            "get_logs",
            {
                "container": "app",
                "tailLines": 50,
                "sinceSeconds": 3600,
                "timestamps": True,
                "previous": False,
            },
        ),
        {
            "container": "app",
            "tailLines": 50,
            "sinceSeconds": 3600,
            "timestamps": True,
            "previous": False,
        },
    ),
    "delete now": (run("delete", {"gracePeriodSeconds": 0}), {"gracePeriodSeconds": 0}),
    "cordon": (run("cordon", {}), {}),
}
REFUSED = {
    "scale without replicas (the agent would scale to 0)": (
        run("scale", {}),
        "params.replicas is required",
    ),
    "replicas -1": (run("scale", {"replicas": -1}), "between 0 and 2147483647"),
    "replicas over int32": (run("scale", {"replicas": 2**31}), "between 0 and 2147483647"),
    "replicas 10**30": (run("scale", {"replicas": 10**30}), "between 0 and 2147483647"),
    "replicas 1e30": (run("scale", {"replicas": 1e30}), "between 0 and 2147483647"),
    "replicas 1.5": (run("scale", {"replicas": 1.5}), "whole number"),
    "replicas '3'": (run("scale", {"replicas": "3"}), "must be a number"),
    "replicas true": (run("scale", {"replicas": True}), "must be a number"),
    "replicas null": (run("scale", {"replicas": None}), "must be a number"),
    "update_image without image": (run("update_image", {"container": "web"}), "params.image"),
    "image with a quote (pasted into the agent's JSON patch)": (
        run("update_image", {"image": 'web:2","name":"x'}),
        "quotes",
    ),
    "image with a space": (run("update_image", {"image": "web 2"}), "spaces"),
    "container not a name": (
        run("update_image", {"image": "web:2", "container": "Web_1"}),
        "container name",
    ),
    "tailLines 0": (run("get_logs", {"tailLines": 0}), "between 1 and 60"),
    "tailLines over the maximum": (run("get_logs", {"tailLines": 61}), "between 1 and 60"),
    "sinceSeconds 0": (run("get_logs", {"sinceSeconds": 0}), "params.sinceSeconds"),
    "timestamps 'yes'": (run("get_logs", {"timestamps": "yes"}), "true or false"),
    "a parameter the agent does not read": (
        run("get_logs", {"tail_lines": 10}),
        "params.tail_lines is not read by the agent's get_logs",
    ),
    "force (the agent ignores it)": (run("delete", {"force": True}), "params.force"),
    "restart with params": (run("restart", {"replicas": 1}), "its parameters: none"),
    "get_secret without namespace": (
        {**run("get_secret", {}), "target_namespace": ""},
        "target_namespace",
    ),
    "name with a slash": ({**run("restart", {}), "target_name": "a/b"}, "no '/'"),
    "name of 254 characters": ({**run("restart", {}), "target_name": "w" * 254}, "1-253"),
}


async def test_parameters_as_the_agent_decodes_them(start_master: StartMaster) -> None:
    runner = await start_master(commands={"logs_tail_default": 40, "logs_tail_max": 60})
    async with GoAgent.open(runner.agent_url, "c1") as go, runner.gateway_client() as gw:
        await go.heartbeat()
        for name, (request, decoded) in ACCEPTED.items():
            r = await gw.post("/api/v2/commands", json=request)
            assert r.status_code == 201, (name, r.text)
            cmd, typed = await deliver(go)
            assert typed == decoded, name
            assert cmd.params == decoded, name  # whole numbers go out as ints, nothing else
        for name, (request, fragment) in REFUSED.items():
            r = await gw.post("/api/v2/commands", json=request)
            assert r.status_code == 400, (name, r.text)
            assert fragment in r.json()["error"]["message"], name
        assert (await gw.get("/api/v2/commands")).json()["total"] == len(ACCEPTED)


def go_result(command_id: str, output: str) -> bytes:
    """A result body as the Go agent writes it: command_id first."""
    return msgspec.json.encode(
        {
            "command_id": command_id,
            "success": True,
            "output": output,
            "executed_at": "2026-01-18T10:00:03.123456789+09:00",
        }
    )


async def logs_command(gw: httpx.AsyncClient) -> str:
    r = await gw.post("/api/v2/commands", json=run("get_logs", {"tailLines": 10}))
    assert r.status_code == 201, r.text
    command_id: str = r.json()["command_id"]
    return command_id


async def test_large_results_end_their_command(start_master: StartMaster) -> None:
    runner = await start_master(agent={"max_output_bytes": 1000, "max_result_bytes": 100_000})
    async with GoAgent.open(runner.agent_url, "c1") as go, runner.gateway_client() as gw:
        await go.heartbeat()
        # Over the output limit: kept truncated, with a note.
        command_id = await logs_command(gw)
        assert await go.poll() is not None
        r = await go.client.post(
            "/agent/result",
            content=go_result(command_id, "log line é\n" * 5000),
            headers={"Content-Type": "application/json", "X-Cluster-ID": "c1"},
        )
        assert r.status_code == 200, r.text
        view = (await gw.get(f"/api/v2/commands/{command_id}")).json()
        output = view["result"]["output"]
        assert view["status"] == "success" and len(output.encode()) <= 1000
        assert output.startswith("log line é\n")
        assert output.endswith(
            "[truncated by the master: 60000 bytes received, the first 931 kept]"
        )
        # Lists never carry outputs.
        (listed,) = (await gw.get("/api/v2/commands")).json()["commands"]
        assert "output" not in listed["result"] and listed["result"]["has_output"] is True

        # Over the result limit (here 100 kB; 64 MiB by default): the command fails with a
        # note instead of staying running and being handed out again.
        command_id = await logs_command(gw)
        assert await go.poll() is not None
        r = await go.client.post(
            "/agent/result",
            content=go_result(command_id, "x" * 150_000),
            headers={"Content-Type": "application/json", "X-Cluster-ID": "c1"},
        )
        assert r.status_code == 413 and "marked failed" in r.json()["error"]["message"]
        view = (await gw.get(f"/api/v2/commands/{command_id}")).json()
        assert view["status"] == "failed"
        assert "over the master's limit of 100000 (MASTER_AGENT_MAX_RESULT)" in view["error"]
        with trio.fail_after(5):
            assert await go.poll() is None  # not handed out again

        # A large body that is no agent's result names no command: refused, nothing changes.
        r = await go.client.post(
            "/agent/result",
            content=b"[" + b"1," * 60_000 + b"1]",
            headers={"Content-Type": "application/json", "X-Cluster-ID": "c1"},
        )
        assert r.status_code == 413
