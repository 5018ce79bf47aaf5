// The billing module's time and expenses on a case, for the case page's cards: the case's time
// entries and expenses with the unbilled totals (billing.read), the "Add time" form with a timer
// and the "Add expense" form (billing.time), and Delete on an unbilled time entry (one's own, or
// anyone's with billing.write). A person who records time but may not read the firm's billing
// (a paralegal by default) gets the forms and the entries they recorded on this page only.

import {
  h, icon, replace, api, can, field, errorSummary, showServerError, showProblems, whileBusy, todayIso, calendarDate, uid,
} from '/shared/js/kit.js';
import {
  amount, announcer, digitsForCurrency, hoursText, itemsOf, parseAmount, parseDuration,
} from './staff_parts.js';

const TIMER_KEY = (caseId) => `lexos.billing.timer.${caseId}`;

/** The running timer of a case (its start, ms since the epoch) kept in sessionStorage, or null. */
function timerStart(caseId) {
  try {
    const v = Number(window.sessionStorage.getItem(TIMER_KEY(caseId)));
    return Number.isFinite(v) && v > 0 ? v : null;
  } catch {
    return null;
  }
}

function setTimerStart(caseId, value) {
  try {
    if (value) window.sessionStorage.setItem(TIMER_KEY(caseId), String(value));
    else window.sessionStorage.removeItem(TIMER_KEY(caseId));
  } catch {
    /* private mode: the timer lasts as long as the page */
  }
}

