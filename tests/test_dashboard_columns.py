"""The dashboard's tables on a snapshot written exactly as the Go agent writes it.

Every column of every resource table shows the data the snapshot has for it,
read where the agent puts it (a node's version in `info`, its IP in
`addresses`, images in the workload's `template`, a service's `ports`...),
and only the actions the agent executes are offered. Debian's Chromium driven
by Playwright, as in `test_browser`.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import msgspec
import pytest
import trio

from . import agent_v2, agent_v3
from .agent_v3.spelling import LIST_KEYS
from .conftest import ADMIN_PASSWORD, MasterRunner, make_config
from .goagent import GoAgent

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
)
WAIT = 20_000
CLUSTER = "golden"


def dash(value: Any) -> str:
    return "–" if value in (None, "") else str(value)


def images(item: dict[str, Any]) -> str:
    return ", ".join(c["image"] for c in item["template"]["containers"] or ())


def ports(svc: dict[str, Any]) -> str:
    found = [
        f"{p['port']}{':' + str(p['nodePort']) if p.get('nodePort') else ''}/{p['protocol']}"
        for p in svc.get("ports") or ()
    ]
    return ", ".join(found) or "–"


def backends(ing: dict[str, Any]) -> str:
    found = []
    for rule in ing["spec"].get("rules") or ():
        for path in rule["paths"] or ():
            svc = path["backend"]["service"]
            port = svc.get("portNumber") or svc.get("portName")
            found.append(f"{rule.get('host') or '*'}{path['path']} → {svc['name']}:{port}")
    return ", ".join(found) or "–"


def node_status(s: dict[str, Any]) -> str:
    word = {"True": "Ready", "False": "NotReady"}.get(s["ready"], "Unknown")
    return word + ("SchedulingDisabled" if not s["schedulable"] else "")


# What each column of each table must show, from the item as the agent sent it.
COLUMNS = {
    "pods": lambda i: [
        i["summary"]["namespace"],
        i["status"]["phase"],
        i["status"].get("ready", ""),
        str(i["status"]["restarts"]),
        dash(i["summary"].get("nodeName")),
        dash(i["status"].get("cpuUsage")),
        dash(i["status"].get("memoryUsage")),
        i["summary"]["age"],
    ],
    "deployments": lambda i: [
        i["summary"]["namespace"],
        f"{i['summary']['ready']}/{i['summary']['replicas']}",
        str(i["summary"]["updated"]),
        str(i["summary"]["available"]),
        images(i),
        i["summary"]["age"],
    ],
    "statefulsets": lambda i: [
        i["summary"]["namespace"],
        f"{i['summary']['ready']}/{i['summary']['replicas']}",
        str(i["summary"]["updated"]),
        images(i),
        i["summary"]["age"],
    ],
    "daemonsets": lambda i: [
        i["summary"]["namespace"],
        str(i["summary"]["desiredNumberScheduled"]),
        str(i["summary"]["numberReady"]),
        str(i["summary"]["numberAvailable"]),
        images(i),
        i["summary"]["age"],
    ],
    "nodes": lambda i: [
        node_status(i["summary"]),
        ", ".join(i["summary"].get("roles") or ()) or "–",
        dash(i["info"].get("kubeletVersion")),
        dash(i["addresses"].get("internalIP")),
        dash((i.get("metrics") or {}).get("cpu", {}).get("usage")),
        dash((i.get("metrics") or {}).get("memory", {}).get("usage")),
        i["summary"]["age"],
    ],
    "services": lambda i: [
        i["summary"]["namespace"],
        i["summary"]["type"],
        dash(i["summary"].get("clusterIP")),
        ports(i),
        i["summary"]["age"],
    ],
    "ingresses": lambda i: [
        i["summary"]["namespace"],
        dash(i["summary"].get("ingressClass")),
        ", ".join(i["summary"].get("hosts") or ()) or "*",
        backends(i),
        "yes" if i["summary"]["tlsEnabled"] else "no",
        i["summary"]["age"],
    ],
    "namespaces": lambda i: [
        i["status"]["phase"],
        str(i["resources"]["pods"]),
        str(i["resources"]["podsRunning"]),
        i["summary"]["age"],
    ],
}
# The actions offered per kind: only what the agent executes on it.
ACTIONS = {
    "pods": ["logs", "delete", "events"],
    "deployments": ["scale", "restart", "image", "events"],
    "statefulsets": ["events"],
    "daemonsets": ["events"],
    "nodes": ["cordon", "events"],
    "services": ["events"],
    "ingresses": ["events"],
    "namespaces": [],
}


@pytest.mark.parametrize("fixtures", [agent_v2, agent_v3], ids=["v2", "v3"])
async def test_every_column_shows_what_the_agent_sent(
    nursery: trio.Nursery, tmp_path: Path, fixtures: Any
) -> None:
    """Of either agent generation: the tables read the nested kinds, which both spell alike."""
    runner = MasterRunner(nursery, make_config(tmp_path))
    await runner.start()
    snapshot = fixtures.golden(CLUSTER)
    body = fixtures.encode_snapshot(snapshot)
    sent = msgspec.json.decode(body)
    generation = "v3" if fixtures is agent_v3 else "v2"
    async with GoAgent.open(runner.agent_url, CLUSTER) as agent:
        r = await agent.push(agent_v2.gzip(body))
        assert r.status_code == 200, r.text
    base = runner.gateway_url

    def browse() -> None:
        from playwright.sync_api import expect, sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                page = browser.new_page(viewport={"width": 1600, "height": 900})
                errors: list[str] = []
                page.on("pageerror", lambda err: errors.append(str(err)))
                page.goto(f"{base}/#/cluster/{CLUSTER}")
                page.get_by_label("Username").fill("admin")
                page.get_by_label("Password").fill(ADMIN_PASSWORD)
                page.get_by_role("button", name="Log in").click()
                expect(page.locator(f"p.facts [data-generation='{generation}']")).to_have_text(
                    f"agent {generation}", timeout=WAIT
                )
                for kind, cells in COLUMNS.items():
                    page.locator(f"button[data-kind='{kind}']").click()
                    table = page.locator(f"#resource-table[data-kind='{kind}']")
                    items = sent[LIST_KEYS[kind] if generation == "v3" else kind]
                    rows = table.locator("tbody tr")
                    expect(rows).to_have_count(len(items), timeout=WAIT)
                    for item in items:
                        where = item["summary"]
                        row = table.locator(
                            f"tr[data-name='{where['name']}']"
                            f"[data-namespace='{where.get('namespace', '')}']"
                        )
                        shown = row.locator("td:not(.actions)").all_inner_texts()
                        assert shown == cells(item), (kind, where["name"])
                        offered = row.locator("td.actions button").evaluate_all(
                            "(bs) => bs.map((b) => b.dataset.action)"
                        )
                        expected = ACTIONS[kind]
                        if kind == "nodes" and not where["schedulable"]:
                            expected = ["uncordon", "events"]
                        assert offered == expected, (kind, where["name"], offered)
                assert errors == [], errors
            finally:
                browser.close()

    await trio.to_thread.run_sync(browse)
    nursery.cancel_scope.cancel()
