// REST calls to /api/v2 with the bearer token, and where that token is kept.
//
// The token lives in sessionStorage, not localStorage: it survives a reload of this tab
// but goes away when the tab is closed, is not shared with other tabs, and is not left
// behind on disk for the next person at this browser. It is never put in a cookie: the
// API reads only the Authorization header, so there is nothing for another site to ride
// on (no CSRF), and never in a URL (URLs end up in logs).

const KEY = "atlhyper.token";
export const VIEWER = 1;
export const OPERATOR = 2;
export const ADMIN = 3;

export function token() {
  return sessionStorage.getItem(KEY);
}

export function setToken(value) {
  sessionStorage.setItem(KEY, value);
}

export function clearToken() {
  sessionStorage.removeItem(KEY);
}

let unauthorized = () => {};

/** Called with a message whenever the master answers 401 (or the stream closes with 4401). */
export function onUnauthorized(fn) {
  unauthorized = fn;
}

export function sessionEnded(message = "Your session has ended; please log in again.") {
  unauthorized(message);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** `api("/api/v2/pods", {params: {cluster_id}})`; throws ApiError for any non-2xx answer. */
export async function api(path, {method = "GET", params, body, auth = true} = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  const headers = {Accept: "application/json"};
  const bearer = token();
  if (auth && bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit", cache: "no-store",
    });
  } catch (err) {
    throw new ApiError(0, "network", "the master cannot be reached");
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    const failure = new ApiError(response.status, error.code || "error",
                                 error.message || `HTTP ${response.status}`);
    if (response.status === 401 && auth) sessionEnded();
    throw failure;
  }
  return data;
}

export async function login(username, password) {
  return api("/api/v2/user/login", {method: "POST", body: {username, password}, auth: false});
}