function elapsedText(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Fills `mount` (a card's body) for case `ctx.case_id`. `withList`: the person may read the
 * case's time and expenses (billing.read). Returns { cleanup }.
 */
export async function timePanel(mount, ctx, { withList }) {
  const caseId = ctx.case_id;
  const base = `cases/${encodeURIComponent(String(caseId))}`;
  const mayRecord = can('billing.time');
  const me = ctx.principal || {};
  const mayDeleteAny = can('billing.write');
  const live = announcer();
  const errorEl = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
  const showError = (text) => { errorEl.textContent = text; errorEl.hidden = false; };
  let time = [];
  let expenses = [];
  let unbilled = { minutes: 0, minor: 0 };
  let currency = '';
  const recordedNow = []; // without billing.read: what this page recorded
  const timers = [];

  const count = h('span', { class: 'card-count' });
  if (ctx.heading) ctx.heading.append(count);
  const summary = h('p', { class: 'bill-unbilled', 'aria-live': 'polite' });
  const timeList = h('ul', { class: 'bill-entries', 'aria-label': 'Time entries, newest first' });
  const expenseList = h('ul', { class: 'bill-entries', 'aria-label': 'Expenses, newest first' });
  const timeEmpty = h('p', { class: 'muted', text: 'No time recorded on this case yet.' });
  const expenseEmpty = h('p', { class: 'muted', text: 'No expenses on this case yet.' });

  // The client's billing currency decides the decimals of a rate or an expense typed here.
  try {
    const client = ctx.client_id ? await api('GET', `clients/${encodeURIComponent(String(ctx.client_id))}`) : null;
    currency = (client && client.billing && client.billing.currency) || '';
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return {};
  }
  if (!ctx.alive()) return {};

  const timeForm = mayRecord ? addTimeForm() : null;
  const expenseForm = mayRecord ? addExpenseForm() : null;
  const toggles = h('div', { class: 'bill-toggles' });
  if (mayRecord) {
    toggles.append(toggleFor(timeForm, 'Add time', 'clock'), toggleFor(expenseForm, 'Add expense', 'bill'));
  }
  const timer = mayRecord ? timerPart() : null;

  replace(mount,
    withList ? summary : null,
    errorEl,
    timer ? timer.el : null,
    toggles,
    timeForm ? timeForm.el : null,
    expenseForm ? expenseForm.el : null,
    withList ? [
      h('h3', { class: 'bill-sub', text: 'Time' }), timeList, timeEmpty,
      h('h3', { class: 'bill-sub', text: 'Expenses' }), expenseList, expenseEmpty,
    ] : [h('h3', { class: 'bill-sub', text: 'Recorded on this page' }), timeList, timeEmpty],
    live.el);
  mount.classList.add('bill-panel');
  if (withList) await load();
  else draw();
  if (timer && timerStart(caseId)) timeForm.open(false);
  return { cleanup: () => timers.forEach((t) => window.clearInterval(t)) };

  async function load() {
    try {
      const [t, e] = await Promise.all([api('GET', `${base}/time`), api('GET', `${base}/expenses`)]);
      if (!ctx.alive()) return;
      time = itemsOf(t);
      expenses = itemsOf(e);
      unbilled = { minutes: Number(t.unbilled_minutes) || 0, minor: Number(t.unbilled_minor) || 0 };
      if (!currency) currency = (time[0] && time[0].currency) || (expenses[0] && expenses[0].currency) || '';
      errorEl.hidden = true;
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      showError(`The time and expenses could not be loaded. ${err.message}`);
      return;
    }
    draw();
  }

  function draw() {
    if (!withList) {
      replace(timeList, recordedNow.map(timeItem));
      timeEmpty.textContent = 'Nothing recorded on this page yet.';
      timeEmpty.hidden = recordedNow.length > 0;
      return;
    }
    const openExpenses = expenses.filter((e) => e.billable && e.invoice_id === null);
    const expenseMinor = openExpenses.reduce((sum, e) => sum + Number(e.amount_minor), 0);
    count.textContent = unbilled.minutes || expenseMinor ? ` \u00b7 ${amount(unbilled.minor + expenseMinor, currency)} unbilled` : '';
    replace(summary,
      h('span', { class: 'bill-unbilled-figure' }, h('strong', { text: hoursText(unbilled.minutes) }), ' h unbilled time'),
      ' \u00b7 ',
      h('strong', { text: amount(unbilled.minor, currency) || '0' }),
      openExpenses.length ? [' \u00b7 ', h('span', { text: `${openExpenses.length} unbilled expense${openExpenses.length === 1 ? '' : 's'}: ${amount(expenseMinor, currency)}` })] : null);
    replace(timeList, time.map(timeItem));
    timeEmpty.hidden = time.length > 0;
    replace(expenseList, expenses.map(expenseItem));
    expenseEmpty.hidden = expenses.length > 0;
  }

  function stateMark(entry) {
    if (entry.invoice_id !== null && entry.invoice_id !== undefined) {
      return h('a', { class: 'badge bill-badge-billed', href: `#/invoices/${encodeURIComponent(String(entry.invoice_id))}`, text: 'Billed' });
    }
    if (!entry.billable) return h('span', { class: 'badge', text: 'Not billable' });
    return h('span', { class: 'badge bill-badge-open', text: 'Unbilled' });
  }

  function timeItem(t) {
    const labelId = uid('time');
    const mayDelete = mayRecord && t.invoice_id === null && (mayDeleteAny || t.user_id === me.id);
    return h('li', { class: 'bill-entry', dataset: { id: String(t.id) } },
      h('div', { class: 'bill-entry-main' },
        h('p', { class: 'bill-entry-desc', id: labelId, text: t.description }),
        h('p', { class: 'bill-entry-meta muted' },
          h('span', { text: calendarDate(t.date) }), ' \u00b7 ', h('span', { text: t.user_name || '' }), ' \u00b7 ',
          h('span', { text: `${hoursText(t.minutes)} h` }), ' at ', h('span', { text: `${amount(t.rate_minor, t.currency)}/h` }))),
      h('div', { class: 'bill-entry-side' },
        h('span', { class: 'bill-entry-amount', text: amount(t.amount_minor, t.currency) }),
        stateMark(t),
        mayDelete ? deleteButton(t, labelId) : null));
  }

  function expenseItem(e) {
    return h('li', { class: 'bill-entry' },
      h('div', { class: 'bill-entry-main' },
        h('p', { class: 'bill-entry-desc', text: e.description }),
        h('p', { class: 'bill-entry-meta muted', text: calendarDate(e.date) })),
      h('div', { class: 'bill-entry-side' },
        h('span', { class: 'bill-entry-amount', text: amount(e.amount_minor, e.currency) }),
        stateMark(e)));
  }

  function deleteButton(t, labelId) {
    const btn = h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', 'aria-describedby': labelId,
      onclick: async () => {
        errorEl.hidden = true;
        try {
          await whileBusy(btn, 'Deleting\u2026', api('DELETE', `time/${encodeURIComponent(String(t.id))}`));
          if (!ctx.alive()) return;
          const i = recordedNow.findIndex((x) => x.id === t.id);
          if (i >= 0) recordedNow.splice(i, 1);
          live.announce(`Time entry deleted: ${t.description}.`);
          if (withList) await load();
          else draw();
          const next = timeList.querySelector('button') || (toggles.querySelector('button'));
          if (next) next.focus();
        } catch (err) {
          if (!ctx.alive() || err.status === 401) return;
          showError(`The time entry could not be deleted. ${err.message}`);
        }
      } }, h('span', { text: 'Delete' }));
    return btn;
  }

  // A button that shows or hides one of the forms (the other closes).
  function toggleFor(form, text, iconName) {
    const btn = h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false', 'aria-controls': form.el.id,
      onclick: () => (form.el.hidden ? form.open(true) : form.close()) }, icon(iconName, 'icon icon-sm'), h('span', { text }));
    form.toggle = btn;
    return btn;
  }

  function formShell(label) {
    const el = h('form', { class: 'bill-form', id: uid('billform'), novalidate: true, hidden: true, 'aria-label': label });
    const api_ = {
      el,
      toggle: null,
      first: null,
      open(focus = true) {
        for (const f of [timeForm, expenseForm]) if (f && f !== api_) f.close();
        el.hidden = false;
        if (api_.toggle) api_.toggle.setAttribute('aria-expanded', 'true');
        if (focus && api_.first) api_.first.focus();
      },
      close() {
        el.hidden = true;
        if (api_.toggle) api_.toggle.setAttribute('aria-expanded', 'false');
      },
    };
    return api_;
  }

  function addTimeForm() {
    const f = formShell('Add time');
    const sum = errorSummary('The time was not added');
    const minutes = field({ label: 'Time worked', name: 'minutes', hint: 'Minutes (90) or h:mm (1:30).', cls: 'field-short',
      attrs: { inputmode: 'text', autocomplete: 'off' } });
    const description = field({ label: 'Description', type: 'textarea', rows: 2, name: 'description',
      hint: 'Billable work is described to the client on the invoice.' });
    const date = field({ label: 'Date', type: 'date', name: 'date', value: todayIso(), cls: 'field-short' });
    const rate = field({ label: `Rate per hour (optional${currency ? `, ${currency}` : ''})`, name: 'rate', cls: 'field-short',
      hint: 'Empty: the client\u2019s rate, else your default rate.', attrs: { inputmode: 'decimal' } });
    const billableId = uid('billable');
    const billable = h('input', { type: 'checkbox', id: billableId, name: 'billable', checked: true });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, h('span', { text: 'Add time' }));
    const cancel = h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: () => { f.close(); f.toggle.focus(); } },
      h('span', { text: 'Cancel' }));
    f.first = minutes.control;
    f.minutes = minutes;
    f.el.append(sum.el, h('div', { class: 'bill-form-row' }, minutes.el, date.el), description.el,
      h('div', { class: 'bill-form-row' }, rate.el,
        h('div', { class: 'checkbox bill-check' }, billable, h('label', { for: billableId, text: 'Billable' }))),
      h('div', { class: 'form-actions' }, submit, cancel));
    const fields = { minutes, description, date, rate_minor: rate };
    f.el.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      sum.clear();
      Object.values(fields).forEach((x) => x.clearError());
      const problems = [];
      const d = parseDuration(minutes.value());
      if (d.error) problems.push([minutes, d.error]);
      if (!description.value().trim()) problems.push([description, 'Describe the work.']);
      if (!date.value()) problems.push([date, 'Enter the date of the work.']);
      let rateMinor;
      if (rate.value().trim()) {
        const r = parseAmount(rate.value(), digitsForCurrency(currency || 'USD'), { allowZero: true });
        if (r.error) problems.push([rate, r.error]);
        else rateMinor = r.minor;
      }
      if (problems.length) {
        showProblems(sum, problems, 'The time was not added');
        return;
      }
      const body = { minutes: d.minutes, description: description.value().trim(), date: date.value(), billable: billable.checked };
      if (rateMinor !== undefined) body.rate_minor = rateMinor;
      try {
        const saved = await whileBusy(submit, 'Adding\u2026', api('POST', `${base}/time`, { body }));
        if (!ctx.alive()) return;
        minutes.control.value = '';
        description.control.value = '';
        rate.control.value = '';
        billable.checked = true;
        recordedNow.unshift(saved);
        if (!currency) currency = saved.currency;
        live.announce(`Time added: ${hoursText(saved.minutes)} h, ${amount(saved.amount_minor, saved.currency)}.`);
        if (withList) await load();
        else draw();
        minutes.control.focus();
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        showServerError(err, sum, fields);
      }
    });
    return f;
  }

  function addExpenseForm() {
    const f = formShell('Add expense');
    const sum = errorSummary('The expense was not added');
    const amt = field({ label: `Amount${currency ? ` (${currency})` : ''}`, name: 'amount', cls: 'field-short', attrs: { inputmode: 'decimal' } });
    const description = field({ label: 'Description', type: 'textarea', rows: 2, name: 'description', hint: 'Court fees, couriers, travel\u2026' });
    const date = field({ label: 'Date', type: 'date', name: 'date', value: todayIso(), cls: 'field-short' });
    const billableId = uid('billable');
    const billable = h('input', { type: 'checkbox', id: billableId, name: 'billable', checked: true });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, h('span', { text: 'Add expense' }));
    const cancel = h('button', { type: 'button', class: 'btn btn-small btn-ghost', onclick: () => { f.close(); f.toggle.focus(); } },
      h('span', { text: 'Cancel' }));
    f.first = amt.control;
    f.el.append(sum.el, h('div', { class: 'bill-form-row' }, amt.el, date.el), description.el,
      h('div', { class: 'checkbox bill-check' }, billable, h('label', { for: billableId, text: 'Billable (passed on to the client at cost)' })),
      h('div', { class: 'form-actions' }, submit, cancel));
    const fields = { amount_minor: amt, description, date };
    f.el.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      sum.clear();
      Object.values(fields).forEach((x) => x.clearError());
      const problems = [];
      const a = parseAmount(amt.value(), digitsForCurrency(currency || 'USD'));
      if (a.error) problems.push([amt, a.error]);
      if (!description.value().trim()) problems.push([description, 'Describe the expense.']);
      if (!date.value()) problems.push([date, 'Enter the date of the expense.']);
      if (problems.length) {
        showProblems(sum, problems, 'The expense was not added');
        return;
      }
      try {
        const saved = await whileBusy(submit, 'Adding\u2026', api('POST', `${base}/expenses`, {
          body: { amount_minor: a.minor, description: description.value().trim(), date: date.value(), billable: billable.checked },
        }));
        if (!ctx.alive()) return;
        amt.control.value = '';
        description.control.value = '';
        billable.checked = true;
        live.announce(`Expense added: ${amount(saved.amount_minor, saved.currency)}.`);
        if (withList) await load();
        amt.control.focus();
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        showServerError(err, sum, fields);
      }
    });
    return f;
  }

  // Start/stop: the running timer is kept in sessionStorage per case, so it survives a
  // re-render or a reload of the page; Stop puts the minutes (rounded up) in "Time worked".
  function timerPart() {
    const shown = h('span', { class: 'bill-timer-clock', role: 'timer', 'aria-label': 'Timer', text: '0:00:00' });
    const btn = h('button', { type: 'button', class: 'btn btn-small bill-timer-btn' });
    const el = h('div', { class: 'bill-timer' }, icon('clock', 'icon icon-sm'), shown, btn);
    const tick = () => {
      const start = timerStart(caseId);
      shown.textContent = elapsedText(start ? Date.now() - start : 0);
    };
    const drawBtn = () => {
      const running = Boolean(timerStart(caseId));
      el.classList.toggle('is-running', running);
      replace(btn, icon(running ? 'check' : 'clock', 'icon icon-sm'), h('span', { text: running ? 'Stop timer' : 'Start timer' }));
      tick();
    };
    btn.addEventListener('click', () => {
      const start = timerStart(caseId);
      if (!start) {
        setTimerStart(caseId, Date.now());
        live.announce('Timer started.');
      } else {
        const minutes = Math.min(1440, Math.max(1, Math.ceil((Date.now() - start) / 60000)));
        setTimerStart(caseId, null);
        timeForm.open(false);
        timeForm.minutes.control.value = String(minutes);
        live.announce(`Timer stopped: ${minutes} minute${minutes === 1 ? '' : 's'} put in Time worked.`);
      }
      drawBtn();
      if (!timerStart(caseId)) timeForm.minutes.control.focus();
    });
    drawBtn();
    timers.push(window.setInterval(tick, 1000));
    return { el };
  }
}
