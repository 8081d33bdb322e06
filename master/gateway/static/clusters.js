// The Clusters page: one card per cluster, totals across them, kept live by the stream.

import {AlertStore, highest} from "./alerts.js";
import {api} from "./api.js";
import {badge, fill, h, timeAgo} from "./dom.js";

/** The card counts of a `summary` (GET /api/v2/clusters/{id} shape) in the list-item shape. */
export function countsOf(summary) {
  return {
    nodes: {total: summary.total_nodes, ready: summary.ready_nodes},
    pods: {total: summary.total_pods, running: summary.running_pods,
           pending: summary.pending_pods, failed: summary.failed_pods},
    warning_events: summary.warning_events,
  };
}

function stat(label, value, cls = "") {
  return h("div.stat", {class: cls}, h("dt", {}, label), h("dd", {}, value));
}

/** "Firing alerts": how many, in the colour of the most severe, which is also said in words. */
function alertStat(alerts) {
  const severity = highest(alerts);
  return stat("Firing alerts", h("span", {},
    String(alerts.length), severity ? [" ", badge(severity)] : null),
  `alerts${severity ? ` sev-${severity}` : ""}`);
}

export class ClustersView {
  constructor() {
    this.clusters = new Map();
    this.alerts = new AlertStore(() => this.render());
    this.error = h("p.error", {role: "alert", hidden: true});
    this.totals = h("dl.totals", {"aria-label": "Totals across clusters"});
    this.grid = h("div.cards", {id: "cluster-cards"});
    this.el = h("section.page", {"aria-labelledby": "page-title"},
      h("h1", {id: "page-title"}, "Clusters"), this.error, this.totals, this.grid);
  }

  title() {
    return "Clusters · AtlHyper";
  }

  matches(route) {
    return route.name === "clusters";
  }

  route() {}

  subscription() {
    return {clusters: ["*"], topics: ["clusters", "summary", "alerts"]};
  }

  async load() {
    try {
      const answer = await api("/api/v2/clusters");
      for (const c of answer.clusters) this.clusters.set(c.cluster_id, c);
      this.error.hidden = true;
    } catch (err) {
      if (err.status === 401) return;
      this.error.textContent = `Could not load the clusters: ${err.message}`;
      this.error.hidden = false;
    }
    this.render();
  }

  onMessage(msg) {
    this.alerts.onMessage(msg);
    if (msg.type === "synced" && msg.resynced) {
      this.clusters.clear();
      this.load();
    } else if (msg.type === "cluster" && msg.cluster) {
      this.clusters.set(msg.cluster.cluster_id, {...this.clusters.get(msg.cluster.cluster_id),
                                                 ...msg.cluster});
      this.render();
    } else if (msg.type === "summary" && msg.summary && msg.cluster_id) {
      const known = this.clusters.get(msg.cluster_id) || {cluster_id: msg.cluster_id};
      this.clusters.set(msg.cluster_id, {...known, ...countsOf(msg.summary)});
      this.render();
    }
  }

  render() {
    const list = [...this.clusters.values()].sort((a, b) => a.cluster_id.localeCompare(b.cluster_id));
    const sum = (f) => list.reduce((n, c) => n + (f(c) || 0), 0);
    const online = list.filter((c) => c.status === "online").length;
    fill(this.totals,
      stat("Clusters online", `${online} / ${list.length}`),
      stat("Nodes ready", `${sum((c) => c.nodes?.ready)} / ${sum((c) => c.nodes?.total)}`),
      stat("Pods running", sum((c) => c.pods?.running)),
      stat("Pods pending", sum((c) => c.pods?.pending), sum((c) => c.pods?.pending) ? "warn" : ""),
      stat("Pods failed", sum((c) => c.pods?.failed), sum((c) => c.pods?.failed) ? "bad" : ""),
      stat("Warning events", sum((c) => c.warning_events)),
      alertStat([...this.alerts.all()]),
    );
    if (!list.length) {
      fill(this.grid, h("p.empty", {}, "No clusters yet. Point an agent at this master's agent " +
        "port; its cluster appears here with its first heartbeat."));
      return;
    }
    fill(this.grid, list.map((c) => this.card(c)));
  }

  card(c) {
    const id = c.cluster_id;
    const nodes = c.nodes || {};
    const pods = c.pods || {};
    const alerts = this.alerts.of(id);
    return h("article.card", {dataset: {cluster: id, status: c.status || "unknown",
                                        alerts: String(alerts.length),
                                        severity: highest(alerts) || ""},
                              "aria-labelledby": `card-${id}`},
      h("header", {},
        h("h2", {id: `card-${id}`}, h("a", {href: `#/cluster/${encodeURIComponent(id)}`}, id)),
        badge(c.status || "unknown", "status")),
      h("dl", {},
        stat("Last seen", timeAgo(c.last_seen)),
        stat("Nodes ready", `${nodes.ready ?? "–"} / ${nodes.total ?? "–"}`,
             nodes.ready < nodes.total ? "warn" : ""),
        stat("Pods", h("span", {},
          h("span.n-running", {}, `${pods.running ?? 0} running`), " · ",
          h("span", {class: pods.pending ? "warn" : ""}, `${pods.pending ?? 0} pending`), " · ",
          h("span", {class: pods.failed ? "bad" : ""}, `${pods.failed ?? 0} failed`))),
        stat("Warning events", c.warning_events ?? 0, c.warning_events ? "warn" : ""),
        alertStat(alerts),
      ));
  }

  destroy() {}
}
