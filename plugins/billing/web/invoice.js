// One invoice (staff view "invoices/{id}", billing.read): its status, client, dates, lines and
// figures, its PDF, and what may be done with it now, each a small form that opens in place:
// a draft is edited, issued or deleted (billing.write); an issued one takes a payment
// (billing.payments), an application of the client's trust funds (billing.trust), a credit note,
// or is voided while nothing is paid (billing.write). Its payments are listed with their
// receipts (PDF) and a Refund each (billing.payments); its credit notes below them.

import {
  h, icon, replace, api, can, field, errorSummary, showServerError, showProblems, whileBusy, todayIso, calendarDate,
  breadcrumb, srOnly, uid, dataTable, focusElement,
} from '/shared/js/kit.js';
import {
  amount, announcer, clientHref, decimalInput, digitsOf, invoiceName, invoicePdfHref, itemsOf, methodText, parseAmount,
  paymentMethods, percentText, receiptPdfHref, statusBadge, statusText, styles,
} from './staff_parts.js';

export async function render(mount, kit, ctx) {
  await styles();
  const id = ctx.params.id;
  const base = `invoices/${encodeURIComponent(id)}`;
  const heading = h('h1', { text: 'Invoice' });
  const page = h('section', { class: 'page bill-invoice-page' }, breadcrumb('#/invoices', 'Invoices'),
    h('div', { class: 'page-header' }, heading), h('p', { class: 'muted', role: 'status', text: 'Loading the invoice\u2026' }));
  mount.append(page);
  const live = announcer();
  let flash = ctx.takeFlash();
  let inv;
  let payments = [];
  let openPanel = null; // the name of the form shown

  if (!(await load())) return { focus: heading };
  draw();
  return { focus: heading };

  async function load() {
    try {
      const [i, p] = await Promise.all([api('GET', base), api('GET', `${base}/payments`).catch((err) => {
        if (err.status === 404 || err.status === 403) return { items: [] };
        throw err;
      })]);
      if (!ctx.alive()) return false;
      inv = i;
      payments = itemsOf(p);
      return true;
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return false;
      heading.textContent = err.status === 404 ? 'Invoice not found' : 'Invoice';
      ctx.setTitle(heading.textContent);
      replace(page, breadcrumb('#/invoices', 'Invoices'), h('div', { class: 'page-header' }, heading),
        h('p', { class: 'alert alert-error', role: 'alert', text: err.status === 404 ? 'This invoice does not exist, or it was a draft that was deleted.' : err.message }));
      return false;
    }
  }

  async function reload(message, focusSel) {
    openPanel = null;
    if (!(await load())) return;
    flash = message;
    draw();
    if (message) live.announce(message);
    const el = focusSel ? page.querySelector(focusSel) : null;
    focusElement(el || heading);
  }

  function draw() {
    const c = inv.currency;
    const name = invoiceName(inv);
    heading.textContent = name;
    ctx.setTitle(name);
    const isDraft = inv.status === 'draft';
    const isOpen = inv.status === 'issued' || inv.status === 'partially_paid';
    const mayWrite = can('billing.write');
    const mayPay = can('billing.payments');
    const mayTrust = can('billing.trust');

    const actions = [];
    const panels = [];
    const action = (key, text, kind, build) => {
      const panelId = `bill-panel-${key}`;
      const shown = openPanel === key;
      actions.push(h('button', { type: 'button', class: ['btn', kind], 'aria-expanded': String(shown), 'aria-controls': panelId,
        dataset: { panel: key },
        onclick: () => {
          openPanel = openPanel === key ? null : key;
          draw();
          const again = page.querySelector(openPanel ? `#${panelId} input, #${panelId} select, #${panelId} textarea, #${panelId} .btn`
            : `[data-panel="${key}"]`);
          if (again) again.focus();
        } }, h('span', { text })));
      if (shown) panels.push(h('section', { class: 'card bill-action-panel', id: panelId, 'aria-label': text }, build()));
    };
    if (isDraft && mayWrite) {
      action('issue', 'Issue\u2026', 'btn-primary', issuePanel);
      actions.push(h('a', { class: 'btn', href: `#/invoices/${encodeURIComponent(String(inv.id))}/edit` }, h('span', { text: 'Edit draft' })));
      action('delete', 'Delete draft', 'btn-danger-quiet', deletePanel);
    }
    if (isOpen && mayPay) action('payment', 'Record payment', 'btn-primary', paymentPanel);
    if (isOpen && mayTrust) action('trust', 'Pay from trust', '', trustPanel);
    if (!isDraft && inv.status !== 'void' && mayWrite) action('credit', 'Credit note', '', creditPanel);
    if (inv.status === 'issued' && !inv.paid_minor && mayWrite) action('void', 'Void', 'btn-danger-quiet', voidPanel);

    const pdf = h('a', { class: 'btn', href: invoicePdfHref(inv.id), download: `${inv.number ? `invoice-${inv.number}` : `draft-${inv.id}`}.pdf` },
      icon('doc', 'icon icon-sm'), h('span', { text: 'Download PDF' }), srOnly(` of ${name.toLowerCase()}`));

    const facts = h('dl', { class: 'bill-facts' },
      fact('Client', h('a', { href: clientHref(inv.client_id), text: inv.client_name || 'The client' })),
      fact('Status', statusBadge(inv)),
      inv.issued_on ? fact('Issued', calendarDate(inv.issued_on)) : null,
      inv.due_on ? fact('Due', calendarDate(inv.due_on)) : fact('Payment terms', `${inv.payment_terms_days} days from issue`),
      fact('Currency', c),
      inv.status === 'void' && inv.void_reason ? fact('Void because', inv.void_reason) : null);

    const lines = Array.isArray(inv.lines) ? inv.lines : [];
    const linesTable = dataTable({
      cls: 'bill-lines', caption: `Lines of ${name.toLowerCase()}`,
      columns: [['col-desc', 'Description'], ['col-qty', 'Quantity'], ['col-money', 'Unit price'], ['col-money', 'Amount']],
    }, lines.map((l) => h('tr', {},
      h('td', { class: 'col-desc', dataset: { label: 'Description' } }, h('span', { text: l.description }),
        l.kind === 'expense' ? h('span', { class: 'badge badge-small', text: 'Expense' }) : null,
        l.kind === 'flat' ? h('span', { class: 'badge badge-small', text: 'Fee' }) : null,
        !l.taxable && inv.tax_rate_bp ? h('span', { class: 'muted bill-untaxed', text: ' (no tax)' }) : null),
      h('td', { class: 'col-qty', dataset: { label: 'Quantity' }, text: quantityText(l.quantity_milli) }),
      h('td', { class: 'col-money', dataset: { label: 'Unit price' }, text: amount(l.unit_price_minor, c) }),
      h('td', { class: 'col-money', dataset: { label: 'Amount' }, text: amount(l.amount_minor, c) }))));

    const figures = [['Subtotal', inv.subtotal_minor]];
    if (inv.discount_minor) figures.push([inv.discount_bp ? `Discount (${percentText(inv.discount_bp)}%)` : 'Discount', -inv.discount_minor]);
    if (inv.tax_rate_bp || inv.tax_minor) figures.push([`${inv.tax_name || 'Tax'} (${percentText(inv.tax_rate_bp)}%)`, inv.tax_minor]);
    figures.push(['Total', inv.total_minor]);
    if (inv.paid_minor) figures.push(['Paid', -inv.paid_minor]);
    if (inv.credited_minor) figures.push(['Credited', -inv.credited_minor]);
    if (!isDraft && inv.status !== 'void') figures.push(['Balance due', inv.balance_minor]);
    const totals = h('dl', { class: 'invoice-figures bill-figures', 'aria-label': 'Totals' }, figures.map(([label, v]) => [
      h('dt', { text: label }), h('dd', { text: amount(v, c) })]));

    replace(page,
      breadcrumb('#/invoices', 'Invoices', name),
      h('div', { class: 'page-header bill-invoice-header' },
        h('div', {}, heading, h('p', { class: 'page-sub' },
          h('a', { href: clientHref(inv.client_id), text: inv.client_name || 'The client' }), ' \u00b7 ', statusText(inv),
          !isDraft && inv.status !== 'void' ? ` \u00b7 ${amount(inv.balance_minor, c)} due` : '')),
        h('div', { class: 'page-actions' }, pdf)),
      flash ? h('p', { class: 'alert alert-success', role: 'status', text: flash }) : null,
      actions.length ? h('div', { class: 'bill-actions', role: 'group', 'aria-label': 'What to do with this invoice' }, actions) : null,
      panels,
      h('section', { class: 'card bill-invoice-card', 'aria-label': 'Invoice details' }, facts, linesTable, totals,
        inv.notes ? h('div', { class: 'bill-notes' }, h('h2', { class: 'bill-sub', text: 'Notes' }), h('p', { class: 'pre', text: inv.notes })) : null),
      !isDraft ? paymentsSection() : null,
      creditNotesSection(),
      live.el);
    flash = '';
  }

  function fact(term, value) {
    return h('div', { class: 'bill-fact' }, h('dt', { text: term }), h('dd', {}, value));
  }

  function money(label, name, { value = '', hint } = {}) {
    return field({ label: `${label} (${inv.currency})`, name, value, hint, cls: 'field-short', attrs: { inputmode: 'decimal' } });
  }

  // A form in an action panel: check() returns { body } or problems; send(body) the request.
  function panelForm({ title, note, fields, submitText, danger, check, send, done }) {
    const sum = errorSummary(`${title}: not done`);
    const submit = h('button', { type: 'submit', class: ['btn', danger ? 'btn-danger' : 'btn-primary'] }, h('span', { text: submitText }));
    const cancel = h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => {
      const key = openPanel;
      openPanel = null;
      draw();
      focusElement(page.querySelector(`[data-panel="${key}"]`) || heading);
    } },
      h('span', { text: 'Cancel' }));
    const form = h('form', { class: 'bill-panel-form', novalidate: true },
      h('h2', { class: 'card-title', text: title }), typeof note === 'string' ? h('p', { class: 'muted', text: note }) : (note || null), sum.el,
      h('div', { class: 'bill-form-row' }, Object.values(fields).map((f) => (f.el ? f.el : f))),
      h('div', { class: 'form-actions' }, submit, cancel));
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') cancel.click(); // Escape closes the form, as Cancel does
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      sum.clear();
      Object.values(fields).forEach((f) => f.clearError && f.clearError());
      const checked = check();
      if (checked.problems && checked.problems.length) {
        showProblems(sum, checked.problems, `${title}: check the fields`);
        return;
      }
      try {
        const answer = await whileBusy(submit, 'Working\u2026', send(checked.body));
        if (!ctx.alive()) return;
        await done(answer);
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        showServerError(err, sum, fields);
      }
    });
    return form;
  }

  function amountCheck(f, digits, { max } = {}) {
    const a = parseAmount(f.value(), digits);
    if (a.error) return { error: a.error };
    if (max !== undefined && a.minor > max) return { error: `That is more than ${amount(max, inv.currency)}.` };
    return { minor: a.minor };
  }

  function issuePanel() {
    const date = field({ label: 'Issue date', type: 'date', name: 'issued_on', value: todayIso(), cls: 'field-short',
      hint: `Due ${inv.payment_terms_days} days later. The number is drawn now and the client sees the invoice in the portal.` });
    return panelForm({
      title: 'Issue this invoice', submitText: 'Issue invoice', fields: { issued_on: date },
      note: 'Once issued, the invoice is frozen: to change it, void it or issue a credit note.',
      check: () => (date.value() ? { body: { issued_on: date.value() } } : { problems: [[date, 'Enter the issue date.']] }),
      send: (body) => api('POST', `${base}/issue`, { body }),
      done: (saved) => reload(`Invoice ${saved.number} issued.`),
    });
  }

  function deletePanel() {
    return panelForm({
      title: 'Delete this draft?', submitText: 'Delete draft permanently', danger: true, fields: {},
      note: 'Its time entries and expenses become unbilled again, ready for another invoice.',
      check: () => ({ body: null }),
      send: () => api('DELETE', base),
      done: () => ctx.navigate('#/invoices', `The draft for ${inv.client_name || 'the client'} was deleted; its time and expenses are unbilled again.`),
    });
  }

  function paymentPanel() {
    const digits = digitsOf(inv);
    const amt = money('Amount received', 'amount_minor', { value: decimalInput(inv.balance_minor, digits), hint: `Balance: ${amount(inv.balance_minor, inv.currency)}` });
    const method = field({ label: 'Method', type: 'select', name: 'method', options: paymentMethods, value: 'wire', cls: 'field-short' });
    const date = field({ label: 'Received on', type: 'date', name: 'received_on', value: todayIso(), cls: 'field-short' });
    const ref = field({ label: 'Reference (optional)', name: 'reference', hint: 'Check number, bank reference\u2026', cls: 'field-medium' });
    return panelForm({
      title: 'Record a payment', submitText: 'Record payment',
      fields: { amount_minor: amt, method, received_on: date, reference: ref },
      check: () => {
        const a = amountCheck(amt, digits, { max: inv.balance_minor });
        const problems = [];
        if (a.error) problems.push([amt, a.error]);
        if (!date.value()) problems.push([date, 'Enter the day it was received.']);
        return problems.length ? { problems } : {
          body: { amount_minor: a.minor, method: method.value(), received_on: date.value(), reference: ref.value().trim() || undefined },
        };
      },
      send: (body) => api('POST', `${base}/payments`, { body }),
      done: (p) => reload(`Payment of ${amount(p.amount_minor, p.currency)} recorded: receipt ${p.receipt_number}.`),
    });
  }

  function trustPanel() {
    const digits = digitsOf(inv);
    const amt = money('Amount from trust', 'amount_minor', { value: decimalInput(inv.balance_minor, digits), hint: `Balance: ${amount(inv.balance_minor, inv.currency)}` });
    const held = h('span', { text: '' });
    api('GET', `clients/${encodeURIComponent(String(inv.client_id))}/trust`).then((t) => {
      if (ctx.alive() && t) held.textContent = ` Held in trust now: ${amount(t.balance_minor || 0, t.currency || inv.currency)}.`;
    }).catch(() => {});
    return panelForm({
      title: 'Pay from the client\u2019s trust funds', submitText: 'Apply trust funds', fields: { amount_minor: amt },
      note: h('p', { class: 'muted', 'aria-live': 'polite' }, 'The amount moves from the client\u2019s trust balance to this invoice, with a receipt.', held),
      check: () => {
        const a = amountCheck(amt, digits, { max: inv.balance_minor });
        return a.error ? { problems: [[amt, a.error]] } : { body: { amount_minor: a.minor } };
      },
      send: (body) => api('POST', `${base}/trust-applications`, { body }),
      done: (p) => reload(`${amount(p.amount_minor, p.currency || inv.currency)} applied from trust${p.receipt_number ? `: receipt ${p.receipt_number}` : ''}.`),
    });
  }

  function creditPanel() {
    const digits = digitsOf(inv);
    const amt = money('Amount to credit', 'amount_minor');
    const reason = field({ label: 'Reason', name: 'reason', hint: 'Shown on the credit note.', cls: 'field-medium' });
    return panelForm({
      title: 'Issue a credit note', submitText: 'Issue credit note', fields: { amount_minor: amt, reason },
      note: 'A credit note lowers what the client owes on this invoice; it gets its own number (CN-YYYY-NNNN).',
      check: () => {
        const a = amountCheck(amt, digits, { max: inv.balance_minor || undefined });
        const problems = [];
        if (a.error) problems.push([amt, a.error]);
        if (!reason.value().trim()) problems.push([reason, 'Give the reason for the credit.']);
        return problems.length ? { problems } : { body: { amount_minor: a.minor, reason: reason.value().trim() } };
      },
      send: (body) => api('POST', `${base}/credit-notes`, { body }),
      done: (cn) => reload(`Credit note ${cn.number} issued for ${amount(cn.amount_minor, inv.currency)}.`),
    });
  }

  function voidPanel() {
    const reason = field({ label: 'Reason (optional)', name: 'reason', hint: 'Kept with the invoice; its number stays taken.', cls: 'field-medium' });
    return panelForm({
      title: 'Void this invoice?', submitText: 'Void invoice', danger: true, fields: { reason },
      note: 'The client no longer owes it; its time and expenses become unbilled again.',
      check: () => ({ body: reason.value().trim() ? { reason: reason.value().trim() } : {} }),
      send: (body) => api('POST', `${base}/void`, { body }),
      done: () => reload(`${invoiceName(inv)} is void.`),
    });
  }

  function paymentsSection() {
    const mayRefund = can('billing.payments');
    const list = payments.length ? h('ul', { class: 'bill-payments', 'aria-label': 'Payments' }, payments.map((p) => {
      const labelId = uid('pay');
      const left = Number(p.amount_minor) - Number(p.refunded_minor || 0);
      const refundId = uid('refund');
      const refundBox = h('div', { class: 'bill-refund', id: refundId, hidden: true });
      const refundBtn = mayRefund && left > 0 ? h('button', { type: 'button', class: 'btn btn-small btn-ghost', 'aria-expanded': 'false',
        'aria-controls': refundId, 'aria-describedby': labelId,
        onclick: () => {
          const opening = refundBox.hidden;
          refundBox.hidden = !opening;
          refundBtn.setAttribute('aria-expanded', String(opening));
          if (opening) {
            replace(refundBox, refundForm(p, left));
            const first = refundBox.querySelector('input');
            if (first) first.focus();
          }
        } }, h('span', { text: 'Refund' })) : null;
      return h('li', { class: 'bill-payment' },
        h('div', { class: 'bill-payment-row' },
          h('div', { class: 'bill-entry-main' },
            h('p', { class: 'bill-entry-desc', id: labelId },
              h('strong', { text: amount(p.amount_minor, p.currency) }), ` ${methodText(p.method)} \u00b7 receipt ${p.receipt_number}`),
            h('p', { class: 'muted bill-entry-meta' }, `Received ${calendarDate(p.received_on)}`,
              p.reference ? ` \u00b7 ref. ${p.reference}` : '',
              p.refunded_minor ? ` \u00b7 ${amount(p.refunded_minor, p.currency)} refunded` : '')),
          h('div', { class: 'bill-entry-side' },
            h('a', { class: 'btn btn-small', href: receiptPdfHref(p.receipt_id), download: `receipt-${p.receipt_number}.pdf` },
              h('span', { text: 'Receipt PDF' }), srOnly(` ${p.receipt_number}`)),
            refundBtn)),
        refundBox);
    })) : h('p', { class: 'muted', text: 'No payments yet.' });
    return h('section', { class: 'card', 'aria-labelledby': 'bill-payments-title' },
      h('h2', { class: 'card-title', id: 'bill-payments-title', text: 'Payments' }), list);
  }

  function refundForm(p, left) {
    const digits = digitsOf(inv);
    const amt = field({ label: `Amount to refund (${p.currency})`, name: 'amount_minor', value: decimalInput(left, digits), cls: 'field-short',
      attrs: { inputmode: 'decimal' } });
    const reason = field({ label: 'Reason (optional)', name: 'reason', cls: 'field-medium' });
    const sum = errorSummary('The refund was not recorded');
    const submit = h('button', { type: 'submit', class: 'btn btn-small btn-danger' }, h('span', { text: `Refund from ${p.receipt_number}` }));
    const form = h('form', { class: 'bill-panel-form', novalidate: true, 'aria-label': `Refund of receipt ${p.receipt_number}` }, sum.el,
      h('div', { class: 'bill-form-row' }, amt.el, reason.el), h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      sum.clear();
      amt.clearError();
      const a = parseAmount(amt.value(), digits);
      if (a.error || a.minor > left) {
        showProblems(sum, [[amt, a.error || `At most ${amount(left, p.currency)} is left of this payment.`]]);
        return;
      }
      try {
        await whileBusy(submit, 'Refunding\u2026', api('POST', `payments/${encodeURIComponent(String(p.id))}/refunds`, {
          body: { amount_minor: a.minor, reason: reason.value().trim() || undefined },
        }));
        if (!ctx.alive()) return;
        await reload(`${amount(a.minor, p.currency)} refunded from receipt ${p.receipt_number}.`);
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        showServerError(err, sum, { amount_minor: amt, reason });
      }
    });
    return form;
  }

  function creditNotesSection() {
    const notes = Array.isArray(inv.credit_notes) ? inv.credit_notes : [];
    if (!notes.length) return null;
    return h('section', { class: 'card', 'aria-labelledby': 'bill-cn-title' },
      h('h2', { class: 'card-title', id: 'bill-cn-title', text: 'Credit notes' }),
      h('ul', { class: 'bill-payments', 'aria-label': 'Credit notes' }, notes.map((n) => h('li', { class: 'bill-payment' },
        h('div', { class: 'bill-payment-row' },
          h('div', { class: 'bill-entry-main' },
            h('p', { class: 'bill-entry-desc' }, h('strong', { text: n.number }), ` \u00b7 ${amount(n.amount_minor, inv.currency)}`),
            h('p', { class: 'muted bill-entry-meta', text: `${calendarDate(n.issued_on)}${n.reason ? ` \u00b7 ${n.reason}` : ''}` })),
          h('a', { class: 'btn btn-small', href: `/api/v1/credit-notes/${encodeURIComponent(String(n.id))}/pdf`,
            download: `credit-note-${n.number}.pdf` }, h('span', { text: 'PDF' }), srOnly(` of credit note ${n.number}`)))))));
  }
}

/** 1500 (thousandths) as "1.5"; 833 as "0.833". */
function quantityText(milli) {
  const n = Math.trunc(Number(milli) || 0);
  const whole = Math.floor(n / 1000);
  const rest = String(n % 1000).padStart(3, '0').replace(/0+$/, '');
  return rest ? `${whole}.${rest}` : String(whole);
}
