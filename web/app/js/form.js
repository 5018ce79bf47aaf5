// Form building blocks with accessible labels and errors: each control has a visible <label>,
// an optional hint, and an error slot wired with aria-describedby + aria-invalid. A form-level
// error summary (role=alert) lists every problem, naming the field, with a button to reach it.

import { h, uid, replace, focusElement, srOnly } from './dom.js';

/**
 * A labelled control. opts: label, type ('text', 'email', 'password', 'tel', 'textarea',
 * 'select'), value, hint, required, autocomplete, inputmode, options ([[value, text]] or
 * {group, options} for an optgroup),
 * ariaLabel (a longer accessible name that starts with or contains the visible label),
 * cls (extra class on the wrapper), attrs (extra attributes on the control), describedBy (the
 * id of a shared hint, e.g. a fieldset's).
 * Returns { el, control, label, setError(message), clearError() }.
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
  const labelEl = h('label', { for: id, class: 'label', text: opts.label });
  const hint = opts.hint ? h('p', { class: 'hint', id: hintId, text: opts.hint }) : null;
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const el = h('div', { class: ['field', opts.cls] }, labelEl, hint, error, control);
  const describe = (withError) => {
    const ids = [opts.describedBy, hint ? hintId : null, withError ? errorId : null].filter(Boolean);
    if (ids.length) control.setAttribute('aria-describedby', ids.join(' '));
    else control.removeAttribute('aria-describedby');
  };
  describe(false);
  return {
    el, control, label: opts.label,
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
 * The error summary at the top of a form. show(problems) with problems = [{label, message,
 * control?}] lists them and moves focus to the summary; clear() hides it.
 */
export function errorSummary(title = 'Please correct the following') {
  const list = h('ul', { class: 'error-list' });
  const heading = h('h2', { class: 'error-title', text: title });
  const el = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }, heading, list);
  return {
    el,
    show(problems) {
      replace(list, problems.map((p) => h('li', {},
        p.control
          ? h('button', {
            type: 'button', class: 'link-button',
            onclick: () => { p.control.focus(); p.control.scrollIntoView({ block: 'center' }); },
          }, p.label ? `${p.label}: ${p.message}` : p.message)
          : (p.label ? `${p.label}: ${p.message}` : p.message))));
      el.hidden = false;
      focusElement(el);
    },
    clear() {
      el.hidden = true;
      list.replaceChildren();
    },
  };
}

/** A primary/secondary button; `busyText` replaces the label while `run` is pending. */
export function button(text, { kind = '', type = 'button', onclick, iconEl } = {}) {
  return h('button', { type, class: ['btn', kind && `btn-${kind}`], onclick }, iconEl || null, h('span', { text }));
}

/** Disables `btn` and shows `busyText` until `promise` settles. */
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
