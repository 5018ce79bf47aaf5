// Small pages: home (sends staff to their first module), not found, and the note a portal
// client sees if they sign in here.

import { h } from '../dom.js';
import { session, signOut } from '../session.js';
import { takeFlash, requireSignIn } from '../main.js';

export function homeView(container, ctx) {
  const items = (session.nav && session.nav.items) || [];
  const first = items.find((i) => typeof i.href === 'string' && i.href.startsWith('#/') && i.href !== '#/');
  if (first) {
    const flash = takeFlash();
    window.history.replaceState(null, '', first.href);
    ctx.navigate(first.href, flash);
    return null;
  }
  document.title = 'LexOS';
  const heading = h('h1', { text: `Welcome${session.me.display_name ? `, ${session.me.display_name}` : ''}` });
  container.append(h('section', { class: 'page narrow' }, heading,
    h('p', { class: 'muted', text: 'No modules are enabled for you yet. The firm\u2019s owner can enable them with lexosctl firm modules.' })));
  return { focus: heading };
}

export function notFoundView(container) {
  document.title = 'Page not found \u2014 LexOS';
  const heading = h('h1', { text: 'Page not found' });
  container.append(h('section', { class: 'page narrow' }, heading,
    h('p', { class: 'muted', text: 'This page does not exist or is not available to you.' }),
    h('p', {}, h('a', { href: '#/', text: 'Go to the start page' }))));
  return { focus: heading };
}

export function portalUserView(container) {
  document.title = 'Client portal \u2014 LexOS';
  const heading = h('h1', { text: 'This is the staff app' });
  container.append(h('div', { class: 'auth-page' }, h('div', { class: 'auth-card' }, heading,
    h('p', { text: 'You are signed in as a client. Your cases and documents are in the client portal.' }),
    h('p', {}, h('a', { class: 'btn btn-primary', href: '/portal/', text: 'Go to the client portal' })),
    h('p', {}, h('button', {
      type: 'button', class: 'btn', text: 'Sign out',
      onclick: async () => { await signOut().catch(() => {}); requireSignIn('You have signed out.'); },
    })))));
  return { focus: heading, focusOnLoad: true };
}
