// The portal's signed-in layout: a header with the firm's logo and name, the person and Sign out, then
// the navigation (the portal entries of the modules the firm has switched on), the page and a
// small footer. On a phone the navigation becomes a row of equal tabs, with room for the
// entries later modules add.

import { h, icon, logo, replace } from '../../shared/js/dom.js';
import { markCurrent, navLinks, signOutButton, skipLink } from '../../shared/js/shell.js';

/** Draws the layout into `root` for `me` and `nav`; returns { main, setActive(path) }. */
export function headerLayout(root, me, nav) {
  const links = navLinks(nav.items, 'nav-label');
  const firmName = (nav.firm && nav.firm.name) || me.firm_name || me.firm;
  // The firm's own logo when it has one (Firm settings); the name beside it says who it is.
  const mark = nav.firm && nav.firm.logo_url ? h('img', { class: 'brand-img', src: nav.firm.logo_url, alt: '' }) : logo();
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  const header = h('header', { class: 'site-header' },
    h('div', { class: 'header-row' },
      h('a', { class: 'brand', href: '#/' }, mark,
        h('span', { class: 'brand-text' },
          h('span', { class: 'brand-firm', text: firmName }),
          h('span', { class: 'brand-tag', text: 'Client portal' }))),
      h('div', { class: 'header-user' },
        h('span', { class: 'user-name' }, h('span', { class: 'sr-only', text: 'Signed in as ' }), me.display_name || me.email),
        signOutButton('btn-signout'))),
    h('nav', { class: 'site-nav', 'aria-label': 'Portal' },
      h('ul', { class: ['nav-list', `nav-count-${Math.min(links.length, 5)}`] }, links.map(({ a }) => h('li', {}, a)))));
  const footer = h('footer', { class: 'site-footer' },
    h('p', {}, icon('lock', 'icon icon-sm'),
      h('span', { text: `A secure, private portal of ${firmName}. Only you and your legal team can see your matters here.` })));
  replace(root, h('div', { class: 'layout' }, skipLink(main), header, main, footer));
  return { main, setActive: (path) => markCurrent(links, path) };
}
