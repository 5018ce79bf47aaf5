// The client profile form: new (view "clients/new", buttons "Create" and "Create and open a
// case", and "Invite to client portal" when the portal module is on) and edit (view
// "clients/{id}/edit", button "Save"). The buttons stay in view on a long form (sticky action
// bar). Checks what it can before sending; the server's answer
// {"error": {"field": "emails[0].address", ...}} is shown on the field it names.

import {
  h, icon, replace, uid, api, field, errorSummary, formSection, showServerError, whileBusy, isEmail, minorDigits, looksLikePhone,
  can, hasModule,
} from '/shared/js/kit.js';
import { countryOptions, currencyOptions, COMMON_CURRENCIES } from './codes.js';
import { clientHref, styles } from './parts.js';

const EMAIL_TYPES = [['work', 'Work'], ['personal', 'Personal'], ['other', 'Other']];
const PHONE_TYPES = [['mobile', 'Mobile'], ['work', 'Work'], ['home', 'Home'], ['other', 'Other']];

export async function render(container, kit, ctx) {
  await styles();
  const editing = Boolean(ctx.params.id);
  const heading = h('h1', { text: editing ? 'Edit client' : 'New client' });
  ctx.setTitle(editing ? 'Edit client' : 'New client');
  const page = h('section', { class: 'page page-form' });
  container.append(page);

  let client = {};
  if (editing) {
    replace(page, h('div', { class: 'page-header' }, heading), h('p', { class: 'muted', text: 'Loading\u2026' }));
    try {
      client = await api('GET', `clients/${encodeURIComponent(ctx.params.id)}`);
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return null;
      replace(page, h('div', { class: 'page-header' }, heading),
        h('p', { class: 'alert alert-error', role: 'alert', text: err.status === 404 ? 'This client does not exist or is not available to you.' : err.message }),
        h('p', {}, h('a', { href: '#/clients', text: 'Back to clients' })));
      return { focus: heading };
    }
    if (!ctx.alive()) return null;
    heading.textContent = `Edit ${client.name}`;
    ctx.setTitle(`Edit ${client.name}`);
  }

  // field path ("name", "emails[0].address", "billing.currency") -> control, for errors.
  const controls = new Map();
  const summary = errorSummary();

  // --- Client -------------------------------------------------------------------------
  const kindName = uid('kind');
  const kindRadios = [['individual', 'Individual'], ['organisation', 'Organisation']].map(([value, text]) => {
    const id = uid('kind');
    const input = h('input', { type: 'radio', name: kindName, id, value });
    input.checked = (client.kind || 'individual') === value;
    return { input, el: h('div', { class: 'radio' }, input, h('label', { for: id, text })) };
  });
  const kindFieldset = h('fieldset', { class: 'field field-radios' },
    h('legend', { class: 'label', text: 'Client type' }),
    h('div', { class: 'radios' }, kindRadios.map((r) => r.el)));
  const name = field({ label: 'Name', required: true, value: client.name, autocomplete: 'off',
    hint: 'A person\u2019s full name, or the organisation\u2019s registered name.' });
  const contact = field({ label: 'Contact person', value: client.contact_person,
    hint: 'The person at the organisation you deal with.' });
  const showContact = () => { contact.el.hidden = !kindRadios[1].input.checked; };
  kindRadios.forEach((r) => r.input.addEventListener('change', showContact));
  showContact();
  controls.set('name', name);
  controls.set('contact_person', contact);
  controls.set('kind', { control: kindRadios[0].input, label: 'Client type', setError: () => {}, clearError: () => {} });

  // --- Contact details: repeatable e-mail and phone rows -----------------------------
  const emails = repeater({
    noun: 'Email', listLabel: 'Email addresses', listHint: 'The primary address gets the firm\u2019s messages.', addText: 'Add another email', types: EMAIL_TYPES,
    valueKey: 'address', inputType: 'email', autocomplete: 'email',
    items: Array.isArray(client.emails) && client.emails.length ? client.emails
      : (client.email ? [{ address: client.email, label: 'work', primary: true }] : [{}]),
  });
  const phones = repeater({
    noun: 'Phone', listLabel: 'Phone numbers', listHint: 'As dialled in your firm\u2019s country, or with the country code, like +44 20 7946 0958.', addText: 'Add another phone', types: PHONE_TYPES,
    valueKey: 'number', inputType: 'tel', autocomplete: 'tel',
    items: Array.isArray(client.phones) && client.phones.length ? client.phones.map((p) => ({ ...p, number: p.display || p.number }))
      : (client.phone ? [{ number: client.phone_display || client.phone, label: 'work', primary: true }] : [{}]),
  });

  // --- Address --------------------------------------------------------------------------
  const address = addressFields('', client.address || {});
  for (const [k, f] of Object.entries(address.fields)) controls.set(`address.${k}`, f);

  // --- Billing --------------------------------------------------------------------------
  const bill = client.billing || {};
  const currencyValue = bill.currency || '';
  const rateDigits = () => minorDigits(billing.currency.control.value || 'EUR');
  const allCurrencies = currencyOptions();
  const billing = {
    contact: field({ label: 'Billing contact', value: bill.contact, hint: 'Who receives invoices, if not the client.' }),
    email: field({ label: 'Billing email', type: 'email', value: bill.email, autocomplete: 'off',
      hint: 'Invoices go here; leave empty to use the primary email.', attrs: { spellcheck: 'false' } }),
    currency: field({ label: 'Currency', type: 'select', value: currencyValue, hint: 'The currency this client is billed in.',
      options: [['', 'Not set'],
        { group: 'Common', options: allCurrencies.filter(([c]) => COMMON_CURRENCIES.includes(c)) },
        { group: 'All currencies', options: allCurrencies }] }),
    payment_terms_days: field({ label: 'Payment terms (days)', inputmode: 'numeric', cls: 'field-short',
      value: bill.payment_terms_days ?? '', hint: 'Days until an invoice is due, for example 30.' }),
    hourly_rate: field({ label: 'Hourly rate', inputmode: 'decimal', cls: 'field-short',
      value: bill.hourly_rate_minor === null || bill.hourly_rate_minor === undefined ? ''
        : (Number(bill.hourly_rate_minor) / 10 ** minorDigits(currencyValue || 'EUR')).toFixed(minorDigits(currencyValue || 'EUR')),
      hint: 'In the currency above, for example 250.00.' }),
    tax_id: field({ label: 'Tax ID', value: bill.tax_id, hint: 'VAT or tax number, if invoices must show it.' }),
  };
  const billAddr = bill.address || {};
  const hasBillingAddress = Object.values(billAddr).some((v) => v);
  const billingAddress = addressFields('Billing ', billAddr);
  const separateId = uid('sep');
  const separate = h('input', { type: 'checkbox', id: separateId });
  separate.checked = hasBillingAddress;
  const billingAddressBox = h('div', { class: 'sub-address' }, billingAddress.el);
  const showBillingAddress = () => { billingAddressBox.hidden = !separate.checked; };
  separate.addEventListener('change', () => {
    showBillingAddress();
    if (separate.checked) billingAddress.fields.line1.control.focus();
  });
  showBillingAddress();
  for (const [k, f] of Object.entries(billing)) controls.set(`billing.${k === 'hourly_rate' ? 'hourly_rate_minor' : k}`, f);
  for (const [k, f] of Object.entries(billingAddress.fields)) controls.set(`billing.address.${k}`, f);

  // --- Notes ----------------------------------------------------------------------------
  const notes = field({ label: 'Notes', type: 'textarea', value: client.notes, rows: 4,
    hint: 'Internal to the firm. Never shown in the client portal.' });
  controls.set('notes', notes);

  const submitText = editing ? 'Save' : 'Create';
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, h('span', { text: submitText }));
  // New clients only: open a case right after, and invite to the portal (on once an e-mail is
  // entered, unless the user chose otherwise).
  const withCase = !editing && hasModule('cases') && can('cases.write')
    ? h('button', { type: 'submit', class: 'btn', value: 'case' }, h('span', { text: 'Create and open a case' })) : null;
  const inviteId = uid('invite');
  const invite = !editing && hasModule('portal') && can('portal.manage') ? h('input', { type: 'checkbox', id: inviteId }) : null;
  let inviteTouched = false;
  const inviteBox = invite ? h('div', { class: 'checkbox' }, invite,
    h('label', { for: inviteId, text: 'Invite to client portal' }),
    h('p', { class: 'hint', text: 'Sends an invitation to the primary e-mail address, with a link that works once.' })) : null;
  if (invite) {
    invite.addEventListener('change', () => { inviteTouched = true; });
    const follow = (ev) => {
      if (inviteTouched || ev.target === invite) return;
      invite.checked = emails.read().rows.some((r) => r.value);
    };
    page.addEventListener('input', follow);
  }
  const cancelHref = editing ? clientHref(ctx.params.id) : '#/clients';
  const form = h('form', { class: 'form-sections', novalidate: true, 'aria-labelledby': 'client-form-title' },
    summary.el,
    formSection('Client', kindFieldset, h('div', { class: 'grid-2' }, name.el, contact.el)),
    formSection('Contact details', h('div', { class: 'grid-2 grid-top' }, emails.el, phones.el)),
    formSection('Address', address.el),
    formSection('Billing', h('div', { class: 'grid-2' }, billing.contact.el, billing.email.el, billing.currency.el,
      billing.tax_id.el, billing.payment_terms_days.el, billing.hourly_rate.el),
    h('div', { class: 'checkbox' }, separate, h('label', { for: separateId, text: 'Send invoices to a different address' })),
    billingAddressBox),
    formSection('Notes', notes.el),
    inviteBox ? formSection('Client portal', inviteBox) : null,
    h('div', { class: ['form-actions', 'form-actions-sticky'] }, submit, withCase,
      h('a', { class: 'btn btn-ghost', href: cancelHref, text: 'Cancel' })));
  heading.id = 'client-form-title';

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    summary.clear();
    for (const f of allFields()) f.clearError();
    const { payload, problems, emailRows, phoneRows } = collect();
    if (problems.length) {
      for (const p of problems) p.field.setError(p.message);
      summary.show(problems.map((p) => ({ label: p.field.label, message: p.message, control: p.field.control })));
      return;
    }
    try {
      const saved = await whileBusy(ev.submitter || submit, editing ? 'Saving\u2026' : 'Creating\u2026',
        editing ? api('PATCH', `clients/${encodeURIComponent(ctx.params.id)}`, { body: payload })
          : api('POST', 'clients', { body: payload }));
      if (!ctx.alive()) return;
      const id = (saved && saved.id) ?? ctx.params.id;
      let done = editing ? 'Changes saved.' : `${payload.name} was added.`;
      if (invite && invite.checked) {
        try {
          const sent = await api('POST', `clients/${encodeURIComponent(String(id))}/portal/invite`, { body: {} });
          done += ` Invitation to the client portal sent to ${sent.email}.`;
        } catch (err) {
          if (err.status === 401) return;
          done += ` The portal invitation was not sent: ${err.message}`;
        }
        if (!ctx.alive()) return;
      }
      if (ev.submitter && ev.submitter.value === 'case') {
        ctx.navigate(`#/cases/new?client=${encodeURIComponent(String(id))}`, done);
        return;
      }
      ctx.navigate(clientHref(id), done);
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      if (err.status === 404) summary.show([], 'This client no longer exists.');
      else showServerError(err, summary, (path) => fieldFor(path, emailRows, phoneRows));
    }
  });

  replace(page,
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
      h('a', { href: '#/clients', text: 'Clients' }),
      editing ? [h('span', { class: 'crumb-sep', 'aria-hidden': 'true', text: '/' }),
        h('a', { href: cancelHref, text: client.name })] : null),
    h('div', { class: 'page-header' }, h('div', {}, heading,
      h('p', { class: 'page-sub', text: 'Only the name is required; everything else can be added later.' }))),
    form);

  return { focus: heading };

  function allFields() {
    return [name, contact, notes, ...Object.values(address.fields), ...Object.values(billing),
      ...Object.values(billingAddress.fields), ...emails.fields(), ...phones.fields()];
  }

  // Reads the form into the API's shape and checks it. Empty e-mail/phone rows are left out;
  // emailRows/phoneRows map the sent list's indexes back to the rows on screen.
  function collect() {
    const problems = [];
    const problem = (f, message) => problems.push({ field: f, message });
    const val = (f) => f.control.value.trim();
    const payload = {
      kind: kindRadios.find((r) => r.input.checked)?.input.value || 'individual',
      name: val(name),
    };
    // Only organisations have a contact person; for an individual it is cleared.
    payload.contact_person = payload.kind === 'organisation' ? val(contact) : null;
    if (!payload.name) problem(name, 'Enter the client\u2019s name');

    const e = emails.read();
    e.rows.forEach((r) => { if (!isEmail(r.value)) problem(r.field, 'Enter a valid email address, like name@example.com'); });
    payload.emails = e.rows.map((r) => ({ address: r.value, label: r.type, primary: r.primary }));
    const p = phones.read();
    p.rows.forEach((r) => {
      // International format: + (or 00), then 8 to 15 digits; spaces, dots, dashes and brackets allowed.
      if (!looksLikePhone(r.value)) problem(r.field, 'Enter a phone number, like (312) 555-0199 or +44 20 7946 0958');
    });
    payload.phones = p.rows.map((r) => ({ number: r.value, label: r.type, primary: r.primary }));

    payload.address = address.read();

    const currency = billing.currency.control.value;
    const b = { contact: val(billing.contact), email: val(billing.email), tax_id: val(billing.tax_id), currency: currency || null };
    b.address = separate.checked ? billingAddress.read() : null;
    if (b.email && !isEmail(b.email)) problem(billing.email, 'Enter a valid email address, like accounts@example.com');
    const terms = val(billing.payment_terms_days);
    if (terms !== '') {
      if (!/^\d{1,3}$/.test(terms) || Number(terms) > 365) problem(billing.payment_terms_days, 'Enter a whole number of days from 0 to 365');
      else b.payment_terms_days = Number(terms);
    } else b.payment_terms_days = null;
    const rate = val(billing.hourly_rate).replace(/,/g, '');
    if (rate !== '') {
      const digits = rateDigits();
      const re = digits > 0 ? new RegExp(`^\\d{1,9}(\\.\\d{1,${digits}})?$`) : /^\d{1,12}$/;
      if (!re.test(rate)) {
        problem(billing.hourly_rate, digits > 0 ? `Enter an amount like 250.00 (up to ${digits} decimal places)` : 'Enter a whole amount like 25000');
      } else {
        const [whole, frac = ''] = rate.split('.');
        b.hourly_rate_minor = Number(whole) * 10 ** digits + Number((frac + '0'.repeat(digits)).slice(0, digits) || 0);
      }
      if (!currency) problem(billing.currency, 'Choose the currency of the hourly rate');
    } else b.hourly_rate_minor = null;
    payload.billing = b;
    payload.notes = notes.control.value.trim();
    // Problems in the order the fields appear on the page.
    const order = allFieldsInPageOrder();
    problems.sort((x, y) => order.indexOf(x.field) - order.indexOf(y.field));
    return { payload, problems, emailRows: e.rows, phoneRows: p.rows };
  }

  function allFieldsInPageOrder() {
    return [name, contact, ...emails.fields(), ...phones.fields(), ...Object.values(address.fields), billing.contact,
      billing.email, billing.currency, billing.tax_id, billing.payment_terms_days, billing.hourly_rate,
      ...Object.values(billingAddress.fields), notes];
  }

  // Maps an API field path to a control on screen.
  function fieldFor(path, emailRows, phoneRows) {
    if (!path) return null;
    if (controls.has(path)) return controls.get(path);
    let m = /^emails(?:\[(\d+)\](?:\.\w+)?)?$/.exec(path);
    if (m) return (emailRows[Number(m[1] || 0)] || {}).field || emails.fields()[0];
    m = /^phones(?:\[(\d+)\](?:\.\w+)?)?$/.exec(path);
    if (m) return (phoneRows[Number(m[1] || 0)] || {}).field || phones.fields()[0];
    if (path === 'email') return (emailRows.find((r) => r.primary) || {}).field || emails.fields()[0];
    if (path === 'phone') return (phoneRows.find((r) => r.primary) || {}).field || phones.fields()[0];
    if (path === 'billing.hourly_rate') return billing.hourly_rate;
    if (path === 'billing') return billing.currency;
    if (path === 'address') return address.fields.line1;
    if (path === 'billing.address') return billingAddress.fields.line1;
    return null;
  }
}

