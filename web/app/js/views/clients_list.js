// The client directory: Name, Email, Phone, Portal; a Search box, a status filter, cursor
// pagination (Previous/Next), empty states, and the teal "New client" button.

import { h, icon, replace, srOnly } from '../dom.js';
import { fetchPage, keepInAddress, onSearch, pagerControls } from './paged.js';
import { portalMark, primaryEmail, primaryPhone } from '../format.js';
import { takeFlash } from '../main.js';

export const PAGE_SIZE = 25;

export function clientsListView(container, ctx) {
  document.title = 'Clients \u2014 LexOS';
  const state = {
    q: ctx.query.get('q') || '',
    status: ['active', 'archived', 'all'].includes(ctx.query.get('status')) ? ctx.query.get('status') : 'active',
    cursors: [null], // cursors[i] fetches page i+1
    page: 0,
    controller: null,
  };

  const heading = h('h1', { text: 'Clients' });
  const newButton = h('button', {
    type: 'button', class: 'btn btn-primary', onclick: () => ctx.navigate('#/clients/new'),
  }, icon('plus'), h('span', { text: 'New client' }));

  const search = h('input', {
    type: 'search', id: 'client-search', name: 'q', value: state.q, autocomplete: 'off',
    placeholder: 'Name, email or phone', 'aria-controls': 'client-results', spellcheck: 'false',
  });
  const status = h('select', { id: 'client-status', name: 'status', 'aria-controls': 'client-results' },
    h('option', { value: 'active', text: 'Active clients' }),
    h('option', { value: 'archived', text: 'Archived clients' }),
    h('option', { value: 'all', text: 'All clients' }));
  status.value = state.status;

  const flash = takeFlash();
  const live = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const flashEl = flash ? h('p', { class: 'alert alert-success', role: 'status', text: flash }) : null;
  const results = h('div', { id: 'client-results', class: 'results' });
  const { prev, next, range, pager } = pagerControls(go, state);

  container.append(h('section', { class: 'page' },
    h('div', { class: 'page-header' },
      h('div', {}, heading, h('p', { class: 'page-sub', text: 'The people and organisations the firm represents.' })),
      h('div', { class: 'page-actions' }, newButton)),
    flashEl,
    h('div', { class: 'toolbar', role: 'search' },
      h('div', { class: 'toolbar-field toolbar-search' },
        h('label', { for: 'client-search', class: 'label', text: 'Search' }),
        h('div', { class: 'input-icon' }, icon('search', 'icon input-icon-glyph'), search)),
      h('div', { class: 'toolbar-field' },
        h('label', { for: 'client-status', class: 'label', text: 'Show' }), status)),
    results, pager, live));

  onSearch(search, restart);
  status.addEventListener('change', () => restart());

  function restart() {
    const q = search.value.trim();
    if (q === state.q && status.value === state.status && state.page === 0 && results.childElementCount) return;
    state.q = q;
    state.status = status.value;
    state.cursors = [null];
    state.page = 0;
    keepInAddress('clients', { q: state.q, status: state.status !== 'active' ? state.status : '' });
    load();
  }

  function go(page) {
    if (page < 0 || page >= state.cursors.length) return;
    state.page = page;
    load(true);
  }

  async function load(fromPager = false) {
    const items = await fetchPage(state, {
      path: 'clients', query: { q: state.q, status: state.status }, pageSize: PAGE_SIZE,
      results, pager, prev, next, noun: 'clients', ctx, retry: () => load(),
    });
    if (!items) return;
    const nextCursor = state.cursors[state.page + 1] || null;

    if (!items.length && state.page === 0) {
      replace(results, emptyState());
      pager.hidden = true;
      live.textContent = state.q ? `No clients match \u201c${state.q}\u201d.` : 'No clients yet.';
      return;
    }
    replace(results, table(items));
    const from = state.page * PAGE_SIZE + 1;
    const to = state.page * PAGE_SIZE + items.length;
    range.textContent = `Showing ${from}\u2013${to}`;
    prev.disabled = state.page === 0;
    next.disabled = !nextCursor;
    pager.hidden = state.page === 0 && !nextCursor;
    live.textContent = `Showing clients ${from} to ${to}${nextCursor ? '' : ' (last page)'}.`;
    if (fromPager) {
      // Keep the keyboard where it was; if that button just became disabled, use the other.
      const keep = document.activeElement;
      if (keep === prev && prev.disabled) next.focus();
      if (keep === next && next.disabled) prev.focus();
      results.scrollIntoView({ block: 'start', behavior: 'auto' });
    }
  }

  function table(items) {
    const caption = h('caption', { class: 'sr-only',
      text: state.q ? `Clients matching \u201c${state.q}\u201d, page ${state.page + 1}` : `Clients, page ${state.page + 1}` });
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
    const href = `#/clients/${encodeURIComponent(String(c.id))}`;
    const email = primaryEmail(c);
    const phone = primaryPhone(c);
    // One line a row, so the list scans evenly: an organisation's contact person follows its name.
    const aside = c.kind === 'organisation' && c.contact_person ? c.contact_person : '';
    const tr = h('tr', { class: c.status === 'archived' ? 'is-archived' : null },
      h('td', { class: 'col-name', dataset: { label: 'Name' } },
        h('div', { class: 'name-line' },
          h('a', { class: 'row-link', href, text: c.name || '(no name)' }),
          aside ? h('span', { class: 'cell-aside', title: `Contact person: ${aside}` }, srOnly(', contact person '), aside) : null,
          c.status === 'archived' ? h('span', { class: 'badge badge-muted', text: 'Archived' }) : null)),
      h('td', { class: 'col-email', dataset: { label: 'Email' } },
        email ? h('span', { class: 'truncate', title: email, text: email }) : h('span', { class: 'muted' }, '\u2014', srOnly('none'))),
      h('td', { class: 'col-phone', dataset: { label: 'Phone' } },
        phone ? h('span', { class: 'nowrap', text: phone }) : h('span', { class: 'muted' }, '\u2014', srOnly('none'))),
      h('td', { class: 'col-portal', dataset: { label: 'Portal' } }, portalMark(c.portal_status)));
    // The whole row is a target for the mouse; the name link is the keyboard's way in.
    tr.addEventListener('click', (ev) => {
      if (ev.target.closest('a, button') || window.getSelection().toString()) return;
      ctx.navigate(href);
    });
    return tr;
  }

  function emptyState() {
    if (state.q) {
      return h('div', { class: 'empty-state' },
        icon('search', 'icon empty-icon'),
        h('h2', { text: `No clients match \u201c${state.q}\u201d` }),
        h('p', { class: 'muted', text: 'Check the spelling, or search by email address or phone number.' }),
        h('button', {
          type: 'button', class: 'btn', text: 'Clear search',
          onclick: () => { search.value = ''; restart(); search.focus(); },
        }));
    }
    if (state.status === 'archived') {
      return h('div', { class: 'empty-state' }, icon('folder', 'icon empty-icon'),
        h('h2', { text: 'No archived clients' }),
        h('p', { class: 'muted', text: 'Clients you archive are kept here, out of the everyday list.' }));
    }
    return h('div', { class: 'empty-state' },
      icon('users', 'icon empty-icon'),
      h('h2', { text: 'No clients yet' }),
      h('p', { class: 'muted', text: 'Add your first client to keep their contact and billing details in one place.' }),
      h('button', { type: 'button', class: 'btn btn-primary', onclick: () => ctx.navigate('#/clients/new') },
        icon('plus'), h('span', { text: 'Add your first client' })));
  }

  load();
  return {
    focus: heading,
    cleanup: () => {
      window.clearTimeout(debounce);
      if (state.controller) state.controller.abort();
    },
  };
}
