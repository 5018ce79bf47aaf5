// The client directory (view "clients"): Name, Email, Phone, Portal status, Added; a Search box,
// status and portal-status filters, Name and Added sortable both ways (header buttons), the
// number of clients the filters match, keyset paging (Previous/Next), empty states, the teal
// "New client" button and "Export CSV" (the filtered directory, in the list's order).

import {
  h, icon, srOnly, can, pagedList, pageHeader, flashMessage, searchToolbar, dataTable,
  tableRow, shortDate, timeEl,
} from '/shared/js/kit.js';
import { clientHref, portalMark, primaryEmail, primaryPhone, styles } from './parts.js';

export const PAGE_SIZE = 25;

export async function render(mount, kit, ctx) {
  await styles();
  ctx.setTitle('Clients');
  const mayWrite = can('clients.write');
  const heading = h('h1', { text: 'Clients' });
  const newButton = mayWrite ? h('button', {
    type: 'button', class: 'btn btn-primary', onclick: () => ctx.navigate('#/clients/new'),
  }, icon('plus'), h('span', { text: 'New client' })) : null;

  const status = h('select', { id: 'client-status', name: 'status', 'aria-controls': 'client-results' },
    h('option', { value: 'active', text: 'Active clients' }),
    h('option', { value: 'archived', text: 'Archived clients' }),
    h('option', { value: 'all', text: 'All clients' }));
  status.value = ['active', 'archived', 'all'].includes(ctx.query.get('status')) ? ctx.query.get('status') : 'active';
  const PORTAL = [['', 'Any portal status'], ['none', 'No portal access'], ['invited', 'Invited'],
    ['active', 'Portal active'], ['revoked', 'Portal revoked']];
  const portal = h('select', { id: 'client-portal-status', name: 'portal_status', 'aria-controls': 'client-results' },
    PORTAL.map(([v, t]) => h('option', { value: v, text: t })));
  portal.value = PORTAL.some(([v]) => v && v === ctx.query.get('portal_status')) ? ctx.query.get('portal_status') : '';
  const { el: toolbar, search } = searchToolbar({
    id: 'client-search', value: ctx.query.get('q') || '', placeholder: 'Name, email or phone', controls: 'client-results',
  }, ['Show', status], ['Portal', portal]);
  // The export takes the list's filters; a plain link, so the browser downloads it with the
  // session cookie (a GET: no CSRF token needed).
  const exportLink = can('clients.export') ? h('a', { class: 'btn', href: '/api/v1/clients/export.csv', download: '' },
    icon('doc'), h('span', { text: 'Export CSV' })) : null;
  // The order, kept like a filter (sent as `sort`, kept in the address); the header buttons set it.
  const SORTS = ['name', '-name', 'added', '-added'];
  const sort = h('input', { type: 'hidden', name: 'sort' });
  sort.value = SORTS.includes(ctx.query.get('sort')) ? ctx.query.get('sort') : 'name';
  const count = h('p', { class: 'muted list-count', id: 'client-count', 'aria-live': 'polite' });
  const list = pagedList({
    ctx, path: 'clients', pageSize: PAGE_SIZE, noun: 'clients', id: 'client-results',
    search, filters: { status, portal_status: portal, sort }, route: 'clients',
    defaults: { q: '', status: 'active', portal_status: '', sort: 'name' },
    onTotal: (n, exact) => {
      const shown = `${n.toLocaleString('en')}${exact ? '' : '+'}`;
      count.textContent = list.values.q
        ? `${shown} ${n === 1 && exact ? 'client matches' : 'clients match'}`
        : `${shown} ${n === 1 && exact ? 'client' : 'clients'}`;
    },
    draw: table,
    empty: emptyState,
    emptyText: () => (list.values.q ? `No clients match \u201c${list.values.q}\u201d.` : 'No clients yet.'),
  });
  // The header's button is drawn anew with the page: keep the keyboard on it after a press.
  let refocus = '';
  const order = (value) => {
    refocus = value.replace(/^-/, '');
    sort.value = value;
    syncExport();
    sort.dispatchEvent(new Event('change'));
  };
  const filters = list.values;
  function syncExport() {
    if (!exportLink) return;
    const q = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== ''));
    q.set('sort', sort.value);  // the list's order, not the one shown when the page opened
    exportLink.href = `/api/v1/clients/export.csv?${q}`;
  }
  syncExport();
  for (const control of [status, portal]) control.addEventListener('change', syncExport);
  search.addEventListener('input', () => setTimeout(syncExport, 0));

  mount.append(h('section', { class: 'page' },
    pageHeader(heading, 'The people and organisations the firm represents.', newButton, exportLink),
    flashMessage(ctx.takeFlash()), toolbar, count, list.results, list.pager, list.live));

  function table(items, page) {
    if (refocus) {
      const key = refocus;
      refocus = '';
      setTimeout(() => { const b = list.results.querySelector(`button[data-sort="${key}"]`); if (b) b.focus(); }, 0);
    }
    return dataTable({
      cls: 'clients-table',
      caption: filters.q ? `Clients matching \u201c${filters.q}\u201d, page ${page + 1}` : `Clients, page ${page + 1}`,
      columns: [['col-name', 'Name', sortHeader('Name', 'name', 'name')], ['col-email', 'Email'], ['col-phone', 'Phone'],
        ['col-portal', 'Portal status'], ['col-added', 'Added', sortHeader('Added', 'added', '-added')]],
    }, items.map(row));
  }

  // A column header that sorts: a button (its name says what a press does), aria-sort on the
  // header when the list is in that column's order. `first` is the direction of the first press.
  function sortHeader(text, key, first) {
    const current = sort.value.replace(/^-/, '') === key ? sort.value : '';
    const desc = current.startsWith('-');
    const next = current ? (desc ? key : `-${key}`) : first;
    const nextWords = next.startsWith('-') ? (key === 'added' ? 'newest first' : 'Z to A') : (key === 'added' ? 'oldest first' : 'A to Z');
    return {
      attrs: { 'aria-sort': current ? (desc ? 'descending' : 'ascending') : null },
      content: h('button', {
        type: 'button', class: ['sort-button', current && 'is-sorted'], dataset: { sort: key },
        'aria-label': `${text}, sort ${nextWords}`,
        onclick: () => order(next),
      }, h('span', { text }), current ? h('span', { class: 'sort-icon', 'aria-hidden': 'true', text: desc ? '\u2193' : '\u2191' }) : null),
    };
  }

  function row(c) {
    const email = primaryEmail(c);
    const phone = c.phone_display || primaryPhone(c);
    // One line a row, so the list scans evenly: an organisation's contact person follows its name.
    const aside = c.kind === 'organisation' && c.contact_person ? c.contact_person : '';
    const none = () => h('span', { class: 'muted' }, '\u2014', srOnly('none'));
    return tableRow(clientHref(c.id), ctx.navigate, [
      ['col-name', 'Name', h('div', { class: 'name-line' },
        h('a', { class: 'row-link', href: clientHref(c.id), text: c.name || '(no name)' }),
        aside ? h('span', { class: 'cell-aside', title: `Contact person: ${aside}` }, srOnly(', contact person '), aside) : null,
        c.status === 'archived' ? h('span', { class: 'badge badge-muted', text: 'Archived' }) : null)],
      ['col-email', 'Email', email ? h('span', { class: 'truncate', title: email, text: email }) : none()],
      ['col-phone', 'Phone', phone ? h('span', { class: 'nowrap', text: phone }) : none()],
      ['col-portal', 'Portal status', portalMark(c.portal_status)],
      ['col-added', 'Added', c.created_at ? timeEl(c.created_at, shortDate(c.created_at)) : none()],
    ], { class: c.status === 'archived' ? 'is-archived' : null });
  }

  function emptyState() {
    if (filters.q) {
      return h('div', { class: 'empty-state' },
        icon('search', 'icon empty-icon'),
        h('h2', { text: `No clients match \u201c${filters.q}\u201d` }),
        h('p', { class: 'muted', text: 'Check the spelling, or search by email address or phone number.' }),
        h('button', {
          type: 'button', class: 'btn', text: 'Clear search',
          onclick: () => { search.value = ''; list.apply(); search.focus(); },
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

  list.apply(true);
  return { focus: heading, cleanup: () => list.stop() };
}
