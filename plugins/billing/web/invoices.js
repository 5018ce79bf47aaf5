// Invoices (staff view "invoices", billing.read): every invoice of the firm, newest first, as
// GET /api/v1/invoices pages them (keyset cursor, Previous/Next), filtered by status and,
// from a client's page, by client (?client_id=); "New invoice" for billing.write.

import {
  h, icon, can, calendarDate, pagedList, pageHeader, flashMessage, dataTable, tableRow,
} from '/shared/js/kit.js';
import { amount, clientHref, clientName, invoiceHref, statusBadge, styles } from './staff_parts.js';

export const PAGE_SIZE = 25;

export async function render(mount, kit, ctx) {
  await styles();
  ctx.setTitle('Invoices');
  const heading = h('h1', { text: 'Invoices' });
  const mayWrite = can('billing.write');
  const clientFilter = ctx.query.get('client_id') || '';
  const newHref = `#/invoices/new${clientFilter ? `?client_id=${encodeURIComponent(clientFilter)}` : ''}`;
  const newButton = mayWrite ? h('a', { class: 'btn btn-primary', href: newHref }, icon('plus'), h('span', { text: 'New invoice' })) : null;

  const status = h('select', { id: 'invoice-status', name: 'status', 'aria-controls': 'invoice-results' },
    [['', 'All'], ['draft', 'Drafts'], ['issued', 'Issued'], ['void', 'Void']].map(([v, t]) => h('option', { value: v, text: t })));
  status.value = ['draft', 'issued', 'void'].includes(ctx.query.get('status')) ? ctx.query.get('status') : '';
  const client = h('input', { type: 'hidden', value: clientFilter });
  const toolbar = h('div', { class: 'toolbar', role: 'search', 'aria-label': 'Filter invoices' },
    h('div', { class: 'toolbar-field' }, h('label', { for: 'invoice-status', class: 'label', text: 'Status' }), status));
  const clientNote = h('p', { class: 'bill-filter-note', hidden: !clientFilter });

  const list = pagedList({
    ctx, path: 'invoices', pageSize: PAGE_SIZE, noun: 'invoices', id: 'invoice-results',
    filters: { status, client_id: client }, route: 'invoices', defaults: { q: '', status: '', client_id: '' },
    draw: table,
    empty: () => h('div', { class: 'empty-state' }, icon('bill', 'icon empty-icon'),
      h('h2', { text: status.value || clientFilter ? 'No invoices match' : 'No invoices yet' }),
      h('p', { class: 'muted', text: mayWrite ? 'Draft one from a client\u2019s unbilled time, or by hand.' : 'Invoices the firm drafts appear here.' }),
      newButton ? h('a', { class: 'btn btn-primary', href: newHref }, icon('plus'), h('span', { text: 'New invoice' })) : null),
    emptyText: () => 'No invoices match.',
  });

  mount.append(h('section', { class: 'page' },
    pageHeader(heading, 'Drafts, issued and void invoices, newest first.', newButton),
    flashMessage(ctx.takeFlash()), toolbar, clientNote, list.results, list.pager, list.live));

  if (clientFilter) {
    const name = await clientName(clientFilter);
    if (!ctx.alive()) return null;
    clientNote.append('Invoices of ', h('a', { href: clientHref(clientFilter), text: name || `client ${clientFilter}` }), ' only. ',
      h('a', { href: '#/invoices', text: 'Show every client\u2019s' }));
  }

  function table(items, page) {
    const t = dataTable({
      cls: 'bill-invoices-table', caption: `Invoices, page ${page + 1}`,
      columns: [['col-number', 'Invoice'], ['col-client', 'Client'], ['col-date', 'Issued'], ['col-date', 'Due'],
        ['col-money', 'Total'], ['col-money', 'Balance'], ['col-status', 'Status']],
    }, items.map(row));
    return t;
  }

  function row(inv) {
    const who = h('a', { class: 'cell-link truncate', href: clientHref(inv.client_id), text: inv.client_name || '\u2026' });
    if (!inv.client_name) {
      // The list answers client ids; the names come once per client.
      clientName(inv.client_id).then((n) => { if (n) who.textContent = n; else who.textContent = `Client ${inv.client_id}`; });
    }
    const open = inv.status !== 'draft' && inv.status !== 'void';
    return tableRow(invoiceHref(inv.id), ctx.navigate, [
      ['col-number', 'Invoice', h('a', { class: 'row-link', href: invoiceHref(inv.id), text: inv.number || 'Draft' })],
      ['col-client', 'Client', who],
      ['col-date', 'Issued', h('span', { class: 'nowrap', text: inv.issued_on ? calendarDate(inv.issued_on) : '\u2014' })],
      ['col-date', 'Due', h('span', { class: 'nowrap', text: inv.due_on ? calendarDate(inv.due_on) : '\u2014' })],
      ['col-money', 'Total', h('span', { text: amount(inv.total_minor, inv.currency) })],
      ['col-money', 'Balance', h('span', { text: open ? amount(inv.balance_minor, inv.currency) : '\u2014' })],
      ['col-status', 'Status', statusBadge(inv)],
    ], { dataset: { id: String(inv.id) } });
  }

  list.apply(true);
  return { focus: heading, cleanup: () => list.stop() };
}
