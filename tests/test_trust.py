"""Operators, roles, revocation, audit, agent tokens and the browser side, against a real master."""

from __future__ import annotations

import logging
import stat
from typing import Any

import httpx
import pytest

from master.service.throttle import ADDRESS_FACTOR, FORGET_AFTER, LoginThrottle, RefusalWindows

from .conftest import ADMIN_PASSWORD, MasterRunner, StartMaster
from .goagent import GoAgent
from .http import TLS

GOOD = "a-long-enough-pass-2026"


async def make_user(master: MasterRunner, username: str, role: int, password: str = GOOD) -> str:
    """Register a user as admin and return a login token for them."""
    async with master.gateway_client() as admin:
        r = await admin.post(
            "/api/v2/user/register",
            json={
                "username": username,
                "password": password,
                "display_name": username.title(),
                "email": f"{username}@example.com",
                "role": role,
            },
        )
    assert r.status_code == 201, r.text
    assert "password" not in r.text and "hash" not in r.text
    return await master.login(username, password)


async def test_first_start_generates_admin_password_once(
    start_master: StartMaster, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="master.auth")
    runner = await start_master(auth={"admin_password": ""})
    generated = [r.getMessage() for r in caplog.records if "generated password" in r.getMessage()]
    assert len(generated) == 1
    password = generated[0].rsplit(": ", 1)[1]
    assert len(password) >= 20
    assert await runner.login("admin", password)
    secret = runner.config.storage.data_dir / "jwt_secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    caplog.clear()
    await runner.restart()
    assert not [r for r in caplog.records if "generated password" in r.getMessage()]
    assert await runner.login("admin", password)  # same key file, same admin


