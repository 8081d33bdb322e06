// The live stream (docs/stream.md): one websocket per page load, resubscribed on navigation,
// reconnected with backoff, resumed from the last sequence number it saw.

import {token} from "./api.js";

const FIRST_DELAY = 500;
const MAX_DELAY = 10000;
const RESYNCED_FOR = 4000; // how long the indicator says "resynced" before "live"
const SILENCE = 50000; // no message (not even a ping, every 20 s) for this long: reconnect

export class Stream {
  /**
   * onMessage(msg): every data message (cluster, summary, events, command, alert), `resync`,
   *   and `synced` (with `resynced`: whether the state that came before it followed a resync,
   *   and `state`: whether the current state came before it, rather than a replay; the state
   *   messages, flagged `state`, then replace what a view holds of their topics).
   * onState(state): "connecting" | "live" | "reconnecting" | "resynced" | "stopped".
   * onUnauthorized(): the master closed with 4401.
   */
  constructor({onMessage, onState, onUnauthorized}) {
    this.onMessage = onMessage;
    this.onState = onState;
    this.onUnauthorized = onUnauthorized;
    this.ws = null;
    this.seq = null; // last sequence number seen
    this.head = null; // `seq` of the last `subscribed`: ours once `synced` arrives
    this.subscription = null;
    this.needState = true; // the next subscribe asks for the current state, not a replay
    this.delay = FIRST_DELAY;
    this.retry = null;
    this.watchdog = null;
    this.resyncedTimer = null;
    this.resynced = false;
    this.stateMode = false; // the messages up to the next `synced` are the current state
    this.stopped = false;
    this.state = "idle";
  }

  get url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/api/v2/subscribe`;
  }

  /** Follow `subscription` ({clusters, topics}); opens the socket on first use. `fresh`: ask
   *  for the current state even if the subscription is the same (a new view holds nothing). */
  subscribe(subscription, {fresh = false} = {}) {
    const same = JSON.stringify(subscription) === JSON.stringify(this.subscription);
    if (same && this.ws && !fresh) return;
    this.subscription = subscription;
    if (!same || fresh) this.needState = true;
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.sendSubscribe();
    } else if (!this.ws && !this.retry) {
      this.connect();
    }
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retry);
    clearTimeout(this.watchdog);
    clearTimeout(this.resyncedTimer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close(1000, "logged out");
    }
    this.setState("stopped");
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.onState(state);
  }

  connect() {
    this.retry = null;
    if (this.stopped) return;
    if (this.state !== "reconnecting") this.setState("connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener("open", () => {
      if (this.ws === ws) this.sendSubscribe();
    });
    ws.addEventListener("message", (event) => {
      if (this.ws !== ws) return;
      this.feedWatchdog();
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      this.handle(msg);
    });
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearTimeout(this.watchdog);
      if (event.code === 4401) {
        this.onUnauthorized();
        return;
      }
      this.scheduleReconnect();
    });
    this.feedWatchdog();
  }

  feedWatchdog() {
    clearTimeout(this.watchdog);
    const ws = this.ws;
    this.watchdog = setTimeout(() => {
      if (this.ws === ws && ws) ws.close(4000, "no message from the master");
      if (this.ws === ws) {
        this.ws = null;
        this.scheduleReconnect();
      }
    }, SILENCE);
  }

  scheduleReconnect() {
    if (this.stopped || this.retry) return;
    clearTimeout(this.resyncedTimer);
    this.setState("reconnecting");
    // Exponential backoff with jitter: wait between half and all of the current delay.
    const wait = this.delay / 2 + Math.random() * this.delay / 2;
    this.delay = Math.min(this.delay * 2, MAX_DELAY);
    this.retry = setTimeout(() => this.connect(), wait);
  }

  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  sendSubscribe() {
    const msg = {type: "subscribe", token: token(), ...this.subscription};
    if (!this.needState && this.seq !== null) msg.since = this.seq;
    this.send(msg);
  }

  handle(msg) {
    switch (msg.type) {
      case "ping":
        this.send({type: "pong"});
        return;
      case "subscribed":
        this.delay = FIRST_DELAY;
        this.resynced = false;
        this.stateMode = msg.mode === "state";
        this.head = msg.seq;
        return;
      case "synced":
        // Everything up to the head is now reflected (replayed or in the state). The head,
        // not the highest seq seen: after a master restart the new stream starts elsewhere.
        // Only now is the state complete: a connection cut before this asks for it again.
        this.seq = msg.seq;
        this.needState = false;
        this.onMessage({type: "synced", seq: msg.seq, resynced: this.resynced,
                        state: this.stateMode});
        this.stateMode = false;
        this.showSynced();
        return;
      case "resync":
        this.needState = true;
        this.resynced = true;
        this.stateMode = true;
        this.onMessage(msg);
        return;
      default:
        // Replayed and live messages carry their own seq; state messages carry the head.
        if (typeof msg.seq === "number" && !msg.state) this.seq = msg.seq;
        this.onMessage(msg);
    }
  }

  showSynced() {
    clearTimeout(this.resyncedTimer);
    if (!this.resynced) {
      this.setState("live");
      return;
    }
    this.setState("resynced");
    this.resyncedTimer = setTimeout(() => {
      if (this.state === "resynced") this.setState("live");
    }, RESYNCED_FOR);
  }
}
