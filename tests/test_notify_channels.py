"""Notification channels through the admin API: validation, secrets, tests, seeding, e-mail."""

from __future__ import annotations

import json
import logging
import sqlite3
import stat

import pytest

from master.database.notify import save_channel

from .alerting import (
    SECRET,
    alerts,
    drained,
    put_channel,
    start_alerting,
    verify_signature,
    wait_for,
)
from .conftest import StartMaster
from .goagent import GoAgent
from .receivers import free_port, http_receiver, smtp_server

SMTP_PASSWORD = "smtp-pa55word-never-shown"


async def test_channels_listed_with_effectiveness_and_unknown_type_404(
    start_master: StartMaster,
) -> None:
    runner = await start_master()
    async with runner.gateway_client() as gw:
        body = (await gw.get("/api/v2/notify/channels")).json()
        assert [c["type"] for c in body["channels"]] == ["slack", "email", "webhook"]
        for channel in body["channels"]:
            assert channel["enabled"] is False and channel["effective"] is False
        slack = (await gw.get("/api/v2/notify/channels/slack")).json()
        assert slack["ineffective_reason"] == "config needs a webhook_url; and it is disabled"
        for method, path in (
            ("GET", "/api/v2/notify/channels/sms"),
            ("PUT", "/api/v2/notify/channels/sms"),
            ("POST", "/api/v2/notify/channels/sms/test"),
        ):
            r = await gw.request(method, path, json={"enabled": True})
            assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("type", "body", "field"),
    [
        ("webhook", {"config": {"url": "ftp://example.com/x"}}, "config.url"),
        ("slack", {"config": {"webhook_url": "hooks.slack.com"}}, "config.webhook_url"),
        ("slack", {"config": {"url": "http://x"}}, "config.url is not a slack setting"),
        ("email", {"config": {"to_addresses": ["ops"]}}, "config.to_addresses"),
        ("email", {"config": {"smtp_port": 70000}}, "config.smtp_port"),
        ("email", {"config": {"smtp_tls": "ssl"}}, "config.smtp_tls"),
        ("email", {"config": {"min_severity": "fatal"}}, "config.min_severity"),
        ("webhook", {"config": {"clusters": "a,b", "secret": 5}}, "config.secret"),
        ("webhook", {"name": ""}, "name"),
        ("webhook", {"enabled": "yes"}, "enabled"),
        ("webhook", {"colour": "red"}, "colour"),
        # URLs httpx would refuse only at send time (the sender task must never meet them).
        (
            "slack",
            {"config": {"webhook_url": "https://hooks.example.com:99999/x"}},
            "config.webhook_url",
        ),
        ("webhook", {"config": {"url": "http://[zz]/"}}, "config.url"),
        ("email", {"config": {"smtp_password": "pässword"}}, "config.smtp_password must be ASCII"),
        ("email", {"config": {"smtp_port": "²"}}, "config.smtp_port"),
        ("email", {"config": {"smtp_port": "9" * 5000}}, "config.smtp_port"),
    ],
)
async def test_bad_config_is_400_naming_the_field(
    start_master: StartMaster, type: str, body: dict[str, object], field: str
) -> None:
    runner = await start_master()
    async with runner.gateway_client() as gw:
        r = await gw.put(f"/api/v2/notify/channels/{type}", json=body)
    assert r.status_code == 400, r.text
    assert field in r.json()["error"]["message"]


async def test_a_wrong_secret_value_is_not_echoed(start_master: StartMaster) -> None:
    runner = await start_master()
    async with runner.gateway_client() as gw:
        r = await gw.put(
            "/api/v2/notify/channels/slack", json={"config": {"webhook_url": 31415926535}}
        )
    assert r.status_code == 400 and "config.webhook_url" in r.text
    assert "31415926535" not in r.text


