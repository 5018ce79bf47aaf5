// The staff app: hash routes, the signed-in shell (sidebar + main area) and focus management.
// Routes: #/signin, #/setup/<token>, #/ (home), #/clients, #/clients/new, #/clients/<id>,
// #/clients/<id>/edit, #/cases, #/cases/new[?client=<id>], #/cases/<id>.

import { onUnauthorized } from './api.js';
import { focusElement, h, replace } from './dom.js';
import { session, hasSessionHint, loadSession, clearSession } from './session.js';
import { renderShell, setActiveNav, closeMenu } from './shell.js';
import { signInView } from './views/signin.js';
import { setupView } from './views/setup.js';
import { homeView, notFoundView, portalUserView } from './views/misc.js';
import { clientsListView } from './views/clients_list.js';
import { clientFormView } from './views/client_form.js';
import { clientPageView } from './views/client_page.js';
import { casesListView } from './views/cases_list.js';
import { caseFormView } from './views/case_form.js';
import { casePageView } from './views/case_page.js';

const root = document.getElementById('app');

const routes = [
  { pattern: /^signin$/, view: signInView, public: true },
  { pattern: /^setup\/([^/]+)$/, view: setupView, public: true, params: ['token'] },
  { pattern: /^$/, view: homeView },
  { pattern: /^clients$/, view: clientsListView },
  { pattern: /^clients\/new$/, view: clientFormView },
  { pattern: /^clients\/([^/]+)$/, view: clientPageView, params: ['id'] },
  { pattern: /^clients\/([^/]+)\/edit$/, view: clientFormView, params: ['id'] },
  { pattern: /^cases$/, view: casesListView },
  { pattern: /^cases\/new$/, view: caseFormView },
  { pattern: /^cases\/([^/]+)$/, view: casePageView, params: ['id'] },
];

/** Where to go after signing in, and a message to show on the sign-in page. */
const pending = { returnTo: '', notice: '' };
let renderSeq = 0;
let firstRender = true;
let cleanup = null;

/** Parses location.hash ("#/clients?q=x") into { path: "clients", query: URLSearchParams }. */
export function currentRoute() {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [path, qs = ''] = raw.split('?');
  return { path: path.replace(/\/+$/, ''), query: new URLSearchParams(qs) };
}

/** Goes to `hash` ("#/clients/12"); `flash` is a message the next view announces. */
export function navigate(hash, flash = '') {
  pendingFlash = flash;
  if (window.location.hash === hash) render();
  else window.location.hash = hash;
}
let pendingFlash = '';

/** Takes the one-time message left by navigate() (for example "Client created."). */
export function takeFlash() {
  const f = pendingFlash;
  pendingFlash = '';
  return f;
}

/** Sends the person to the sign-in page, then back to the current page once signed in. */
export function requireSignIn(notice = '') {
  const { path } = currentRoute();
  if (path !== 'signin' && !path.startsWith('setup/')) pending.returnTo = window.location.hash || '#/';
  pending.notice = notice;
  clearSession();
  if (currentRoute().path === 'signin') render();
  else window.location.hash = '#/signin';
}

/** After sign-in: where the person was going. */
export function afterSignIn() {
  const target = pending.returnTo && pending.returnTo !== '#/signin' ? pending.returnTo : '#/';
  pending.returnTo = '';
  pending.notice = '';
  navigate(target);
}

onUnauthorized(() => requireSignIn('Your session has ended. Sign in again to continue.'));

async function render() {
  const seq = ++renderSeq;
  const alive = () => seq === renderSeq;
  if (cleanup) {
    try {
      cleanup();
    } catch {
      /* a view's cleanup must not stop navigation */
    }
    cleanup = null;
  }
  const { path, query } = currentRoute();
  let route = routes.find((r) => r.pattern.test(path));
  const params = {};
  if (route) {
    const m = path.match(route.pattern);
    (route.params || []).forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1]);
    });
  }

  if (path === 'signin' && session.me && session.me.kind === 'staff') {
    navigate('#/'); // already signed in (for example the Back button after signing in)
    return;
  }
  const ctx = { params, query, alive, navigate, signInNotice: pending.notice, firstRender };
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
        if (err.status === 401 || err.status === 403) requireSignIn('Your session has ended. Sign in again to continue.');
        else showFatal(err);
        return;
      }
      if (!alive()) return;
    }
    if (session.me.kind !== 'staff') {
      container = h('main', { id: 'main', class: 'public-main', tabindex: '-1' });
      replace(root, container);
      route = { view: portalUserView };
    } else {
      container = renderShell(root);
      setActiveNav(path);
      closeMenu();
    }
    if (!route) route = { view: notFoundView };
  }

  const wasFirst = firstRender;
  firstRender = false;
  try {
    const result = await route.view(container, ctx);
    if (!alive()) return;
    if (result && typeof result.cleanup === 'function') cleanup = result.cleanup;
    // Focus: the first load lets the view choose (a sign-in form focuses its first field);
    // every later route change moves focus to the new page's heading, so screen readers
    // announce it and keyboard users start at the top of the new content.
    const target = result && result.focus;
    if (target && (!wasFirst || result.focusOnLoad)) focusElement(target);
  } catch (err) {
    if (!alive()) return;
    if (err && err.status === 401) return; // the 401 listener already took over
    showFatal(err, container);
  }
}

function showFatal(err, container) {
  const target = container || root;
  const heading = h('h1', { text: 'Something went wrong' });
  replace(target, h('section', { class: 'page narrow' },
    heading,
    h('p', { role: 'alert', class: 'alert alert-error', text: (err && err.message) || 'The page could not be shown.' }),
    h('p', {}, h('button', { type: 'button', class: 'btn', text: 'Try again', onclick: () => render() }))));
  focusElement(heading);
}

window.addEventListener('hashchange', () => render());
render();
