// Invoices (portal view "invoices"): what the client owes at the top, their billing history
// (number, dates, total, paid, status, the PDF) and their payments' official receipts. Only the
// client's own issued invoices ever reach this page: the server filters, and the database
// returns nothing else to a portal session.

import { h, icon, api, srOnly, calendarDate, dataTable } from '/shared/js/kit.js';
import { styles, amount, invoicePdfHref, receiptPdfHref, statusBadge } from './parts.js';

/** Coming back to the tab after a while shows fresh data (the shell re-renders). */
export const refreshOnReturn = true;

export async function render(container, kit, ctx) {
  await styles();
  ctx.setTitle('Invoices');
  const heading = h('h1', { text: 'Invoices' });
  const body = h('p', { class: 'loading muted', role: 'status', text: 'Loading your invoices\u2026' });
  const page = h('section', { class: 'page' },
    h('div', { class: 'page-header' }, heading,
      h('p', { class: 'page-sub', text: 'Your invoices from the firm, what is still to pay, and the receipts of your payments.' })),
    body);
  container.append(page);
  let list;
  let receipts;
  let trust;
  try {
    [list, receipts, trust] = await Promise.all([api('GET', 'portal/invoices'), api('GET', 'portal/receipts'),
      api('GET', 'portal/trust')]);
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return null;
    body.replaceWith(h('p', { class: 'alert alert-error', role: 'alert', text: `Your invoices could not be loaded. ${err.message}` }));
    return { focus: heading };
  }
  if (!ctx.alive()) return null;
  const items = Array.isArray(list && list.items) ? list.items : [];
  const paid = Array.isArray(receipts && receipts.items) ? receipts.items : [];
  if (!items.length) {
    body.replaceWith(h('div', { class: 'empty-state' }, icon('doc', 'icon empty-icon'),
      h('p', { text: 'You have no invoices yet.' })));
    return { focus: heading };
  }
  const overdue = items.filter((i) => i.overdue).length;
  const balances = Array.isArray(list.balances) && list.balances.length ? list.balances
    : [{ currency: list.currency, balance_minor: list.balance_minor || 0 }];
  const summary = h('section', { class: 'card', 'aria-labelledby': 'balance-title' },
    h('h2', { id: 'balance-title', class: 'card-title', text: 'Outstanding balance' }),
    balances.map((b) => h('p', { class: 'balance-figure', text: amount(b.balance_minor, b.currency) })),
    h('p', { class: 'muted', text: overdue ? `${overdue} invoice${overdue === 1 ? ' is' : 's are'} past due.`
      : 'Nothing is past due.' }));
  const history = dataTable({
    cls: 'invoice-table', caption: 'Billing history',
    columns: [['col-number', 'Invoice'], ['col-date', 'Issued'], ['col-date', 'Due'], ['col-money', 'Total'],
      ['col-money', 'Paid'], ['col-status', 'Status'], ['col-pdf', 'PDF']],
  }, items.map((inv) => h('tr', {},
    h('td', { class: 'col-number', dataset: { label: 'Invoice' } }, h('a', { href: `#/invoices/${inv.id}`, text: inv.number })),
    h('td', { class: 'col-date', dataset: { label: 'Issued' }, text: inv.issued_on ? calendarDate(inv.issued_on) : '' }),
    h('td', { class: 'col-date', dataset: { label: 'Due' }, text: inv.due_on ? calendarDate(inv.due_on) : '' }),
    h('td', { class: 'col-money', dataset: { label: 'Total' }, text: amount(inv.total_minor, inv.currency) }),
    h('td', { class: 'col-money', dataset: { label: 'Paid' }, text: amount(inv.paid_minor, inv.currency) }),
    h('td', { class: 'col-status', dataset: { label: 'Status' } }, statusBadge(inv)),
    h('td', { class: 'col-pdf', dataset: { label: 'PDF' } },
      h('a', { class: 'btn btn-small', href: invoicePdfHref(inv.id), download: `invoice-${inv.number}.pdf` },
        h('span', { text: 'Download' }), srOnly(` invoice ${inv.number}`))))));
  const receiptList = paid.length
    ? h('ul', { class: 'receipt-list', 'aria-label': 'Receipts' }, paid.map((r) => h('li', { class: 'receipt-item' },
      h('span', { text: `${r.receipt_number} \u00b7 ${calendarDate(r.received_on)} \u00b7 ${amount(r.amount_minor, r.currency)} for invoice ${r.invoice_number}` }),
      ' ',
      h('a', { class: 'btn btn-small', href: receiptPdfHref(r.receipt_id), download: `receipt-${r.receipt_number}.pdf` },
        h('span', { text: 'Download' }), srOnly(` receipt ${r.receipt_number}`)))))
    : h('p', { class: 'muted', text: 'No payments yet.' });
  // Money the client placed with the firm in trust (a retainer): its balance and movements,
  // read-only. Shown once there is anything to show.
  const trustItems = Array.isArray(trust && trust.items) ? trust.items : [];
  const KIND = { deposit: 'Deposit', application: 'Applied to an invoice', refund: 'Refunded to you', returned: 'Returned to trust' };
  const trustCard = trustItems.length ? h('section', { class: 'card', 'aria-labelledby': 'trust-title' },
    h('h2', { id: 'trust-title', class: 'card-title', text: 'Trust balance' }),
    h('p', { class: 'balance-figure', text: amount(trust.balance_minor, trust.currency) }),
    h('p', { class: 'muted', text: 'Money you placed with the firm in trust; it is applied to invoices only as agreed.' }),
    dataTable({ cls: 'trust-table', caption: 'Trust account entries',
      columns: [['col-date', 'Date'], ['col-desc', 'Entry'], ['col-money', 'Amount'], ['col-money', 'Balance']] },
    trustItems.slice(0, 20).map((t) => h('tr', {},
      h('td', { class: 'col-date', dataset: { label: 'Date' }, text: calendarDate(t.entry_date) }),
      h('td', { class: 'col-desc', dataset: { label: 'Entry' },
        text: [KIND[t.kind] || t.kind, t.invoice_number, t.description].filter(Boolean).join(' \u00b7 ') }),
      h('td', { class: 'col-money', dataset: { label: 'Amount' },
        text: amount(t.kind === 'deposit' || t.kind === 'returned' ? t.amount_minor : -t.amount_minor, t.currency) }),
      h('td', { class: 'col-money', dataset: { label: 'Balance' }, text: amount(t.balance_after_minor, t.currency) }))))) : null;
  body.replaceWith(h('div', { class: 'stack' }, summary, trustCard,
    h('section', { 'aria-labelledby': 'history-title' }, h('h2', { id: 'history-title', text: 'Billing history' }), history),
    h('section', { class: 'card', 'aria-labelledby': 'receipts-title' },
      h('h2', { id: 'receipts-title', class: 'card-title', text: 'Receipts' }), receiptList)));
  return { focus: heading };
}
