// The client directory (view "clients"): Name, Email, Phone, Portal; a Search box, a status
// filter, keyset paging (Previous/Next), empty states, and the teal "New client" button.

import { h, icon, srOnly, can, pagedList, onSearch, keepInAddress } from '/shared/js/kit.js';
import { clientHref, portalMark, primaryEmail, primaryPhone, styles } from './parts.js';

export const PAGE_SIZE = 25;

export async function render(mount, kit, ctx) {
  await styles();
  ctx.setTitle('Clients');
  const status0 = ctx.query.get('status');
  const filters = {
    q: ctx.query.get('q') || '',
    status: ['active', 'archived', 'all'].includes(status0) ? status0 : 'active',
  };
  const mayWrite = can('clients.write');

  const heading = h('h1', { text: 'Clients' });
  const newButton = mayWrite ? h('button', {
    type: 'button', class: 'btn btn-primary', onclick: () => ctx.navigate('#/clients/new'),
  }, icon('plus'), h('span', { text: 'New client' })) : null;

  const search = h('input', {
    type: 'search', id: 'client-search', name: 'q', value: filters.q, autocomplete: 'off',
    placeholder: 'Name, email or phone', 'aria-controls': 'client-results', spellcheck: 'false',
  });
  const status = h('select', { id: 'client-status', name: 'status', 'aria-controls': 'client-results' },
    h('option', { value: 'active', text: 'Active clients' }),
    h('option', { value: 'archived', text: 'Archived clients' }),
    h('option', { value: 'all', text: 'All clients' }));
  status.value = filters.status;

  const flash = ctx.takeFlash();
  const list = pagedList({
    ctx, path: 'clients', pageSize: PAGE_SIZE, noun: 'clients', id: 'client-results',
    query: () => ({ q: filters.q, status: filters.status }),
    draw: table,
    empty: emptyState,
    emptyText: () => (filters.q ? `No clients match \u201c${filters.q}\u201d.` : 'No clients yet.'),
  });

  mount.append(h('section', { class: 'page' },
    h('div', { class: 'page-header' },
      h('div', {}, heading, h('p', { class: 'page-sub', text: 'The people and organisations the firm represents.' })),
      newButton ? h('div', { class: 'page-actions' }, newButton) : null),
    flash ? h('p', { class: 'alert alert-success', role: 'status', text: flash }) : null,
    h('div', { class: 'toolbar', role: 'search' },
      h('div', { class: 'toolbar-field toolbar-search' },
        h('label', { for: 'client-search', class: 'label', text: 'Search' }),
        h('div', { class: 'input-icon' }, icon('search', 'icon input-icon-glyph'), search)),
      h('div', { class: 'toolbar-field' },
        h('label', { for: 'client-status', class: 'label', text: 'Show' }), status)),
    list.results, list.pager, list.live));

  const stopSearch = onSearch(search, restart);
  status.addEventListener('change', () => restart());

  function restart() {
    const q = search.value.trim();
    if (q === filters.q && status.value === filters.status && list.showing()) return;
    filters.q = q;
    filters.status = status.value;
    keepInAddress('clients', { q: filters.q, status: filters.status !== 'active' ? filters.status : '' });
    list.restart();
  }

  function table(items, page) {
    const caption = h('caption', { class: 'sr-only',
      text: filters.q ? `Clients matching \u201c${filters.q}\u201d, page ${page + 1}` : `Clients, page ${page + 1}` });
    return h('div', { class: 'table-card' },
      h('table', { class: 'data-table clients-table' }, caption,
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col', class: 'col-name', text: 'Name' }),
          h('th', { scope: 'col', class: 'col-email', text: 'Email' }),
          h('th', { scope: 'col', class: 'col-phone', text: 'Phone' }),
          h('th', { scope: 'col', class: 'col-portal', text: 'Portal' }))),
        h('tbody', {}, items.map(row))));
  }

  function row(c) {
    const href = clientHref(c.id);
    const email = primaryEmail(c);
    const phone = primaryPhone(c);
    // One line a row, so the list scans evenly: an organisation's contact person follows its name.
    const aside = c.kind === 'organisation' && c.contact_person ? c.contact_person : '';
    const none = () => h('span', { class: 'muted' }, '\u2014', srOnly('none'));
    const tr = h('tr', { class: c.status === 'archived' ? 'is-archived' : null },
      h('td', { class: 'col-name', dataset: { label: 'Name' } },
        h('div', { class: 'name-line' },
          h('a', { class: 'row-link', href, text: c.name || '(no name)' }),
          aside ? h('span', { class: 'cell-aside', title: `Contact person: ${aside}` }, srOnly(', contact person '), aside) : null,
          c.status === 'archived' ? h('span', { class: 'badge badge-muted', text: 'Archived' }) : null)),
      h('td', { class: 'col-email', dataset: { label: 'Email' } },
        email ? h('span', { class: 'truncate', title: email, text: email }) : none()),
      h('td', { class: 'col-phone', dataset: { label: 'Phone' } },
        phone ? h('span', { class: 'nowrap', text: phone }) : none()),
      h('td', { class: 'col-portal', dataset: { label: 'Portal' } }, portalMark(c.portal_status)));
    // The whole row is a target for the mouse; the name link is the keyboard's way in.
    tr.addEventListener('click', (ev) => {
      if (ev.target.closest('a, button') || window.getSelection().toString()) return;
      ctx.navigate(href);
    });
    return tr;
  }

  function emptyState() {
    if (filters.q) {
      return h('div', { class: 'empty-state' },
        icon('search', 'icon empty-icon'),
        h('h2', { text: `No clients match \u201c${filters.q}\u201d` }),
        h('p', { class: 'muted', text: 'Check the spelling, or search by email address or phone number.' }),
        h('button', {
          type: 'button', class: 'btn', text: 'Clear search',
          onclick: () => { search.value = ''; restart(); search.focus(); },
        }));
    }
    if (filters.status === 'archived') {
      return h('div', { class: 'empty-state' }, icon('folder', 'icon empty-icon'),
        h('h2', { text: 'No archived clients' }),
        h('p', { class: 'muted', text: 'Clients you archive are kept here, out of the everyday list.' }));
    }
    return h('div', { class: 'empty-state' },
      icon('users', 'icon empty-icon'),
      h('h2', { text: 'No clients yet' }),
      h('p', { class: 'muted', text: 'Add your first client to keep their contact and billing details in one place.' }),
      mayWrite ? h('button', { type: 'button', class: 'btn btn-primary', onclick: () => ctx.navigate('#/clients/new') },
        icon('plus'), h('span', { text: 'Add your first client' })) : null);
  }

  list.restart();
  return {
    focus: heading,
    cleanup: () => {
      stopSearch();
      list.abort();
    },
  };
}
