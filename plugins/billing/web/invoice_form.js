// The invoice editor (staff views "invoices/new?client_id=" and "invoices/{id}/edit",
// billing.write): the client, which of their cases' unbilled time and expenses to bill, flat
// fees and other lines by hand, a discount (a percentage or an amount), a tax and notes. The tax
// is one of the firm's tax rates (its billing settings; a new invoice starts with the default),
// "No tax", or "Other…" with a name and rate typed by hand; the editor always sends tax_name and
// tax_rate_bp, so the server's default for an invoice that names no tax never applies unseen.
// "Create draft" drafts it (POST /api/v1/invoices) and opens it; the draft is issued from its
// page. "Save draft" edits a draft in place (PATCH /api/v1/invoices/{id}: its id stays; its
// cases' unbilled work is drawn again, every field sent so that a cleared one is cleared).

import {
  h, icon, replace, api, field, errorSummary, showServerError, showProblems, whileBusy, breadcrumb, uid, srOnly,
  focusElement,
} from '/shared/js/kit.js';
import {
  amount, clientHref, decimalInput, digitsForCurrency, hoursText, invoiceHref, itemsOf, parseAmount, parsePercent,
  percentText, styles,
} from './staff_parts.js';
import { rateText } from './billing_settings.js';

export async function render(mount, kit, ctx) {
  await styles();
  const editId = ctx.params.id || null;
  const heading = h('h1', { text: editId ? 'Edit draft invoice' : 'New invoice' });
  ctx.setTitle(heading.textContent);
  const back = editId ? breadcrumb(invoiceHref(editId), 'Draft invoice', 'Edit') : breadcrumb('#/invoices', 'Invoices', 'New invoice');
  const page = h('section', { class: 'page bill-editor' }, back,
    h('div', { class: 'page-header' }, heading), h('p', { class: 'muted', role: 'status', text: 'Loading\u2026' }));
  mount.append(page);

  let draft = null;
  let clientId = ctx.query.get('client_id') || '';
  // The firm's tax rates; none (the form then asks for a name and rate) when it has none or
  // they cannot be read (a role that drafts invoices without reading the books).
  const taxRatesAsked = api('GET', 'billing/settings').then((st) => (Array.isArray(st && st.tax_rates) ? st.tax_rates : []))
    .catch(() => []);
  try {
    if (editId) {
      draft = await api('GET', `invoices/${encodeURIComponent(editId)}`);
      if (!ctx.alive()) return null;
      if (draft.status !== 'draft') {
        ctx.navigate(invoiceHref(editId), 'Only a draft can be edited; this invoice is issued.', { replace: true });
        return null;
      }
      clientId = String(draft.client_id);
    }
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return null;
    replace(page, back, h('div', { class: 'page-header' }, heading),
      h('p', { class: 'alert alert-error', role: 'alert', text: err.status === 404 ? 'This draft does not exist any more.' : err.message }));
    return { focus: heading };
  }

  const summary = errorSummary(editId ? 'The draft was not saved' : 'The draft was not created');
  // The client: chosen (fixed when editing, or given by the address), else a search and a list.
  const clientPart = h('div', { class: 'bill-client-part' });
  const casesPart = h('fieldset', { class: 'bill-cases' }, h('legend', { class: 'label', text: 'Unbilled work to bill' }),
    h('p', { class: 'muted', text: 'Choose a client first.' }));
  let client = null; // { id, name, currency }
  let cases = []; // [{ id, title, matter_number, time, expenses, box }]

  const linesList = h('ol', { class: 'bill-line-rows', 'aria-label': 'Lines added by hand' });
  const lineRows = [];
  const addLine = h('button', { type: 'button', class: 'btn btn-small', onclick: () => { const r = lineRow(); r.desc.control.focus(); } },
    icon('plus', 'icon icon-sm'), h('span', { text: 'Add a flat fee' }));

  const discountKind = field({ label: 'Discount', type: 'select', name: 'discount_kind', cls: 'field-short',
    options: [['none', 'No discount'], ['percent', 'Percentage'], ['amount', 'Amount']], value: 'none' });
  const discountValue = field({ label: 'Discount value', name: 'discount_value', cls: 'field-short', hint: '10 for 10%, or an amount.',
    attrs: { inputmode: 'decimal' } });
  const taxRates = await taxRatesAsked;
  if (!ctx.alive()) return null;
  // "Tax": the firm's rates, "No tax" and "Other…" (which shows the name and rate fields).
  const taxChoice = taxRates.length ? field({ label: 'Tax', type: 'select', name: 'tax_choice', cls: 'bill-tax-choice',
    options: [['none', 'No tax'], ...taxRates.map((r, i) => [`rate:${i}`, rateText(r)]), ['other', 'Other\u2026']],
    value: 'none' }) : null;
  const taxName = field({ label: 'Tax name', name: 'tax_name', cls: 'field-short', hint: 'VAT, GST, Sales tax\u2026' });
  const taxRate = field({ label: 'Tax rate (%)', name: 'tax_rate', cls: 'field-short', hint: '20 or 7.5', attrs: { inputmode: 'decimal' } });
  const notes = field({ label: 'Notes', type: 'textarea', rows: 3, name: 'notes', hint: 'Printed on the invoice: payment details, thanks.' });
  const syncDiscount = () => { discountValue.el.hidden = discountKind.value() === 'none'; };
  discountKind.control.addEventListener('change', syncDiscount);
  const chosenRate = () => {
    const m = taxChoice ? /^rate:(\d+)$/.exec(taxChoice.value()) : null;
    return m ? taxRates[Number(m[1])] : null;
  };
  const taxByHand = () => !taxChoice || taxChoice.value() === 'other';
  const syncTax = () => {
    taxName.el.hidden = !taxByHand();
    taxRate.el.hidden = !taxByHand();
  };
  if (taxChoice) {
    taxChoice.control.addEventListener('change', syncTax);
    const def = taxRates.findIndex((r) => r.default);
    if (def >= 0) taxChoice.control.value = `rate:${def}`; // a new invoice starts with the firm's default
  }
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, h('span', { text: editId ? 'Save draft' : 'Create draft' }));
  const cancel = h('a', { class: 'btn btn-ghost', href: editId ? invoiceHref(editId) : (clientId ? clientHref(clientId) : '#/invoices'), text: 'Cancel' });

  const form = h('form', { class: 'page-form bill-form-page', novalidate: true, 'aria-labelledby': heading.id || undefined },
    summary.el,
    h('section', { class: 'card form-section' }, h('h2', { class: 'form-section-title', text: 'Client and work' }), clientPart, casesPart),
    h('section', { class: 'card form-section' }, h('h2', { class: 'form-section-title', text: 'Fees and other lines' }),
      h('p', { class: 'muted', text: 'Flat fees, retainers, anything not recorded as time: taxed unless you untick Taxable.' }),
      linesList, addLine),
    h('section', { class: 'card form-section' }, h('h2', { class: 'form-section-title', text: 'Discount, tax and notes' }),
      h('div', { class: 'bill-form-row' }, discountKind.el, discountValue.el),
      h('div', { class: 'bill-form-row' }, taxChoice ? taxChoice.el : null, taxName.el, taxRate.el), notes.el),
    h('div', { class: 'form-actions' }, submit, cancel));

  if (draft) prefill(draft);
  syncDiscount();
  syncTax();
  replace(page, back, h('div', { class: 'page-header' }, heading,
    h('p', { class: 'page-sub', text: editId ? 'Saving updates this draft with these lines; it stays a draft until you issue it.'
      : 'Draft an invoice from a client\u2019s unbilled time and expenses, and add fees by hand.' })), form);
  if (clientId) await chooseClient(clientId);
  else await clientPicker();
  if (!ctx.alive()) return null;
  form.addEventListener('submit', onSubmit);
  return { focus: heading };

  // ---- The client -----------------------------------------------------------------------------
  async function clientPicker() {
    const search = field({ label: 'Find the client', type: 'search', name: 'client_q', hint: 'A name or e-mail; then choose below.' });
    const pick = field({ label: 'Client', type: 'select', name: 'client_id', options: [['', 'Choose a client\u2026']] });
    replace(clientPart, search.el, pick.el);
    let debounce = 0;
    const fill = async () => {
      let data;
      try {
        data = await api('GET', 'clients', { query: { q: search.value().trim(), limit: 100 } });
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        pick.setError(err.message);
        return;
      }
      if (!ctx.alive()) return;
      const keep = pick.value();
      replace(pick.control, h('option', { value: '', text: itemsOf(data).length ? 'Choose a client\u2026' : 'No client matches' }),
        itemsOf(data).map((c) => h('option', { value: String(c.id), text: c.name })));
      pick.control.value = keep;
    };
    search.control.addEventListener('input', () => { window.clearTimeout(debounce); debounce = window.setTimeout(fill, 250); });
    pick.control.addEventListener('change', async () => {
      if (!pick.value()) return;
      clientId = pick.value();
      await loadClient(clientId, pick);
    });
    await fill();
  }

  async function chooseClient(id) {
    await loadClient(id, null);
    if (!client || editId) return;
    clientPart.append(h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: async () => {
      client = null;
      cases = [];
      replace(casesPart, h('legend', { class: 'label', text: 'Unbilled work to bill' }), h('p', { class: 'muted', text: 'Choose a client first.' }));
      await clientPicker();
      clientPart.querySelector('input').focus();
    } }, h('span', { text: 'Change client' }), srOnly(` (now ${client.name})`)));
  }

  async function loadClient(id, pickField) {
    let c;
    let list;
    try {
      [c, list] = await Promise.all([
        api('GET', `clients/${encodeURIComponent(id)}`),
        api('GET', 'cases', { query: { client_id: id, limit: 100 } }),
      ]);
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      if (pickField) pickField.setError(err.message);
      else replace(clientPart, h('p', { class: 'alert alert-error', role: 'alert', text: `The client could not be loaded. ${err.message}` }));
      return;
    }
    if (!ctx.alive()) return;
    client = { id: c.id, name: c.name, currency: (draft && draft.currency) || (c.billing && c.billing.currency) || '' };
    if (!pickField) {
      replace(clientPart, h('p', { class: 'bill-chosen' }, h('span', { class: 'label', text: 'Client' }), ' ',
        h('a', { href: clientHref(c.id), text: c.name }), client.currency ? h('span', { class: 'badge badge-small', text: client.currency }) : null));
    }
    const own = itemsOf(list).filter((k) => String(k.client_id) === String(c.id));
    const taken = new Set(draft ? draft.lines.filter((l) => l.case_id).map((l) => String(l.case_id)) : []);
    cases = await Promise.all(own.map(async (k) => {
      const [t, e] = await Promise.all([
        api('GET', `cases/${k.id}/time`).catch(() => ({ items: [] })),
        api('GET', `cases/${k.id}/expenses`).catch(() => ({ items: [] })),
      ]);
      const onThisDraft = (x) => draft && String(x.invoice_id) === String(draft.id);
      const open = (x) => x.billable && (x.invoice_id === null || onThisDraft(x));
      const time = itemsOf(t).filter(open);
      const expenses = itemsOf(e).filter(open);
      if (!client.currency) client.currency = (time[0] || expenses[0] || {}).currency || '';
      return { ...k, time, expenses, checked: taken.has(String(k.id)) || (!draft && (time.length + expenses.length) > 0) };
    }));
    if (!ctx.alive()) return;
    drawCases();
    for (const r of lineRows) r.setCurrency();
  }

  function drawCases() {
    const legend = h('legend', { class: 'label', text: 'Unbilled work to bill' });
    if (!cases.length) {
      replace(casesPart, legend, h('p', { class: 'muted', text: `${client.name} has no cases: add the lines by hand below.` }));
      return;
    }
    replace(casesPart, legend, h('ul', { class: 'bill-case-choices' }, cases.map((k) => {
      const boxId = uid('case');
      const minutes = k.time.reduce((s, t) => s + Number(t.minutes), 0);
      const minor = k.time.reduce((s, t) => s + Number(t.amount_minor), 0) + k.expenses.reduce((s, e) => s + Number(e.amount_minor), 0);
      const nothing = !k.time.length && !k.expenses.length;
      const box = h('input', { type: 'checkbox', id: boxId, name: 'case_ids', value: String(k.id), checked: k.checked && !nothing, disabled: nothing });
      box.addEventListener('change', () => { k.checked = box.checked; });
      return h('li', { class: 'checkbox bill-case-choice' }, box,
        h('label', { for: boxId },
          h('span', { class: 'bill-case-title', text: k.title }), ' ',
          h('span', { class: 'muted', text: k.matter_number ? `(${k.matter_number})` : '' }), h('br'),
          h('span', { class: 'muted', text: nothing ? 'Nothing unbilled.'
            : `${hoursText(minutes)} h of time in ${k.time.length} entr${k.time.length === 1 ? 'y' : 'ies'}, ${k.expenses.length} expense${k.expenses.length === 1 ? '' : 's'}: ${amount(minor, client.currency)}` })));
    })));
  }

  // ---- Lines by hand --------------------------------------------------------------------------
  function lineRow(initial = {}) {
    const n = lineRows.length + 1;
    const desc = field({ label: 'Description', name: 'line_description', value: initial.description || '', cls: 'bill-line-desc',
      ariaLabel: `Description of line ${n}` });
    const qty = field({ label: 'Quantity', name: 'line_quantity', value: initial.quantity || '1', cls: 'bill-line-qty',
      ariaLabel: `Quantity of line ${n}`, attrs: { inputmode: 'decimal' } });
    const price = field({ label: 'Unit price', name: 'line_price', value: initial.price || '', cls: 'bill-line-price',
      ariaLabel: `Unit price of line ${n}`, attrs: { inputmode: 'decimal' } });
    const taxId = uid('taxable');
    const taxable = h('input', { type: 'checkbox', id: taxId, checked: initial.taxable !== false });
    const remove = h('button', { type: 'button', class: 'btn btn-small btn-ghost bill-line-remove',
      onclick: () => {
        const i = lineRows.indexOf(row);
        lineRows.splice(i, 1);
        row.el.remove();
        focusElement(lineRows[Math.min(i, lineRows.length - 1)] ? lineRows[Math.min(i, lineRows.length - 1)].desc.control : addLine);
      } }, icon('cross', 'icon icon-sm'), srOnly(`Remove line ${n}`));
    const el = h('li', { class: 'bill-line-row' }, desc.el, qty.el, price.el,
      h('div', { class: 'checkbox bill-line-tax' }, taxable, h('label', { for: taxId, text: 'Taxable' }, srOnly(` (line ${n})`))), remove);
    const row = {
      el, desc, qty, price, taxable,
      setCurrency() {
        price.el.querySelector('label').textContent = client && client.currency ? `Unit price (${client.currency})` : 'Unit price';
      },
    };
    lineRows.push(row);
    linesList.append(el);
    row.setCurrency();
    return row;
  }

  function prefill(d) {
    const digits = d.minor_units;
    for (const l of d.lines.filter((x) => x.kind === 'flat')) {
      lineRow({ description: l.description, quantity: quantityText(l.quantity_milli), price: decimalInput(l.unit_price_minor, digits), taxable: l.taxable });
    }
    if (d.discount_bp) {
      discountKind.control.value = 'percent';
      discountValue.control.value = percentText(d.discount_bp);
    } else if (d.discount_minor) {
      discountKind.control.value = 'amount';
      discountValue.control.value = decimalInput(d.discount_minor, digits);
    }
    taxName.control.value = d.tax_name || '';
    taxRate.control.value = d.tax_rate_bp ? percentText(d.tax_rate_bp) : '';
    if (taxChoice) {
      // The firm's rate of that name and rate, else no tax, else "Other…" with what the draft says.
      const same = taxRates.findIndex((r) => r.name === (d.tax_name || '') && Number(r.rate_bp) === Number(d.tax_rate_bp || 0));
      if (same >= 0) taxChoice.control.value = `rate:${same}`;
      else if (!d.tax_name && !d.tax_rate_bp) taxChoice.control.value = 'none';
      else {
        taxChoice.control.value = 'other';
        if (!d.tax_rate_bp) taxRate.control.value = '0';
      }
    }
    notes.control.value = d.notes || '';
  }

  // ---- Sending --------------------------------------------------------------------------------
  async function onSubmit(ev) {
    ev.preventDefault();
    summary.clear();
    const all = [discountValue, taxName, taxRate, notes, ...lineRows.flatMap((r) => [r.desc, r.qty, r.price])];
    if (taxChoice) all.push(taxChoice);
    all.forEach((f) => f.clearError());
    const problems = [];
    if (!client) {
      const pick = clientPart.querySelector('select');
      summary.show(pick ? [{ label: 'Client', message: 'Choose the client to invoice.', control: pick }] : [], 'Choose the client to invoice.');
      return;
    }
    const digits = digitsForCurrency(client.currency || 'USD');
    const body = { client_id: client.id, case_ids: cases.filter((k) => k.checked).map((k) => k.id), lines: [] };
    lineRows.forEach((r, i) => {
      const d = r.desc.value().trim();
      if (!d && !r.price.value().trim()) return; // an empty row is left out
      if (!d) problems.push([r.desc, `Describe line ${i + 1}.`]);
      const q = r.qty.value().trim().replace(',', '.') || '1';
      if (!/^\d{1,9}(\.\d{1,3})?$/.test(q) || /^0+(\.0+)?$/.test(q)) problems.push([r.qty, `Enter a quantity above 0 for line ${i + 1}, at most 3 decimals.`]);
      const p = parseAmount(r.price.value(), digits, { allowZero: true });
      if (p.error) problems.push([r.price, `Line ${i + 1}: ${p.error}`]);
      body.lines.push({ description: d, quantity: Number(q), unit_price_minor: p.minor, taxable: r.taxable.checked });
    });
    if (discountKind.value() === 'percent') {
      const p = parsePercent(discountValue.value());
      if (p.error || !p.bp) problems.push([discountValue, p.error || 'Enter the discount in percent.']);
      else body.discount_bp = p.bp;
    } else if (discountKind.value() === 'amount') {
      const a = parseAmount(discountValue.value(), digits);
      if (a.error) problems.push([discountValue, a.error]);
      else body.discount_minor = a.minor;
    }
    // The tax, always named explicitly ('' and 0 for none).
    const firmRate = chosenRate();
    body.tax_name = '';
    body.tax_rate_bp = 0;
    if (firmRate) {
      body.tax_name = firmRate.name;
      body.tax_rate_bp = Number(firmRate.rate_bp);
    } else if (taxByHand()) {
      const rate = parsePercent(taxRate.value());
      if (rate.error) problems.push([taxRate, rate.error]);
      else if (rate.bp) {
        body.tax_rate_bp = rate.bp;
        if (!taxName.value().trim()) problems.push([taxName, 'Name the tax (VAT, GST\u2026).']);
      }
      body.tax_name = taxName.value().trim();
    }
    if (notes.value().trim()) body.notes = notes.value().trim();
    if (!body.case_ids.length && !body.lines.length) {
      summary.show([], 'Choose a case with unbilled work, or add a line by hand.');
      return;
    }
    if (problems.length) {
      showProblems(summary, problems, 'Check the fields below.');
      return;
    }
    const fieldFor = (path) => {
      const m = /^lines\[(\d+)\]\.(\w+)$/.exec(path || '');
      if (m) {
        const r = lineRows.filter((x) => x.desc.value().trim() || x.price.value().trim())[Number(m[1])];
        if (r) return { description: r.desc, quantity: r.qty, unit_price_minor: r.price }[m[2]] || r.desc;
      }
      if ((path === 'tax_name' || path === 'tax_rate_bp') && !taxByHand()) return taxChoice;
      return { discount_bp: discountValue, discount_minor: discountValue, tax_name: taxName, tax_rate_bp: taxRate, notes }[path] || null;
    };
    try {
      const saved = await whileBusy(submit, 'Saving\u2026', (async () => {
        if (draft) {
          // Edited in place (its id stays): every field sent, so that a cleared one is cleared.
          const { client_id: _client, ...edit } = body;
          if (edit.discount_bp === undefined && edit.discount_minor === undefined) edit.discount_minor = 0;
          edit.notes = edit.notes || '';
          return api('PATCH', `invoices/${encodeURIComponent(String(draft.id))}`, { body: edit });
        }
        return api('POST', 'invoices', { body });
      })());
      if (!ctx.alive()) return;
      ctx.navigate(invoiceHref(saved.id), editId ? 'Draft saved.' : `Draft created for ${client.name}: ${amount(saved.total_minor, saved.currency)}.`);
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      showServerError(err, summary, fieldFor);
    }
  }
}

function quantityText(milli) {
  const n = Math.trunc(Number(milli) || 0);
  const rest = String(n % 1000).padStart(3, '0').replace(/0+$/, '');
  return rest ? `${Math.floor(n / 1000)}.${rest}` : String(Math.floor(n / 1000));
}
