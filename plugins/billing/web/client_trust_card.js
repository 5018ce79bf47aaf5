// The billing module's Trust card on the client profile (extension point "staff.client.cards",
// billing.read): the client's trust (retainer) balance and latest ledger entries (GET
// /api/v1/clients/{id}/trust), and for billing.trust "Record deposit" (or a refund to the
// client) with POST to the same address. Money held in trust is the client's until applied
// to an invoice (from the invoice's page).

import { h, icon, replace, api, can, field, errorSummary, showServerError, showProblems, whileBusy, todayIso, calendarDate, uid } from '/shared/js/kit.js';
import { amount, announcer, digitsForCurrency, invoiceHref, itemsOf, parseAmount, styles } from './staff_parts.js';

const SHOWN = 5;
const KINDS = { deposit: 'Deposit', application: 'Applied to invoice', refund: 'Refund to client' };

export async function render(mount, kit, ctx) {
  await styles();
  const id = String(ctx.client_id);
  const path = `clients/${encodeURIComponent(id)}/trust`;
  const mayTrust = can('billing.trust');
  const live = announcer();
  const formBox = h('div', { class: 'bill-trust-form', id: uid('trustform'), hidden: true });
  let ledger = null;
  const toggle = mayTrust ? h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false', 'aria-controls': formBox.id,
    onclick: () => {
      const opening = formBox.hidden;
      formBox.hidden = !opening;
      toggle.setAttribute('aria-expanded', String(opening));
      if (opening) {
        replace(formBox, depositForm());
        formBox.querySelector('select, input').focus();
      }
    } }, icon('plus', 'icon icon-sm'), h('span', { text: 'Record deposit' })) : null;
  if (toggle) ctx.actions.append(toggle);
  const body = h('div', {}, h('p', { class: 'muted', text: 'Loading the trust ledger\u2026' }));
  replace(mount, formBox, body, live.el);
  mount.classList.add('bill-client-card');
  await load();

  async function load() {
    try {
      ledger = await api('GET', path);
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      if (err.status === 404) {
        if (toggle) toggle.hidden = true;
        replace(body, h('p', { class: 'muted', text: 'The trust ledger is not available on this server yet.' }));
        return;
      }
      replace(body, h('div', { class: 'alert alert-error', role: 'alert' },
        h('p', { text: `The trust ledger could not be loaded. ${err.message}` }),
        h('button', { type: 'button', class: 'btn', text: 'Try again', onclick: () => load() })));
      return;
    }
    if (!ctx.alive()) return;
    draw();
  }

  function draw() {
    const items = itemsOf(ledger);
    const c = ledger.currency;
    replace(body,
      h('dl', { class: 'bill-balance', 'aria-label': 'Trust balance' },
        h('div', { class: 'bill-balance-item' }, h('dt', { text: 'Held in trust' }),
          h('dd', { class: 'bill-balance-figure', text: amount(ledger.balance_minor || 0, c) }))),
      items.length ? h('ul', { class: 'bill-invoice-rows', 'aria-label': 'Latest trust entries' }, items.slice(0, SHOWN).map((e) => h('li', { class: 'bill-invoice-row' },
        h('div', { class: 'bill-entry-main' },
          h('p', { class: 'bill-entry-desc' }, h('span', { text: KINDS[e.kind] || e.kind }),
            e.invoice_id ? [' ', h('a', { href: invoiceHref(e.invoice_id), text: e.invoice_number ? `Invoice ${e.invoice_number}` : 'the invoice' })] : null),
          h('p', { class: 'muted bill-entry-meta', text: [calendarDate(e.entry_date), e.reference, e.description].filter(Boolean).join(' \u00b7 ') })),
        h('div', { class: 'bill-entry-side' },
          h('span', { class: 'bill-entry-amount', text: `${e.kind === 'deposit' ? '+' : '\u2212'}${amount(e.amount_minor, e.currency || c)}` }),
          h('span', { class: 'muted bill-entry-meta', text: `balance ${amount(e.balance_after_minor, e.currency || c)}` })))))
        : h('p', { class: 'muted', text: 'Nothing held in trust for this client yet.' }));
  }

  function depositForm() {
    const c = ledger && ledger.currency ? ledger.currency : ((ctx.client && ctx.client.billing && ctx.client.billing.currency) || '');
    const sum = errorSummary('Nothing was recorded');
    const kind = field({ label: 'Entry', type: 'select', name: 'kind', options: [['deposit', 'Deposit from the client'], ['refund', 'Refund to the client']], value: 'deposit', cls: 'field-medium' });
    const amt = field({ label: `Amount${c ? ` (${c})` : ''}`, name: 'amount', cls: 'field-short', attrs: { inputmode: 'decimal' } });
    const date = field({ label: 'Date', type: 'date', name: 'entry_date', value: todayIso(), cls: 'field-short' });
    const ref = field({ label: 'Reference (optional)', name: 'reference', cls: 'field-medium', hint: 'Check or bank reference.' });
    const desc = field({ label: 'Description (optional)', name: 'description', cls: 'field-medium' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, h('span', { text: 'Record' }));
    const form = h('form', { class: 'bill-form', novalidate: true, 'aria-label': 'Record a trust entry' }, sum.el,
      h('div', { class: 'bill-form-row' }, kind.el, amt.el, date.el), ref.el, desc.el, h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      sum.clear();
      [amt, date, ref, desc].forEach((f) => f.clearError());
      const a = parseAmount(amt.value(), digitsForCurrency(c || 'USD'));
      if (a.error) {
        showProblems(sum, [[amt, a.error]]);
        return;
      }
      const payload = { kind: kind.value(), amount_minor: a.minor, entry_date: date.value() || undefined,
        reference: ref.value().trim() || undefined, description: desc.value().trim() || undefined };
      try {
        const saved = await whileBusy(submit, 'Recording\u2026', api('POST', path, { body: payload }));
        if (!ctx.alive()) return;
        formBox.hidden = true;
        toggle.setAttribute('aria-expanded', 'false');
        live.announce(`${KINDS[saved.kind] || 'Entry'} of ${amount(saved.amount_minor, saved.currency || c)} recorded.`);
        await load();
        toggle.focus();
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        showServerError(err, sum, { kind, amount_minor: amt, entry_date: date, reference: ref, description: desc });
      }
    });
    return form;
  }
}
