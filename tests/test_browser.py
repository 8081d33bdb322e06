"""The dashboard in Debian's Chromium, driven by Playwright, against a real master and agents.

One worker thread runs the whole browser session with Playwright's sync API;
steps that act on the master or an agent (stop an agent, push a snapshot that
makes an alert fire or resolve, stop and start the master) call back into Trio
with `trio.from_thread.run`. The gateway and agent
ports are fixed for the test, so that after a restart the page and the agents
find the master at the same address. The run takes the screenshots the README
shows: into a temporary directory, or into $SCREENSHOTS_DIR (`make screenshots`
sets it to docs/).

Without Chromium the tests are skipped, except under CI (the environment
variable CI set), where a missing browser is an error.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import trio

from master.demo import DemoAgent, SimulatedCluster

from .alerting import CLEAN, FAST, crash
from .conftest import ADMIN_PASSWORD, MasterRunner, make_config
from .goagent import GoAgent

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.slow
WAIT = 20_000  # ms: Playwright's auto-waiting assertions, generous for a busy 2-core machine
CLUSTERS = ("eu-prod", "us-staging")
LAB = "edge-lab"  # its agent is the test's own (tests/goagent.py): its alerts are the test's


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Agents:
    """Demo agents run by the test, each stoppable on its own."""

    def __init__(self, nursery: trio.Nursery, agent_url: str) -> None:
        self.nursery = nursery
        self.agent_url = agent_url
        self.scopes: dict[str, trio.CancelScope] = {}

    async def start(self, cluster_id: str, seed: int) -> None:
        """Start an agent for `cluster_id`; returns once its first snapshot was pushed."""
        cluster = await trio.to_thread.run_sync(
            lambda: SimulatedCluster(cluster_id, pods=24, seed=seed)
        )
        agent = DemoAgent(self.agent_url, cluster, snapshot_interval=1.0, heartbeat_interval=0.5)
        scope = self.scopes[cluster_id] = trio.CancelScope()
        await self.nursery.start(self._run, agent, scope)

    @staticmethod
    async def _run(
        agent: DemoAgent, scope: trio.CancelScope, *, task_status: trio.TaskStatus[None]
    ) -> None:
        with scope:
            await agent.run(task_status=task_status)

    async def stop(self, cluster_id: str) -> None:
        self.scopes.pop(cluster_id).cancel()


class LabAgent:
    """A Go-shaped agent the test drives: heartbeats until stopped, snapshots on demand."""

    def __init__(self, nursery: trio.Nursery, agent_url: str) -> None:
        self.nursery = nursery
        self.agent_url = agent_url
        self.scope = trio.CancelScope()
        self.agent: GoAgent | None = None

    async def start(self) -> None:
        """Returns once the cluster is registered and has a clean first snapshot."""
        await self.nursery.start(self._run)
        await self.push()

    async def _run(self, *, task_status: trio.TaskStatus[None]) -> None:
        with self.scope:
            async with GoAgent.open(self.agent_url, LAB) as agent:
                assert (await agent.heartbeat()).status_code == 200
                self.agent = agent
                task_status.started()
                while True:
                    await trio.sleep(0.5)
                    await agent.heartbeat()

    async def push(self, *events: dict[str, Any]) -> None:
        """A snapshot with these events (none: a clean one) and every node ready."""
        assert self.agent is not None
        r = await self.agent.snapshot(**{**CLEAN, "events": list(events) or None})
        assert r.status_code == 200, r.text

    async def stop(self) -> None:
        self.scope.cancel()


@pytest.fixture(autouse=True)
def chromium() -> str:
    if CHROMIUM is None:
        missing = "Debian's chromium is not installed (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"{missing}; CI must run the browser tests", pytrace=False)
        pytest.skip(missing)
    return CHROMIUM


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the screenshots go: $SCREENSHOTS_DIR when asked, else a temporary directory."""
    where = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path / "screenshots")
    where.mkdir(parents=True, exist_ok=True)
    return where


def shoot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"dashboard-{name}.png"))