async def test_login_answers_token_and_role(master: MasterRunner) -> None:
    async with httpx.AsyncClient(verify=TLS, base_url=master.gateway_url) as client:
        r = await client.post(
            "/api/v2/user/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert r.status_code == 200
        body = r.json()["data"]
        assert body["user"]["role"] == 3 and body["user"]["role_name"] == "admin"
        assert body["token"].count(".") == 2 and body["token_type"] == "Bearer"
        bad = await client.post(
            "/api/v2/user/login", json={"username": "admin", "password": "nope"}
        )
        assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthorized"
        ghost = await client.post(
            "/api/v2/user/login", json={"username": "ghost", "password": "nope"}
        )
        assert ghost.status_code == 401
        me = await client.get(
            "/api/v2/user/me", headers={"Authorization": f"Bearer {body['token']}"}
        )
        assert me.json() == {"username": "admin", "role": 3, "role_name": "admin"}


@pytest.mark.parametrize(
    ("role", "method", "path", "json", "expected"),
    [
        (1, "GET", "/api/v2/clusters", None, 200),
        (1, "POST", "/api/v2/commands", {"cluster_id": "c1", "action": "restart"}, 403),
        (1, "GET", "/api/v2/configmaps?cluster_id=c1", None, 403),
        (1, "GET", "/api/v2/user/list", None, 403),
        (2, "GET", "/api/v2/configmaps?cluster_id=c1", None, 200),
        (
            2,
            "POST",
            "/api/v2/commands",
            {
                "cluster_id": "c1",
                "action": "restart",
                "target_kind": "Deployment",
                "target_namespace": "default",
                "target_name": "web",
            },
            201,
        ),
        (2, "GET", "/api/v2/user/list", None, 403),
        (2, "GET", "/api/v2/audit/logs", None, 403),
        (2, "POST", "/api/v2/agent-tokens", {"cluster_id": "c1"}, 403),
        (3, "GET", "/api/v2/user/list", None, 200),
        (3, "GET", "/api/v2/audit/logs", None, 200),
    ],
)
async def test_roles(
    master: MasterRunner,
    agent: GoAgent,
    role: int,
    method: str,
    path: str,
    json: dict[str, Any] | None,
    expected: int,
) -> None:
    await agent.snapshot()
    token = await make_user(master, f"user{role}", role)
    async with master.gateway_client(token) as client:
        r = await client.request(method, path, json=json)
    assert r.status_code == expected, r.text


@pytest.mark.parametrize("public_read", [False, True])
async def test_anonymous_reads_only_with_public_read(
    start_master: StartMaster, public_read: bool
) -> None:
    runner = await start_master(auth={"public_read": public_read})
    async with httpx.AsyncClient(verify=TLS, base_url=runner.gateway_url) as anon:
        assert (await anon.get("/api/v2/clusters")).status_code == (200 if public_read else 401)
        assert (await anon.post("/api/v2/commands", json={})).status_code == 401
        assert (await anon.get("/api/v2/user/list")).status_code == 401
        assert (await anon.get("/health")).status_code == 200
        assert (await anon.get("/api/v2/openapi.json")).status_code == 200


@pytest.mark.parametrize(
    ("change", "body"),
    [
        ("/api/v2/user/update-role", {"username": "eve", "role": 1}),
        ("/api/v2/user/update-status", {"username": "eve", "status": 0}),
        ("/api/v2/user/delete", {"username": "eve"}),
    ],
)
async def test_changes_revoke_existing_tokens_at_once(
    master: MasterRunner, change: str, body: dict[str, Any]
) -> None:
    token = await make_user(master, "eve", 2)
    async with master.gateway_client(token) as eve:
        assert (await eve.get("/api/v2/clusters")).status_code == 200
        async with master.gateway_client() as admin:
            assert (await admin.post(change, json=body)).status_code == 200
        r = await eve.get("/api/v2/clusters")
        assert r.status_code == 401 and "log in again" in r.json()["error"]["message"]


async def test_own_password_change_revokes_and_disabled_user_cannot_log_in(
    master: MasterRunner,
) -> None:
    token = await make_user(master, "bob", 1)
    async with master.gateway_client(token) as bob:
        r = await bob.post(
            "/api/v2/user/password", json={"old_password": "wrong-one-here", "new_password": "x"}
        )
        assert r.status_code == 401
        r = await bob.post(
            "/api/v2/user/password", json={"old_password": GOOD, "new_password": "short"}
        )
        assert r.status_code == 400
        r = await bob.post(
            "/api/v2/user/password",
            json={"old_password": GOOD, "new_password": "another-good-pass-77"},
        )
        assert r.status_code == 200
        assert (await bob.get("/api/v2/clusters")).status_code == 401
    assert await master.login("bob", "another-good-pass-77")
    async with master.gateway_client() as admin:
        await admin.post("/api/v2/user/update-status", json={"username": "bob", "status": 0})
    async with httpx.AsyncClient(verify=TLS, base_url=master.gateway_url) as client:
        r = await client.post(
            "/api/v2/user/login", json={"username": "bob", "password": "another-good-pass-77"}
        )
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"username": "ann", "password": "short", "role": 1}, 400),
        ({"username": "ann", "password": "password123", "role": 1}, 400),
        ({"username": "ann", "password": "ann-is-my-name-99", "role": 1}, 400),
        ({"username": "ann", "password": GOOD, "role": 7}, 400),
        ({"username": "a n", "password": GOOD, "role": 1}, 400),
        ({"username": "admin", "password": GOOD, "role": 1}, 409),
        ({"username": "ann", "password": 5, "role": 1}, 400),
    ],
)
async def test_register_rules(
    gateway: httpx.AsyncClient, body: dict[str, Any], status: int
) -> None:
    r = await gateway.post("/api/v2/user/register", json=body)
    assert r.status_code == status, r.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v2/user/update-role", {"username": "admin", "role": 2}),
        ("/api/v2/user/update-status", {"username": "admin", "status": 0}),
        ("/api/v2/user/delete", {"username": "admin"}),
    ],
)
async def test_last_admin_is_kept(
    gateway: httpx.AsyncClient, path: str, body: dict[str, Any]
) -> None:
    r = await gateway.post(path, json=body)
    assert r.status_code == 409


async def test_secret_output_only_for_admins(master: MasterRunner, agent: GoAgent) -> None:
    await agent.heartbeat()
    token = await make_user(master, "opal", 2)
    async with master.gateway_client(token) as operator, master.gateway_client() as admin:
        r = await operator.post(
            "/api/v2/commands",
            json={
                "cluster_id": "c1",
                "action": "get_secret",
                "target_kind": "Secret",
                "target_namespace": "default",
                "target_name": "db",
            },
        )
        command_id = r.json()["command_id"]
        assert await agent.poll() is not None
        await agent.result(command_id, output='{"password": "hunter2"}')
        seen = (await operator.get(f"/api/v2/commands/{command_id}")).json()["result"]["output"]
        assert "hunter2" not in seen
        listed = (await operator.get("/api/v2/commands")).text
        assert "hunter2" not in listed
        assert (
            "hunter2"
            in (await admin.get(f"/api/v2/commands/{command_id}")).json()["result"]["output"]
        )


