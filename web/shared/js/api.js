// The kit's HTTP API v1 client, for both shells and every plugin screen: JSON in and out, the
// session cookie sent by the browser, the CSRF token added to every unsafe request, and errors
// worded for people. A 401 on any call but sign-in and the session probe means the session has
// ended (expired, signed out elsewhere, access revoked): the shell then shows the sign-in page.

/**
 * An error answered by the API (or the network): `status` (0 when the server could not be
 * reached), `code`, `message` (written for the person using the page), `field` for bad input
 * (dotted for nested JSON: "billing.email", "emails[1].address"), `retryAfter` in seconds when
 * the server said when to try again, and `requestId` for a server error (quote it to support).
 */
export class ApiError extends Error {
  constructor(status, code, message, field, { retryAfter = 0, requestId = '' } = {}) {
    super(message || defaultMessage(status));
    this.name = 'ApiError';
    this.status = status;
    this.code = code || '';
    this.field = field || '';
    this.retryAfter = retryAfter;
    this.requestId = requestId;
  }
}

let csrfToken = '';
let lastAnswer = 0;
const unauthorizedListeners = new Set();

/** Sets the CSRF token sent with unsafe requests (the shell does this from sign-in and /me). */
export function setCsrfToken(token) {
  csrfToken = token || '';
}

/** Calls `fn(error)` whenever an API call answers 401. Returns an unsubscribe function. */
export function onUnauthorized(fn) {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/** Milliseconds since the server last answered a call (0 if it has not yet). */
export function sinceLastCall() {
  return lastAnswer ? Date.now() - lastAnswer : 0;
}

/** `/api/v1/<path>` with `query`'s non-empty values as parameters (api() and upload()). */
function apiUrl(path, query) {
  let url = `/api/v1/${String(path).replace(/^\/+/, '')}`;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    }
    const qs = params.toString();
    if (qs) url += `${url.includes('?') ? '&' : '?'}${qs}`;
  }
  return url;
}

/**
 * Sends a request to `/api/v1/<path>`. Options: `body` (sent as JSON), `query` (an object of
 * parameters; empty values are left out), `signal` (an AbortSignal), `quiet401` (a 401 is an
 * answer here, not an ended session: sign-in, the session probe), `idempotencyKey` (sent as
 * Idempotency-Key: the server runs the request once per key and replays its first answer to a
 * repeat; use one key per user action, e.g. crypto.randomUUID()). Resolves to the parsed JSON
 * (null for 204 or a body that is not JSON); rejects with ApiError (or the AbortError).
 */
export async function api(method, path, { body, query, signal, quiet401 = false, idempotencyKey } = {}) {
  const url = apiUrl(path, query);
  const headers = { Accept: 'application/json' };
  if (idempotencyKey) headers['Idempotency-Key'] = String(idempotencyKey);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(url, {
      method, headers, signal, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');
  }
  lastAnswer = Date.now();
  if (res.status === 204) return null;
  let data = null;
  if ((res.headers.get('Content-Type') || '').includes('application/json')) {
    data = await res.json().catch(() => null);
  }
  if (res.ok) return data;
  const e = (data && data.error) || {};
  const retryAfter = retrySeconds(res.headers.get('Retry-After'));
  const error = new ApiError(res.status, e.code, wording(res.status, e.code, e.message, retryAfter, e.request_id), e.field,
    { retryAfter, requestId: e.request_id || '' });
  error.details = e; // the whole error object, for answers that say more (e.g. remember_days)
  if (res.status === 401 && !quiet401) for (const fn of unauthorizedListeners) fn(error);
  throw error;
}

/**
 * Uploads `file` (a File or Blob) as the raw body of `POST /api/v1/<path>` with the session
 * cookie and the CSRF token, reporting progress: `onProgress(sent, total)` as the bytes leave
 * (XMLHttpRequest upload events; fetch has none). `query` as for api(); `signal` aborts.
 * Resolves to the parsed JSON answer; rejects with an ApiError worded as api() words them
 * (413, 415, 507: the server's own message).
 */
export function upload(path, file, { query, onProgress, signal, method = 'POST' } = {}) {
  const url = apiUrl(path, query);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    if (onProgress) {
      xhr.upload.addEventListener('progress', (ev) => onProgress(ev.loaded, ev.lengthComputable ? ev.total : file.size));
    }
    if (signal) {
      if (signal.aborted) {
        reject(new DOMException('Aborted', 'AbortError'));
        return;
      }
      signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError')));
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network', defaultMessage(0))));
    xhr.addEventListener('load', () => {
      lastAnswer = Date.now();
      let data = null;
      if ((xhr.getResponseHeader('Content-Type') || '').includes('application/json')) {
        try {
          data = JSON.parse(xhr.responseText);
        } catch {
          data = null;
        }
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(xhr.status === 204 ? null : data);
        return;
      }
      const e = (data && data.error) || {};
      const retryAfter = retrySeconds(xhr.getResponseHeader('Retry-After'));
      const error = new ApiError(xhr.status, e.code, wording(xhr.status, e.code, e.message, retryAfter, e.request_id), e.field,
        { retryAfter, requestId: e.request_id || '' });
      if (xhr.status === 401) for (const fn of unauthorizedListeners) fn(error);
      reject(error);
    });
    xhr.send(file);
  });
}

// The server's message is written for people (a 429 already says when to try again), except
// where a status needs more: when to try again after a 503, and the reference support needs
// for a server error.
function wording(status, code, message, retryAfter, requestId) {
  if (status === 503) {
    const wait = retryAfter ? `in ${retryAfter} second${retryAfter === 1 ? '' : 's'}` : 'in a moment';
    // The host answers "unavailable" only when the database failed, after rolling back.
    if (code === 'unavailable') return `LexOS cannot reach its database right now, so nothing was saved. Try again ${wait}.`;
    return `${(message || 'LexOS is not available right now.').replace(/[.\s]*$/, '.')} Try again ${wait}.`;
  }
  if (status >= 500 && !message) return `${defaultMessage(status)}${requestId ? ` (Reference: ${requestId}.)` : ''}`;
  if (status >= 500 && requestId) return `${message} (Reference: ${requestId}.)`;
  return message || defaultMessage(status);
}

function retrySeconds(header) {
  const n = Number(header);
  return Number.isFinite(n) && n > 0 ? Math.ceil(n) : 0;
}

function defaultMessage(status) {
  if (status === 0) return 'The server could not be reached. Check your connection and try again.';
  if (status === 401) return 'Please sign in.';
  if (status === 403) return 'You do not have permission to do that.';
  if (status === 404) return 'This does not exist, or is not available to you.';
  if (status === 409) return 'This conflicts with something saved meanwhile. Reload the page and try again.';
  if (status === 413) return 'That is more than the server accepts at once.';
  if (status === 429) return 'Too many attempts. Wait a few minutes, then try again.';
  if (status >= 500) return 'Something went wrong on the server. Try again in a moment.';
  return `The server answered ${status}.`;
}