async def test_dashboard_live(nursery: trio.Nursery, tmp_path: Path, shots: Path) -> None:
    gateway_port, agent_port = free_port(), free_port()
    config = make_config(
        tmp_path,
        server={"gateway_port": gateway_port, "agentsdk_port": agent_port},
        datahub={"heartbeat_expire": 3.0},
        alerts=FAST["alerts"],
    )
    runner = MasterRunner(nursery, config)
    await runner.start()
    base = runner.gateway_url
    agents = Agents(nursery, runner.agent_url)
    for seed, cluster_id in enumerate(CLUSTERS, start=1):
        await agents.start(cluster_id, seed)
    lab = LabAgent(nursery, runner.agent_url)
    await lab.start()

    async with runner.gateway_client() as gw:
        deployments = (
            await gw.get(
                "/api/v2/deployments", params={"cluster_id": "eu-prod", "namespace": "shop"}
            )
        ).json()
    first, second = (d["summary"] for d in deployments["data"][:2])

    async def scale_over_rest(deployment: dict[str, Any], replicas: int) -> None:
        async with runner.gateway_client() as gw:
            r = await gw.post(
                "/api/v2/commands",
                params={"wait": 15},
                json={
                    "cluster_id": "eu-prod",
                    "action": "scale",
                    "target_kind": "Deployment",
                    "target_namespace": deployment["namespace"],
                    "target_name": deployment["name"],
                    "params": {"replicas": replicas},
                },
            )
        assert r.json()["status"] == "success", r.text

    def call(fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        return trio.from_thread.run(fn, *args)

    def browse() -> None:
        from playwright.sync_api import expect, sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                page = browser.new_page(viewport={"width": 1366, "height": 860})
                session(page, expect)
            finally:
                browser.close()

    def session(page: Any, expect: Any) -> None:
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        conn = page.locator("#conn")

        # Log in (a wrong password first: the form says so).
        page.goto(f"{base}/#/clusters")
        expect(page.get_by_role("heading", name="Log in to AtlHyper")).to_be_visible(timeout=WAIT)
        shoot(page, shots, "login")
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#login-error")).to_have_text(
            "Wrong username or password.", timeout=WAIT
        )
        page.get_by_label("Password").fill(ADMIN_PASSWORD)
        page.get_by_role("button", name="Log in").click()

        # The clusters appear, online, and the stream is live.
        for cluster_id in (*CLUSTERS, LAB):
            card = page.locator(f"article.card[data-cluster='{cluster_id}']")
            expect(card).to_have_attribute("data-status", "online", timeout=WAIT)
        expect(conn).to_have_attribute("data-state", "live", timeout=WAIT)
        page.evaluate("window.__sameDocument = true")  # gone if the page ever reloads

        # The state sent on (re)subscribe replaces the alerts a page holds: one that resolved
        # while the page was not listening goes.
        held = page.evaluate("""async () => {
            const {AlertStore} = await import("/static/alerts.js");
            const store = new AlertStore(() => {});
            const msg = (id, more = {}) => ({type: "alert", seq: id, cluster_id: "c", ...more,
                alert: {id, cluster_id: "c", status: "firing", severity: "warning", fired_at: ""}});
            store.onMessage(msg(1));
            store.onMessage(msg(2));
            const live = store.of("c").map((a) => a.id);
            store.onMessage(msg(2, {state: true}));
            store.onMessage(msg(3, {state: true}));
            store.onMessage({type: "synced", seq: 3, state: true});
            const resynced = store.of("c").map((a) => a.id);
            store.onMessage({type: "synced", seq: 3, state: true});
            return [live, resynced, store.size];
        }""")
        assert held == [[2, 1], [3, 2], 0], held

        # A pod of edge-lab is OOM-killed again and again: its card counts the critical alert.
        lab_card = page.locator(f"article.card[data-cluster='{LAB}']")
        call(lab.push, crash(3, reason="OOMKilled"))
        expect(lab_card).to_have_attribute("data-alerts", "1", timeout=WAIT)
        expect(lab_card).to_have_attribute("data-severity", "critical")
        expect(lab_card.locator(".stat.alerts")).to_contain_text("1 critical")
        expect(page.locator(".totals .stat.alerts.sev-critical")).to_be_visible()
        shoot(page, shots, "clusters")

        # The cluster's page lists it; a higher count, then the all-clear, arrive live.
        lab_card.get_by_role("link", name=LAB).click()
        expect(page).to_have_url(f"{base}/#/cluster/{LAB}", timeout=WAIT)
        alert = page.locator("#alert-list li[data-rule='workload_events']")
        expect(alert).to_contain_text("OOMKilled", timeout=WAIT)
        expect(alert).to_contain_text("Deployment default/web")
        expect(alert).to_have_attribute("data-severity", "critical")
        call(lab.push, crash(5, reason="OOMKilled"))
        expect(alert).to_contain_text("×5", timeout=WAIT)
        shoot(page, shots, "alerts")
        call(lab.push)
        expect(alert).to_have_attribute("data-status", "resolved", timeout=WAIT)
        expect(alert).to_have_count(0, timeout=WAIT)
        expect(page.locator("#active-alerts")).to_contain_text("No active alerts.")

        # Back on the clusters: the card follows the alert firing again and resolving.
        page.get_by_role("link", name="Clusters", exact=True).first.click()
        call(lab.push, crash(6, reason="OOMKilled"))
        expect(lab_card).to_have_attribute("data-alerts", "1", timeout=WAIT)
        call(lab.push)
        expect(lab_card).to_have_attribute("data-alerts", "0", timeout=WAIT)
        call(lab.stop)

        # A cluster's resources.
        page.get_by_role("link", name="eu-prod").click()
        expect(page).to_have_url(f"{base}/#/cluster/eu-prod", timeout=WAIT)
        page.locator("button[data-kind='deployments']").click()
        table = page.locator("#resource-table[data-kind='deployments']")
        expect(table.locator(f"tr[data-name='{first['name']}']")).to_be_visible(timeout=WAIT)

        # A new event arrives in the live feed without a reload.
        page.get_by_role("link", name="Events", exact=True).click()
        expect(page.locator("#event-feed li").first).to_be_visible(timeout=WAIT)
        call(scale_over_rest, second, second["replicas"] + 1)
        arrived = (
            page.locator("#event-feed li[data-live='1']")
            .filter(has_text="Scaled up")
            .filter(has_text=second["name"])
        )
        expect(arrived.first).to_be_visible(timeout=WAIT)
        page.get_by_label("Warnings only").check()
        expect(page.locator("#event-feed li[data-type='Normal']").first).to_be_hidden()
        page.get_by_label("Warnings only").uncheck()
        expect(page.locator("#event-history tbody tr").first).to_be_visible(timeout=WAIT)
        shoot(page, shots, "events")

        # Scale a deployment from its table; the command goes to success live.
        page.get_by_role("link", name="Resources", exact=True).click()
        replicas = first["replicas"] + 2
        page.get_by_role(
            "button", name=f"Scale {first['namespace']}/{first['name']}", exact=True
        ).click()
        page.get_by_label("Replicas").fill(str(replicas))
        page.locator("#action-panel").get_by_role("button", name="Scale").click()
        command = page.locator("#action-panel .command")
        expect(command).to_have_attribute("data-status", "success", timeout=WAIT)
        row = table.locator(f"tr[data-name='{first['name']}']")
        expect(row).to_contain_text(f"/{replicas}", timeout=WAIT)  # the table followed the snapshot
        shoot(page, shots, "resources")
        # A deployment's events include those of the objects it owns (its ReplicaSets, Pods).
        row.get_by_role("button", name="Events").click()
        expect(page.locator("#action-panel caption")).to_contain_text(
            f"Deployment {first['namespace']}/{first['name']} and the", timeout=WAIT
        )
        page.keyboard.press("Escape")
        expect(page.locator("#action-panel")).to_be_hidden()
        expect(row.get_by_role("button", name="Events")).to_be_focused()

        # A pod's logs, shown readably; the Operations tab lists the finished command.
        page.locator("button[data-kind='pods']").click()
        page.get_by_label("Phase").select_option("Running")
        page.locator("#resource-table[data-kind='pods'] button[data-action='logs']").first.click()
        page.get_by_label("Last lines").fill("25")
        page.get_by_role("button", name="Get logs").click()
        output = page.locator("#action-panel pre.output")
        expect(output).to_be_visible(timeout=WAIT)
        assert len(output.inner_text().splitlines()) == 25
        page.get_by_role("link", name="Operations", exact=True).click()
        logs_row = page.locator("#commands-table tbody tr", has_text="get_logs").first
        expect(logs_row).to_contain_text("success", timeout=WAIT)
        detail = page.locator(".detail .command[data-status='success']")
        expect(detail).to_contain_text("get_logs", timeout=WAIT)
        expect(detail.locator("pre.output")).to_be_visible(timeout=WAIT)
        shoot(page, shots, "operations")

        # An agent stops: its card goes offline by itself.
        page.get_by_role("link", name="Clusters", exact=True).first.click()
        staging = page.locator("article.card[data-cluster='us-staging']")
        expect(staging).to_have_attribute("data-status", "online", timeout=WAIT)
        call(agents.stop, "us-staging")
        expect(staging).to_have_attribute("data-status", "offline", timeout=WAIT)
        expect(page.locator("article.card[data-cluster='eu-prod']")).to_have_attribute(
            "data-status", "online"
        )

        # The master stops: the page says it is reconnecting; it starts: the page resyncs.
        call(runner.stop)
        expect(conn).to_have_attribute("data-state", "reconnecting", timeout=WAIT)
        expect(conn).to_contain_text("reconnecting")
        call(runner.start)
        expect(conn).to_have_attribute("data-state", "resynced", timeout=WAIT)
        expect(conn).to_have_attribute("data-state", "live", timeout=WAIT)
        expect(page.locator("article.card[data-cluster='eu-prod']")).to_have_attribute(
            "data-status", "online", timeout=WAIT
        )
        assert page.evaluate("window.__sameDocument") is True
        assert errors == [], errors

    await trio.to_thread.run_sync(browse)
    await runner.stop()
    nursery.cancel_scope.cancel()