async def test_audit_records_changes_and_denials_with_secrets_masked(master: MasterRunner) -> None:
    dora = await make_user(master, "dora", 1, password="hidden-words-pass-1")
    async with master.gateway_client(dora) as viewer:
        r = await viewer.post(
            "/api/v2/user/register",
            json={"username": "x", "password": "other-words-pass-2", "role": 3},
        )
        assert r.status_code == 403
    async with httpx.AsyncClient(verify=TLS, base_url=master.gateway_url) as anon:
        assert (await anon.post("/api/v2/user/register", json={})).status_code == 401
    async with master.gateway_client() as admin:
        logs = (await admin.get("/api/v2/audit/logs")).json()
        register = [e for e in logs["data"] if e["endpoint"] == "register_user"]
        ok = next(e for e in register if e["success"])
        assert ok["username"] == "admin" and ok["status"] == 201 and ok["method"] == "POST"
        assert "hidden-words-pass-1" not in str(logs) and '"password":"***"' in ok["request_body"]
        assert "other-words-pass-2" not in str(logs)
        denied = next(e for e in register if not e["success"])
        assert denied["status"] == 403 and denied["username"] == "dora" and denied["error"]
        # The anonymous refusal is no audit row: a counted security record, without its body.
        assert all(e["username"] for e in logs["data"])
        refused = (
            await admin.get("/api/v2/security/events", params={"type": "gateway_refused"})
        ).json()["events"]
        assert [(e["ip"], e["count"], e["details"]) for e in refused] == [
            ("127.0.0.1", 1, "HTTP 401; POST /api/v2/user/register")
        ]
        only = (await admin.get("/api/v2/audit/logs", params={"success": "false"})).json()
        assert only["total"] >= 1 and all(not e["success"] for e in only["data"])
        page = (await admin.get("/api/v2/audit/logs", params={"limit": 1})).json()
        assert len(page["data"]) == 1 and page["total"] >= 2


async def test_agent_tokens_bind_clusters(start_master: StartMaster) -> None:
    runner = await start_master(agent={"require_token": True})
    async with runner.gateway_client() as admin:
        created = (await admin.post("/api/v2/agent-tokens", json={"cluster_id": "c1"})).json()
        secret = created["token"]
        listed = (await admin.get("/api/v2/agent-tokens")).text
        assert secret not in listed and created["id"] in listed
        async with httpx.AsyncClient(verify=TLS, base_url=runner.agent_url) as raw:
            heartbeat = {"X-Cluster-ID": "c1"}
            assert (await raw.post("/agent/heartbeat", headers=heartbeat)).status_code == 401
            bearer = {**heartbeat, "Authorization": f"Bearer {secret}"}
            assert (await raw.post("/agent/heartbeat", headers=bearer)).status_code == 200
            assert (
                await raw.post(f"/t/{secret}/agent/heartbeat", headers=heartbeat)
            ).status_code == 200
            other = {"X-Cluster-ID": "c2", "Authorization": f"Bearer {secret}"}
            assert (await raw.post("/agent/heartbeat", headers=other)).status_code == 403
            assert (
                await raw.post(
                    "/agent/heartbeat", headers={**heartbeat, "Authorization": "Bearer nope"}
                )
            ).status_code == 401
            for _ in range(20):  # a misconfigured agent retrying
                await raw.post("/agent/heartbeat", headers=heartbeat)
        # Through the path prefix, as a Go agent with master_url=.../t/<token> does.
        async with GoAgent.open(f"{runner.agent_url}/t/{secret}", "c1") as go:
            assert (await go.snapshot()).status_code == 200
        async with GoAgent.open(f"{runner.agent_url}/t/{secret}", "c2") as go:
            assert (await go.snapshot()).status_code == 403
        events = (
            await admin.get("/api/v2/security/events", params={"type": "agent_refused"})
        ).json()
        assert 1 <= events["total"] <= 4  # rate-limited: one per kind of refusal per minute
        rotated = (await admin.post(f"/api/v2/agent-tokens/{created['id']}/rotate")).json()
        async with httpx.AsyncClient(verify=TLS, base_url=runner.agent_url) as raw:
            old = {"X-Cluster-ID": "c1", "Authorization": f"Bearer {secret}"}
            assert (await raw.post("/agent/heartbeat", headers=old)).status_code == 401
            new = {"X-Cluster-ID": "c1", "Authorization": f"Bearer {rotated['token']}"}
            assert (await raw.post("/agent/heartbeat", headers=new)).status_code == 200
            assert (await admin.delete(f"/api/v2/agent-tokens/{rotated['id']}")).status_code == 200
            assert (await raw.post("/agent/heartbeat", headers=new)).status_code == 401
        assert (await admin.delete(f"/api/v2/agent-tokens/{rotated['id']}")).status_code == 404


