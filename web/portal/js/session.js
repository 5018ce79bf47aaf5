// Who is signed in to the portal. The session cookie is HttpOnly, so the page cannot see it; a
// small hint in localStorage ("a session was started here") decides whether asking /api/v1/me
// is worth it, so a first visit shows the sign-in page without a 401 in the console.

import { api, setCsrfToken } from './api.js';

const HINT_KEY = 'lexos.portal.signedIn';
const FIRM_KEY = 'lexos.portal.firm';

/** The signed-in person (`/api/v1/me`) and their navigation (`/api/v1/nav`), or nulls. */
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

/** The firm short name last used here (a convenience for the sign-in form, not a secret). */
export function rememberedFirm() {
  return storage()?.getItem(FIRM_KEY) || '';
}

/** Forgets the signed-in person here (after sign-out or a 401). */
export function clearSession() {
  session.me = null;
  session.nav = null;
  setCsrfToken('');
  storage()?.removeItem(HINT_KEY);
}

/** Loads /me and, for a portal user, /nav. Resolves true when signed in as a portal user. */
export async function loadSession() {
  const me = await api('GET', 'me', { quiet401: true });
  setCsrfToken(me.csrf_token);
  session.me = me;
  storage()?.setItem(HINT_KEY, '1');
  if (me.kind !== 'portal') {
    session.nav = { items: [] };
    return false;
  }
  session.nav = await api('GET', 'nav', { quiet401: true });
  return true;
}

/** Signs in, then loads the session. Rejects with ApiError (401 for wrong details). */
export async function signIn(firm, email, password) {
  const res = await api('POST', 'auth/login', { body: { firm, email, password }, quiet401: true });
  setCsrfToken(res.csrf_token);
  storage()?.setItem(HINT_KEY, '1');
  storage()?.setItem(FIRM_KEY, firm);
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
