// Operators' commands: submit, follow their status live, show their output; the Operations tab.

import {api} from "./api.js";
import {badge, clock, fill, h, keepFocus, timeAgo} from "./dom.js";

export const FINAL = new Set(["success", "failed", "expired", "timeout", "lost"]);
const POLL_EVERY = 2000; // only while the stream is not live

function progress(status) {
  return FINAL.has(status) ? 2 : status === "running" ? 1 : 0;
}

export function describeTarget(cmd) {
  const where = cmd.target_namespace ? `${cmd.target_namespace}/` : "";
  return `${cmd.target_kind || ""} ${where}${cmd.target_name || ""}`.trim();
}

/** The commands of one cluster as this page knows them, and their fetched outputs. */
export class CommandStore {
  constructor(clusterId, streamState) {
    this.clusterId = clusterId;
    this.streamState = streamState;
    this.byId = new Map();
    this.outputs = new Map(); // id -> output text, once fetched
    this.wanted = new Set(); // ids whose output is fetched as soon as they are final
    this.listeners = new Set();
    this.poller = setInterval(() => this.poll(), POLL_EVERY);
  }

  listen(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  notify() {
    for (const fn of this.listeners) fn();
  }

  upsert(cmd) {
    if (!cmd || cmd.cluster_id !== this.clusterId) return;
    const id = cmd.command_id;
    const known = this.byId.get(id);
    // A REST answer can be older than what the stream already said (the POST's "running"
    // arriving after the stream's "success"): a command never goes back a step.
    if (known && progress(cmd.status) < progress(known.status)) return;
    this.byId.set(id, {...known, ...cmd});
    if (FINAL.has(cmd.status) && this.wanted.has(id) && !this.outputs.has(id)) this.fetchOutput(id);
    this.notify();
  }

  sorted() {
    return [...this.byId.values()].sort((a, b) => (b.created_at || "").localeCompare(a.created_at || ""));
  }

  async loadHistory() {
    const answer = await api("/api/v2/commands", {params: {cluster_id: this.clusterId, limit: 50}});
    for (const cmd of answer.commands) {
      if (!this.byId.has(cmd.command_id)) this.byId.set(cmd.command_id, cmd);
    }
    this.notify();
  }

  /** Fetch the output through REST (the stream leaves it out; REST applies the role rules). */
  async fetchOutput(id) {
    this.outputs.set(id, null); // fetching
    try {
      const full = await api(`/api/v2/commands/${encodeURIComponent(id)}`);
      this.byId.set(id, full);
      this.outputs.set(id, (full.result && full.result.output) || "");
    } catch (err) {
      this.outputs.set(id, `(could not fetch the output: ${err.message})`);
    }
    this.notify();
  }

  want(id) {
    this.wanted.add(id);
    const cmd = this.byId.get(id);
    if (cmd && FINAL.has(cmd.status) && !this.outputs.has(id)) this.fetchOutput(id);
    this.notify();
  }

  async submit(action, target, params = {}) {
    const cmd = await api("/api/v2/commands", {method: "POST", body: {
      cluster_id: this.clusterId, action, target_kind: target.kind,
      target_namespace: target.namespace || "", target_name: target.name, params,
    }});
    this.upsert(cmd);
    this.want(cmd.command_id); // the stream may have said it is final before the POST answered
    return cmd;
  }

  /** A safety net: while the stream is down, follow this page's open commands through REST. */
  async poll() {
    const state = this.streamState();
    if (state === "live" || state === "resynced") return;
    for (const id of this.wanted) {
      const cmd = this.byId.get(id);
      if (!cmd || FINAL.has(cmd.status)) continue;
      try {
        this.upsert(await api(`/api/v2/commands/${encodeURIComponent(id)}`));
      } catch {
        // the indicator already says the master is unreachable
      }
    }
  }

  destroy() {
    clearInterval(this.poller);
    this.listeners.clear();
  }
}

/** One command: what, on what, its status (live) and its output once final. */
export function commandCard(store, id) {
  const cmd = store.byId.get(id);
  if (!cmd) return h("p", {}, "Unknown command.");
  const output = store.outputs.get(id);
  const result = cmd.result || {};
  const error = cmd.error || result.error;
  let body = null;
  if (!FINAL.has(cmd.status)) {
    body = h("p.muted", {}, cmd.status === "pending" ? "Waiting for the agent to pick it up…"
                                                     : "The agent is running it…");
  } else if (output === null) {
    body = h("p.muted", {}, "Fetching the output…");
  } else if (output) {
    body = h("pre.output", {tabindex: "0", "aria-label": `Output of ${cmd.action}`}, output);
  } else if (output === undefined && (result.has_output || result.output)) {
    body = h("button", {type: "button", dataset: {focus: `output:${id}`},
                        on: {click: () => store.want(id)}}, "Show output");
  }
  return h("div.command", {dataset: {command: id, status: cmd.status}},
    h("div.command-head", {},
      h("strong", {}, cmd.action), " ", h("span", {}, describeTarget(cmd)), " ",
      badge(cmd.status, "command-status"),
      cmd.attempts > 1 ? h("span.muted", {}, ` attempt ${cmd.attempts}`) : null),
    h("p.muted", {}, "queued ", timeAgo(cmd.created_at),
      cmd.finished_at ? h("span", {}, ", finished ", h("time", {datetime: cmd.finished_at},
                                                       clock(cmd.finished_at))) : null),
    error ? h("p.error", {}, error) : null,
    body);
}

/** The Operations tab: this cluster's commands, newest first, and the chosen one's output. */
export class OperationsPanel {
  constructor(store) {
    this.store = store;
    this.selected = null;
    this.error = h("p.error", {role: "alert", hidden: true});
    this.tbody = h("tbody");
    this.detail = h("section.detail", {"aria-live": "polite", "aria-label": "Command output"});
    this.el = h("div.operations", {},
      h("p.hint", {}, "Run operations from the Resources tab: scale, restart or set the image " +
        "of a deployment, read a pod's logs or delete it, cordon or uncordon a node. Their " +
        "status changes here as it happens."),
      this.error,
      h("table.grid", {id: "commands-table"},
        h("caption", {}, "Commands of this cluster, newest first"),
        h("thead", {}, h("tr", {}, ["Queued", "Action", "Target", "Status", "Finished", ""].map(
          (t) => h("th", {scope: "col"}, t)))),
        this.tbody),
      this.detail);
    this.unlisten = store.listen(() => this.render());
  }

