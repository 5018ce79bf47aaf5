// Who is signed in, for the staff app and the portal alike. The session cookie is HttpOnly, so
// the page cannot see it; a small hint in localStorage ("a session was started here") decides
// whether asking /api/v1/me is worth it, so a first visit shows the sign-in page without a 401.
//
// createSession({ kind, prefix, api, setCsrfToken }) gives each app its own: `kind` is the
// principal kind the app serves ('staff' or 'portal'), `prefix` its localStorage key prefix,
// `api`/`setCsrfToken` its API client (each app words its error messages for its readers).

export function createSession({ kind, prefix, api, setCsrfToken }) {
  const HINT_KEY = `${prefix}.signedIn`;
  const FIRM_KEY = `${prefix}.firm`;

  /** The signed-in person (`/api/v1/me`) and their navigation (`/api/v1/nav`), or nulls. */
  const session = { me: null, nav: null };

  function storage() {
    try {
      return window.localStorage;
    } catch {
      return null;
    }
  }

  /** True when this browser signed in before and did not sign out. */
  function hasSessionHint() {
    return storage()?.getItem(HINT_KEY) === '1';
  }

  /** The firm short name last used to sign in here (a convenience, not a secret). */
  function rememberedFirm() {
    return storage()?.getItem(FIRM_KEY) || '';
  }

  /** Forgets the signed-in person here (after sign-out or a 401). */
  function clearSession() {
    session.me = null;
    session.nav = null;
    setCsrfToken('');
    storage()?.removeItem(HINT_KEY);
  }

  /** Loads /me and, for the app's kind of principal, /nav. Resolves true when signed in as one. */
  async function loadSession() {
    const me = await api('GET', 'me', { quiet401: true });
    setCsrfToken(me.csrf_token);
    session.me = me;
    storage()?.setItem(HINT_KEY, '1');
    if (me.kind !== kind) {
      session.nav = { items: [], modules: [] };
      return false;
    }
    session.nav = await api('GET', 'nav', { quiet401: true });
    return true;
  }

  /** Signs in, then loads the session. Rejects with ApiError (401 for wrong details). */
  async function signIn(firm, email, password) {
    const res = await api('POST', 'auth/login', { body: { firm, email, password }, quiet401: true });
    setCsrfToken(res.csrf_token);
    storage()?.setItem(HINT_KEY, '1');
    storage()?.setItem(FIRM_KEY, firm);
    return loadSession();
  }

  /** Ends the session on the server (best effort) and here. */
  async function signOut() {
    try {
      await api('POST', 'auth/logout', { quiet401: true });
    } finally {
      clearSession();
    }
  }

  /** True when the signed-in person holds `permission` (from /api/v1/me). */
  function can(permission) {
    const perms = session.me && Array.isArray(session.me.permissions) ? session.me.permissions : [];
    return perms.includes(permission);
  }

  /** True when the module `id` is enabled for the firm (from /api/v1/nav). */
  function hasModule(id) {
    const modules = session.nav && Array.isArray(session.nav.modules) ? session.nav.modules : [];
    return modules.includes(id);
  }

  return { session, hasSessionHint, rememberedFirm, clearSession, loadSession, signIn, signOut, can, hasModule };
}
