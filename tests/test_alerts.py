"""Alerting end to end: a real master, agents posting snapshots, real local receivers."""

from __future__ import annotations

from .alerting import (
    CLEAN,
    SECRET,
    alerts,
    crash,
    drained,
    first_look,
    put_channel,
    start_alerting,
    verify_signature,
    wait_for,
)
from .conftest import StartMaster
from .goagent import GoAgent, deployment, event, node
from .receivers import http_receiver


async def test_a_deployments_crash_looping_pods_are_one_alert_counted_then_resolved(
    start_master: StartMaster,
) -> None:
    runner = await start_alerting(start_master)
    async with (
        http_receiver() as hook,
        runner.gateway_client() as gw,
        GoAgent.open(runner.agent_url, "c1") as agent,
    ):
        config = {"url": hook.url, "secret": SECRET, "min_severity": "warning"}
        await put_channel(gw, "webhook", config)
        await first_look(agent, gw)
        for count in range(1, 6):  # both pods of web back off, their counts rising
            events = [crash(count), crash(count, name="web-5d9c7b8f6d-fghij", uid="crash2")]
            assert (await agent.snapshot(**{**CLEAN, "events": events})).status_code == 200

            async def counted(count: int = count) -> bool:
                found = await alerts(gw, cluster_id="c1", rule="workload_events")
                return len(found) == 1 and found[0]["count"] == 2 * count

            await wait_for(counted, f"the alert counted {2 * count}")
        assert (await agent.snapshot(**CLEAN)).status_code == 200

        async def resolved() -> bool:
            done = await alerts(gw, status="resolved", rule="workload_events")
            return bool(done) and await drained(gw, "webhook")

        await wait_for(resolved, "the alert resolved")
        (alert,) = await alerts(gw, rule="workload_events")
        assert alert["status"] == "resolved" and alert["count"] == 10
        assert alert["severity"] == "warning" and alert["reason"] == "BackOff"
        assert alert["object"] == {"kind": "Deployment", "namespace": "default", "name": "web"}
        assert alert["message"].startswith(
            "2 pods: web-5d9c7b8f6d-abcde (x5), web-5d9c7b8f6d-fghij (x5); latest: "
        )
        assert alert["notified_channels"] == ["webhook"]
        kinds = [r.json()["kind"] for r in hook.requests]
        assert kinds == ["digest", "firing", "resolved"], "the first look, then the crash loop"
        for request in hook.requests:
            verify_signature(request)
        fired = hook.requests[1].json()
        assert fired["cluster_id"] == "c1" and fired["severity"] == "warning"
        assert fired["alerts"][0]["reason"] == "BackOff"


async def test_first_look_is_one_digest_per_cluster_also_after_restart(
    start_master: StartMaster,
) -> None:
    runner = await start_alerting(start_master, alerts={"public_url": "https://ops.example.com/"})
    async with http_receiver() as slack:
        async with runner.gateway_client() as gw:
            await put_channel(gw, "slack", {"webhook_url": slack.url})
        for cid in ("c1", "c2"):
            async with GoAgent.open(runner.agent_url, cid) as agent:
                # The default snapshot: a BackOff event and node-2 NotReady, already wrong.
                assert (await agent.snapshot()).status_code == 200
        async with runner.gateway_client() as gw:

            async def both() -> bool:
                return len(await alerts(gw)) == 4 and await drained(gw, "slack")

            await wait_for(both, "both clusters looked at")
        assert len(slack.requests) == 2, [r.json()["text"] for r in slack.requests]
        texts = sorted(r.json()["text"] for r in slack.requests)
        assert texts[0].startswith("[CRITICAL] c1: 2 problem(s)")
        assert texts[1].startswith("[CRITICAL] c2: 2 problem(s)")
        body = str(slack.requests[0].json()["blocks"])
        assert "NodeNotReady" in body and "BackOff" in body
        assert "https://ops.example.com/#/cluster/c" in body

        await runner.restart()
        async with GoAgent.open(runner.agent_url, "c1") as agent:
            assert (await agent.snapshot()).status_code == 200
        async with runner.gateway_client() as gw:

            async def digested() -> bool:
                return len(slack.requests) == 3 and await drained(gw, "slack")

            await wait_for(digested, "the start-up digest after the restart")
            found = await alerts(gw, cluster_id="c1")
        assert len(found) == 2, "the same alerts carry on; no new rows after a restart"
        assert slack.requests[2].json()["text"].startswith("[CRITICAL] c1: 2 problem(s)")


