// The staff app's signed-in layout: a left sidebar (firm, the modules this person may use,
// grouped by section, and sign-out) and the main area pages render into. On a phone the
// sidebar folds into a top bar with a Menu button.

import { h, icon, logo, replace } from '../../shared/js/dom.js';
import { markCurrent, navLinks, signOutButton, skipLink } from '../../shared/js/shell.js';

let open = null; // the layout on screen, for the Escape key

/** Draws the layout into `root` for `me` and `nav`; returns { main, setActive(path) }. */
export function sidebarLayout(root, me, nav) {
  const links = navLinks(nav.items);
  const sections = new Map();
  for (const link of links) {
    const key = link.item.section || 'Modules';
    if (!sections.has(key)) sections.set(key, []);
    sections.get(key).push(link);
  }
  const navGroups = [...sections].map(([section, list]) => {
    const headingId = `nav-${section.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    return h('div', { class: 'nav-group' },
      h('h2', { class: 'nav-section', id: headingId, text: section }),
      h('ul', { class: 'nav-list', 'aria-labelledby': headingId }, list.map(({ a }) => h('li', {}, a))));
  });
  if (!links.length) navGroups.push(h('p', { class: 'nav-empty', text: 'No modules are enabled for you yet. Ask the firm\u2019s owner.' }));

  const brand = () => h('a', { class: 'brand-mark', href: '#/' }, logo(), h('span', { class: 'brand-name', text: 'LexOS' }));
  const menuButton = h('button', {
    type: 'button', class: 'btn btn-ghost menu-button', 'aria-expanded': 'false', 'aria-controls': 'sidebar',
    onclick: () => toggleMenu(),
  }, icon('menu'), h('span', { text: 'Menu' }));
  const sidebar = h('nav', { class: 'sidebar', id: 'sidebar', 'aria-label': 'Main' },
    h('div', { class: 'brand' }, brand(), h('p', { class: 'brand-firm', text: me.firm_name || me.firm })),
    h('div', { class: 'nav-groups' }, navGroups),
    h('div', { class: 'sidebar-footer' },
      h('p', { class: 'user-name', text: me.display_name || me.email }),
      me.display_name ? h('p', { class: 'user-email', text: me.email }) : null,
      h('a', { class: 'user-link', href: '#/account/security', text: 'Sign-in security' }),
      signOutButton('signout')));
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  const layout = h('div', { class: 'layout' }, skipLink(main), h('header', { class: 'topbar' }, brand(), menuButton), sidebar, main);
  replace(root, layout);
  open = { layout, sidebar, menuButton };

  function closeMenu() {
    layout.classList.remove('menu-open');
    menuButton.setAttribute('aria-expanded', 'false');
  }
  function toggleMenu() {
    const on = !layout.classList.contains('menu-open');
    layout.classList.toggle('menu-open', on);
    menuButton.setAttribute('aria-expanded', String(on));
    if (on) sidebar.querySelector('a.nav-link, button')?.focus();
  }
  open.closeMenu = closeMenu;
  return {
    main,
    setActive(path) {
      markCurrent(links, path);
      closeMenu();
    },
  };
}

document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && open && open.layout.isConnected && open.layout.classList.contains('menu-open')) {
    open.closeMenu();
    open.menuButton.focus();
  }
});
