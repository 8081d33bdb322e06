// Events: the live feed (from the stream), the history (REST, paged), and one resource's events.

import {api} from "./api.js";
import {badge, clock, fill, h, timeAgo} from "./dom.js";

const FEED_MAX = 200;
const PAGE = 50;

// When it last happened: the master's event_time (events.k8s.io events have no first or
// last time, only their creation).
function when(e) {
  return e.event_time || e.last_timestamp || e.first_timestamp || e.created_at || "";
}

function objectName(e) {
  const o = e.involved_object || {};
  return `${o.kind || ""} ${o.namespace ? `${o.namespace}/` : ""}${o.name || ""}`.trim();
}

function severity(e) {
  return e.severity || (e.type === "Warning" ? "warning" : "info");
}

/** A table of events (history, or one resource's). */
export function eventTable(events, caption) {
  return h("table.grid.events", {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ["Last seen", "Severity", "Reason", "Object", "Message", "Count"].map(
      (t) => h("th", {scope: "col"}, t)))),
    h("tbody", {}, events.length ? events.map((e) => h("tr", {class: `sev-${severity(e)}`},
      h("td", {}, h("time", {datetime: when(e), title: clock(when(e))}, clock(when(e)))),
      h("td", {}, badge(severity(e))),
      h("th", {scope: "row"}, e.reason),
      h("td", {}, objectName(e)),
      h("td.message", {}, e.message),
      h("td.num", {}, e.count ?? ""),
    )) : h("tr", {}, h("td.empty", {colspan: "6"}, "No events."))));
}

export class EventsPanel {
  constructor(clusterId) {
    this.clusterId = clusterId;
    this.items = new Map(); // uid -> <li>
    this.feed = h("ol.feed", {id: "event-feed", "aria-live": "polite", "aria-relevant": "additions",
                              "aria-label": "Live events, newest first"});
    this.warningsOnly = h("input", {type: "checkbox", id: "warnings-only",
                                    on: {change: () => this.applyToggle()}});
    this.history = h("div.history", {id: "event-history"});
    this.historyStatus = h("p.muted", {"aria-live": "polite"});
    this.offset = 0;
    this.type = h("select", {id: "history-type", on: {change: () => this.loadHistory(0)}},
      h("option", {value: ""}, "All types"), h("option", {value: "Warning"}, "Warning"),
      h("option", {value: "Normal"}, "Normal"));
    this.prev = h("button", {type: "button", on: {click: () => this.loadHistory(this.offset - PAGE)}},
                  "Newer");
    this.next = h("button", {type: "button", on: {click: () => this.loadHistory(this.offset + PAGE)}},
                  "Older");
    this.el = h("div.events-panel", {},
      h("section.live-events", {"aria-labelledby": "live-events-title"},
        h("div.section-head", {},
          h("h2", {id: "live-events-title"}, "Live events"),
          h("label.toggle", {for: "warnings-only"}, this.warningsOnly, " Warnings only")),
        this.feed),
      h("section.event-history", {"aria-labelledby": "history-title"},
        h("div.section-head", {},
          h("h2", {id: "history-title"}, "Event history"),
          h("div.filters", {},
            h("label", {for: "history-type"}, "Type"), this.type,
            h("button", {type: "button", on: {click: () => this.loadHistory(this.offset)}}, "Refresh"))),
        this.history,
        h("div.pager", {}, this.prev, this.historyStatus, this.next)));
  }

  applyToggle() {
    this.feed.classList.toggle("warnings-only", this.warningsOnly.checked);
  }

  async load() {
    // The stream's state brings the live window too; REST fills it at once meanwhile.
    try {
      const answer = await api("/api/v2/events", {params: {
        cluster_id: this.clusterId, source: "realtime", limit: FEED_MAX}});
      for (const e of answer.events) this.upsert(e, false);
    } catch {
      // the history below says what is wrong
    }
    await this.loadHistory(0);
  }

  async loadHistory(offset) {
    this.offset = Math.max(0, offset);
    try {
      const answer = await api("/api/v2/events", {params: {
        cluster_id: this.clusterId, source: "history", type: this.type.value,
        limit: PAGE, offset: this.offset}});
      const last = this.offset + answer.events.length;
      fill(this.history, eventTable(answer.events, "Stored events, newest first"));
      this.historyStatus.textContent = answer.total
        ? `${this.offset + 1}–${last} of ${answer.total}` : "no stored events";
      this.prev.disabled = this.offset === 0;
      this.next.disabled = last >= answer.total;
    } catch (err) {
      if (err.status === 401) return;
      fill(this.history, h("p.error", {role: "alert"}, `Could not load the history: ${err.message}`));
    }
  }

  /** Add or update one event in the live feed; `live` marks one that arrived while watching. */
  upsert(e, live) {
    const uid = e.uid || `${e.name}/${when(e)}`;
    const old = this.items.get(uid);
    if (old) {
      if (old.dataset.when === when(e) && old.dataset.count === String(e.count ?? "")) return;
      old.remove();
    }
    const li = h("li", {class: `sev-${severity(e)}${live ? " fresh" : ""}`,
                        dataset: {uid, when: when(e), type: e.type || "", count: String(e.count ?? ""),
                                  live: live ? "1" : ""}},
      h("div.event-head", {},
        badge(severity(e)), " ", h("strong", {}, e.reason), " ",
        h("span.object", {}, objectName(e)),
        e.count > 1 ? h("span.muted", {}, ` ×${e.count}`) : null,
        " ", timeAgo(when(e))),
      h("p.message", {}, e.message));
    this.items.set(uid, li);
    // Newest first: before the first item that is not newer.
    let before = null;
    for (const other of this.feed.children) {
      if (other.dataset.when <= li.dataset.when) {
        before = other;
        break;
      }
    }
    this.feed.insertBefore(li, before);
    while (this.feed.children.length > FEED_MAX) {
      const last = this.feed.lastElementChild;
      this.items.delete(last.dataset.uid);
      last.remove();
    }
  }

  onEvents(msg) {
    for (const e of msg.events || []) this.upsert({cluster_id: msg.cluster_id, ...e}, !msg.state);
  }

  destroy() {}
}

/** Events of one resource; a Deployment's include its ReplicaSets' and Pods', a Node's its Pods'. */
export async function resourceEvents(clusterId, kind, namespace, name) {
  const answer = await api("/api/v2/events/by-resource", {params: {
    cluster_id: clusterId, kind, namespace, name, limit: 100}});
  const objects = answer.objects.length - 1;
  const related = kind === "Node" ? "pods on it" : "objects it owns";
  const caption = `Events of ${kind} ${namespace ? `${namespace}/` : ""}${name}` +
    (objects > 0 ? ` and the ${objects} ${related}` : "");
  return eventTable(answer.events, caption);
}
