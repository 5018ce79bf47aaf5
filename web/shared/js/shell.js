// The shell both web apps run: hash routes, who is signed in, the plugin screens that person
// may open, the signed-in layout (each app draws its own), focus on every page change, and
// what happens when a session ends. web/app/js/main.js and web/portal/js/main.js only say
// how they differ: the kind of principal, their own pages (sign-in, first start, activation),
// their layout and their words.
//
// After sign-in the shell reads /api/v1/nav and registers the views plugins declared; opening
// one imports its module (`import()`, same origin, so the CSP allows it) and calls its
// `render(mount, kit, ctx)` (docs/web-kit.md).

import { api, onUnauthorized, sinceLastCall } from './api.js';
import { focusElement, h, icon, replace } from './dom.js';
import { Router, currentRoute } from './router.js';
import {
  session, configureSession, hasSessionHint, loadSession, clearSession, signOut, contributionsTo,
} from './session.js';
import { importModule, renderPoint } from './points.js';
import * as kit from './kit.js';

const state = {
  config: null,
  router: new Router(),
  pending: { returnTo: '', notice: '', email: '' },
  flash: '',
  seq: 0,
  firstRender: true,
  cleanups: [],
  frame: null, // the signed-in layout: { me, root, main, setActive }
  view: null, // the module of the plugin view on screen (for refreshOnReturn)
  viewsOf: null, // the /api/v1/nav answer whose views are registered
};

/**
 * Starts the shell. config:
 * - kind: 'staff' | 'portal' (the principal kind this app serves); prefix: localStorage prefix
 * - root: the element the app draws into
 * - titleSuffix(me): what follows page titles ("Clients — LexOS")
 * - layout(root, me, nav): draws the signed-in layout; returns { main, setActive(path) }
 * - routes: [{ route, render(mount, ctx), public?, title? }]: the shell's own pages
 * - homePoint: the extension point the start page shows, if any ('portal.home.cards')
 * - words: { sessionEnded, notFound, notFoundLink, otherKind: { heading, lines, href, link }, noModules }
 */
export function startShell(config) {
  state.config = config;
  configureSession({ kind: config.kind, prefix: config.prefix });
  for (const r of config.routes) state.router.add(r.route, { ...r, shell: true });
  if (!config.routes.some((r) => r.route === '')) state.router.add('', { shell: true, render: homePage });
  onUnauthorized(() => {
    if (session.me || hasSessionHint()) requireSignIn(config.words.sessionEnded);
  });
  window.addEventListener('hashchange', () => render());
  // Back to the tab after a while: a view that asks for it shows fresh data (and the shell
  // learns at once if the session ended meanwhile, for example because access was revoked).
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible' || !session.me || sinceLastCall() < 5 * 60_000) return;
    if (state.view && state.view.refreshOnReturn) render();
  });
  render();
}

/** Goes to `hash` ("#/clients/12"); `flash` is a one-time message the next page shows. `replace`: the page left leaves the history. */
export function navigate(hash, flash = '', { replace: replaceEntry = false } = {}) {
  state.flash = flash;
  if (replaceEntry) {
    window.history.replaceState(null, '', hash);
    render();
  } else if (window.location.hash === hash) render();
  else window.location.hash = hash;
}

/** Takes the one-time message left by navigate() (for example "Client created."). */
export function takeFlash() {
  const f = state.flash;
  state.flash = '';
  return f;
}

/**
 * Shows the sign-in page with `notice`. `comeBack`: once signed in again, return to the page
 * shown now (a session that ended), not after signing out on purpose.
 */
export function requireSignIn(notice = '', { comeBack = true } = {}) {
  const { path } = currentRoute();
  const here = state.router.match(path);
  if (!comeBack) state.pending.returnTo = '';
  else if (!(here && here.entry.public)) state.pending.returnTo = window.location.hash || '';
  state.pending.notice = notice;
  if (session.me && session.me.kind === state.config.kind) state.pending.email = session.me.email; // in memory only
  clearSession();
  dropViews();
  state.viewsOf = null;
  state.frame = null;
  if (path === 'signin') render();
  else window.location.hash = '#/signin';
}

/** After signing in: back to where the person was going, else the start page. */
export function afterSignIn(flash = '') {
  // Plugin views are registered at the next render; only the shell's public pages are known here.
  const back = state.pending.returnTo ? state.router.match(currentRoute(state.pending.returnTo).path) : null;
  const target = state.pending.returnTo && !(back && back.entry.public) ? state.pending.returnTo : '#/';
  state.pending = { returnTo: '', notice: '', email: '' };
  navigate(target, flash);
}