async def test_secrets_masked_kept_encrypted_and_never_logged(
    start_master: StartMaster, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # As `python -m master` sets it: httpx's own INFO line names every URL it posts to.
    caplog.set_level(logging.WARNING, logger="httpx")
    runner = await start_alerting(start_master)
    async with http_receiver() as slack, http_receiver() as hook, runner.gateway_client() as gw:
        secrets = [slack.url, hook.url, SECRET, SMTP_PASSWORD]
        view = await put_channel(gw, "slack", {"webhook_url": slack.url})
        assert view["config"]["webhook_url"] == "***" and view["secrets_set"] == {
            "webhook_url": True
        }
        await put_channel(gw, "webhook", {"url": hook.url, "secret": SECRET})
        email_config = {
            "smtp_host": "127.0.0.1",
            "smtp_port": free_port(),
            "smtp_user": "alerts",
            "smtp_password": SMTP_PASSWORD,
            "smtp_tls": "none",
            "to_addresses": ["ops@example.com"],
        }
        await put_channel(gw, "email", email_config, enabled=False)
        # The mask sent back, or the field left out, keeps the stored secret.
        await put_channel(
            gw, "slack", {"webhook_url": "***", "min_severity": "critical"}, name="Ops Slack"
        )
        await put_channel(gw, "webhook", {"url": hook.url}, name="Consumer")
        for type in ("slack", "webhook"):
            result = (await gw.post(f"/api/v2/notify/channels/{type}/test")).json()
            assert result["status"] == "ok", result
        assert len(slack.requests) == 1 and len(hook.requests) == 1
        verify_signature(hook.requests[0])
        # A failing send (nothing listens on the e-mail port) is recorded, secrets kept out.
        await put_channel(gw, "email", {**email_config, "smtp_password": "***"}, enabled=True)
        failed = (await gw.post("/api/v2/notify/channels/email/test")).json()
        assert failed["status"] == "failed" and failed["message"]
        listing = (await gw.get("/api/v2/notify/channels")).text
        email = (await gw.get("/api/v2/notify/channels/email")).json()
        assert email["last_test_status"] == "failed"
        assert (
            email["config"]["smtp_password"] == "***" and email["config"]["smtp_user"] == "alerts"
        )
        audit = (await gw.get("/api/v2/audit/logs")).text
        assert "/api/v2/notify/channels/slack" in audit
        async with GoAgent.open(runner.agent_url, "c1") as agent:
            assert (await agent.snapshot()).status_code == 200
        await wait_for(lambda: alerts(gw), "alerts")
        await wait_for(lambda: drained(gw, "webhook"), "the digest")
    for secret in secrets:
        assert secret not in listing and secret not in audit
        assert secret not in caplog.text, f"{secret!r} was logged"
    await runner.stop()
    stored = runner.config.storage.database_path.read_bytes()
    for path in runner.config.storage.data_dir.glob("master.db*"):
        stored += path.read_bytes()
    for secret in secrets:
        assert secret.encode() not in stored, f"{secret!r} is stored in clear"
    assert b"127.0.0.1" in stored and b"alerts" in stored, "the rest of the config is readable"
    key = runner.config.storage.data_dir / "notify_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


async def test_ineffective_channel_never_sends(start_master: StartMaster) -> None:
    runner = await start_alerting(start_master)
    async with http_receiver() as disabled, http_receiver() as hook, runner.gateway_client() as gw:
        await put_channel(gw, "slack", {"webhook_url": disabled.url}, enabled=False)
        email = await put_channel(gw, "email", {"smtp_host": "127.0.0.1"})
        assert email["effective"] is False
        assert email["ineffective_reason"] == "config needs at least one address in to_addresses"
        await put_channel(gw, "webhook", {"url": hook.url, "secret": SECRET})
        for type in ("slack", "email"):
            r = await gw.post(f"/api/v2/notify/channels/{type}/test")
            assert r.status_code == 409 and "not effective" in r.json()["error"]["message"]
        async with GoAgent.open(runner.agent_url, "c1") as agent:
            assert (await agent.snapshot()).status_code == 200

        async def sent() -> bool:
            return len(hook.requests) == 1 and await drained(gw, "webhook")

        await wait_for(sent, "the effective channel's message")
        assert not disabled.requests
        for alert in await alerts(gw):
            assert alert["notified_channels"] == ["webhook"]
        slack = (await gw.get("/api/v2/notify/channels/slack")).json()
        assert slack["sent_count"] == slack["failed_count"] == slack["dropped_count"] == 0


async def test_email_over_smtp_with_text_and_html_to_several_recipients(
    start_master: StartMaster,
) -> None:
    runner = await start_alerting(start_master, alerts={"public_url": "https://ops.example.com"})
    async with smtp_server() as mailbox, runner.gateway_client() as gw:
        await put_channel(
            gw,
            "email",
            {
                "smtp_host": mailbox.host,
                "smtp_port": mailbox.port,
                "smtp_tls": "none",
                "from_address": "master@example.com",
                "to_addresses": ["a@example.com", "b@example.com"],
            },
        )
        result = (await gw.post("/api/v2/notify/channels/email/test")).json()
        assert result["status"] == "ok", result
        async with GoAgent.open(runner.agent_url, "c1") as agent:
            assert (await agent.snapshot()).status_code == 200
        await wait_for(lambda: len(mailbox.messages) == 2, "the digest e-mail")
    recipients, message = mailbox.messages[1]
    assert recipients == ["a@example.com", "b@example.com"]
    assert message["Subject"].startswith("[CRITICAL] c1: 2 problem(s)")
    assert message["From"] == "master@example.com"
    parts = {
        p.get_content_type(): p.get_payload(decode=True).decode()
        for p in message.walk()
        if not p.is_multipart()
    }
    assert set(parts) == {"text/plain", "text/html"}
    assert "NodeNotReady" in parts["text/plain"] and "BackOff" in parts["text/plain"]
    assert "https://ops.example.com/#/cluster/c1" in parts["text/html"]


async def test_environment_seeds_channels_on_first_start_only(start_master: StartMaster) -> None:
    runner = await start_master(
        notify={
            "mail_enabled": True,
            "mail_smtp_host": "smtp.example.com",
            "mail_smtp_port": 465,
            "mail_smtp_tls": "tls",
            "mail_username": "alerts",
            "mail_password": SMTP_PASSWORD,
            "mail_from": "master@example.com",
            "mail_to": ("a@example.com", "b@example.com"),
            "webhook_enabled": True,
            "webhook_url": "http://127.0.0.1:9/hook",
            "webhook_secret": SECRET,
        }
    )
    async with runner.gateway_client() as gw:
        email = (await gw.get("/api/v2/notify/channels/email")).json()
        assert email["enabled"] is True and email["effective"] is True
        assert email["config"] == {
            "smtp_host": "smtp.example.com",
            "smtp_port": 465,
            "smtp_user": "alerts",
            "smtp_password": "***",
            "smtp_tls": "tls",
            "from_address": "master@example.com",
            "to_addresses": ["a@example.com", "b@example.com"],
            "min_severity": "critical",
            "clusters": [],
        }
        webhook = (await gw.get("/api/v2/notify/channels/webhook")).json()
        assert webhook["effective"] and webhook["secrets_set"] == {"url": True, "secret": True}
        assert webhook["config"]["url"] == "***"
        slack = (await gw.get("/api/v2/notify/channels/slack")).json()
        assert slack["created_at"] is None, "not named by the environment: not seeded"
        changed = await put_channel(
            gw, "webhook", {"url": "http://127.0.0.1:9/other"}, enabled=False
        )
        updated_at = changed["updated_at"]
    # The environment changes; the stored channels do not.
    runner.config = runner.config.replace(
        notify={
            "mail_smtp_host": "other.example.com",
            "slack_webhook_url": "http://127.0.0.1:9/slack",
        }
    )
    await runner.restart()
    async with runner.gateway_client() as gw:
        email = (await gw.get("/api/v2/notify/channels/email")).json()
        webhook = (await gw.get("/api/v2/notify/channels/webhook")).json()
        slack = (await gw.get("/api/v2/notify/channels/slack")).json()
    assert email["config"]["smtp_host"] == "smtp.example.com"
    assert webhook["enabled"] is False and webhook["updated_at"] == updated_at
    assert webhook["secrets_set"] == {"url": True, "secret": True}
    assert slack["created_at"] is None


async def test_a_webhook_url_an_older_master_kept_in_clear_is_sealed_at_start(
    start_master: StartMaster,
) -> None:
    runner = await start_master()
    await runner.stop()
    async with http_receiver() as hook:
        conn = sqlite3.connect(runner.config.storage.database_path, isolation_level=None)
        config = {"url": hook.url, "secret": "", "min_severity": "info", "clusters": []}
        save_channel(conn, "webhook", name="Old", enabled=True, config=json.dumps(config), now=1.0)
        conn.close()
        await runner.start()
        async with runner.gateway_client() as gw:
            view = (await gw.get("/api/v2/notify/channels/webhook")).json()
            assert view["config"]["url"] == "***" and view["secrets_set"]["url"] is True
            result = (await gw.post("/api/v2/notify/channels/webhook/test")).json()
            assert result["status"] == "ok" and len(hook.requests) == 1
        await runner.stop()
    stored = b"".join(p.read_bytes() for p in runner.config.storage.data_dir.glob("master.db*"))
    assert hook.url.encode() not in stored
