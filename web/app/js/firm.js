// Firm settings (#/firm/settings, owners: core.firm.manage): the firm's name as clients see it,
// its postal address, time zone and country (GET/PATCH /api/v1/firm). A page of the staff shell.
// The server checks every field and answers {"error": {"field"}}, shown on the field it names.

import { h, replace } from '../../shared/js/dom.js';
import { api } from '../../shared/js/api.js';
import { field, errorSummary, formSection, showServerError, whileBusy } from '../../shared/js/form.js';
import { logoSection } from './firm_logo.js';

// Every region the browser can name (ISO 3166-1 alpha-2), by name; the server keeps the tz
// database's list and refuses a code not in it.
function countryOptions() {
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  const out = [];
  for (let a = 65; a <= 90; a += 1) {
    for (let b = 65; b <= 90; b += 1) {
      const code = String.fromCharCode(a, b);
      let name;
      try { name = names.of(code); } catch { name = code; }
      if (name && name !== code && !['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ'].includes(code)) out.push([code, name]);
    }
  }
  out.sort((x, y) => x[1].localeCompare(y[1]));
  return [['', 'Not set'], ...out.map(([code, name]) => [code, `${name} (${code})`])];
}

// Every currency the browser can name (ISO 4217), by code; the server checks the code against
// Debian's iso-codes list and refuses what is not money (XAU, XTS, ...).
function currencyOptions(current) {
  let codes = [];
  try { codes = Intl.supportedValuesOf('currency'); } catch { codes = []; }
  if (current && !codes.includes(current)) codes.push(current);
  const names = new Intl.DisplayNames(['en'], { type: 'currency' });
  const named = codes.map((code) => {
    let name;
    try { name = names.of(code); } catch { name = code; }
    return [code, name && name !== code ? `${code} \u2014 ${name}` : code];
  });
  named.sort((a, b) => a[0].localeCompare(b[0]));
  return [['', 'Not set'], ...named];
}

function zoneNames() {
  try { return Intl.supportedValuesOf('timeZone'); } catch { return []; }
}

export async function firmSettingsPage(container, ctx) {
  ctx.setTitle('Firm settings');
  const heading = h('h1', { text: 'Firm settings', id: 'firm-settings-title' });
  const page = h('section', { class: 'page page-form', 'aria-labelledby': 'firm-settings-title' });
  container.append(page);
  replace(page, h('div', { class: 'page-header' }, heading), h('p', { class: 'muted', text: 'Loading\u2026' }));
  let firm;
  try {
    firm = await api('GET', 'firm');
  } catch (err) {
    if (!ctx.alive()) return;
    replace(page, h('div', { class: 'page-header' }, heading), h('p', { role: 'alert', text: err.message }));
    return;
  }
  if (!ctx.alive()) return;

  const name = field({ label: 'Firm name', name: 'name', required: true, value: firm.name, autocomplete: 'organization',
    hint: 'As staff and clients see it, in the portal, e-mails and documents.' });
  const address = field({ label: 'Postal address', name: 'address', type: 'textarea', rows: 4, value: firm.address,
    autocomplete: 'street-address', hint: 'One line per line of the address.' });
  const zoneList = h('datalist', { id: 'firm-time-zones' }, zoneNames().map((z) => h('option', { value: z })));
  const timeZone = field({ label: 'Time zone', name: 'time_zone', required: true, value: firm.time_zone,
    hint: 'A name from the time zone database, for example America/Chicago or Europe/Berlin. Dates and times are shown in it.',
    attrs: { list: 'firm-time-zones', autocapitalize: 'none', spellcheck: 'false' } });
  const country = field({ label: 'Country', name: 'country', type: 'select', options: countryOptions(), value: firm.country,
    hint: 'Phone numbers without a country code are read as numbers of this country.' });
  const currency = field({ label: 'Default currency', name: 'default_currency', type: 'select',
    options: currencyOptions(firm.default_currency), value: firm.default_currency || '',
    hint: 'The firm\u2019s usual currency (ISO 4217).' });
  const fields = { name, address, time_zone: timeZone, country, default_currency: currency };
  const summary = errorSummary();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, h('span', { text: 'Save settings' }));
  const status = h('p', { class: 'muted', role: 'status' });
  const form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': 'firm-settings-title' },
    summary.el,
    formSection('The firm', name.el, address.el),
    formSection('Region', timeZone.el, zoneList, country.el, currency.el),
    h('div', { class: 'form-actions' }, submit), status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    summary.clear();
    status.textContent = '';
    Object.values(fields).forEach((f) => f.clearError());
    const body = {
      name: name.control.value.trim(),
      address: address.control.value,
      time_zone: timeZone.control.value.trim(),
      country: country.control.value,
      default_currency: currency.control.value,
    };
    if (!body.name) {
      name.setError('Enter the firm\u2019s name');
      summary.show([{ label: name.label, message: 'Enter the firm\u2019s name', control: name.control }]);
      return;
    }
    try {
      firm = await whileBusy(submit, 'Saving\u2026', api('PATCH', 'firm', { body }));
      if (!ctx.alive()) return;
      address.control.value = firm.address;
      status.textContent = `Saved. The firm is in ${firm.time_zone}${firm.country_name ? `, ${firm.country_name}` : ''}.`;
    } catch (err) {
      if (!ctx.alive()) return;
      showServerError(err, summary, fields);
    }
  });
  replace(page, h('div', { class: 'page-header' }, heading),
    h('p', { class: 'muted', text: `Short name (used to sign in): ${firm.slug}` }), form, logoSection(firm),
    h('p', {}, h('a', { href: '#/firm/security', text: 'Two-step sign-in for the firm' })));
  return { focus: name.control };
}
