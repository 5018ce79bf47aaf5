// The firm's billing settings, a section of the Billing page (GET /api/v1/billing/settings,
// billing.read): its postal address and tax ID, printed under its name on every invoice and
// receipt PDF, and its tax rates, one of them perhaps the default for new invoices. Those with
// billing.settings (owner, billing) edit them (PUT, which replaces the list of rates); everyone
// else reads them. Rates are typed in percent with up to two decimals and sent as basis points.

import {
  h, icon, replace, api, can, field, errorSummary, showServerError, showProblems, whileBusy, uid, srOnly,
  focusElement,
} from '/shared/js/kit.js';
import { parsePercent, percentText } from './staff_parts.js';

const MAX_RATES = 20; // as the API allows

/** "VAT (21%)"; a name that already says its rate ("VAT 21%") is left as it is. */
export function rateText(rate) {
  const pct = `${percentText(rate.rate_bp)}%`;
  return String(rate.name).includes(pct) ? rate.name : `${rate.name} (${pct})`;
}

/**
 * The section: { el, load() }. `live` is the page's announcer, `ctx` the view's (for alive()).
 */
export function settingsSection(ctx, live) {
  const editable = can('billing.settings');
  const body = h('div', { class: 'bill-settings-body' }, h('p', { class: 'muted', role: 'status', text: 'Loading the billing settings\u2026' }));
  const el = h('section', { class: 'bill-section bill-settings', 'aria-labelledby': 'bill-settings-title' },
    h('h2', { id: 'bill-settings-title', text: 'Billing settings' }),
    h('p', { class: 'muted', text: editable
      ? 'The firm\u2019s address and tax ID are printed under its name on every invoice and receipt; the default tax rate is offered for new invoices.'
      : 'The firm\u2019s address and tax ID as printed on its invoices and receipts, and its tax rates. The owner and billing staff change them.' }),
    body);

  async function load() {
    let data;
    try {
      data = await api('GET', 'billing/settings');
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      replace(body, h('div', { class: 'alert alert-error', role: 'alert' },
        h('p', { text: `The billing settings could not be loaded. ${err.message}` }),
        h('button', { type: 'button', class: 'btn', text: 'Try again', onclick: () => load() })));
      return;
    }
    if (!ctx.alive()) return;
    replace(body, editable ? settingsForm(data) : readOnly(data));
  }

  function readOnly(s) {
    const rates = Array.isArray(s.tax_rates) ? s.tax_rates : [];
    const none = (text) => h('span', { class: 'muted', text });
    return h('dl', { class: 'details card bill-settings-view' },
      h('div', { class: 'detail' }, h('dt', { text: 'Address' }), s.address ? h('dd', { class: 'pre', text: s.address }) : h('dd', {}, none('Not set'))),
      h('div', { class: 'detail' }, h('dt', { text: 'Tax ID' }), h('dd', {}, s.tax_id || none('Not set'))),
      h('div', { class: 'detail' }, h('dt', { text: 'Tax rates' }), h('dd', {}, rates.length
        ? h('ul', { class: 'bill-settings-rates', 'aria-label': 'Tax rates' }, rates.map((r) => h('li', {},
          rateText(r), r.default ? [' ', h('span', { class: 'badge badge-small bill-default-badge', text: 'Default' })] : null)))
        : none('None'))));
  }

  function settingsForm(s, note = '') {
    const summary = errorSummary('The billing settings were not saved');
    const address = field({ label: 'Address', type: 'textarea', rows: 4, name: 'address', value: s.address || '',
      hint: 'One line per line, as it is printed (at most 6 lines).', autocomplete: 'off' });
    const taxId = field({ label: 'Tax ID', name: 'tax_id', value: s.tax_id || '', cls: 'field-medium',
      hint: 'Printed as \u201cTax ID \u2026\u201d, e.g. a VAT number.' });
    const group = uid('default');
    const ratesHintId = uid('rates-hint');
    const list = h('ol', { class: 'bill-tax-rows', 'aria-label': 'Tax rates' });
    const rows = [];
    const listError = h('p', { class: 'field-error', id: uid('rates-error'), hidden: true });
    // "No default": a radio of the same group, so that the choice can be taken back.
    const noneId = uid('nodefault');
    const noDefault = h('input', { type: 'radio', id: noneId, name: group, value: '' });
    const addRate = h('button', { type: 'button', class: 'btn btn-small', onclick: () => { const r = rateRow(); r.name.control.focus(); } },
      icon('plus', 'icon icon-sm'), h('span', { text: 'Add a tax rate' }));
    const fieldset = h('fieldset', { class: 'bill-tax-rates', 'aria-describedby': ratesHintId },
      h('legend', { class: 'label', text: 'Tax rates' }),
      h('p', { class: 'hint', id: ratesHintId, text: 'A name and a rate in percent (21 or 5.5). The default is preselected on new invoices.' }),
      listError, list,
      h('div', { class: 'bill-tax-tools' }, addRate,
        h('div', { class: 'radio' }, noDefault, h('label', { for: noneId, text: 'No default rate' }))));
    // The list as an error target (too many rates, or a problem the server names on the whole list).
    const listTarget = {
      label: 'Tax rates', control: addRate,
      setError(message) { replace(listError, srOnly('Error: '), message); listError.hidden = false; },
      clearError() { listError.replaceChildren(); listError.hidden = true; },
    };
    const save = h('button', { type: 'submit', class: 'btn btn-primary' }, h('span', { text: 'Save settings' }));
    // Seen after a save until the next change (the page's live region says it to screen readers).
    const saved = note ? h('p', { class: 'bill-settings-note' }, icon('check', 'icon icon-sm'), h('span', { text: note })) : null;
    const form = h('form', { class: 'card bill-settings-form', novalidate: true, 'aria-labelledby': 'bill-settings-title' },
      summary.el, address.el, taxId.el, fieldset, h('div', { class: 'form-actions' }, save, saved));
    if (saved) form.addEventListener('input', () => saved.remove(), { once: true });

    const rates = Array.isArray(s.tax_rates) ? s.tax_rates : [];
    for (const r of rates) rateRow(r);
    if (!rates.some((r) => r.default)) noDefault.checked = true;
    syncAdd();

    function rateRow(initial = null) {
      const name = field({ label: 'Name', name: 'tax_rate_name', value: initial ? initial.name : '', cls: 'bill-tax-name' });
      const rate = field({ label: 'Rate (%)', name: 'tax_rate_percent', value: initial ? percentText(initial.rate_bp) : '', cls: 'bill-tax-percent',
        attrs: { inputmode: 'decimal' } });
      const radioId = uid('default');
      const radio = h('input', { type: 'radio', id: radioId, name: group, value: 'default', checked: Boolean(initial && initial.default) });
      const radioSr = srOnly('');
      const defaultError = h('p', { class: 'field-error', id: `${radioId}-error`, hidden: true });
      const removeSr = srOnly('');
      const remove = h('button', { type: 'button', class: 'btn btn-small btn-ghost bill-tax-remove', onclick: () => {
        const i = rows.indexOf(row);
        const wasDefault = radio.checked;
        rows.splice(i, 1);
        row.el.remove();
        if (wasDefault) noDefault.checked = true;
        relabel();
        syncAdd();
        const next = rows[Math.min(i, rows.length - 1)];
        focusElement(next ? next.name.control : addRate);
        live.announce('Tax rate removed; save to keep the change.');
      } }, icon('cross', 'icon icon-sm'), removeSr);
      const el = h('li', { class: 'bill-tax-row' }, name.el, rate.el,
        h('div', { class: 'radio bill-tax-default' }, radio, h('label', { for: radioId }, h('span', { text: 'Default' }), radioSr)),
        remove, defaultError);
      const defaultTarget = {
        label: 'Default', control: radio,
        setError(message) {
          replace(defaultError, srOnly('Error: '), message);
          defaultError.hidden = false;
          radio.setAttribute('aria-invalid', 'true');
          radio.setAttribute('aria-describedby', defaultError.id);
        },
        clearError() {
          defaultError.replaceChildren();
          defaultError.hidden = true;
          radio.removeAttribute('aria-invalid');
          radio.removeAttribute('aria-describedby');
        },
      };
      const row = {
        el, name, rate, radio, defaultTarget,
        number(n) {
          // The visible labels stay short; the accessible names say which row they belong to.
          name.control.setAttribute('aria-label', `Name of tax rate ${n}`);
          rate.control.setAttribute('aria-label', `Rate of tax rate ${n} (%)`);
          name.label = `Tax rate ${n}, name`;
          rate.label = `Tax rate ${n}, rate`;
          defaultTarget.label = `Tax rate ${n}, default`;
          radioSr.textContent = ` (tax rate ${n})`;
          removeSr.textContent = `Remove tax rate ${n}`;
        },
        empty: () => !name.value().trim() && !rate.value().trim(),
      };
      rows.push(row);
      list.append(el);
      relabel();
      syncAdd();
      return row;
    }

    function relabel() { rows.forEach((r, i) => r.number(i + 1)); }
    function syncAdd() { addRate.hidden = rows.length >= MAX_RATES; }

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      summary.clear();
      const targets = [address, taxId, listTarget, ...rows.flatMap((r) => [r.name, r.rate, r.defaultTarget])];
      targets.forEach((f) => f.clearError());
      const problems = [];
      const sent = rows.filter((r) => !r.empty() || r.radio.checked); // an empty row is left out
      const taxRates = sent.map((r) => {
        const n = rows.indexOf(r) + 1;
        const nameText = r.name.value().trim();
        if (!nameText) problems.push([r.name, `Name tax rate ${n} (VAT, GST, sales tax).`]);
        let bp = 0;
        if (!r.rate.value().trim()) problems.push([r.rate, `Enter the rate of ${nameText || `tax rate ${n}`} in percent (0 for a zero rate).`]);
        else {
          const p = parsePercent(r.rate.value());
          if (p.error) problems.push([r.rate, p.error]);
          else bp = p.bp;
        }
        return { name: nameText, rate_bp: bp, default: r.radio.checked };
      });
      if (problems.length) {
        showProblems(summary, problems, 'Check the fields below.');
        return;
      }
      const fieldFor = (path) => {
        const m = /^tax_rates\[(\d+)\](?:\.(\w+))?$/.exec(path || '');
        if (m) {
          const r = sent[Number(m[1])];
          if (r) return { name: r.name, rate_bp: r.rate, default: r.defaultTarget }[m[2]] || r.name;
        }
        if (String(path || '').startsWith('tax_rates')) return listTarget;
        return { address, tax_id: taxId }[path] || null;
      };
      try {
        const answer = await whileBusy(save, 'Saving\u2026', api('PUT', 'billing/settings', {
          body: { address: address.value().replace(/\r\n?/g, '\n').replace(/\s+$/, ''), tax_id: taxId.value().trim(), tax_rates: taxRates },
        }));
        if (!ctx.alive()) return;
        const fresh = settingsForm(answer, 'Saved.');
        replace(body, fresh);
        const def = answer.tax_rates.find((r) => r.default);
        live.announce(`Billing settings saved: ${answer.tax_rates.length} tax rate${answer.tax_rates.length === 1 ? '' : 's'}${
          def ? `, ${rateText(def)} by default` : ''}.`);
        focusElement(fresh.querySelector('button[type="submit"]'));
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        showServerError(err, summary, fieldFor);
      }
    });
    return form;
  }

  return { el, load };
}