async def test_burst_becomes_one_digest(start_master: StartMaster) -> None:
    runner = await start_alerting(start_master, alerts={"burst_count": 3, "burst_window": 3600.0})
    async with (
        http_receiver() as hook,
        runner.gateway_client() as gw,
        GoAgent.open(runner.agent_url, "c1") as agent,
    ):
        await put_channel(gw, "webhook", {"url": hook.url, "secret": SECRET})
        await first_look(agent, gw)
        nodes = [node("node-1"), *(node(f"node-{i}", ready="False") for i in range(3, 9))]
        assert (await agent.snapshot(**{**CLEAN, "nodes": nodes})).status_code == 200

        async def six() -> bool:
            return len(await alerts(gw, status="firing")) == 6 and await drained(gw, "webhook")

        await wait_for(six, "six alerts")
        assert len(hook.requests) == 2, "the first look's digest, then the burst's"
        digest = hook.requests[1].json()
        assert digest["kind"] == "digest" and len(digest["alerts"]) == 6
        assert "burst" in digest["title"]
        verify_signature(hook.requests[1])


async def test_receiver_down_is_retried_recorded_and_blocks_nothing(
    start_master: StartMaster,
) -> None:
    runner = await start_alerting(start_master, notify={"attempts": 3, "timeout": 2.0})
    async with (
        http_receiver(status=503) as down,
        http_receiver(hang=True) as hung,
        http_receiver() as hook,
        runner.gateway_client() as gw,
        GoAgent.open(runner.agent_url, "c1") as agent,
    ):
        await put_channel(gw, "slack", {"webhook_url": down.url})
        config = {"url": hook.url, "secret": SECRET, "min_severity": "warning"}
        await put_channel(gw, "webhook", config)
        assert (await agent.snapshot()).status_code == 200

        async def failed() -> dict[str, object] | None:
            view = (await gw.get("/api/v2/notify/channels/slack")).json()
            return view if view["failed_count"] == 1 and view["queued"] == 0 else None

        slack = await wait_for(failed, "the failure recorded")
        assert len(down.requests) == 3, "three attempts"
        assert slack["last_send_status"] == "failed" and "503" in slack["last_send_error"]
        assert down.url not in slack["last_send_error"]
        await wait_for(lambda: drained(gw, "webhook"), "the webhook delivered")
        assert len(hook.requests) == 1

        # A receiver that never answers: ingest and the other channel carry on meanwhile.
        await put_channel(gw, "slack", {"webhook_url": hung.url, "min_severity": "warning"})
        for count in range(1, 4):
            events = [event("e1"), crash(count, name="db-0", uid=f"db{count}")]
            r = await agent.snapshot(events=events)
            assert r.status_code == 200
        await wait_for(lambda: hung.requests, "the hung receiver called")

        async def delivered() -> bool:
            return len(hook.requests) == 2 and await drained(gw, "webhook")

        await wait_for(delivered, "the webhook's second message while Slack hangs")
        assert hook.requests[1].json()["alerts"][0]["object"]["name"] == "db", "its StatefulSet"
        slack_view = (await gw.get("/api/v2/notify/channels/slack")).json()
        assert slack_view["queued"] >= 1, "Slack is still busy with its hung receiver"
        verify_signature(hook.requests[1])


async def test_agent_offline_and_back(start_master: StartMaster) -> None:
    runner = await start_alerting(start_master, datahub={"heartbeat_expire": 1.0})
    async with (
        http_receiver() as hook,
        runner.gateway_client() as gw,
        GoAgent.open(runner.agent_url, "c1") as agent,
    ):
        await put_channel(gw, "webhook", {"url": hook.url, "secret": SECRET})
        await first_look(agent, gw)

        async def offline() -> bool:
            return bool(await alerts(gw, rule="agent_offline", status="firing"))

        await wait_for(offline, "the agent offline alert")
        assert (await agent.heartbeat()).status_code == 200

        async def back() -> bool:
            return (
                bool(await alerts(gw, rule="agent_offline", status="resolved"))
                and len(hook.requests) == 3
            )

        await wait_for(back, "the agent back online")
        kinds = [(r.json()["kind"], r.json()["alerts"][0]["reason"]) for r in hook.requests[1:]]
        assert kinds == [("firing", "AgentOffline"), ("resolved", "AgentOffline")]


