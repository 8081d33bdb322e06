// Active alerts: the firing ones per cluster, kept by the stream's `alerts` topic, and the
// Cluster page's list of them.

import {badge, clock, fill, h, timeAgo} from "./dom.js";

const SEVERITIES = ["critical", "warning", "info"]; // most severe first
const RESOLVED_FOR = 6000; // ms a resolved alert stays in the list, marked resolved

function rank(severity) {
  const i = SEVERITIES.indexOf(severity);
  return i < 0 ? SEVERITIES.length : i;
}

/** The most severe severity among `alerts`; null when there are none. */
export function highest(alerts) {
  let best = null;
  for (const a of alerts) if (best === null || rank(a.severity) < rank(best)) best = a.severity;
  return best;
}

function newestFirst(a, b) {
  return (b.fired_at || "").localeCompare(a.fired_at || "") || b.id - a.id;
}

function objectName(a) {
  const o = a.object || {};
  return `${o.kind || ""} ${o.namespace ? `${o.namespace}/` : ""}${o.name || ""}`.trim();
}

/** The firing alerts the stream has told of. Feed it every stream message; the state that
 *  comes on (re)subscribe, up to `synced`, replaces what it holds. `onChange(changed)` gets
 *  the alerts that changed live, or null after the state replaced everything. */
export class AlertStore {
  constructor(onChange) {
    this.onChange = onChange;
    this.firing = new Map(); // id -> alert
    this.incoming = null; // the state being received
    this.synced = false; // a state has come at least once
  }

  onMessage(msg) {
    if (msg.type === "alert" && msg.alert) {
      if (msg.state) {
        if (!this.incoming) this.incoming = new Map();
        this.incoming.set(msg.alert.id, msg.alert);
        return;
      }
      const alert = msg.alert;
      if (alert.status === "firing") this.firing.set(alert.id, alert);
      else this.firing.delete(alert.id);
      this.onChange([alert]);
    } else if (msg.type === "synced" && msg.state) {
      this.firing = this.incoming || new Map();
      this.incoming = null;
      this.synced = true;
      this.onChange(null);
    }
  }

  /** The cluster's firing alerts, newest first. */
  of(clusterId) {
    return [...this.firing.values()].filter((a) => a.cluster_id === clusterId).sort(newestFirst);
  }

  get size() {
    return this.firing.size;
  }

  all() {
    return this.firing.values();
  }
}

/** "Active alerts" of one cluster: newest first, live; a resolved one is marked for a few
 *  seconds, then goes. */
export class AlertsPanel {
  constructor(clusterId) {
    this.clusterId = clusterId;
    this.store = new AlertStore((changed) => this.onChange(changed));
    this.items = new Map(); // id -> <li>
    this.resolved = new Map(); // id -> {alert, timer}: resolved while watching
    this.count = h("span.alert-count");
    // Focusable: it scrolls when long, and keyboard users must be able to scroll it too.
    this.list = h("ol.alert-list", {id: "alert-list", tabindex: "0",
                                    "aria-labelledby": "alerts-title"});
    this.empty = h("p.empty", {}, "Waiting for the live stream…");
    this.el = h("section.active-alerts", {id: "active-alerts", "aria-labelledby": "alerts-title"},
      h("div.section-head", {},
        h("h2", {id: "alerts-title"}, "Active alerts ", this.count)),
      // Announced as they fire, change or resolve; not read again when the state reloads.
      h("div", {"aria-live": "polite"}, this.list, this.empty));
    this.render();
  }

  onMessage(msg) {
    this.store.onMessage(msg);
  }

  onChange(changed) {
    if (changed === null) {
      this.clearResolved();
    } else {
      for (const alert of changed) {
        if (alert.cluster_id !== this.clusterId) continue;
        if (alert.status === "firing") {
          this.forget(alert.id);
        } else if (this.items.has(alert.id) && !this.resolved.has(alert.id)) {
          const timer = setTimeout(() => {
            this.resolved.delete(alert.id);
            this.render();
          }, RESOLVED_FOR);
          this.resolved.set(alert.id, {alert, timer});
        }
      }
    }
    this.render();
  }

  forget(id) {
    const gone = this.resolved.get(id);
    if (gone) clearTimeout(gone.timer);
    this.resolved.delete(id);
  }

  clearResolved() {
    for (const id of [...this.resolved.keys()]) this.forget(id);
  }

  render() {
    const firing = this.store.of(this.clusterId);
    const shown = [...firing, ...[...this.resolved.values()].map((r) => r.alert)].sort(newestFirst);
    const severity = highest(firing);
    this.count.className = `alert-count${severity ? ` sev-${severity}` : ""}`;
    this.count.textContent = this.store.synced ? `${firing.length} firing` : "";
    // Keyed: an unchanged alert keeps its element, so a screen reader hears only what changed.
    let cursor = this.list.firstElementChild;
    const keep = new Set();
    for (const alert of shown) {
      const li = this.item(alert);
      keep.add(alert.id);
      if (li === cursor) cursor = cursor.nextElementSibling;
      else this.list.insertBefore(li, cursor);
    }
    for (const [id, li] of this.items) {
      if (!keep.has(id)) {
        li.remove();
        this.items.delete(id);
      }
    }
    this.empty.textContent = this.store.synced ? "No active alerts." : "Waiting for the live stream…";
    this.empty.hidden = shown.length > 0;
  }

  item(alert) {
    const version = `${alert.status}/${alert.count}/${alert.message}/${alert.fired_at}`;
    let li = this.items.get(alert.id);
    if (li && li.dataset.version === version) return li;
    if (!li) {
      li = h("li");
      this.items.set(alert.id, li);
    }
    const resolved = alert.status !== "firing";
    li.className = `sev-${alert.severity}${resolved ? " resolved" : ""}`;
    Object.assign(li.dataset, {alertId: String(alert.id), rule: alert.rule, status: alert.status,
                               severity: alert.severity, count: String(alert.count), version});
    fill(li,
      h("div.alert-head", {},
        badge(alert.severity), resolved ? badge("resolved") : null, " ",
        h("strong.title", {}, alert.title)),
      h("p.alert-facts", {title: alert.message || ""},
        h("span.object", {}, objectName(alert)), " · ",
        h("span.reason", {}, alert.reason), " · ",
        h("span.count", {title: "times seen"}, `×${alert.count}`), " · fired ",
        timeAgo(alert.fired_at),
        resolved && alert.resolved_at ? ` · resolved ${clock(alert.resolved_at)}` : null,
        alert.message ? [" · ", h("span.message", {}, alert.message)] : null));
    return li;
  }

  destroy() {
    this.clearResolved();
  }
}