/**
 * Postal address fields (labels prefixed, e.g. "Billing postal code"); the country is a
 * list of ISO 3166 codes shown by name. read() gives the API's {line1, ..., country}.
 */
function addressFields(prefix, a) {
  const cap = (s) => (prefix ? s.charAt(0).toLowerCase() + s.slice(1) : s);
  const fields = {
    line1: field({ label: `${prefix}${cap('Address line 1')}`, value: a.line1 }),
    line2: field({ label: `${prefix}${cap('Address line 2')}`, value: a.line2 }),
    city: field({ label: `${prefix}${cap('Town or city')}`, value: a.city }),
    region: field({ label: `${prefix}${cap('Region or state')}`, value: a.region }),
    postal_code: field({ label: `${prefix}${cap('Postal code')}`, value: a.postal_code, cls: 'field-short' }),
    country: field({ label: `${prefix}${cap('Country')}`, type: 'select', value: a.country || '',
      options: [['', 'Not set'], ...countryOptions()] }),
  };
  return {
    fields,
    el: h('div', { class: 'grid-2' }, Object.values(fields).map((f) => f.el)),
    read() {
      const out = {};
      for (const [k, f] of Object.entries(fields)) out[k] = f.control.value.trim() || null;
      return out;
    },
  };
}

/**
 * A list of e-mail addresses or phone numbers: each row has the value ("Email", "Email 2"),
 * its type and a "Primary" choice; rows can be added and removed.
 */
