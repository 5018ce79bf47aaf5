// Who is signed in, for the shell of this page (the staff app or the portal) and the plugin
// screens it shows. The session cookie is HttpOnly, so the page cannot see it; a small hint in
// localStorage ("a session was started here") decides whether asking /api/v1/me is worth it,
// so a first visit shows the sign-in page without a 401.
//
// The shell calls configureSession({ kind, prefix }) once: `kind` is the principal kind it
// serves ('staff' or 'portal'), `prefix` its localStorage key prefix.

import { api, setCsrfToken } from './api.js';
import { setTimeZone } from './format.js';

const config = { kind: 'staff', prefix: 'lexos' };

/**
 * The signed-in person (`/api/v1/me`) and what this shell may show them (`/api/v1/nav`: items,
 * modules, views, contributions), or nulls. Read it; only the shell changes it.
 */
export const session = { me: null, nav: null };

/** Sets the shell's principal kind and storage prefix (the shell does this once). */
export function configureSession({ kind, prefix }) {
  config.kind = kind;
  config.prefix = prefix;
}

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const hintKey = () => `${config.prefix}.signedIn`;
const firmKey = () => `${config.prefix}.firm`;

/** True when this browser signed in before and did not sign out. */
export function hasSessionHint() {
  return storage()?.getItem(hintKey()) === '1';
}

/** The firm short name last used to sign in here (a convenience, not a secret). */
export function rememberedFirm() {
  return storage()?.getItem(firmKey()) || '';
}

/** Forgets the signed-in person here (after sign-out or a 401). */
export function clearSession() {
  session.me = null;
  session.nav = null;
  setCsrfToken('');
  storage()?.removeItem(hintKey());
}

/** Loads /me and, for this shell's kind of principal, /nav. Resolves true when signed in as one. */
export async function loadSession() {
  const me = await api('GET', 'me', { quiet401: true });
  setCsrfToken(me.csrf_token);
  session.me = me;
  storage()?.setItem(hintKey(), '1');
  // Dates show in the firm's time zone once the host tells it; the browser's until then.
  setTimeZone(me.time_zone || '');
  if (me.kind !== config.kind) {
    session.nav = { items: [], modules: [], views: [], contributions: [] };
    return false;
  }
  const nav = await api('GET', 'nav', { quiet401: true });
  // The firm's own time zone (its settings), which /nav carries.
  if (nav && nav.firm && nav.firm.time_zone) setTimeZone(nav.firm.time_zone);
  session.nav = {
    items: list(nav && nav.items), modules: list(nav && nav.modules),
    views: list(nav && nav.views), contributions: list(nav && nav.contributions),
    firm: (nav && nav.firm) || null,
  };
  return true;
}

function list(v) {
  return Array.isArray(v) ? v : [];
}

/**
 * Signs in, then loads the session. Rejects with ApiError (401 for wrong details; code
 * `mfa_required` or `mfa_enrolment_required` when a second step is needed: web/shared/js/mfa.js).
 */
export async function signIn(firm, email, password) {
  const res = await api('POST', 'auth/login', { body: { firm, email, password }, quiet401: true });
  return finishSignIn(res, firm);
}

/** Completes a sign-in with the login's answer (after a second step too), then loads the session. */
export async function finishSignIn(res, firm) {
  setCsrfToken(res.csrf_token);
  storage()?.setItem(hintKey(), '1');
  if (firm) storage()?.setItem(firmKey(), firm);
  return loadSession();
}

/** Ends the session on the server (best effort) and here. */
export async function signOut() {
  try {
    await api('POST', 'auth/logout', { quiet401: true });
  } finally {
    clearSession();
  }
}

/** True when the signed-in person holds `permission` (from /api/v1/me). */
export function can(permission) {
  const perms = session.me && Array.isArray(session.me.permissions) ? session.me.permissions : [];
  return perms.includes(permission);
}

/** True when the module `id` is switched on for the person's firm (from /api/v1/nav). */
export function hasModule(id) {
  return Boolean(session.nav && session.nav.modules.includes(id));
}

/** The contributions to extension point `point` this person may see, in order (from /api/v1/nav). */
export function contributionsTo(point) {
  return session.nav ? session.nav.contributions.filter((c) => c.point === point) : [];
}