  async load() {
    try {
      await this.store.loadHistory();
      this.error.hidden = true;
    } catch (err) {
      this.error.textContent = `Could not load the commands: ${err.message}`;
      this.error.hidden = false;
    }
  }

  select(id) {
    this.chosen = true;
    this.selected = id;
    this.store.want(id);
  }

  render() {
    const list = this.store.sorted();
    if (!this.chosen) {
      // Until the operator picks one, show the newest command run from this page.
      const mine = list.find((c) => this.store.wanted.has(c.command_id));
      if (mine) this.selected = mine.command_id;
    }
    keepFocus(this.el, () => this.renderRows(list));
  }

  renderRows(list) {
    fill(this.tbody, list.length ? list.map((cmd) => h("tr", {
      dataset: {command: cmd.command_id},
      class: cmd.command_id === this.selected ? "selected" : ""},
      h("td", {}, timeAgo(cmd.created_at)),
      h("th", {scope: "row"}, cmd.action),
      h("td", {}, describeTarget(cmd)),
      h("td", {}, badge(cmd.status)),
      h("td", {}, cmd.finished_at ? clock(cmd.finished_at) : ""),
      h("td", {}, h("button", {type: "button", "aria-pressed": String(cmd.command_id === this.selected),
                               dataset: {focus: `details:${cmd.command_id}`},
                               on: {click: () => this.select(cmd.command_id)}}, "Details")),
    )) : h("tr", {}, h("td.empty", {colspan: "6"}, "No commands yet.")));
    fill(this.detail, this.selected ? commandCard(this.store, this.selected) : null);
  }

  destroy() {
    this.unlisten();
  }
}
