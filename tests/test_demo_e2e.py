"""Demo agents inside a real master: they report in and execute operators' commands."""

from __future__ import annotations

from typing import Any

import trio

from .conftest import StartMaster


async def wait_for(check: Any) -> Any:
    """Poll `check` until it is true; bound it with `trio.fail_after`."""
    while not (value := await check()):
        await trio.sleep(0.1)
    return value


async def test_demo_clusters_execute_commands(start_master: StartMaster) -> None:
    runner = await start_master(
        demo={"agents": 2, "pods": 20, "snapshot_interval": 0.5, "heartbeat_interval": 0.5}
    )
    async with runner.gateway_client() as gw:
        clusters = (await gw.get("/api/v2/clusters")).json()["clusters"]
        assert [c["cluster_id"] for c in clusters] == ["demo-1", "demo-2"]
        assert all(c["status"] == "online" and c["pods"]["total"] >= 20 for c in clusters)

        deployments = (await gw.get("/api/v2/deployments", params={"cluster_id": "demo-1"})).json()
        web = deployments["data"][0]["summary"]
        target = {
            "cluster_id": "demo-1",
            "target_kind": "Deployment",
            "target_namespace": web["namespace"],
            "target_name": web["name"],
        }
        replicas = web["replicas"] + 2
        r = await gw.post(
            "/api/v2/commands",
            params={"wait": 15},
            json={**target, "action": "scale", "params": {"replicas": replicas}},
        )
        assert r.status_code == 201 and r.json()["status"] == "success", r.json()

        async def scaled() -> bool:
            one = await gw.get(
                f"/api/v2/deployments/{web['namespace']}/{web['name']}",
                params={"cluster_id": "demo-1"},
            )
            return bool(one.json()["data"]["summary"]["replicas"] == replicas)

        with trio.fail_after(10):
            await wait_for(scaled)

        pods = (
            await gw.get("/api/v2/pods", params={"cluster_id": "demo-1", "phase": "Running"})
        ).json()
        pod = pods["data"][0]["summary"]
        r = await gw.post(
            "/api/v2/commands",
            params={"wait": 15},
            json={
                "cluster_id": "demo-1",
                "action": "get_logs",
                "target_kind": "Pod",
                "target_namespace": pod["namespace"],
                "target_name": pod["name"],
                "params": {"tailLines": 5},
            },
        )
        assert r.json()["status"] == "success"
        assert len(r.json()["result"]["output"].splitlines()) == 5

        node = (await gw.get("/api/v2/nodes", params={"cluster_id": "demo-2"})).json()["data"][0]
        name = node["summary"]["name"]
        r = await gw.post(
            "/api/v2/commands",
            params={"wait": 15},
            json={
                "cluster_id": "demo-2",
                "action": "cordon",
                "target_kind": "Node",
                "target_name": name,
            },
        )
        assert r.json()["status"] == "success"

        async def cordoned() -> bool:
            one = await gw.get(f"/api/v2/nodes/{name}", params={"cluster_id": "demo-2"})
            return one.json()["data"]["summary"]["schedulable"] is False

        with trio.fail_after(10):
            await wait_for(cordoned)

        async def warnings_stored() -> bool:
            found = await gw.get(
                "/api/v2/events", params={"cluster_id": "demo-1", "type": "Warning"}
            )
            return bool(found.json()["total"] > 0)

        with trio.fail_after(20):
            await wait_for(warnings_stored)
