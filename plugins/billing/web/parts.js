// Pieces of the billing module's portal screens: an invoice's status as a badge, amounts in the
// invoice's own currency, and the download addresses of its PDF and of a receipt's.

import { h, money, useStyles } from '/shared/js/kit.js';

/** Loads the module's stylesheet (once); resolves when it is there. */
export function styles() {
  return useStyles(new URL('./billing.css', import.meta.url));
}

const STATUS = {
  issued: ['Open', 'badge'],
  partially_paid: ['Partly paid', 'badge badge-warn'],
  paid: ['Paid', 'badge badge-ok'],
  void: ['Void', 'badge'],
};

/** The status a client reads ("Open", "Partly paid", "Paid", "Void"; "Overdue" when due and unpaid). */
export function statusBadge(inv) {
  if (inv.overdue) return h('span', { class: 'badge badge-warn', text: 'Overdue' });
  const [text, cls] = STATUS[inv.status] || [inv.status, 'badge'];
  return h('span', { class: cls, text });
}

/** An amount of minor units in the invoice's currency, in the person's style. */
export function amount(minor, currency) {
  return money(minor, currency);
}

export const invoicePdfHref = (id) => `/api/v1/portal/invoices/${encodeURIComponent(String(id))}/pdf`;
export const receiptPdfHref = (id) => `/api/v1/portal/receipts/${encodeURIComponent(String(id))}/pdf`;
