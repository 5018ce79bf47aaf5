// Form building blocks: each control has a visible <label>, an optional hint and an error slot,
// wired with aria-describedby and aria-invalid; a form-level alert (role=alert, so it is read out
// when it appears) sums up what went wrong.

import { h, uid, replace, focusElement, srOnly } from './dom.js';

/**
 * A labelled input. opts: label, type, name, value, hint, autocomplete, attrs.
 * Returns { el, control, label, setError(message), clearError(), value() }.
 */
export function field(opts) {
  const id = opts.id || uid('f');
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const control = h('input', {
    id, name: opts.name || id, type: opts.type || 'text', autocomplete: opts.autocomplete || 'off',
    value: opts.value ?? '', ...opts.attrs,
  });
  const hint = opts.hint ? h('p', { class: 'hint', id: hintId, text: opts.hint }) : null;
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const el = h('div', { class: 'field' }, h('label', { for: id, class: 'label', text: opts.label }), hint, control, error);
  const describe = (withError) => {
    const ids = [hint ? hintId : null, withError ? errorId : null].filter(Boolean);
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
 * The alert at the top of a form. show(message, problems?) with problems = [{label, message,
 * control}] lists each with a button that moves focus to its field; clear() hides it.
 */
export function formAlert() {
  const el = h('div', { class: 'alert alert-error form-alert', role: 'alert', tabindex: '-1', hidden: true });
  return {
    el,
    show(message, problems = []) {
      replace(el,
        h('p', { class: 'alert-title', text: message }),
        problems.length > 1 ? h('ul', { class: 'alert-list' }, problems.map((p) => h('li', {},
          h('button', {
            type: 'button', class: 'link-button',
            onclick: () => p.control.focus(),
          }, `${p.label}: ${p.message}`)))) : null);
      el.hidden = false;
      focusElement(el);
    },
    clear() {
      el.hidden = true;
      el.replaceChildren();
    },
  };
}

/** A submit button whose label reads `busyText` while `promise` is pending. */
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
