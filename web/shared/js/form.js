// The kit's form helpers, with accessible labels and errors: each control has a visible
// <label>, an optional hint and an error slot wired with aria-describedby and aria-invalid; an
// error summary (role=alert, so it is read out when it appears) sums up what went wrong, each
// problem a button that takes the keyboard to its field. The server's field errors
// ({"error": {"field": "emails[1].address", ...}}) land on the field they name.

import { h, uid, replace, focusElement, srOnly } from './dom.js';

/**
 * A labelled control. opts: label, type ('text', 'email', 'password', 'tel', 'search', 'date',
 * 'textarea', 'select'), name, id, value, hint, required, autocomplete, inputmode, rows,
 * options ([[value, text]] or {group, options} for an optgroup), ariaLabel (a longer accessible
 * name that contains the visible label), cls (extra class on the wrapper), attrs (extra
 * attributes on the control), describedBy (the id of a shared hint, e.g. a fieldset's).
 * Returns { el, control, label, value(), setError(message), clearError() }.
 */
export function field(opts) {
  const id = opts.id || uid('f');
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  let control;
  const common = {
    id, name: opts.name || id, autocomplete: opts.autocomplete || 'off', inputmode: opts.inputmode,
    required: opts.required || false, 'aria-label': opts.ariaLabel, ...opts.attrs,
  };
  if (opts.type === 'textarea') {
    control = h('textarea', { ...common, rows: opts.rows || 3 });
    control.value = opts.value || '';
  } else if (opts.type === 'select') {
    const option = ([v, t]) => h('option', { value: v, text: t });
    control = h('select', common, (opts.options || []).map((o) => (Array.isArray(o) ? option(o)
      : h('optgroup', { label: o.group }, o.options.map(option)))));
    control.value = opts.value ?? '';
  } else {
    control = h('input', { ...common, type: opts.type || 'text', value: opts.value ?? '' });
  }
  const hint = opts.hint ? h('p', { class: 'hint', id: hintId, text: opts.hint }) : null;
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const el = h('div', { class: ['field', opts.cls] }, h('label', { for: id, class: 'label', text: opts.label }), hint, error, control);
  const describe = (withError) => {
    const ids = [opts.describedBy, hint ? hintId : null, withError ? errorId : null].filter(Boolean);
    if (ids.length) control.setAttribute('aria-describedby', ids.join(' '));
    else control.removeAttribute('aria-describedby');
  };
  describe(false);
  return {
    el, control, label: opts.label,
    value: () => control.value,
    setError(message) {
      replace(error, srOnly('Error: '), message);
      error.hidden = false;
      el.classList.add('has-error');
      control.setAttribute('aria-invalid', 'true');
      describe(true);
    },
    clearError() {
      error.replaceChildren();
      error.hidden = true;
      el.classList.remove('has-error');
      control.removeAttribute('aria-invalid');
      describe(false);
    },
  };
}

/**
 * The error summary at the top of a form. show(problems, title) with problems = [{label,
 * message, control?}] shows `title` (default: the one given here) and lists the problems, each
 * with a button to its control, then moves focus to the summary; show([], message) shows one
 * sentence. clear() hides it.
 */
export function errorSummary(defaultTitle = 'Please correct the following') {
  const el = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
  return {
    el,
    show(problems = [], title = defaultTitle) {
      const text = (p) => (p.label ? `${p.label}: ${p.message}` : p.message);
      replace(el,
        h(problems.length ? 'h2' : 'p', { class: 'error-title', text: title }),
        problems.length ? h('ul', { class: 'error-list' }, problems.map((p) => h('li', {},
          p.control ? h('button', {
            type: 'button', class: 'link-button',
            onclick: () => { p.control.focus(); p.control.scrollIntoView({ block: 'center' }); },
          }, text(p)) : text(p)))) : null);
      el.hidden = false;
      focusElement(el);
    },
    clear() {
      el.hidden = true;
      el.replaceChildren();
    },
  };
}

/**
 * Shows an API error on a form: on the field it names when `fieldFor(path)` knows it (a Map,
 * an object or a function from the API's field path to a field()), else as one sentence.
 * Returns the field it marked, or null.
 */
export function showServerError(err, summary, fieldFor = null) {
  const look = (path) => {
    if (!path || !fieldFor) return null;
    if (typeof fieldFor === 'function') return fieldFor(path) || null;
    if (fieldFor instanceof Map) return fieldFor.get(path) || null;
    return Object.prototype.hasOwnProperty.call(fieldFor, path) ? fieldFor[path] : null;
  };
  const target = look(err.field);
  if (target) {
    target.setError(err.message);
    summary.show([{ label: target.label, message: err.message, control: target.focusTarget ? target.focusTarget() : target.control }]);
  } else {
    summary.show([], err.message);
  }
  return target;
}

/** A button: `kind` 'primary', 'ghost', 'small', ... (classes btn-<kind>), an optional icon. */
export function button(text, { kind = '', type = 'button', onclick, iconEl } = {}) {
  return h('button', { type, class: ['btn', ...String(kind).split(' ').filter(Boolean).map((k) => `btn-${k}`)], onclick },
    iconEl || null, h('span', { text }));
}

/** Disables `btn` and shows `busyText` until `promise` settles; resolves to its value. */
export async function whileBusy(btn, busyText, promise) {
  const span = btn.querySelector('span') || btn;
  const old = span.textContent;
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  span.textContent = busyText;
  try {
    return await promise;
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
    span.textContent = old;
  }
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** True for a plausible e-mail address (the server has the final word). */
export function isEmail(s) {
  return EMAIL_RE.test(s) && s.length <= 320;
}

/** Checks a new password and its repetition as the server will; returns [field, message] pairs. */
export function passwordProblems(pw, again) {
  const out = [];
  const length = [...pw.control.value].length;
  if (!length) out.push([pw, 'Choose a password.']);
  else if (length < 12) out.push([pw, `Use at least 12 characters (this one has ${length}).`]);
  else if (length > 128) out.push([pw, 'Use at most 128 characters.']);
  if (!again.control.value) out.push([again, 'Type the password again.']);
  else if (pw.control.value && again.control.value !== pw.control.value) out.push([again, 'The two passwords are not the same.']);
  return out;
}

/**
 * Shows [field, message] pairs found before sending: each on its field, and in the summary
 * (one sentence for one problem, else `title` and the list).
 */
export function showProblems(summary, problems, title = 'Check the fields below.') {
  for (const [f, message] of problems) f.setError(message);
  const list = problems.map(([f, message]) => ({ label: f.label, message, control: f.focusTarget ? f.focusTarget() : f.control }));
  if (list.length === 1) summary.show([], problems[0][1]);
  else summary.show(list, title);
}

/** A "Show passwords" checkbox that switches the given fields between hidden and plain text. */
export function showPasswords(fields) {
  const id = uid('show');
  const box = h('input', {
    type: 'checkbox', id,
    onchange: () => {
      for (const f of fields) f.control.type = box.checked ? 'text' : 'password';
    },
  });
  return h('div', { class: 'checkbox' }, box, h('label', { for: id, text: 'Show passwords' }));
}

/**
 * A titled part of a long form (a card with an h2). Not a landmark region: five regions per
 * form is noise for screen-reader users, and the h2 already lets them jump between parts.
 */
export function formSection(title, ...children) {
  return h('section', { class: 'form-section' },
    h('h2', { class: 'form-section-title', text: title }), h('div', { class: 'form-section-body' }, children));
}
