// One invoice (portal view "invoices/{id}"): its number, status, dates, lines and figures, and
// its PDF. Anything that is not the client's own issued invoice answers 404: "Invoice not found".

import { h, icon, api, srOnly, calendarDate, dataTable, flashMessage } from '/shared/js/kit.js';
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
  if (inv.credited_minor) figures.push(['Credited', -inv.credited_minor]);
  if (inv.status !== 'void') figures.push(['Balance due', inv.balance_minor]);
  // Back from the provider's checkout: the payment counts once the provider's signed webhook
  // reached the firm, usually within seconds; until then the page says so and looks again.
  const returned = new URLSearchParams(window.location.search).get('checkout');
  const payNote = h('p', { class: 'pay-note', role: 'status' });
  if (returned === 'success' && inv.balance_minor > 0) {
    payNote.textContent = 'Thank you. Your payment is being confirmed; this page updates when it is.';
    confirmLater(inv, payNote, ctx);
  } else if (returned === 'success') {
    payNote.textContent = 'Thank you: your payment was received. Your receipt is under Invoices.';
  } else if (returned === 'cancelled') {
    payNote.textContent = 'The payment was cancelled; nothing was charged.';
  }
  if (returned) history.replaceState(null, '', window.location.pathname + window.location.hash);
  const pay = inv.pay_online && inv.status !== 'void' && inv.balance_minor > 0
    ? payButton(inv, payNote) : null;
  body.replaceWith(h('div', { class: 'stack' },
    flashMessage(ctx.takeFlash()),
    payNote,
    h('div', { class: 'invoice-facts' }, statusBadge(inv),
      h('span', { text: ` Issued ${calendarDate(inv.issued_on)}` }),
      inv.due_on ? h('span', { text: ` \u00b7 Due ${calendarDate(inv.due_on)}` }) : null,
      ' ',
      pay, ' ',
      h('a', { class: pay ? 'btn' : 'btn btn-primary', href: invoicePdfHref(inv.id), download: `invoice-${inv.number}.pdf` },
        h('span', { text: 'Download PDF' }), srOnly(` of invoice ${inv.number}`))),
    dataTable({ cls: 'invoice-lines', caption: `Lines of invoice ${inv.number}`,
      columns: [['col-desc', 'Description'], ['col-money', 'Amount']] },
    lines.map((l) => h('tr', {},
      h('td', { class: 'col-desc', dataset: { label: 'Description' }, text: l.description }),
      h('td', { class: 'col-money', dataset: { label: 'Amount' }, text: amount(l.amount_minor, c) })))),
    h('dl', { class: 'invoice-figures', 'aria-label': 'Totals' }, figures.map(([label, v]) => [
      h('dt', { text: label }), h('dd', { text: amount(v, c) })])),
    creditNotes(inv),
    inv.notes ? h('p', { class: 'muted', text: inv.notes }) : null));
  return { focus: heading };
}

// "Pay 420.00 EUR": a checkout at the firm's payment provider for what is owed, then there.
// One Idempotency-Key per page: a double click or a retry after a lost answer gets the same
// checkout.
function payButton(inv, note) {
  const key = crypto.randomUUID();
  const btn = h('button', { type: 'button', class: 'btn btn-primary' },
    h('span', { text: `Pay ${amount(inv.balance_minor, inv.currency)}` }), srOnly(` of invoice ${inv.number} online`));
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    note.className = 'pay-note';
    note.textContent = 'Opening the secure payment page\u2026';
    try {
      const c = await api('POST', `portal/invoices/${encodeURIComponent(inv.id)}/pay`, { idempotencyKey: key });
      window.location.assign(c.checkout_url);
    } catch (err) {
      btn.disabled = false;
      note.className = 'pay-note alert alert-error';
      note.textContent = err.message;
    }
  });
  return btn;
}

// Looks at the invoice again every 2 s for a minute after the client came back from paying.
function confirmLater(inv, note, ctx) {
  let tries = 0;
  const look = async () => {
    if (!ctx.alive() || ++tries > 30) {
      if (ctx.alive()) note.textContent = 'Your payment is still being confirmed. Reload this page in a few minutes; you will also get a receipt by e-mail.';
      return;
    }
    try {
      const now = await api('GET', `portal/invoices/${encodeURIComponent(inv.id)}`);
      if (now.balance_minor < inv.balance_minor || now.paid_minor > inv.paid_minor) {
        if (ctx.alive()) ctx.navigate(`#/invoices/${encodeURIComponent(inv.id)}`, 'Thank you: your payment was received. Your receipt is under Invoices.');
        return;
      }
    } catch (err) {
      if (err.status === 401) return;
    }
    setTimeout(look, 2000);
  };
  setTimeout(look, 2000);
}

// The credit notes that corrected this invoice, each with its PDF.
function creditNotes(inv) {
  const notes = Array.isArray(inv.credit_notes) ? inv.credit_notes : [];
  if (!notes.length) return null;
  return h('section', { 'aria-labelledby': 'credit-notes-title' },
    h('h2', { id: 'credit-notes-title', text: 'Credit notes' }),
    h('ul', { class: 'receipt-list', 'aria-label': 'Credit notes' }, notes.map((n) => h('li', { class: 'receipt-item' },
      h('span', { text: `${n.number} \u00b7 ${calendarDate(n.issued_on)} \u00b7 ${amount(-n.amount_minor, inv.currency)}${n.reason ? ` \u00b7 ${n.reason}` : ''}` }),
      ' ',
      h('a', { class: 'btn btn-small', href: `/api/v1/portal/credit-notes/${encodeURIComponent(String(n.id))}/pdf`,
        download: `credit-note-${n.number}.pdf` }, h('span', { text: 'Download' }), srOnly(` credit note ${n.number}`))))));
}
