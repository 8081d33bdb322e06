"""`public_read` against a real master: every route and every stream topic, anonymously.

The routes come from the app the master serves (its `url_map`), so a route
added later fails here until it is classified below. Secret-looking data is
planted everywhere anonymous users must not reach (a ConfigMap's data, a
command's params and output, a user, the audit trail, an agent token, a
notification channel); no anonymous answer may carry it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
import trio
from quart_trio import QuartTrio
from werkzeug.routing import Rule

from master import supervisor
from master.gateway import create_gateway_app
from master.query.stream import TOPICS

from .conftest import MasterRunner, StartMaster
from .goagent import GoAgent
from .http import TLS
from .streamclient import StreamClient
from .test_stream import closed_with

MARKER = "planted-secret-4f1e"
ALWAYS = "public"  # anyone, public_read or not
ANONYMOUS = "anonymous read"  # anyone under public_read
LOGIN = "login"  # a login even under public_read

_KINDS_ANONYMOUS = (
    "pods",
    "nodes",
    "deployments",
    "daemonsets",
    "statefulsets",
    "services",
    "ingresses",
    "namespaces",
)
_KINDS_LOGIN = (
    *("configmaps", "replicasets", "jobs", "cronjobs", "pvs", "pvcs", "secrets"),
    *("resourcequotas", "limitranges", "networkpolicies", "serviceaccounts"),
)
_CLUSTER_SCOPED = ("nodes", "namespaces", "pvs")
# Every route of the gateway, by endpoint: what an anonymous caller gets under public_read.
EXPECTED: dict[str, str] = {
    "health": ALWAYS,
    "prometheus": ALWAYS,
    "openapi": ALWAYS,
    "dashboard": ALWAYS,
    "static": ALWAYS,
    "login": ALWAYS,
    "list_clusters": ANONYMOUS,
    "get_cluster": ANONYMOUS,
    "get_cluster_otel": LOGIN,  # traces and logs of the later agent's ClickHouse
    "overview": ANONYMOUS,
    **{f"{verb}_{kind}": ANONYMOUS for kind in _KINDS_ANONYMOUS for verb in ("list", "get")},
    **{f"{verb}_{kind}": LOGIN for kind in _KINDS_LOGIN for verb in ("list", "get")},
    # The Go master's name-only paths of the namespaced kinds.
    **{f"find_{kind}": ANONYMOUS for kind in _KINDS_ANONYMOUS if kind not in _CLUSTER_SCOPED},
    **{f"find_{kind}": LOGIN for kind in _KINDS_LOGIN if kind not in _CLUSTER_SCOPED},
    "list_events": ANONYMOUS,
    "resource_events": ANONYMOUS,
    "list_alerts": ANONYMOUS,
    "me": ANONYMOUS,
    "submit": LOGIN,
    **{
        f"ops_{op}": LOGIN
        for op in (
            *("pod_logs", "pod_restart", "node_cordon", "node_uncordon"),
            *("deployment_scale", "deployment_image", "deployment_restart"),
            *("configmap_data", "secret_data"),
        )
    },
    "get_command": LOGIN,
    "list_commands": LOGIN,
    "change_password": LOGIN,
    "register_user": LOGIN,
    "list_users": LOGIN,
    "update_role": LOGIN,
    "update_status": LOGIN,
    "delete_user": LOGIN,
    "audit_logs": LOGIN,
    "security_events": LOGIN,
    "create_token": LOGIN,
    "list_tokens": LOGIN,
    "revoke_token": LOGIN,
    "rotate_token": LOGIN,
    "list_channels": LOGIN,
    "get_channel": LOGIN,
    "put_channel": LOGIN,
    "test_channel": LOGIN,
    "subscribe": ANONYMOUS,  # the websocket: per topic below
}
TOPIC_ACCESS = {
    "clusters": ANONYMOUS,
    "summary": ANONYMOUS,
    "events": ANONYMOUS,
    "alerts": ANONYMOUS,
    "commands": LOGIN,
}
QUERY = {"cluster_id": "c1", "namespace": "default", "kind": "Pod", "name": "web"}


async def planted(runner: MasterRunner) -> dict[str, str]:
    """The marker in every kind of data anonymous users must not see; the path values."""
    async with (
        GoAgent.open(runner.agent_url, "c1") as agent,
        runner.gateway_client() as admin,
    ):
        configmap = {
            "name": "web-config",
            "namespace": "default",
            "uid": "cm1",
            "kind": "ConfigMap",
            "data": {"password": MARKER},
        }
        assert (await agent.snapshot(configmaps=[configmap])).status_code == 200
        r = await admin.post(
            "/api/v2/commands",
            json={
                "cluster_id": "c1",
                "action": "get_logs",
                "target_kind": "Pod",
                "target_namespace": "default",
                "target_name": "web-5d9c7b8f6d-abcde",
                "params": {"container": MARKER},
            },
        )
        command_id = r.json()["command_id"]
        assert await agent.poll() is not None
        await agent.result(command_id, output=f"log line with {MARKER}")
        r = await admin.post(
            "/api/v2/user/register",
            json={
                "username": "dora",
                "password": "a-long-enough-pass-2026",
                "role": 1,
                "display_name": MARKER,
            },
        )
        assert r.status_code == 201, r.text
        r = await admin.post(
            "/api/v2/agent-tokens", json={"cluster_id": "c1", "description": MARKER}
        )
        token_id = r.json()["id"]
        r = await admin.put("/api/v2/notify/channels/webhook", json={"name": MARKER})
        assert r.status_code == 200, r.text
    return {"command_id": command_id, "token_id": token_id}


def path_of(rule: Rule, values: dict[str, str]) -> str:
    fill = {
        "cluster_id": "c1",
        "namespace": "default",
        "name": "web",
        "type": "webhook",
        "filename": "app.js",
        **values,
    }
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: fill[m.group(1)], rule.rule)


@pytest.fixture
async def served(
    start_master: StartMaster, monkeypatch: pytest.MonkeyPatch
) -> tuple[MasterRunner, QuartTrio]:
    """A master with public_read on, and the gateway app it serves."""
    apps: list[QuartTrio] = []

    def keep(services: Any) -> QuartTrio:
        apps.append(create_gateway_app(services))
        return apps[-1]

    monkeypatch.setattr(supervisor, "create_gateway_app", keep)
    runner = await start_master(auth={"public_read": True})
    return runner, apps[0]


async def test_every_route_is_classified_and_anonymous_reads_stay_in_the_allow_list(
    served: tuple[MasterRunner, QuartTrio],
) -> None:
    runner, app = served
    rules = list(app.url_map.iter_rules())
    endpoints = {rule.endpoint for rule in rules}
    assert not endpoints - set(EXPECTED), f"routes not classified here: {endpoints - set(EXPECTED)}"
    assert not set(EXPECTED) - endpoints, f"gone: {set(EXPECTED) - endpoints}"
    values = await planted(runner)
    seen = 0
    with trio.fail_after(60):
        async with httpx.AsyncClient(verify=TLS, base_url=runner.gateway_url, timeout=30) as anon:
            for rule in rules:
                if rule.websocket:
                    continue
                for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                    path = path_of(rule, values)
                    r = await anon.request(
                        method, path, params=QUERY, json={} if method != "GET" else None
                    )
                    seen += 1
                    where = f"{method} {rule.rule} ({rule.endpoint})"
                    assert MARKER not in r.text, f"{where} shows planted data: {r.text[:300]}"
                    expected = EXPECTED[rule.endpoint]
                    if expected == LOGIN or method != "GET" and rule.endpoint != "login":
                        assert r.status_code == 401, f"{where}: {r.status_code} {r.text[:200]}"
                        assert r.json()["error"]["code"] == "unauthorized"
                    else:
                        assert r.status_code not in (401, 403), f"{where}: {r.text[:200]}"
    assert seen >= 60
    # The planted data is there for those who may see it: the marker check above can fail.
    async with runner.gateway_client() as admin:
        assert MARKER in (await admin.get("/api/v2/commands")).text


async def test_every_stream_topic_under_public_read(
    served: tuple[MasterRunner, QuartTrio],
) -> None:
    runner, _ = served
    await planted(runner)
    assert set(TOPIC_ACCESS) == set(TOPICS), "a topic is not classified here"
    with trio.fail_after(60):
        for topic, access in TOPIC_ACCESS.items():
            async with StreamClient.connect(runner.gateway_url) as stream:
                await stream.subscribe(None, topics=[topic])
                if access == LOGIN:
                    code, reason = await closed_with(stream)
                    assert code == 4401 and "needs a login" in reason, (topic, reason)
                    continue
                opening = await stream.opening()
                assert opening[0]["role"] == "anonymous"
                assert MARKER not in json.dumps(opening), topic
        # No topics named: what anonymous users may follow, never commands.
        async with StreamClient.connect(runner.gateway_url) as stream:
            await stream.send({"type": "subscribe", "clusters": ["*"]})
            opening = await stream.opening()
        assert opening[0]["topics"] == sorted(t for t, a in TOPIC_ACCESS.items() if a != LOGIN)
        assert MARKER not in json.dumps(opening)
        assert "commands" not in {m.get("topic") for m in opening}
