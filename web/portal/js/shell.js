// The signed-in layout: a header with the firm's name, the person and Sign out, then the
// navigation (from /api/v1/nav: the portal entries of the modules the firm has enabled), the
// page, and a small footer. On a phone the navigation becomes a row of equal tabs; it has room
// for the Documents and Invoices entries that later modules add.

import { h, icon, logo, replace, focusElement } from './dom.js';
import { session, signOut } from './session.js';
import { requireSignIn } from './main.js';

const MODULE_ICONS = { cases: 'folder', documents: 'doc', billing: 'bill', invoices: 'bill', portal: 'user' };

let shell = null; // { layout, main, links: [{a, href}], me }

/** Renders the layout into `root` once per session; returns the (emptied) main element. */
export function renderShell(root) {
  if (shell && root.contains(shell.layout) && shell.me === session.me) {
    shell.main.replaceChildren();
    return shell.main;
  }
  const me = session.me;
  const items = ((session.nav && session.nav.items) || []).filter((i) => typeof i.href === 'string' && i.href.startsWith('#/'));
  const links = items.map((item) => {
    const a = h('a', { class: 'nav-link', href: item.href },
      icon(MODULE_ICONS[item.module] || 'grid', 'icon nav-icon'), h('span', { class: 'nav-label', text: item.label }));
    return { a, href: item.href };
  });
  const firmName = me.firm_name || me.firm;
  const person = me.display_name || me.email;

  const signOutButton = h('button', {
    type: 'button', class: 'btn btn-ghost btn-signout',
    onclick: async (ev) => {
      ev.currentTarget.disabled = true;
      try {
        await signOut();
      } catch {
        /* signed out here either way */
      }
      shell = null;
      requireSignIn('You have signed out.', { comeBack: false });
    },
  }, icon('out'), h('span', { text: 'Sign out' }));

  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  const skip = h('a', {
    class: 'skip-link', href: '#main', text: 'Skip to content',
    onclick: (ev) => {
      ev.preventDefault();
      focusElement(main.querySelector('h1') || main);
    },
  });
  const header = h('header', { class: 'site-header' },
    h('div', { class: 'header-row' },
      h('a', { class: 'brand', href: '#/' }, logo(),
        h('span', { class: 'brand-text' },
          h('span', { class: 'brand-firm', text: firmName }),
          h('span', { class: 'brand-tag', text: 'Client portal' }))),
      h('div', { class: 'header-user' },
        h('span', { class: 'user-name' }, h('span', { class: 'sr-only', text: 'Signed in as ' }), person),
        signOutButton)),
    h('nav', { class: 'site-nav', 'aria-label': 'Portal' },
      h('ul', { class: ['nav-list', `nav-count-${Math.min(links.length, 5)}`] }, links.map(({ a }) => h('li', {}, a)))));
  const footer = h('footer', { class: 'site-footer' },
    h('p', {}, icon('lock', 'icon icon-sm'), h('span', { text: `A secure, private portal of ${firmName}. Only you and your legal team can see your matters here.` })));
  const layout = h('div', { class: 'layout' }, skip, header, main, footer);
  replace(root, layout);
  shell = { layout, main, links, me };
  return main;
}

/** Marks the navigation link of `path` ("matters/12" belongs to "#/matters") as the current page. */
export function setActiveNav(path) {
  if (!shell) return;
  const first = path.split('/')[0];
  for (const { a, href } of shell.links) {
    const target = href.replace(/^#\/?/, '').split('?')[0];
    if (target && (path === target || first === target)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}