async def test_demo_agents_get_tokens(start_master: StartMaster) -> None:
    runner = await start_master(agent={"require_token": True}, demo={"agents": 1, "pods": 5})
    async with runner.gateway_client() as admin:
        clusters = (await admin.get("/api/v2/clusters")).json()["clusters"]
        assert [(c["cluster_id"], c["status"]) for c in clusters] == [("demo-1", "online")]


async def test_cors_and_security_headers(start_master: StartMaster) -> None:
    runner = await start_master(server={"cors_origins": ("https://ops.example.com",)})
    async with runner.gateway_client() as admin:
        allowed = await admin.get("/api/v2/clusters", headers={"Origin": "https://ops.example.com"})
        assert allowed.headers["access-control-allow-origin"] == "https://ops.example.com"
        denied = await admin.get("/api/v2/clusters", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in denied.headers
        assert denied.headers["x-content-type-options"] == "nosniff"
        assert denied.headers["x-frame-options"] == "DENY"
        preflight = await admin.options(
            "/api/v2/commands",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 403
        ok = await admin.options(
            "/api/v2/commands",
            headers={"Origin": "https://ops.example.com", "Access-Control-Request-Method": "POST"},
        )
        assert (
            ok.status_code == 204 and "Authorization" in ok.headers["access-control-allow-headers"]
        )


def test_login_throttle_backs_off_per_account_and_address() -> None:
    now = [100.0]
    throttle = LoginThrottle(max_failures=3, backoff=10.0, clock=lambda: now[0])
    for _ in range(2):
        throttle.failed("a", "1.1.1.1")
    assert throttle.retry_after("a", "1.1.1.1") == 0
    throttle.failed("a", "1.1.1.1")
    assert throttle.retry_after("a", "1.1.1.1") == 10.0
    throttle.failed("a", "1.1.1.1")
    assert throttle.retry_after("a", "1.1.1.1") == 20.0  # doubles
    # The same account from another address, another account from this one: not blocked.
    assert throttle.retry_after("a", "2.2.2.2") == 0 == throttle.retry_after("b", "1.1.1.1")
    now[0] += 25
    assert throttle.retry_after("a", "1.1.1.1") == 0
    throttle.succeeded("a", "1.1.1.1")
    throttle.failed("a", "1.1.1.1")
    assert throttle.retry_after("a", "1.1.1.1") == 0, "success forgot the pair's failures"


def test_login_throttle_blocks_an_address_spraying_accounts() -> None:
    now = [0.0]
    throttle = LoginThrottle(max_failures=2, backoff=10.0, clock=lambda: now[0])
    for i in range(2 * ADDRESS_FACTOR - 1):
        throttle.failed(f"user{i}", "1.1.1.1")
        assert throttle.retry_after(f"user{i + 100}", "1.1.1.1") == 0
    throttle.failed("one-more", "1.1.1.1")
    assert throttle.retry_after("anyone", "1.1.1.1") == 10.0
    throttle.succeeded("anyone", "1.1.1.1")  # logging into one's own account resets nothing
    assert throttle.retry_after("anyone", "1.1.1.1") == 10.0
    assert throttle.retry_after("anyone", "2.2.2.2") == 0
    now[0] += FORGET_AFTER + 11  # a quiet hour forgets
    throttle.failed("anyone", "1.1.1.1")
    assert throttle.retry_after("other", "1.1.1.1") == 0


def test_refusal_windows_count_and_hand_out_each_change_once() -> None:
    now = [0.0]
    windows = RefusalWindows(60.0, lambda: now[0])
    assert windows.count(("k",), "first") and not windows.count(("k",), "second")
    assert windows.count(("other",))
    pending = windows.pending()
    assert [(k, w.count, w.details) for k, w in pending] == [
        (("k",), 2, "first"),
        (("other",), 1, ""),
    ]
    for _, window in pending:
        window.recorded, window.row_id = window.count, 7
    assert windows.pending() == []
    windows.count(("k",))
    assert [(k, w.count, w.row_id) for k, w in windows.pending()] == [(("k",), 3, 7)]
    now[0] = 61.0
    assert windows.count(("k",))  # a new window: the old one's last count is still owed
    owed = windows.pending()
    assert [(w.count, w.row_id) for _, w in owed] == [(3, 7), (1, None)]
    assert [(w.count, w.row_id) for _, w in windows.pending()] == [(1, None)]


async def test_openapi_describes_the_trust_api(gateway: httpx.AsyncClient) -> None:
    doc = (await gateway.get("/api/v2/openapi.json")).json()
    for path in (
        "/api/v2/user/login",
        "/api/v2/user/register",
        "/api/v2/audit/logs",
        "/api/v2/agent-tokens",
        "/api/v2/agent-tokens/{token_id}/rotate",
    ):
        assert path in doc["paths"]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
