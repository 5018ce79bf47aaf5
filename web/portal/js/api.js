// The HTTP API v1 client of the portal: JSON in and out, the session cookie sent by the
// browser, the CSRF token added to every unsafe request. A 401 on any call but sign-in and the
// session probe means the session has ended (signed out elsewhere, expired, or access revoked
// by the firm): the listeners then show the sign-in page.

/** An error answered by the API: `status`, `code`, `message` and, for bad input, `field`. */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || defaultMessage(status));
    this.name = 'ApiError';
    this.status = status;
    this.code = code || '';
    this.field = field || '';
  }
}

let csrfToken = '';
let lastCall = 0;
const unauthorizedListeners = new Set();

/** Sets the CSRF token sent with unsafe requests (from the sign-in answer or /me). */
export function setCsrfToken(token) {
  csrfToken = token || '';
}

/** Calls `fn(error)` whenever an API call answers 401. Returns an unsubscribe function. */
export function onUnauthorized(fn) {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/** Milliseconds since the last API call answered (0 if none has). */
export function sinceLastCall() {
  return lastCall ? Date.now() - lastCall : 0;
}

/**
 * Sends a request to `/api/v1/<path>` with `body` as JSON. Resolves to the parsed JSON (null for
 * 204); rejects with ApiError. `quiet401`: a 401 is an answer, not an ended session (sign-in,
 * the session probe, the current password on the account page is checked by the server as 400).
 */
export async function api(method, path, { body, quiet401 = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(`/api/v1/${path}`, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'We could not reach the server. Check your internet connection and try again.');
  }
  lastCall = Date.now();
  if (res.status === 204) return null;
  let data = null;
  if ((res.headers.get('Content-Type') || '').includes('application/json')) {
    data = await res.json().catch(() => null);
  }
  if (res.ok) return data;
  const e = (data && data.error) || {};
  const error = new ApiError(res.status, e.code, e.message, e.field);
  if (res.status === 401 && !quiet401) for (const fn of unauthorizedListeners) fn(error);
  throw error;
}

function defaultMessage(status) {
  if (status === 401) return 'Please sign in.';
  if (status === 403) return 'Your account cannot do that.';
  if (status === 404) return 'We could not find this page.';
  if (status === 429) return 'Too many attempts. Wait a few minutes, then try again.';
  if (status >= 500) return 'Something went wrong on our side. Try again in a moment.';
  return `The server answered ${status}.`;
}
