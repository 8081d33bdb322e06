// The Resources tab: tables of one kind with filters, kept fresh, and the operators' actions.

import {api} from "./api.js";
import {commandCard} from "./commands.js";
import {badge, debounce, fill, h, keepFocus} from "./dom.js";
import {resourceEvents} from "./events.js";

const PAGE = 200;
const PHASES = ["Running", "Pending", "Succeeded", "Failed", "Unknown"];

const ref = (s) => `${s.namespace ? `${s.namespace}/` : ""}${s.name}`;

const images = (i) => ((i.template && i.template.containers) || []).map((c) => c.image).join(", ");
const dash = (v) => (v === undefined || v === null || v === "" ? "–" : v);

function ports(svc) {
  return (svc.ports || []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol}`)
    .join(", ") || "–";
}

function backends(ing) {
  const seen = [];
  for (const rule of (ing.spec && ing.spec.rules) || []) {
    for (const path of rule.paths || []) {
      const svc = path.backend && path.backend.service;
      if (svc) seen.push(`${rule.host || "*"}${path.path} → ${svc.name}:${svc.portNumber || svc.portName}`);
    }
  }
  return seen.join(", ") || "–";
}

function nodeStatus(s) {
  return s.ready === "True" ? "Ready" : s.ready === "False" ? "NotReady" : "Unknown";
}

// Per kind: its API path, the Kubernetes kind, columns and row cells read where the agent
// puts them (AGENT_PROTOCOL.md), and the actions the agent executes on it.
const KINDS = {
  pods: {
    label: "Pods", kind: "Pod", namespaced: true, phase: true,
    columns: ["Namespace", "Phase", "Ready", "Restarts", "Node", "CPU", "Memory", "Age"],
    cells: (i) => [i.summary.namespace, badge(i.status?.phase), i.status?.ready ?? "",
                   i.status?.restarts ?? 0, dash(i.summary.nodeName), dash(i.status?.cpuUsage),
                   dash(i.status?.memoryUsage), i.summary.age],
    actions: ["logs", "delete"],
  },
  deployments: {
    label: "Deployments", kind: "Deployment", namespaced: true,
    columns: ["Namespace", "Ready", "Up to date", "Available", "Images", "Age"],
    cells: (i) => {
      const s = i.summary;
      return [s.namespace, h("span", {class: s.ready !== s.replicas ? "warn" : ""}, `${s.ready}/${s.replicas}`),
              s.updated, s.available, images(i), s.age];
    },
    actions: ["scale", "restart", "image"],
  },
  statefulsets: {
    label: "StatefulSets", kind: "StatefulSet", namespaced: true,
    columns: ["Namespace", "Ready", "Up to date", "Images", "Age"],
    cells: (i) => [i.summary.namespace, `${i.summary.ready}/${i.summary.replicas}`, i.summary.updated,
                   images(i), i.summary.age],
    actions: [],
  },
  daemonsets: {
    label: "DaemonSets", kind: "DaemonSet", namespaced: true,
    columns: ["Namespace", "Desired", "Ready", "Available", "Images", "Age"],
    cells: (i) => [i.summary.namespace, i.summary.desiredNumberScheduled, i.summary.numberReady,
                   i.summary.numberAvailable, images(i), i.summary.age],
    actions: [],
  },
  nodes: {
    label: "Nodes", kind: "Node", namespaced: false,
    columns: ["Status", "Roles", "Version", "Internal IP", "CPU", "Memory", "Age"],
    cells: (i) => {
      const s = i.summary;
      return [h("span", {}, badge(nodeStatus(s)),
                s.schedulable === false ? badge("SchedulingDisabled") : null),
              (s.roles || []).join(", ") || "–", dash(i.info?.kubeletVersion),
              dash(i.addresses?.internalIP), dash(i.metrics?.cpu?.usage),
              dash(i.metrics?.memory?.usage), s.age];
    },
    actions: ["cordon"],
  },
  services: {
    label: "Services", kind: "Service", namespaced: true,
    columns: ["Namespace", "Type", "Cluster IP", "Ports", "Age"],
    cells: (i) => [i.summary.namespace, i.summary.type, dash(i.summary.clusterIP), ports(i),
                   i.summary.age],
    actions: [],
  },
  ingresses: {
    label: "Ingresses", kind: "Ingress", namespaced: true,
    columns: ["Namespace", "Class", "Hosts", "Backends", "TLS", "Age"],
    cells: (i) => [i.summary.namespace, dash(i.summary.ingressClass),
                   (i.summary.hosts || []).join(", ") || "*", backends(i),
                   i.summary.tlsEnabled ? "yes" : "no", i.summary.age],
    actions: [],
  },
  namespaces: {
    label: "Namespaces", kind: "Namespace", namespaced: false,
    columns: ["Phase", "Pods", "Running", "Age"],
    cells: (i) => [badge(i.status?.phase), i.resources?.pods ?? 0, i.resources?.podsRunning ?? 0,
                   i.summary.age],
    actions: [],
  },
};

export class ResourcesPanel {
  constructor(clusterId, store, operator) {
    this.clusterId = clusterId;
    this.store = store;
    this.operator = operator;
    this.kind = "pods";
    this.offset = 0;
    this.total = 0;
    this.items = [];
    this.loading = null;
    this.kindButtons = Object.entries(KINDS).map(([key, k]) => h("button", {
      type: "button", dataset: {kind: key}, "aria-pressed": String(key === this.kind),
      on: {click: () => this.setKind(key)}}, k.label));
    this.namespace = h("select", {id: "filter-namespace", on: {change: () => this.reload()}},
      h("option", {value: ""}, "All namespaces"));
    this.phase = h("select", {id: "filter-phase", on: {change: () => this.reload()}},
      h("option", {value: ""}, "Any phase"), PHASES.map((p) => h("option", {value: p}, p)));
    this.search = h("input", {id: "filter-search", type: "search", placeholder: "part of a name",
                              on: {input: debounce(() => this.reload(), 250)}});
    this.phaseField = h("div.field", {}, h("label", {for: "filter-phase"}, "Phase"), this.phase);
    this.nsField = h("div.field", {}, h("label", {for: "filter-namespace"}, "Namespace"), this.namespace);
    this.error = h("p.error", {role: "alert", hidden: true});
    this.table = h("div.table-wrap");
    this.pager = h("div.pager");
    this.panel = h("section.action-panel", {id: "action-panel", "aria-live": "polite",
                                            "aria-labelledby": "action-title", hidden: true,
                                            tabindex: "-1",
                                            on: {keydown: (e) => e.key === "Escape" && this.closePanel()}});
    this.el = h("div.resources", {},
      h("div.kinds", {role: "group", "aria-label": "Resource kind"}, this.kindButtons),
      h("form.filters", {role: "search", on: {submit: (e) => e.preventDefault()}},
        this.nsField, this.phaseField,
        h("div.field", {}, h("label", {for: "filter-search"}, "Name"), this.search)),
      this.error, this.panel, this.table, this.pager);
    this.unlisten = store.listen(() => this.renderPanelCommand());
    this.panelCommand = null;
  }

  async load() {
    this.loadNamespaces();
    await this.reload();
  }

  async loadNamespaces() {
    try {
      const answer = await api("/api/v2/namespaces", {params: {cluster_id: this.clusterId, limit: 1000}});
      const chosen = this.namespace.value;
      fill(this.namespace, h("option", {value: ""}, "All namespaces"),
           answer.data.map((n) => h("option", {value: n.summary.name}, n.summary.name)));
      this.namespace.value = chosen;
    } catch {
      // no snapshot yet: the table says so
    }
  }

  setKind(key) {
    this.kind = key;
    for (const b of this.kindButtons) b.setAttribute("aria-pressed", String(b.dataset.kind === key));
    this.reload();
  }

  reload() {
    this.offset = 0;
    return this.refresh();
  }

  /** Fetch the current page again (a new snapshot arrived, or the filters changed). */
  async refresh() {
    const k = KINDS[this.kind];
    this.phaseField.hidden = !k.phase;
    this.nsField.hidden = !k.namespaced;
    const params = {cluster_id: this.clusterId, q: this.search.value.trim(), limit: PAGE,
                    offset: this.offset};
    if (k.namespaced) params.namespace = this.namespace.value;
    if (k.phase) params.phase = this.phase.value;
    const kind = this.kind;
    try {
      const answer = await api(`/api/v2/${kind}`, {params});
      if (kind !== this.kind) return; // switched meanwhile
      this.items = answer.data;
      this.total = answer.total;
      // Why there is nothing to list (the cluster is unknown or sent no snapshot yet).
      this.note = answer.message === "ok" ? "" : answer.message;
      this.error.hidden = true;
      keepFocus(this.el, () => this.render());
    } catch (err) {
      if (err.status === 401) return;
      this.error.textContent = err.status === 404 ? err.message : `Could not load ${k.label.toLowerCase()}: ${err.message}`;
      this.error.hidden = false;
    }
  }

  render() {
    const k = KINDS[this.kind];
    const actions = this.operator ? k.actions : [];
    fill(this.table, h("table.grid", {id: "resource-table", dataset: {kind: this.kind}},
      h("caption", {}, `${k.label} of ${this.clusterId}: ${this.total}`),
      h("thead", {}, h("tr", {}, h("th", {scope: "col"}, "Name"),
        k.columns.map((c) => h("th", {scope: "col"}, c)), h("th", {scope: "col"}, "Actions"))),
      h("tbody", {}, this.items.length ? this.items.map((i) => h("tr", {
        dataset: {name: i.summary.name, namespace: i.summary.namespace || ""}},
        h("th", {scope: "row"}, i.summary.name),
        k.cells(i).map((c) => h("td", {}, c)),
        h("td.actions", {}, this.buttons(k, i, actions)))) :
        h("tr", {}, h("td.empty", {colspan: String(k.columns.length + 2)},
                      this.note || "Nothing matches.")))));
    const pages = this.total > PAGE;
    fill(this.pager, pages ? [
      h("button", {type: "button", disabled: this.offset === 0,
                   on: {click: () => { this.offset -= PAGE; this.refresh(); }}}, "Previous"),
      h("span.muted", {}, `${this.offset + 1}–${Math.min(this.offset + PAGE, this.total)} of ${this.total}`),
      h("button", {type: "button", disabled: this.offset + PAGE >= this.total,
                   on: {click: () => { this.offset += PAGE; this.refresh(); }}}, "Next"),
    ] : []);
  }

  buttons(k, item, actions) {
    const s = item.summary;
    const target = {kind: k.kind, namespace: s.namespace || "", name: s.name};
    const key = (what) => `${what}:${ref(target)}`;
    const button = (what, label, fn) => h("button", {
      type: "button", dataset: {focus: key(what), action: what},
      "aria-label": `${label} ${ref(target)}`, on: {click: fn}}, label);
    const out = [];
    for (const action of actions) {
      if (action === "scale") out.push(button("scale", "Scale", () => this.askScale(target, s.replicas)));
      if (action === "restart") out.push(button("restart", "Restart", () => this.confirm(
        "restart", target, `Restart ${k.kind} ${ref(target)}? Its pods are replaced one by one.`)));
      if (action === "image") out.push(button("image", "Set image", () => this.askImage(target, item)));
      if (action === "logs") out.push(button("logs", "Logs", () => this.askLogs(target)));
      if (action === "delete") out.push(button("delete", "Delete", () => this.confirm(
        "delete", target, `Delete pod ${ref(target)}? Its owner, if any, creates a new one.`)));
      if (action === "cordon") {
        const cordoned = s.schedulable === false;
        const what = cordoned ? "uncordon" : "cordon";
        out.push(button(what, cordoned ? "Uncordon" : "Cordon", () => this.confirm(what, target,
          cordoned ? `Uncordon node ${s.name}? New pods may be scheduled on it again.`
                   : `Cordon node ${s.name}? No new pods will be scheduled on it.`)));
      }
    }
    if (this.kind !== "namespaces") {
      out.push(button("events", "Events", () => this.showEvents(target)));
    }
    return out;
  }

  // -- the action panel: a form, then the command's live status and output --

  openPanel(title, ...content) {
    this.panelCommand = null;
    const opener = document.activeElement;
    this.opener = opener && this.table.contains(opener) ? opener.dataset.focus : this.opener;
    const close = h("button.close", {type: "button", "aria-label": "Close",
                                     on: {click: () => this.closePanel()}}, "×");
    fill(this.panel, h("div.panel-head", {}, h("h2", {id: "action-title"}, title), close),
         h("div.panel-body", {}, content));
    this.panel.hidden = false;
    const first = this.panel.querySelector(".panel-body input, .panel-body button, .panel-body pre");
    (first || this.panel).focus();
  }

  closePanel() {
    this.panel.hidden = true;
    this.panelCommand = null;
    fill(this.panel);
    const back = this.opener && this.table.querySelector(`[data-focus="${CSS.escape(this.opener)}"]`);
    (back || this.kindButtons.find((b) => b.dataset.kind === this.kind)).focus();
  }

  form(fields, label, onSubmit) {
    const error = h("p.error", {role: "alert", hidden: true});
    const submit = h("button.primary", {type: "submit"}, label);
    const form = h("form.action-form", {}, fields, h("div.buttons", {}, submit,
      h("button", {type: "button", on: {click: () => this.closePanel()}}, "Cancel")), error);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      submit.disabled = true;
      try {
        await onSubmit();
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
        submit.disabled = false;
      }
    });
    return form;
  }

  async run(action, target, params) {
    const cmd = await this.store.submit(action, target, params);
    this.panelCommand = cmd.command_id;
    this.renderPanelCommand();
  }

  renderPanelCommand() {
    if (!this.panelCommand || this.panel.hidden) return;
    const body = this.panel.querySelector(".panel-body");
    keepFocus(this.panel, () => fill(body, commandCard(this.store, this.panelCommand)));
  }

  askScale(target, replicas) {
    const input = h("input", {id: "scale-replicas", type: "number", min: "0", max: "1000",
                              required: true, value: String(replicas ?? 1)});
    this.openPanel(`Scale ${target.kind} ${ref(target)}`, this.form(
      [h("label", {for: "scale-replicas"}, "Replicas"), input], "Scale",
      () => this.run("scale", target, {replicas: Number(input.value)})));
    input.select();
  }

  askImage(target, item) {
    const names = ((item.template && item.template.containers) || []).map((c) => c.name);
    const container = h("select", {id: "image-container"},
      names.map((n) => h("option", {value: n}, n)));
    const first = (item.template && item.template.containers || [])[0];
    const input = h("input", {id: "image-ref", type: "text", required: true,
                              value: first ? first.image : "", spellcheck: "false"});
    this.openPanel(`Set the image of ${target.kind} ${ref(target)}`, this.form(
      [h("label", {for: "image-container"}, "Container"), container,
       h("label", {for: "image-ref"}, "Image"), input], "Set image",
      () => this.run("update_image", target, {container: container.value, image: input.value.trim()})));
    input.select();
  }

  askLogs(target) {
    const input = h("input", {id: "logs-tail", type: "number", min: "1", max: "10000",
                              required: true, value: "100"});
    this.openPanel(`Logs of pod ${ref(target)}`, this.form(
      [h("label", {for: "logs-tail"}, "Last lines"), input], "Get logs",
      () => this.run("get_logs", target, {tailLines: Number(input.value)})));
  }

  confirm(action, target, question) {
    const label = action[0].toUpperCase() + action.slice(1);
    this.openPanel(`${label} ${target.kind} ${ref(target)}`,
      this.form([h("p", {}, question)], label, () => this.run(action, target, {})));
  }

  async showEvents(target) {
    this.openPanel(`Events of ${target.kind} ${ref(target)}`, h("p.muted", {}, "Loading…"));
    try {
      const table = await resourceEvents(this.clusterId, target.kind, target.namespace, target.name);
      fill(this.panel.querySelector(".panel-body"), table);
    } catch (err) {
      fill(this.panel.querySelector(".panel-body"), h("p.error", {role: "alert"}, err.message));
    }
  }

  destroy() {
    this.unlisten();
  }
}
