// One invoice (portal view "invoices/{id}"): its number, status, dates, lines and figures, and
// its PDF. Anything that is not the client's own issued invoice answers 404: "Invoice not found".

import { h, icon, api, srOnly, calendarDate, dataTable } from '/shared/js/kit.js';
import { styles, amount, invoicePdfHref, statusBadge } from './parts.js';

export const refreshOnReturn = true;

export async function render(container, kit, ctx) {
  await styles();
  const heading = h('h1', { text: 'Invoice' });
  const back = h('a', { class: 'back-link', href: '#/invoices' }, icon('left', 'icon icon-sm'), h('span', { text: 'Invoices' }));
  const body = h('p', { class: 'loading muted', role: 'status', text: 'Loading the invoice\u2026' });
  const page = h('section', { class: 'page' }, back, h('div', { class: 'page-header' }, heading), body);
  container.append(page);
  let inv;
  try {
    inv = await api('GET', `portal/invoices/${encodeURIComponent(ctx.params.id)}`);
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return null;
    if (err.status === 404) {
      ctx.setTitle('Invoice not found');
      heading.textContent = 'Invoice not found';
      body.replaceWith(h('p', { role: 'alert', text: 'We could not find this invoice. It may not exist, or it is not yours.' }));
    } else {
      body.replaceWith(h('p', { class: 'alert alert-error', role: 'alert', text: `This invoice could not be loaded. ${err.message}` }));
    }
    return { focus: heading };
  }
  if (!ctx.alive()) return null;
  ctx.setTitle(`Invoice ${inv.number}`);
  heading.textContent = `Invoice ${inv.number}`;
  const c = inv.currency;
  const lines = Array.isArray(inv.lines) ? inv.lines : [];
  const figures = [['Subtotal', inv.subtotal_minor]];
  if (inv.discount_minor) figures.push(['Discount', -inv.discount_minor]);
  if (inv.tax_minor) figures.push([`${inv.tax_name} (${(inv.tax_rate_bp / 100).toFixed(2)}%)`, inv.tax_minor]);
  figures.push(['Total', inv.total_minor]);
  if (inv.paid_minor) figures.push(['Paid', inv.paid_minor]);
  if (inv.status !== 'void') figures.push(['Balance due', inv.balance_minor]);
  body.replaceWith(h('div', { class: 'stack' },
    h('div', { class: 'invoice-facts' }, statusBadge(inv),
      h('span', { text: ` Issued ${calendarDate(inv.issued_on)}` }),
      inv.due_on ? h('span', { text: ` \u00b7 Due ${calendarDate(inv.due_on)}` }) : null,
      ' ',
      h('a', { class: 'btn btn-primary', href: invoicePdfHref(inv.id), download: `invoice-${inv.number}.pdf` },
        h('span', { text: 'Download PDF' }), srOnly(` of invoice ${inv.number}`))),
    dataTable({ cls: 'invoice-lines', caption: `Lines of invoice ${inv.number}`,
      columns: [['col-desc', 'Description'], ['col-money', 'Amount']] },
    lines.map((l) => h('tr', {},
      h('td', { class: 'col-desc', dataset: { label: 'Description' }, text: l.description }),
      h('td', { class: 'col-money', dataset: { label: 'Amount' }, text: amount(l.amount_minor, c) })))),
    h('dl', { class: 'invoice-figures', 'aria-label': 'Totals' }, figures.map(([label, v]) => [
      h('dt', { text: label }), h('dd', { text: amount(v, c) })])),
    inv.notes ? h('p', { class: 'muted', text: inv.notes }) : null));
  return { focus: heading };
}
