// The billing module's Invoices card on the client profile (extension point
// "staff.client.cards", billing.read): what the client owes (per currency) and how much of it is
// past due, from the accounts-receivable aging (GET /api/v1/billing/aging?client_id=), the last
// five invoices with their status, "New invoice" (billing.write) and a link to all of them.

import { h, icon, replace, api, can, calendarDate } from '/shared/js/kit.js';
import { amount, invoiceHref, itemsOf, statusBadge, styles } from './staff_parts.js';

export async function render(mount, kit, ctx) {
  await styles();
  const id = String(ctx.client_id);
  if (can('billing.write')) {
    ctx.actions.append(h('a', { class: 'btn btn-small btn-primary', href: `#/invoices/new?client_id=${encodeURIComponent(id)}` },
      icon('plus', 'icon icon-sm'), h('span', { text: 'New invoice' })));
  }
  mount.classList.add('bill-client-card');
  replace(mount, h('p', { class: 'muted', text: 'Loading invoices\u2026' }));
  await load();

  async function load() {
    let invoices;
    let aging = null;
    try {
      [invoices, aging] = await Promise.all([
        api('GET', 'invoices', { query: { client_id: id, limit: 5 } }),
        // Until the aging report exists on this server, the balance comes from the invoices.
        api('GET', 'billing/aging', { query: { client_id: id } }).catch((err) => {
          if (err.status === 404) return null;
          throw err;
        }),
      ]);
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      replace(mount, h('div', { class: 'alert alert-error', role: 'alert' },
        h('p', { text: `The invoices could not be loaded. ${err.message}` }),
        h('button', { type: 'button', class: 'btn', text: 'Try again', onclick: () => load() })));
      return;
    }
    if (!ctx.alive()) return;
    const items = itemsOf(invoices);
    // Per currency: the outstanding balance and the part past due.
    let balances;
    if (aging) {
      const rows = itemsOf(aging).filter((r) => String(r.client_id) === id);
      balances = rows.map((r) => ({ currency: r.currency, total: Number(r.total_minor), overdue: Number(r.total_minor) - Number(r.current_minor) }));
    } else {
      const byCurrency = new Map();
      for (const inv of items.filter((i) => i.status === 'issued' || i.status === 'partially_paid')) {
        const b = byCurrency.get(inv.currency) || { currency: inv.currency, total: 0, overdue: 0 };
        b.total += Number(inv.balance_minor);
        if (inv.overdue) b.overdue += Number(inv.balance_minor);
        byCurrency.set(inv.currency, b);
      }
      balances = [...byCurrency.values()];
    }
    const owed = balances.filter((b) => b.total);
    const figures = h('dl', { class: 'bill-balance', 'aria-label': 'Balance' },
      h('div', { class: 'bill-balance-item' }, h('dt', { text: 'Outstanding' }),
        owed.length ? owed.map((b) => h('dd', { class: 'bill-balance-figure', text: amount(b.total, b.currency) }))
          : h('dd', { class: 'bill-balance-figure', text: 'Nothing' })),
      h('div', { class: 'bill-balance-item' }, h('dt', { text: 'Overdue' }),
        owed.some((b) => b.overdue) ? owed.filter((b) => b.overdue).map((b) => h('dd', { class: 'bill-balance-figure bill-overdue', text: amount(b.overdue, b.currency) }))
          : h('dd', { class: 'bill-balance-figure', text: 'Nothing' })));
    const list = items.length
      ? h('ul', { class: 'bill-invoice-rows', 'aria-label': 'Latest invoices' }, items.map((inv) => h('li', { class: 'bill-invoice-row' },
        h('div', { class: 'bill-entry-main' },
          h('a', { class: 'row-link', href: invoiceHref(inv.id), text: inv.number ? `Invoice ${inv.number}` : 'Draft invoice' }),
          h('p', { class: 'muted bill-entry-meta', text: inv.issued_on ? `Issued ${calendarDate(inv.issued_on)}${inv.due_on ? ` \u00b7 due ${calendarDate(inv.due_on)}` : ''}` : 'Not issued' })),
        h('div', { class: 'bill-entry-side' },
          h('span', { class: 'bill-entry-amount', text: amount(inv.total_minor, inv.currency) }), statusBadge(inv)))))
      : h('p', { class: 'muted', text: 'No invoices for this client yet.' });
    replace(mount, figures, list,
      items.length ? h('p', { class: 'card-more' }, h('a', { href: `#/invoices?client_id=${encodeURIComponent(id)}`, text: 'All invoices of this client' })) : null);
  }
}
