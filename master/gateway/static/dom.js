// Small DOM helpers: build elements without innerHTML (no markup injection from data).

/** h("tag.class", {attr: value, on: {click: fn}, dataset: {...}}, ...children) */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "on") {
      for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "class") {
      el.className = [el.className, value].filter(Boolean).join(" ");
    } else if (key === "text") {
      el.textContent = value;
    } else if (key in el && typeof value !== "string") {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace all children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Milliseconds since the epoch, or NaN for a missing, bad or Go zero ("0001-01-01…") time. */
function when(iso) {
  const t = Date.parse(iso);
  return t > 0 ? t : NaN;  // the agent sends Go's zero time for "unknown"
}

export function ago(iso) {
  if (!iso) return "never";
  const seconds = Math.max(0, (Date.now() - when(iso)) / 1000);
  if (!Number.isFinite(seconds)) return "unknown";
  if (seconds < 60) return `${Math.round(seconds)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

export function age(iso) {
  return Number.isFinite(when(iso)) ? ago(iso).replace(" ago", "") : "–";
}

export function clock(iso) {
  if (!iso) return "";
  const t = when(iso);
  return Number.isNaN(t) ? "unknown" : new Date(t).toLocaleString();
}

/** A <time> that keeps saying how long ago it was (see tickTimes). */
export function timeAgo(iso) {
  return h("time", {datetime: iso || "", title: clock(iso), dataset: {ago: "1"}}, ago(iso));
}

export function tickTimes(root = document) {
  for (const el of root.querySelectorAll("time[data-ago]")) {
    el.textContent = ago(el.getAttribute("datetime"));
  }
}

/** Call `fn` at most once per `ms`; a call inside the window runs once at its end. */
export function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  const run = () => {
    timer = null;
    last = Date.now();
    fn();
  };
  const throttled = () => {
    if (timer) return;
    const wait = last + ms - Date.now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
  throttled.cancel = () => clearTimeout(timer);
  return throttled;
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** A status word as a coloured badge; the class is the word (online, offline, success…). */
export function badge(word, extra = "") {
  const cls = String(word || "unknown").toLowerCase().replace(/[^a-z0-9-]/g, "");
  return h("span.badge", {class: `b-${cls} ${extra}`.trim()}, word || "unknown");
}

/** Run `render` (which rebuilds part of `root`) and give focus back to the same control:
 *  controls that should keep it carry `data-focus` keys unique within `root`. */
export function keepFocus(root, render) {
  const active = document.activeElement;
  const key = active && root.contains(active) ? active.dataset.focus : undefined;
  render();
  if (key) {
    const again = root.querySelector(`[data-focus="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}
