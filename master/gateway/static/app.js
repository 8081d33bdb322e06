// The dashboard's shell: login, the hash router, the header and the live stream.

import {api, clearToken, login, onUnauthorized, OPERATOR, setToken, token} from "./api.js";
import {ClusterView} from "./cluster.js";
import {ClustersView} from "./clusters.js";
import {fill, h, tickTimes} from "./dom.js";
import {Stream} from "./stream.js";

const STATE_TEXT = {
  idle: "", connecting: "connecting…", live: "live", reconnecting: "reconnecting…",
  resynced: "resynced", stopped: "not connected",
};

const main = document.getElementById("main");
const ctx = {me: null, stream: null, view: null, streamState: "idle"};

function isOperator() {
  return Boolean(ctx.me && ctx.me.role >= OPERATOR);
}

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (parts[0] === "cluster" && parts[1]) {
    return {name: "cluster", clusterId: parts[1], tab: parts[2] || "resources"};
  }
  return {name: "clusters"};
}

function showConnection(state) {
  ctx.streamState = state;
  const conn = document.getElementById("conn");
  conn.hidden = state === "idle";
  conn.dataset.state = state;
  document.getElementById("conn-text").textContent = STATE_TEXT[state] || state;
  conn.title = state === "reconnecting"
    ? "The live connection to the master was lost; trying again. What you see may be out of date."
    : "";
  document.body.classList.toggle("stale", state === "reconnecting");
  if (ctx.view && ctx.view.onStreamState) ctx.view.onStreamState(state);
}

function route() {
  if (!ctx.me) return;
  const r = parseRoute();
  const view = ctx.view;
  const fresh = !(view && view.route && view.matches(r));
  if (fresh) {
    if (view) view.destroy();
    const opts = {operator: isOperator(), streamState: () => ctx.streamState};
    ctx.view = r.name === "cluster" ? new ClusterView(r, opts) : new ClustersView(opts);
    fill(main, ctx.view.el);
    ctx.view.load();
  } else {
    view.route(r);
  }
  ctx.stream.subscribe(ctx.view.subscription(), {fresh});
  document.title = ctx.view.title();
}

function start(me) {
  ctx.me = me;
  document.getElementById("nav").hidden = false;
  document.getElementById("user").hidden = false;
  document.getElementById("user-name").textContent = me.username;
  document.getElementById("user-role").textContent = me.role_name;
  ctx.stream = new Stream({
    onMessage: (msg) => ctx.view && ctx.view.onMessage(msg),
    onState: showConnection,
    onUnauthorized: () => logout("Your session has ended; please log in again."),
  });
  route();
  main.focus();
}

function logout(message = "") {
  clearToken();
  if (ctx.stream) ctx.stream.stop();
  if (ctx.view) ctx.view.destroy();
  ctx.stream = null;
  ctx.view = null;
  ctx.me = null;
  showConnection("idle");
  document.getElementById("nav").hidden = true;
  document.getElementById("user").hidden = true;
  showLogin(message);
}

function showLogin(message) {
  document.title = "Log in · AtlHyper";
  const error = h("p.error", {id: "login-error", role: "alert"}, message || "");
  error.hidden = !message;
  const user = h("input", {id: "login-username", name: "username", autocomplete: "username",
                           required: true});
  const pass = h("input", {id: "login-password", name: "password", type: "password",
                           autocomplete: "current-password", required: true});
  const submit = h("button.primary", {type: "submit"}, "Log in");
  const form = h("form.login", {"aria-labelledby": "login-title"},
    h("h1", {id: "login-title"}, "Log in to AtlHyper"),
    error,
    h("label", {for: "login-username"}, "Username"), user,
    h("label", {for: "login-password"}, "Password"), pass,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.hidden = true;
    try {
      const {data} = await login(user.value.trim(), pass.value);
      setToken(data.token);
      start({username: data.user.username, role: data.user.role, role_name: data.user.role_name});
    } catch (err) {
      error.textContent = err.status === 401 ? "Wrong username or password." : err.message;
      error.hidden = false;
      pass.select();
    } finally {
      submit.disabled = false;
    }
  });
  fill(main, h("section.login-page", {}, form));
  user.focus();
}

async function boot() {
  onUnauthorized((message) => logout(message));
  document.getElementById("logout").addEventListener("click", () => logout("You have logged out."));
  window.addEventListener("hashchange", route);
  setInterval(() => tickTimes(main), 5000);
  if (!token()) {
    showLogin("");
    return;
  }
  try {
    start(await api("/api/v2/user/me"));
  } catch (err) {
    if (err.status !== 401) logout(`Cannot reach the master: ${err.message}`);
  }
}

boot();
