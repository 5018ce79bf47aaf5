// The signed-in layout: a left sidebar (firm, the modules this person may use, grouped by
// section, and sign-out) and the main area views render into. On a phone the sidebar folds
// into a top bar with a Menu button.

import { h, icon, replace, focusElement } from './dom.js';
import { session, signOut } from './session.js';
import { requireSignIn } from './main.js';

const MODULE_ICONS = { clients: 'users', cases: 'folder', documents: 'doc', billing: 'bill' };

let shell = null; // { layout, main, sidebar, menuButton, links: [{a, href}], me }
let keyListening = false;

/** Renders the shell into `root` once per session and returns the (emptied) main element. */
export function renderShell(root) {
  if (shell && root.contains(shell.layout) && shell.me === session.me) {
    shell.main.replaceChildren();
    return shell.main;
  }
  const me = session.me;
  const items = (session.nav && session.nav.items) || [];

  const sections = new Map();
  for (const item of items) {
    const key = item.section || 'Modules';
    if (!sections.has(key)) sections.set(key, []);
    sections.get(key).push(item);
  }
  const links = [];
  const navGroups = [];
  for (const [section, list] of sections) {
    const headingId = `nav-${section.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    navGroups.push(h('div', { class: 'nav-group' },
      h('h2', { class: 'nav-section', id: headingId, text: section }),
      h('ul', { class: 'nav-list', 'aria-labelledby': headingId },
        list.map((item) => {
          const href = safeHref(item.href);
          const a = h('a', { class: 'nav-link', href },
            icon(MODULE_ICONS[item.module] || 'grid', 'icon nav-icon'),
            h('span', { text: item.label }));
          links.push({ a, href });
          return h('li', {}, a);
        }))));
  }
  if (!items.length) {
    navGroups.push(h('p', { class: 'nav-empty', text: 'No modules are enabled for you yet. Ask the firm\u2019s owner.' }));
  }

  const person = me.display_name || me.email;
  const sidebarId = 'sidebar';
  const menuButton = h('button', {
    type: 'button', class: 'btn btn-ghost menu-button', 'aria-expanded': 'false', 'aria-controls': sidebarId,
    onclick: () => toggleMenu(),
  }, icon('menu'), h('span', { text: 'Menu' }));

  const sidebar = h('nav', { class: 'sidebar', id: sidebarId, 'aria-label': 'Main' },
    h('div', { class: 'brand' },
      h('a', { class: 'brand-mark', href: '#/' }, h('span', { class: 'brand-logo', 'aria-hidden': 'true', text: 'L' }),
        h('span', { class: 'brand-name', text: 'LexOS' })),
      h('p', { class: 'brand-firm', text: me.firm_name || me.firm })),
    h('div', { class: 'nav-groups' }, navGroups),
    h('div', { class: 'sidebar-footer' },
      h('p', { class: 'user-name', text: person }),
      me.display_name ? h('p', { class: 'user-email', text: me.email }) : null,
      h('button', {
        type: 'button', class: 'btn btn-ghost signout', onclick: async (ev) => {
          ev.currentTarget.disabled = true;
          try {
            await signOut();
          } catch {
            /* signed out locally either way */
          }
          shell = null;
          requireSignIn('You have signed out.');
        },
      }, icon('out'), h('span', { text: 'Sign out' }))));

  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  const skip = h('a', {
    class: 'skip-link', href: '#main', text: 'Skip to content',
    onclick: (ev) => {
      ev.preventDefault();
      const heading = main.querySelector('h1');
      focusElement(heading || main);
    },
  });
  const topbar = h('header', { class: 'topbar' },
    h('a', { class: 'brand-mark', href: '#/' }, h('span', { class: 'brand-logo', 'aria-hidden': 'true', text: 'L' }),
      h('span', { class: 'brand-name', text: 'LexOS' })),
    menuButton);
  const layout = h('div', { class: 'layout' }, skip, topbar, sidebar, main);
  replace(root, layout);
  if (!keyListening) document.addEventListener('keydown', onKeydown);
  keyListening = true;
  shell = { layout, main, sidebar, menuButton, links, me };
  return main;
}

/** Marks the sidebar link for `path` ("clients/12" matches "#/clients") as the current page. */
export function setActiveNav(path) {
  if (!shell) return;
  const first = path.split('/')[0];
  for (const { a, href } of shell.links) {
    const target = href.replace(/^#\/?/, '').split('?')[0];
    const on = target !== '' && (path === target || first === target);
    if (on) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

/** Folds the phone menu (after a navigation). */
export function closeMenu() {
  if (!shell) return;
  shell.layout.classList.remove('menu-open');
  shell.menuButton.setAttribute('aria-expanded', 'false');
}

function toggleMenu() {
  const open = !shell.layout.classList.contains('menu-open');
  shell.layout.classList.toggle('menu-open', open);
  shell.menuButton.setAttribute('aria-expanded', String(open));
  if (open) {
    const first = shell.sidebar.querySelector('a.nav-link, button');
    if (first) first.focus();
  }
}

function onKeydown(ev) {
  if (ev.key === 'Escape' && shell && shell.layout.classList.contains('menu-open')) {
    closeMenu();
    shell.menuButton.focus();
  }
}

// Nav hrefs come from plugins: only in-app hash routes or same-site paths are followed.
function safeHref(href) {
  if (typeof href !== 'string') return '#/';
  if (href.startsWith('#/')) return href;
  if (href.startsWith('/') && !href.startsWith('//')) return href;
  return '#/';
}
