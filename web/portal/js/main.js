// The client portal: hash routes, the signed-in layout, focus management and what happens when
// a session ends. Routes: #/signin, #/activate/<token>, #/ (the first page of the navigation),
// #/matters, #/matters/<id>, #/account.
//
// Read-only by design: the only changes a client can make are to their own password and
// sessions (the account page); every other call is a GET.

import { onUnauthorized, sinceLastCall } from './api.js';
import { focusElement, h, replace } from './dom.js';
import { session, hasSessionHint, loadSession, clearSession } from './session.js';
import { renderShell, setActiveNav } from './shell.js';
import { signInView, staffNoteView } from './views/signin.js';
import { activateView } from './views/activate.js';
import { mattersView } from './views/matters.js';
import { matterView } from './views/matter.js';
import { accountView } from './views/account.js';
import { notFoundView } from './views/not_found.js';

export const SESSION_ENDED = 'Your session has ended. Sign in again.';

const root = document.getElementById('app');

const routes = [
  { pattern: /^signin$/, view: signInView, public: true },
  { pattern: /^activate\/([^/]+)$/, view: activateView, public: true, params: ['token'] },
  { pattern: /^$/, view: homeView },
  { pattern: /^matters$/, view: mattersView },
  { pattern: /^matters\/([^/]+)$/, view: matterView, params: ['id'] },
  { pattern: /^account$/, view: accountView },
];

/** Where to go after signing in, and the message the sign-in page shows. */
const pending = { returnTo: '', notice: '', email: '' };
let pendingFlash = '';
let renderSeq = 0;
let firstRender = true;

/** Parses location.hash ("#/signin?firm=x") into { path: "signin", query: URLSearchParams }. */
export function currentRoute() {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [path, qs = ''] = raw.split('?');
  return { path: path.replace(/\/+$/, ''), query: new URLSearchParams(qs) };
}

/**
 * Goes to `hash`; `flash` is a one-time message the next page announces. `replace`: the page
 * left behind leaves the history too (the activation link, whose token is spent).
 */
export function navigate(hash, flash = '', { replace: replaceEntry = false } = {}) {
  pendingFlash = flash;
  if (replaceEntry) {
    window.history.replaceState(null, '', hash);
    render();
  } else if (window.location.hash === hash) render();
  else window.location.hash = hash;
}

/** Takes the one-time message left by navigate() (for example "Your account is ready."). */
export function takeFlash() {
  const f = pendingFlash;
  pendingFlash = '';
  return f;
}

/**
 * Shows the sign-in page with `notice`. `comeBack`: once signed in again, return to the current
 * page (a session that ended); not after signing out on purpose.
 */
export function requireSignIn(notice = '', { comeBack = true } = {}) {
  const { path } = currentRoute();
  if (!comeBack) pending.returnTo = '';
  else if (path !== 'signin' && !path.startsWith('activate/')) pending.returnTo = window.location.hash || '';
  pending.notice = notice;
  if (session.me && session.me.kind === 'portal') pending.email = session.me.email; // kept in memory only
  clearSession();
  if (path === 'signin') render();
  else window.location.hash = '#/signin';
}

/** After signing in: back to where the person was going, else their first page. */
export function afterSignIn(flash = '') {
  const target = pending.returnTo && !/^#\/?(signin|activate\/)/.test(pending.returnTo) ? pending.returnTo : '#/';
  pending.returnTo = '';
  pending.notice = '';
  pending.email = '';
  navigate(target, flash);
}

onUnauthorized(() => {
  if (session.me || hasSessionHint()) requireSignIn(SESSION_ENDED);
});

function homeView(container, ctx) {
  const items = (session.nav && session.nav.items) || [];
  const first = items.find((i) => typeof i.href === 'string' && /^#\/[a-z]/.test(i.href));
  const target = first ? first.href : '#/account';
  window.history.replaceState(null, '', target);
  ctx.navigate(target, takeFlash());
  return null;
}

async function render() {
  const seq = ++renderSeq;
  const alive = () => seq === renderSeq;
  const { path, query } = currentRoute();
  let route = routes.find((r) => r.pattern.test(path));
  const params = {};
  if (route) {
    const m = path.match(route.pattern);
    (route.params || []).forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1]);
    });
  }
  if (path === 'signin' && session.me && session.me.kind === 'portal') {
    navigate('#/'); // already signed in (the Back button after signing in)
    return;
  }
  const ctx = { params, query, alive, navigate, signInNotice: pending.notice, signInEmail: pending.email, firstRender };
  let container;
  if (route && route.public) {
    container = h('main', { id: 'main', class: 'public-main', tabindex: '-1' });
    replace(root, container);
  } else {
    if (!session.me) {
      if (!hasSessionHint()) {
        requireSignIn();
        return;
      }
      try {
        await loadSession();
      } catch (err) {
        if (!alive()) return;
        if (err.status === 401) requireSignIn(SESSION_ENDED);
        else showFatal(err);
        return;
      }
      if (!alive()) return;
    }
    if (session.me.kind !== 'portal') {
      container = h('main', { id: 'main', class: 'public-main', tabindex: '-1' });
      replace(root, container);
      route = { view: staffNoteView };
    } else {
      container = renderShell(root);
      setActiveNav(path);
    }
    if (!route) route = { view: notFoundView };
  }

  const wasFirst = firstRender;
  firstRender = false;
  try {
    const result = await route.view(container, ctx);
    if (!alive()) return;
    // The first load lets the view choose (a sign-in form focuses its first empty field);
    // every later page change moves focus to the new page's heading, so a screen reader
    // announces it and the keyboard starts at the top of the new content.
    const target = result && result.focus;
    if (target && (!wasFirst || result.focusOnLoad)) focusElement(target);
  } catch (err) {
    if (!alive()) return;
    if (err && err.status === 401) return; // the 401 listener took over
    showFatal(err, container);
  }
}

function showFatal(err, container) {
  const heading = h('h1', { text: 'Something went wrong' });
  replace(container || root, h('section', { class: 'page narrow' },
    heading,
    h('p', { role: 'alert', class: 'alert alert-error', text: (err && err.message) || 'This page could not be shown.' }),
    h('p', {}, h('button', { type: 'button', class: 'btn', text: 'Try again', onclick: () => render() }))));
  focusElement(heading);
}

window.addEventListener('hashchange', () => render());
// Coming back to the tab after a while: show fresh data (and find out at once if the session
// ended meanwhile, for example because the firm revoked access).
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState !== 'visible' || !session.me || sinceLastCall() < 5 * 60_000) return;
  if (currentRoute().path.startsWith('matters')) render(); // not the account page: it may hold typing
});
render();