async def test_deployment_below_desired_and_channel_filters(start_master: StartMaster) -> None:
    runner = await start_alerting(start_master, alerts={"deployment_grace": 0.3})
    async with (
        http_receiver() as warn,
        http_receiver() as crit,
        http_receiver() as other,
        runner.gateway_client() as gw,
    ):
        await put_channel(gw, "slack", {"webhook_url": warn.url, "min_severity": "warning"})
        await put_channel(gw, "webhook", {"url": crit.url, "min_severity": "critical"})
        async with GoAgent.open(runner.agent_url, "c1") as agent:
            await first_look(agent, gw)
            lagging = [deployment("web", replicas=3, ready=1)]
            assert (await agent.snapshot(**CLEAN, deployments=lagging)).status_code == 200

            async def fired() -> bool:
                return bool(await alerts(gw, rule="deployment_unavailable")) and await drained(
                    gw, "slack"
                )

            await wait_for(fired, "the deployment alert")
        (alert,) = await alerts(gw, severity="warning")
        assert alert["object"]["name"] == "web" and alert["notified_channels"] == ["slack"]
        await wait_for(lambda: drained(gw, "webhook"), "the critical channel")
        assert len(warn.requests) == 2 and len(crit.requests) == 1, "digest to both, then one"
        assert "1 of 3 replicas ready" in str(warn.requests[1].json()["blocks"])

        # No ready replica at all: the same alert, now critical, reaches the critical channel.
        async with GoAgent.open(runner.agent_url, "c1") as agent:
            none_ready = [deployment("web", replicas=3, ready=0)]
            assert (await agent.snapshot(**CLEAN, deployments=none_ready)).status_code == 200

        async def escalated() -> bool:
            return len(crit.requests) == 2 and await drained(gw, "webhook")

        await wait_for(escalated, "the critical channel told")
        note = crit.requests[1].json()
        assert note["kind"] == "firing" and note["severity"] == "critical"
        assert note["title"].startswith("Now critical: Deployment default/web")
        (alert,) = await alerts(gw, rule="deployment_unavailable")
        assert alert["severity"] == "critical" and alert["message"] == "0 of 3 replicas ready"
        assert alert["notified_channels"] == ["slack", "webhook"]

        # A channel limited to other clusters hears nothing of c1.
        await put_channel(gw, "slack", {"webhook_url": other.url, "clusters": ["prod"]})
        async with GoAgent.open(runner.agent_url, "c1") as agent:
            await agent.snapshot(**{**CLEAN, "nodes": [node("node-1", ready="False")]})
        await wait_for(lambda: alerts(gw, rule="node_not_ready", status="firing"), "the node alert")
        await wait_for(lambda: drained(gw, "webhook"), "the critical channel")
        kinds = [(r.json()["kind"], r.json()["alerts"][0]["reason"]) for r in crit.requests[2:]]
        assert kinds == [("resolved", "ReplicasUnavailable"), ("firing", "NodeNotReady")]
        assert not other.requests


async def test_alert_list_filters_and_errors(start_master: StartMaster) -> None:
    runner = await start_alerting(start_master)
    async with GoAgent.open(runner.agent_url, "c1") as agent:
        assert (await agent.snapshot()).status_code == 200
    async with runner.gateway_client() as gw:
        await wait_for(lambda: alerts(gw, rule="node_not_ready"), "alerts")
        await wait_for(lambda: alerts(gw, rule="workload_events"), "alerts")
        page = (await gw.get("/api/v2/alerts", params={"limit": 1})).json()
        assert page["total"] == 2 and len(page["alerts"]) == 1
        assert await alerts(gw, cluster_id="nope") == []
        assert len(await alerts(gw, severity="critical", status="firing")) == 1
        assert len(await alerts(gw, severity="warning", status="firing")) == 1
        assert await alerts(gw, until="2000-01-01T00:00:00Z") == []
        assert len(await alerts(gw, since="2000-01-01T00:00:00Z")) == 2
        for params in (
            {"status": "open"},
            {"severity": "fatal"},
            {"rule": "x"},
            {"since": "yesterday"},
            {"limit": 0},
        ):
            r = await gw.get("/api/v2/alerts", params=params)
            assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"
        viewer = await gw.post(
            "/api/v2/user/register",
            json={"username": "watcher", "password": "a-long-enough-pass-2026", "role": 1},
        )
        assert viewer.status_code == 201
    token = await runner.login("watcher", "a-long-enough-pass-2026")
    async with runner.gateway_client(token) as gw:
        assert (await gw.get("/api/v2/alerts")).status_code == 200
        assert (await gw.get("/api/v2/notify/channels")).status_code == 403


async def test_shutdown_is_prompt_with_a_hung_receiver(start_master: StartMaster) -> None:
    # A short grace keeps the test quick; what matters is that the send's 30 s do not count.
    runner = await start_alerting(
        start_master, notify={"timeout": 30.0}, server={"shutdown_grace": 0.5}
    )
    async with http_receiver(hang=True) as hung:
        async with runner.gateway_client() as gw:
            await put_channel(gw, "slack", {"webhook_url": hung.url})
        async with GoAgent.open(runner.agent_url, "c1") as agent:
            assert (await agent.snapshot()).status_code == 200
        await wait_for(lambda: hung.requests, "a send")
        await runner.stop()  # fails the test unless it stops within its deadline
