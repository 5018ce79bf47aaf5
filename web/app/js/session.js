// Who is signed in. The session cookie is HttpOnly, so the page cannot see it; a small hint in
// localStorage ("a session was started here") decides whether asking /api/v1/me is worth it,
// which keeps a fresh visit from answering 401 before anyone signed in.

import { api, setCsrfToken } from './api.js';

const HINT_KEY = 'lexos.staff.signedIn';
const FIRM_KEY = 'lexos.staff.firm';

/** The signed-in staff member (`/api/v1/me`) and their navigation (`/api/v1/nav`), or nulls. */
export const session = { me: null, nav: null };

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** True when this browser signed in before and did not sign out. */
export function hasSessionHint() {
  return storage()?.getItem(HINT_KEY) === '1';
}

/** The firm short name last used to sign in here (a convenience, not a secret). */
export function rememberedFirm() {
  return storage()?.getItem(FIRM_KEY) || '';
}

/** Forgets the signed-in user (after sign-out or a 401). */
export function clearSession() {
  session.me = null;
  session.nav = null;
  setCsrfToken('');
  storage()?.removeItem(HINT_KEY);
}

/** Loads /me and /nav for the current cookie. Resolves true when signed in as staff. */
export async function loadSession() {
  const me = await api('GET', 'me', { quiet401: true });
  setCsrfToken(me.csrf_token);
  session.me = me;
  storage()?.setItem(HINT_KEY, '1');
  if (me.kind !== 'staff') {
    session.nav = { items: [], modules: [] };
    return false;
  }
  session.nav = await api('GET', 'nav', { quiet401: true });
  return true;
}

/** Signs in; then loads the session. Rejects with ApiError (401 for wrong details). */
export async function signIn(firm, email, password) {
  const res = await api('POST', 'auth/login', { body: { firm, email, password }, quiet401: true });
  setCsrfToken(res.csrf_token);
  storage()?.setItem(HINT_KEY, '1');
  storage()?.setItem(FIRM_KEY, firm);
  return loadSession();
}

/** True when the signed-in person holds `permission` (from /api/v1/me). */
export function can(permission) {
  const perms = session.me && Array.isArray(session.me.permissions) ? session.me.permissions : [];
  return perms.includes(permission);
}

/** True when the module `id` is enabled for the firm (from /api/v1/nav). */
export function hasModule(id) {
  const modules = session.nav && Array.isArray(session.nav.modules) ? session.nav.modules : [];
  return modules.includes(id);
}

/** Ends the session on the server (best effort) and here. */
export async function signOut() {
  try {
    await api('POST', 'auth/logout', { quiet401: true });
  } finally {
    clearSession();
  }
}
