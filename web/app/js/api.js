// The HTTP API v1 client: JSON in and out, the session cookie sent by the browser, and the
// CSRF token added to every unsafe request. A 401 anywhere but sign-in tells the app the
// session is gone (it then shows the sign-in page again).

/** An error answered by the API: `status`, `code`, `message` and, for bad input, `field`. */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || `The server answered ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code || '';
    this.field = field || '';
  }
}

let csrfToken = '';
const unauthorizedListeners = new Set();

/** Sets the CSRF token sent with unsafe requests (from the login answer or /me). */
export function setCsrfToken(token) {
  csrfToken = token || '';
}

/** Calls `fn()` whenever an API call answers 401 (session ended). Returns an unsubscribe. */
export function onUnauthorized(fn) {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/**
 * Sends a request to `/api/v1/<path>`. `body` is sent as JSON. `query` is an object of
 * parameters (empty values left out). Resolves to the parsed JSON (or null for 204);
 * rejects with ApiError. `quiet401`: do not announce a 401 (sign-in itself, session probe).
 */
export async function api(method, path, { body, query, quiet401 = false, signal } = {}) {
  let url = `/api/v1/${path.replace(/^\//, '')}`;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!['GET', 'HEAD'].includes(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');
  }
  if (res.status === 204) return null;
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('application/json')) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (res.ok) return data;
  const e = (data && data.error) || {};
  const error = new ApiError(res.status, e.code, e.message || defaultMessage(res.status), e.field);
  if (res.status === 401 && !quiet401) for (const fn of unauthorizedListeners) fn(error);
  throw error;
}

function defaultMessage(status) {
  if (status === 401) return 'Please sign in.';
  if (status === 403) return 'You do not have permission to do that.';
  if (status === 404) return 'This page does not exist or is not available to you.';
  if (status === 429) return 'Too many attempts. Wait a few minutes and try again.';
  if (status >= 500) return 'Something went wrong on the server. Try again in a moment.';
  return `The server answered ${status}.`;
}