async def test_viewer_sees_no_operations_and_401_logs_out(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    runner = MasterRunner(nursery, make_config(tmp_path))
    await runner.start()
    agents = Agents(nursery, runner.agent_url)
    await agents.start("eu-prod", 1)
    async with runner.gateway_client() as gw:
        r = await gw.post(
            "/api/v2/user/register",
            json={"username": "vera", "password": "viewer-password-42", "role": 1},
        )
        assert r.status_code == 201, r.text
    base = runner.gateway_url

    async def revoke() -> None:
        async with runner.gateway_client() as gw:
            r = await gw.post("/api/v2/user/update-role", json={"username": "vera", "role": 2})
            assert r.status_code == 200, r.text

    def browse() -> None:
        from playwright.sync_api import expect, sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                page = browser.new_page()
                page.goto(f"{base}/#/cluster/eu-prod")  # an alert's link, before logging in
                page.get_by_label("Username").fill("vera")
                page.get_by_label("Password").fill("viewer-password-42")
                page.get_by_role("button", name="Log in").click()
                expect(page).to_have_url(f"{base}/#/cluster/eu-prod")
                expect(page.locator("#resource-table tbody tr").first).to_be_visible(timeout=WAIT)
                expect(page.get_by_role("link", name="Operations")).to_have_count(0)
                expect(page.locator("#resource-table button[data-action='logs']")).to_have_count(0)
                expect(
                    page.locator("#resource-table button[data-action='events']").first
                ).to_be_visible()
                # Keyboard: Tab reaches the controls with a visible focus ring, Enter works them.
                # (after logging in the content has focus: Tab goes on to its first link)
                page.keyboard.press("Tab")
                expect(page.locator("main .crumbs a")).to_be_focused()
                page.locator("button[data-kind='services']").focus()
                page.keyboard.press("Tab")
                page.keyboard.press("Shift+Tab")
                assert (
                    page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
                    == "solid"
                )
                page.keyboard.press("Enter")
                expect(page.locator("#resource-table[data-kind='services']")).to_be_visible(
                    timeout=WAIT
                )
                # The token stays in this tab's sessionStorage, not in localStorage.
                assert page.evaluate("sessionStorage.getItem('atlhyper.token')")
                assert page.evaluate("localStorage.length") == 0
                # A role change revokes the token: the next call answers 401 and logs out.
                trio.from_thread.run(revoke)
                page.locator("button[data-kind='nodes']").click()
                expect(page.locator("#login-error")).to_contain_text("log in again", timeout=WAIT)
                assert page.evaluate("sessionStorage.getItem('atlhyper.token')") is None
            finally:
                browser.close()

    await trio.to_thread.run_sync(browse)
    nursery.cancel_scope.cancel()
