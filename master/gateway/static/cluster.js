// The Cluster page: a header and the active alerts kept live, and tabs for resources, events
// and operations.

import {AlertsPanel} from "./alerts.js";
import {api} from "./api.js";
import {countsOf} from "./clusters.js";
import {CommandStore, OperationsPanel} from "./commands.js";
import {badge, fill, h, throttle, timeAgo} from "./dom.js";
import {EventsPanel} from "./events.js";
import {ResourcesPanel} from "./resources.js";

const REFRESH_EVERY = 2000; // resource tables follow snapshots at most this often

// The agent generations a cluster may run (the master speaks both, per cluster).
const GENERATIONS = {v2: "Agent V2 (atlhyper 92d37dd)", v3: "the later agent (atlhyper 68cc533)"};

export class ClusterView {
  constructor(route, {operator, streamState}) {
    this.clusterId = route.clusterId;
    this.operator = operator;
    this.cluster = {cluster_id: this.clusterId};
    this.summary = null;
    this.tabs = [["resources", "Resources"], ["events", "Events"]];
    if (operator) this.tabs.push(["operations", "Operations"]);
    this.store = new CommandStore(this.clusterId, streamState);
    this.resources = new ResourcesPanel(this.clusterId, this.store, operator);
    this.events = new EventsPanel(this.clusterId);
    this.alerts = new AlertsPanel(this.clusterId);
    this.operations = operator ? new OperationsPanel(this.store) : null;
    this.refreshTables = throttle(() => this.resources.refresh(), REFRESH_EVERY);
    this.head = h("div.cluster-head");
    this.error = h("p.error", {role: "alert", hidden: true});
    this.tabLinks = this.tabs.map(([key, label]) => h("a.tab", {
      href: `#/cluster/${encodeURIComponent(this.clusterId)}/${key}`, dataset: {tab: key}}, label));
    this.panels = {
      resources: h("section.tab-panel", {"aria-label": "Resources"}, this.resources.el),
      events: h("section.tab-panel", {"aria-label": "Events"}, this.events.el),
    };
    if (this.operations) {
      this.panels.operations = h("section.tab-panel", {"aria-label": "Operations"}, this.operations.el);
    }
    this.el = h("section.page", {"aria-labelledby": "page-title"},
      h("p.crumbs", {}, h("a", {href: "#/clusters"}, "Clusters"), " / "),
      this.head, this.error, this.alerts.el,
      h("nav.tabs", {"aria-label": "Cluster sections"}, this.tabLinks),
      Object.values(this.panels));
    this.loaded = new Set();
    this.tab = null;
    this.route(route);
  }

  title() {
    return `${this.clusterId} · AtlHyper`;
  }

  matches(route) {
    return route.name === "cluster" && route.clusterId === this.clusterId;
  }

  route(route) {
    const tab = this.panels[route.tab] ? route.tab : "resources";
    this.tab = tab;
    for (const link of this.tabLinks) {
      if (link.dataset.tab === tab) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    for (const [key, panel] of Object.entries(this.panels)) panel.hidden = key !== tab;
    if (this.started && !this.loaded.has(tab)) this.loadTab(tab);
  }

  subscription() {
    const topics = ["clusters", "summary", "events", "alerts"];
    if (this.operator) topics.push("commands");
    return {clusters: [this.clusterId], topics};
  }

  async load() {
    this.started = true;
    this.renderHead();
    try {
      const c = await api(`/api/v2/clusters/${encodeURIComponent(this.clusterId)}`);
      this.cluster = c;
      this.summary = c.summary;
      this.error.hidden = true;
      this.renderHead();
    } catch (err) {
      if (err.status === 401) return;
      this.error.textContent = err.status === 404 ? `No cluster ${this.clusterId} here: ${err.message}`
                                                  : `Could not load the cluster: ${err.message}`;
      this.error.hidden = false;
    }
    this.loadTab(this.tab);
  }

  loadTab(tab) {
    this.loaded.add(tab);
    if (tab === "resources") this.resources.load();
    if (tab === "events") this.events.load();
    if (tab === "operations") this.operations.load();
  }

  renderHead() {
    const c = this.cluster;
    const s = this.summary;
    const facts = [h("span", {}, "last seen ", timeAgo(c.last_seen))];
    if (c.agent_generation) {
      facts.push(h("span", {dataset: {generation: c.agent_generation}, title: GENERATIONS[c.agent_generation]},
        `agent ${c.agent_generation}`));
    }
    if (s) {
      facts.push(
        h("span", {}, `nodes ${s.ready_nodes}/${s.total_nodes} ready`),
        h("span", {}, `pods ${s.running_pods} running · ${s.pending_pods} pending · ${s.failed_pods} failed`),
        h("span", {}, `deployments ${s.healthy_deployments}/${s.total_deployments} healthy`),
        h("span", {class: s.warning_events ? "warn" : ""}, `${s.warning_events} warning events`));
    }
    fill(this.head,
      h("h1", {id: "page-title"}, this.clusterId, " ",
        badge(c.status || "unknown", "status")),
      h("p.facts", {dataset: {cluster: this.clusterId, status: c.status || "unknown"}}, facts));
  }

  onMessage(msg) {
    if (msg.cluster_id && msg.cluster_id !== this.clusterId) return;
    this.alerts.onMessage(msg);
    if (msg.type === "synced" && msg.resynced) {
      // Missed changes: what came through REST is reloaded too.
      for (const tab of this.loaded) this.loadTab(tab);
    } else if (msg.type === "cluster" && msg.cluster) {
      this.cluster = {...this.cluster, ...msg.cluster};
      this.renderHead();
    } else if (msg.type === "summary" && msg.summary) {
      this.summary = msg.summary;
      this.cluster = {...this.cluster, ...countsOf(msg.summary)};
      this.renderHead();
      if (this.loaded.has("resources")) this.refreshTables();
    } else if (msg.type === "events") {
      this.events.onEvents(msg);
    } else if (msg.type === "command") {
      this.store.upsert(msg.command);
    }
  }

  destroy() {
    this.refreshTables.cancel();
    this.resources.destroy();
    this.events.destroy();
    this.alerts.destroy();
    if (this.operations) this.operations.destroy();
    this.store.destroy();
  }
}