/** Signs out here and on the server, then shows the sign-in page. */
export async function signOutAndLeave() {
  await signOut().catch(() => {}); // signed out here either way
  requireSignIn('You have signed out.', { comeBack: false });
}

function dropViews() {
  state.router.remove((entry) => !entry.shell);
}

// The views of /api/v1/nav, each loaded when first opened.
function registerViews() {
  dropViews();
  for (const v of session.nav.views) {
    try {
      state.router.add(v.route, { src: v.src, module: v.module, title: v.title, render: pluginView(v) });
    } catch {
      /* a route the router cannot read is left out; the host validated it already */
    }
  }
}

function pluginView(v) {
  return async (mount, ctx) => {
    let mod;
    try {
      mod = await importModule(v.src);
      if (typeof mod.render !== 'function') throw new Error(`${v.src} exports no render(mount, kit, ctx)`);
    } catch (err) {
      if (!ctx.alive()) return null;
      // The module's file answers 404 once the session is gone: ask, so the 401 can take over.
      await api('GET', 'me');
      throw Object.assign(new Error('This page could not be loaded. Reload the page to try again.'), { cause: err });
    }
    if (!ctx.alive()) return null;
    state.view = mod;
    return mod.render(mount, kit, ctx);
  };
}

function runCleanups() {
  for (const fn of state.cleanups.splice(0)) {
    try {
      fn();
    } catch {
      /* a view's cleanup must not stop navigation */
    }
  }
}

function publicMain() {
  const main = h('main', { id: 'main', class: 'public-main', tabindex: '-1' });
  replace(state.config.root, main);
  state.frame = null;
  return main;
}

function signedInMain() {
  const { root, layout } = state.config;
  const f = state.frame;
  if (f && f.me === session.me && root.contains(f.main)) {
    f.main.replaceChildren();
    return f;
  }
  state.frame = { me: session.me, ...layout(root, session.me, session.nav) };
  return state.frame;
}

function setTitle(text) {
  const suffix = state.config.titleSuffix(session.me);
  document.title = text ? `${text} \u2014 ${suffix}` : suffix;
}

async function render() {
  const seq = ++state.seq;
  const alive = () => seq === state.seq;
  runCleanups();
  state.view = null;
  const { config } = state;
  const { path, query } = currentRoute();
  let match = state.router.match(path);

  if (path === 'signin' && session.me && session.me.kind === config.kind) {
    navigate('#/'); // already signed in (the Back button after signing in)
    return;
  }
  let container;
  if (match && match.entry.public) {
    container = publicMain();
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
        if (err.status === 401 || err.status === 403) requireSignIn(config.words.sessionEnded);
        else showFatal(err);
        return;
      }
      if (!alive()) return;
    }
    if (state.viewsOf !== session.nav) {
      // Signed in (or in again): the views this person may open now.
      registerViews();
      state.viewsOf = session.nav;
      match = state.router.match(path);
    }
    if (session.me.kind !== config.kind) {
      container = publicMain();
      match = { entry: { render: otherKindPage }, params: {} };
    } else {
      const frame = signedInMain();
      frame.setActive(path);
      container = frame.main;
      if (!match) match = { entry: { render: notFoundPage }, params: {} };
    }
  }

  const ctx = {
    params: match.params,
    query,
    path,
    alive,
    navigate,
    takeFlash,
    setTitle,
    requireSignIn,
    onCleanup: (fn) => { if (alive()) state.cleanups.push(fn); else fn(); },
    principal: session.me,
    firstRender: state.firstRender,
    signInNotice: state.pending.notice,
    signInEmail: state.pending.email,
  };
  if (match.entry.title) setTitle(match.entry.title);
  const wasFirst = state.firstRender;
  state.firstRender = false;
  try {
    const result = await match.entry.render(container, ctx);
    if (!alive()) {
      if (result && typeof result.cleanup === 'function') result.cleanup();
      return;
    }
    if (result && typeof result.cleanup === 'function') state.cleanups.push(result.cleanup);
    // The first load lets the page choose (a sign-in form focuses its first empty field);
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
  setTitle('Something went wrong');
  replace(container || state.config.root, h('section', { class: 'page narrow' },
    heading,
    h('p', { role: 'alert', class: 'alert alert-error', text: (err && err.message) || 'This page could not be shown.' }),
    h('p', {}, h('button', { type: 'button', class: 'btn', text: 'Try again', onclick: () => render() }))));
  focusElement(heading);
}

// ---- The shell's own pages --------------------------------------------------------------