function repeater({ noun, listLabel, listHint, addText, types, valueKey, inputType, autocomplete, items }) {
  const radioName = uid(`primary-${noun.toLowerCase()}`);
  const hintId = uid('hint');
  const rowsEl = h('div', { class: 'repeat-rows' });
  const rows = [];
  const addButton = h('button', { type: 'button', class: 'btn btn-ghost btn-small', onclick: () => add({}, true) },
    icon('plus'), h('span', { text: addText }));
  const el = h('fieldset', { class: 'repeater' }, h('legend', { class: 'legend', text: listLabel }),
    h('p', { class: 'hint', id: hintId, text: listHint }), rowsEl, addButton);

  function add(item, focus = false) {
    const row = {};
    const n = () => rows.indexOf(row) + 1;
    const typeOptions = [...types];
    if (item.label && !types.some(([v]) => v === item.label)) typeOptions.push([item.label, item.label]);
    row.value = field({ label: noun, type: inputType, value: item[valueKey], autocomplete: rows.length ? 'off' : autocomplete,
      describedBy: hintId, attrs: { spellcheck: 'false' } });
    row.type = field({ label: 'Type', type: 'select', options: typeOptions, value: item.label || types[0][0], cls: 'field-type' });
    const primaryId = uid('primary');
    row.primary = h('input', { type: 'radio', name: radioName, id: primaryId, value: 'primary' });
    row.primary.checked = Boolean(item.primary);
    const primaryLabel = h('label', { for: primaryId, text: 'Primary' });
    row.remove = h('button', { type: 'button', class: 'btn btn-ghost btn-icon', onclick: () => removeRow(row) }, icon('cross'));
    row.el = h('div', { class: 'repeat-row' }, row.value.el, row.type.el,
      h('div', { class: 'repeat-tail' }, h('div', { class: 'radio radio-primary' }, row.primary, primaryLabel), row.remove));
    row.setNumber = () => {
      const i = n();
      const labelText = i === 1 ? noun : `${noun} ${i}`;
      row.value.el.querySelector('label').firstChild.textContent = labelText;
      row.value.label = labelText;
      row.type.control.setAttribute('aria-label', `Type of ${labelText.toLowerCase()}`);
      row.primary.setAttribute('aria-label', `Primary ${labelText.toLowerCase()}`);
      row.remove.setAttribute('aria-label', `Remove ${labelText.toLowerCase()}`);
      row.remove.title = `Remove ${labelText.toLowerCase()}`;
    };
    rows.push(row);
    rowsEl.append(row.el);
    renumber();
    if (focus) row.value.control.focus();
  }

  function removeRow(row) {
    const i = rows.indexOf(row);
    rows.splice(i, 1);
    row.el.remove();
    if (!rows.length) add({});
    renumber();
    (rows[Math.min(i, rows.length - 1)] || {}).value?.control.focus();
  }

  function renumber() {
    rows.forEach((r) => r.setNumber());
    if (!rows.some((r) => r.primary.checked) && rows.length) rows[0].primary.checked = true;
  }

  items.forEach((item) => add(item));
  return {
    el,
    fields: () => rows.map((r) => r.value),
    // Non-empty rows, with exactly one primary (the chosen one, else the first).
    read() {
      const filled = rows.filter((r) => r.value.control.value.trim() !== '').map((r) => ({
        field: r.value, value: r.value.control.value.trim(), type: r.type.control.value, primary: r.primary.checked,
      }));
      if (filled.length && !filled.some((r) => r.primary)) filled[0].primary = true;
      return { rows: filled };
    },
  };
}
