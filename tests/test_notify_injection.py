"""Hostile names in notifications and hostile channel destinations, with real receivers."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .alerting import CLEAN, SECRET, alerts, crash, drained, put_channel, start_alerting, wait_for
from .conftest import StartMaster
from .goagent import GoAgent, pod
from .receivers import http_receiver, smtp_server

# What a compromised agent puts in an object name: a Slack mention, a disguised link,
# and a line of its own claiming another cluster.
EVIL = "web-<!channel>-<https://evil.example/login|Re-authenticate>\nCluster:  prod-eu\r\n"
FORGED_LINE = "Cluster:  prod-eu"
MAIL_HEADERS = {
    "Subject",
    "From",
    "To",
    "Date",
    "Message-ID",
    "Content-Type",
    "MIME-Version",
    "X-Peer",
    "X-MailFrom",
    "X-RcptTo",
}


def strings(value: Any) -> list[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def forged_lines(text: str) -> list[str]:
    return [
        line for line in text.splitlines() if FORGED_LINE in line and line.startswith("Cluster")
    ]


async def test_agent_supplied_names_cannot_forge_slack_or_mail_content(
    start_master: StartMaster,
) -> None:
    runner = await start_alerting(start_master, alerts={"public_url": "https://ops.example.com"})
    async with (
        http_receiver() as slack,
        http_receiver() as hook,
        smtp_server() as mailbox,
        runner.gateway_client() as gw,
        GoAgent.open(runner.agent_url, "c1") as agent,
    ):
        await put_channel(gw, "slack", {"webhook_url": slack.url, "min_severity": "info"})
        await put_channel(
            gw, "webhook", {"url": hook.url, "secret": SECRET, "min_severity": "info"}
        )
        await put_channel(
            gw,
            "email",
            {
                "smtp_host": mailbox.host,
                "smtp_port": mailbox.port,
                "smtp_tls": "none",
                "to_addresses": ["ops@example.com"],
                "min_severity": "info",
            },
        )
        # A digest (the first look) and a single alert, both naming an evil pod of no
        # workload (the alert is about the pod itself).
        pods = [pod(EVIL, owner=("", "")), pod("api" + EVIL, owner=("", ""))]
        first = {**CLEAN, "pods": pods, "events": [crash(1, name=EVIL)]}
        assert (await agent.snapshot(**first)).status_code == 200
        await wait_for(lambda: alerts(gw, rule="workload_events"), "the first look")
        second = {**first, "events": [crash(1, name=EVIL), crash(1, name="api" + EVIL, uid="c2")]}
        assert (await agent.snapshot(**second)).status_code == 200

        async def both_sent() -> bool:
            done = [await drained(gw, t) for t in ("slack", "webhook", "email")]
            return len(slack.requests) >= 2 and len(mailbox.messages) >= 2 and all(done)

        await wait_for(both_sent, "a digest and an alert on every channel")
    for request in slack.requests:
        body = request.json()
        texts = strings(body)
        assert body["text"] in texts and "&lt;!channel&gt;" in body["text"] + "".join(texts)
        for text in texts:
            assert "<!channel>" not in text and "<https://evil" not in text, text
            assert not forged_lines(text), text
        links = [t for t in texts if t.startswith("<https://ops.example.com")]
        assert links == ["<https://ops.example.com/#/cluster/c1|Open c1 in the dashboard>"]
    assert any("\\n" in message["Subject"] for _, message in mailbox.messages)
    for _, message in mailbox.messages:
        unfolded = re.sub(r"\r?\n[ \t]", " ", message["Subject"])  # long headers fold
        assert "\n" not in unfolded and "\r" not in unfolded
        assert set(message.keys()) <= MAIL_HEADERS, message.keys()
        for part in message.walk():
            if part.is_multipart():
                continue
            text = part.get_payload(decode=True).decode()
            assert not forged_lines(text), text
            if part.get_content_type() == "text/html":
                assert "<!channel>" not in text and "<https://evil" not in text
    # The webhook carries the name exactly, as JSON (its consumer escapes for its own use).
    names = [a["object"]["name"] for r in hook.requests for a in r.json()["alerts"]]
    assert EVIL in names


@pytest.mark.parametrize(
    ("cluster_id", "status"),
    [
        ("<!channel>", 400),
        ("c1\nCluster:x", 400),  # httpx refuses to send it; the master never sees it
        ("Prod", 400),
        ("-c1", 400),
        ("c" * 64, 400),
        ("3f2b7c1e-9d4a-4c55-8e21-6b0f5a1d2c3e", 200),  # the Go agent's default: a namespace UID
        ("demo-1", 200),
        ("c" * 63, 200),
    ],
)
async def test_cluster_ids_are_dns_labels(
    start_master: StartMaster, cluster_id: str, status: int
) -> None:
    runner = await start_master()
    async with GoAgent.open(runner.agent_url, cluster_id) as agent:
        try:
            r = await agent.heartbeat()
        except Exception as err:  # a header httpx will not send
            assert "\n" in cluster_id, err
            return
        assert r.status_code == status, r.text
        if status == 400:
            assert "DNS label" in r.json()["error"]["message"]
    async with runner.gateway_client() as admin:
        r = await admin.post("/api/v2/agent-tokens", json={"cluster_id": cluster_id})
        assert r.status_code == (201 if status == 200 else 400), r.text


async def test_private_destinations_are_refused_by_default(start_master: StartMaster) -> None:
    runner = await start_alerting(start_master, notify={"allow_private": False})
    async with http_receiver() as receiver, smtp_server() as mailbox, runner.gateway_client() as gw:
        port = receiver.url.split(":")[2].split("/")[0]
        destinations = [
            ("slack", {"webhook_url": receiver.url}),  # 127.0.0.1
            ("webhook", {"url": f"http://localhost:{port}/hook"}),  # a name for loopback
            ("webhook", {"url": "http://169.254.169.254/latest/meta-data/"}),  # link-local
            ("webhook", {"url": "http://10.0.0.1:9/hook"}),  # private
            ("webhook", {"url": f"http://[::ffff:127.0.0.1]:{port}/hook"}),  # mapped loopback
            (
                "email",
                {
                    "smtp_host": "localhost",
                    "smtp_port": mailbox.port,
                    "smtp_tls": "none",
                    "to_addresses": ["ops@example.com"],
                },
            ),
        ]
        for type, config in destinations:
            await put_channel(gw, type, config)
            result = (await gw.post(f"/api/v2/notify/channels/{type}/test")).json()
            assert result["status"] == "failed", (config, result)
            assert "private address" in result["message"], result
    assert not receiver.requests and not mailbox.messages


async def test_allowed_private_destination_and_no_answer_echoed(start_master: StartMaster) -> None:
    """With private destinations allowed (the receivers are local), a failing receiver's
    answer never comes back in the result: a test must not read out an internal service."""
    runner = await start_alerting(start_master, notify={"allow_private": True})
    leak = b"internal-service-says-hello " * 10
    async with (
        http_receiver(status=500, body=leak) as slack,
        http_receiver(status=502, body=leak) as hook,
        runner.gateway_client() as gw,
    ):
        await put_channel(gw, "slack", {"webhook_url": slack.url})
        await put_channel(gw, "webhook", {"url": hook.url})
        for type in ("slack", "webhook"):
            result = (await gw.post(f"/api/v2/notify/channels/{type}/test")).json()
            assert result["status"] == "failed" and "answered HTTP 50" in result["message"]
            assert "internal-service" not in result["message"], result
        listing = (await gw.get("/api/v2/notify/channels")).text
    assert slack.requests and hook.requests
    assert "internal-service" not in listing
