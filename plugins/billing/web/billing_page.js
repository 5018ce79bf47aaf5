// Billing (staff view "billing", billing.read): the firm's accounts receivable by age — per
// client and currency, what is not yet due and what is 1–30, 31–60, 61–90 and over 90 days
// past due, with the totals per currency (GET /api/v1/billing/aging?as_of=) — each client a
// link to their profile; the firm's billing settings (address, tax ID, tax rates; edited with
// billing.settings, billing_settings.js); and, for billing.rates, the staff's default hourly
// rates (GET and PUT /api/v1/billing/rates).

import {
  h, icon, replace, api, can, field, whileBusy, todayIso, calendarDate, pageHeader, flashMessage, srOnly, uid,
} from '/shared/js/kit.js';
import { amount, announcer, clientHref, decimalInput, itemsOf, parseAmount, styles } from './staff_parts.js';
import { settingsSection } from './billing_settings.js';

const BUCKETS = [
  ['current_minor', 'Current'], ['d1_30_minor', '1\u201330 days'], ['d31_60_minor', '31\u201360 days'],
  ['d61_90_minor', '61\u201390 days'], ['d90_plus_minor', 'Over 90 days'], ['total_minor', 'Total'],
];

export async function render(mount, kit, ctx) {
  await styles();
  ctx.setTitle('Billing');
  const heading = h('h1', { text: 'Billing' });
  const live = announcer();
  const asOf = field({ label: 'As of', type: 'date', name: 'as_of', value: ctx.query.get('as_of') || todayIso(), cls: 'field-short' });
  const agingBody = h('div', { class: 'bill-aging', id: 'bill-aging' }, h('p', { class: 'muted', role: 'status', text: 'Loading the aging report\u2026' }));
  const settings = settingsSection(ctx, live);
  const rates = can('billing.rates') ? ratesSection() : null;
  const buttons = [
    can('billing.read') ? h('a', { class: 'btn', href: '#/invoices' }, icon('bill'), h('span', { text: 'All invoices' })) : null,
    can('billing.write') ? h('a', { class: 'btn btn-primary', href: '#/invoices/new' }, icon('plus'), h('span', { text: 'New invoice' })) : null,
  ];
  mount.append(h('section', { class: 'page bill-billing-page' },
    pageHeader(heading, 'What clients owe the firm, by how long it is past due.', buttons),
    flashMessage(ctx.takeFlash()),
    h('section', { class: 'bill-section', 'aria-labelledby': 'bill-aging-title' },
      h('div', { class: 'bill-section-head' },
        h('h2', { id: 'bill-aging-title', text: 'Accounts receivable aging' }),
        h('div', { class: 'bill-asof' }, asOf.el)),
      agingBody),
    settings.el,
    rates ? rates.el : null,
    live.el));
  asOf.control.addEventListener('change', () => { if (asOf.value()) loadAging(); });
  const waits = [loadAging(), settings.load()];
  if (rates) waits.push(rates.load());
  await Promise.all(waits);
  return { focus: heading };

  async function loadAging() {
    agingBody.setAttribute('aria-busy', 'true');
    let data;
    try {
      data = await api('GET', 'billing/aging', { query: { as_of: asOf.value() } });
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      agingBody.removeAttribute('aria-busy');
      replace(agingBody, h('div', { class: 'alert alert-error', role: 'alert' },
        h('p', { text: err.status === 404 ? 'The aging report is not available on this server yet.' : `The aging report could not be loaded. ${err.message}` }),
        err.status === 404 ? null : h('button', { type: 'button', class: 'btn', text: 'Try again', onclick: () => loadAging() })));
      return;
    }
    if (!ctx.alive()) return;
    agingBody.removeAttribute('aria-busy');
    const items = itemsOf(data);
    const totals = Array.isArray(data && data.totals) ? data.totals : [];
    if (!items.length) {
      replace(agingBody, h('div', { class: 'empty-state' }, icon('check', 'icon empty-icon'),
        h('p', { text: `Nothing is owed to the firm as of ${calendarDate(data.as_of || asOf.value())}.` })));
      live.announce('Nothing is owed.');
      return;
    }
    const cell = (cls, label, content) => h('td', { class: cls, dataset: { label } }, content);
    const money = (row, key) => {
      const v = Number(row[key]) || 0;
      return h('span', { class: v ? null : 'muted', text: v ? amount(v, row.currency) : '\u2014' });
    };
    replace(agingBody, h('div', { class: 'table-card' },
      h('table', { class: 'data-table bill-aging-table' },
        h('caption', { class: 'sr-only', text: `Accounts receivable aging as of ${calendarDate(data.as_of || asOf.value())}` }),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'col-client', text: 'Client' }),
          h('th', { scope: 'col', class: 'col-cur', text: 'Currency' }),
          BUCKETS.map(([, label]) => h('th', { scope: 'col', class: 'col-money', text: label })))),
        h('tbody', {}, items.map((r) => h('tr', { dataset: { client: String(r.client_id), currency: r.currency } },
          cell('col-client', 'Client', h('a', { href: clientHref(r.client_id), text: r.client_name || `Client ${r.client_id}` })),
          cell('col-cur', 'Currency', r.currency),
          BUCKETS.map(([key, label]) => cell(`col-money${key === 'total_minor' ? ' bill-total' : ''}`, label, money(r, key)))))),
        totals.length ? h('tfoot', {}, totals.map((t) => h('tr', { class: 'bill-aging-total' },
          h('th', { scope: 'row', class: 'col-client', text: `Total ${t.currency}` }),
          cell('col-cur', 'Currency', t.currency),
          BUCKETS.map(([key, label]) => cell(`col-money${key === 'total_minor' ? ' bill-total' : ''}`, label, money(t, key)))))) : null)));
    live.announce(`Aging report as of ${calendarDate(data.as_of || asOf.value())}: ${items.length} client balance${items.length === 1 ? '' : 's'}.`);
  }

  // The staff's default hourly rates: used for time whose entry and client give no rate. A rate
  // has no currency of its own (it is counted in the client's); it is typed here with two decimals.
  function ratesSection() {
    const body = h('div', {}, h('p', { class: 'muted', text: 'Loading rates\u2026' }));
    const el = h('section', { class: 'bill-section', 'aria-labelledby': 'bill-rates-title' },
      h('h2', { id: 'bill-rates-title', text: 'Default hourly rates' }),
      h('p', { class: 'muted', text: 'Used for time when neither the entry nor the client has a rate; counted in the client\u2019s currency. Leave empty for none.' }),
      body);
    async function load() {
      let data;
      try {
        data = await api('GET', 'billing/rates');
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        replace(body, h('p', { class: 'alert alert-error', role: 'alert', text: `The rates could not be loaded. ${err.message}` }));
        return;
      }
      if (!ctx.alive()) return;
      replace(body, h('ul', { class: 'bill-rates', 'aria-label': 'Staff rates' }, itemsOf(data).map(rateRow)));
    }
    function rateRow(u) {
      const inputId = uid('rate');
      const errId = `${inputId}-error`;
      const input = h('input', { id: inputId, name: 'rate', inputmode: 'decimal', autocomplete: 'off', class: 'bill-rate-input',
        value: u.rate_minor === null || u.rate_minor === undefined ? '' : decimalInput(u.rate_minor, 2) });
      const error = h('p', { class: 'field-error', id: errId, hidden: true });
      const save = h('button', { type: 'submit', class: 'btn btn-small' }, h('span', { text: 'Save' }), srOnly(` rate of ${u.name}`));
      const form = h('form', { class: 'bill-rate-form', novalidate: true },
        h('label', { for: inputId, class: 'bill-rate-label' }, h('span', { class: 'bill-rate-name', text: u.name }),
          h('span', { class: 'muted', text: ` ${u.role || ''}` }), srOnly(', hourly rate')),
        input, save, error);
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        error.hidden = true;
        input.removeAttribute('aria-invalid');
        let rate = null;
        if (input.value.trim()) {
          const r = parseAmount(input.value, 2, { allowZero: true });
          if (r.error) {
            error.textContent = r.error;
            error.hidden = false;
            input.setAttribute('aria-invalid', 'true');
            input.setAttribute('aria-describedby', errId);
            input.focus();
            return;
          }
          rate = r.minor;
        }
        try {
          const saved = await whileBusy(save, 'Saving\u2026', api('PUT', `billing/rates/${encodeURIComponent(String(u.user_id))}`, { body: { rate_minor: rate } }));
          if (!ctx.alive()) return;
          input.value = saved.rate_minor ? decimalInput(saved.rate_minor, 2) : '';
          live.announce(saved.rate_minor ? `${u.name}: default rate ${decimalInput(saved.rate_minor, 2)} an hour.` : `${u.name} has no default rate now.`);
        } catch (err) {
          if (!ctx.alive() || err.status === 401) return;
          error.textContent = err.message;
          error.hidden = false;
          input.setAttribute('aria-invalid', 'true');
          input.setAttribute('aria-describedby', errId);
        }
      });
      return h('li', { class: 'bill-rate-row' }, form);
    }
    return { el, load };
  }
}