/**
 * The start page: the cards of the shell's home extension point when a module contributes
 * any; otherwise straight to the first page of the navigation (or a note that there is none).
 */
function homePage(mount, ctx) {
  const point = state.config.homePoint;
  const cards = point ? contributionsTo(point) : [];
  const items = (session.nav && session.nav.items) || [];
  const first = items.find((i) => typeof i.href === 'string' && /^#\/[a-z]/.test(i.href));
  if (!cards.length && first) {
    const flash = takeFlash();
    window.history.replaceState(null, '', first.href);
    navigate(first.href, flash);
    return null;
  }
  setTitle('');
  const name = (session.me.display_name || '').trim();
  const heading = h('h1', { text: name ? `Welcome, ${name}` : 'Welcome' });
  const flash = takeFlash();
  const grid = h('div', { class: 'home-cards' });
  mount.append(h('section', { class: 'page' },
    h('div', { class: 'page-header' }, heading),
    flash ? h('p', { class: 'alert alert-success', role: 'status', text: flash }) : null,
    cards.length ? grid : h('p', { class: 'muted', text: state.config.words.noModules })));
  if (cards.length) renderPoint(point, grid, {}, ctx);
  return { focus: heading };
}

function notFoundPage(mount) {
  const { words } = state.config;
  setTitle('Page not found');
  const heading = h('h1', { text: 'Page not found' });
  mount.append(h('section', { class: 'page narrow' }, heading,
    h('p', { class: 'muted', text: words.notFound }),
    h('p', {}, h('a', { class: 'btn btn-primary', href: '#/', text: words.notFoundLink }))));
  return { focus: heading };
}

// Someone of the other kind signed in here (a client in the staff app, staff in the portal).
function otherKindPage(mount) {
  const o = state.config.words.otherKind;
  setTitle('');
  const heading = h('h1', { text: o.heading });
  mount.append(authCard([
    heading,
    o.lines.map((line, i) => h('p', { class: i ? 'muted' : null, text: line })),
    h('div', { class: 'button-row' },
      h('a', { class: 'btn btn-primary', href: o.href, text: o.link }),
      h('button', { type: 'button', class: 'btn', text: 'Sign out', onclick: () => signOutAndLeave() })),
  ]));
  return { focus: heading, focusOnLoad: true };
}

// ---- Pieces of the layouts and signed-out pages -----------------------------------------

/**
 * The card every signed-out page uses: the LexOS mark (and `tag`, like "Client portal"), then
 * `children`; `below` goes under the card.
 */
export function authCard(children, { tag = '', wide = false, below = null } = {}) {
  return h('div', { class: 'auth-page' },
    h('div', { class: ['auth-card', wide && 'auth-card-wide'] },
      h('div', { class: 'auth-brand' }, kit.logo(), h('span', { class: 'brand-name', text: 'LexOS' }),
        tag ? h('span', { class: 'auth-tag', text: tag }) : null),
      children),
    below);
}

/** The "Skip to content" link: it moves focus to the page's heading (or `main`). */
export function skipLink(main) {
  return h('a', {
    class: 'skip-link', href: '#main', text: 'Skip to content',
    onclick: (ev) => {
      ev.preventDefault();
      focusElement(main.querySelector('h1') || main);
    },
  });
}

/** The "Sign out" button of a layout. */
export function signOutButton(cls) {
  return h('button', {
    type: 'button', class: ['btn', 'btn-ghost', cls],
    onclick: (ev) => {
      ev.currentTarget.disabled = true;
      signOutAndLeave();
    },
  }, icon('out'), h('span', { text: 'Sign out' }));
}

const MODULE_ICONS = { clients: 'users', cases: 'folder', documents: 'doc', billing: 'bill', invoices: 'bill', portal: 'user' };

/**
 * The navigation entries of /api/v1/nav as links: [{ a, href, item }]. Only in-app hash routes
 * are followed (entries come from plugins).
 */
export function navLinks(items, labelClass = '') {
  return items.filter((i) => typeof i.href === 'string' && i.href.startsWith('#/')).map((item) => {
    const a = h('a', { class: 'nav-link', href: item.href },
      icon(MODULE_ICONS[item.module] || 'grid', 'icon nav-icon'), h('span', { class: labelClass || null, text: item.label }));
    return { a, href: item.href, item };
  });
}

/** Marks the link of `path` ("clients/12" belongs to "#/clients") as the current page. */
export function markCurrent(links, path) {
  const first = path.split('/')[0];
  for (const { a, href } of links) {
    const target = href.replace(/^#\/?/, '').split('?')[0];
    if (target && (path === target || first === target)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}
