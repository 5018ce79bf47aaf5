// Two-step sign-in in both apps (docs/accounts.md, "Two-step sign-in"): the second step of the
// sign-in page (a code from the authenticator app, or a recovery code), the enrolment a firm's
// policy requires before the first session, and the account card where a person turns it on,
// gets new recovery codes or turns it off. The QR code is drawn by the server (an SVG); the
// key is shown as text too, for apps that cannot scan.

import { h, uid, replace, focusElement } from './dom.js';
import { api } from './api.js';
import { field, errorSummary, showServerError, whileBusy } from './form.js';

/** The server's QR code SVG as a node (parsed as XML: no script runs, nothing is fetched). */
function svgNode(text) {
  const doc = new DOMParser().parseFromString(String(text || ''), 'image/svg+xml');
  const svg = doc.documentElement;
  return svg && svg.nodeName === 'svg' ? document.importNode(svg, true) : null;
}

/** A field for a 6-digit code: the browser and phone offer the one-time code and digits. */
export function codeField({ label = 'Authentication code', name = 'totp', hint } = {}) {
  return field({
    label, name, autocomplete: 'one-time-code', inputmode: 'numeric',
    hint: hint || 'The 6-digit code your authenticator app shows now.',
    attrs: { maxlength: '7', spellcheck: 'false', autocapitalize: 'none' },
  });
}

/** The setup of an authenticator: steps, the QR code, the key for manual entry, the link. */
function enrolmentSteps(enrolment) {
  const grouped = enrolment.secret.replace(/(.{4})/g, '$1 ').trim();
  return h('div', { class: 'mfa-enrol' },
    h('ol', { class: 'mfa-steps' },
      h('li', { text: 'Open an authenticator app on your phone (for example FreeOTP, Aegis, Google Authenticator or 1Password).' }),
      h('li', { text: 'Scan this QR code with it, or type the key below into it.' }),
      h('li', { text: 'Enter the 6-digit code the app then shows.' })),
    h('figure', { class: 'mfa-qr' }, svgNode(enrolment.qr_svg),
      h('figcaption', {}, 'Key for manual entry: ',
        h('code', { class: 'code mfa-secret', 'data-secret': enrolment.secret, text: grouped }))),
    h('details', { class: 'mfa-uri' }, h('summary', { text: 'Show the setup link' }),
      h('code', { class: 'code', text: enrolment.otpauth_uri })));
}

/** The recovery codes, shown once: each works once, in place of a code from the app. */
export function recoveryCodesBlock(codes) {
  const titleId = uid('recovery');
  return h('section', { class: 'mfa-recovery', 'aria-labelledby': titleId },
    h('h2', { class: 'card-title', id: titleId, text: 'Your recovery codes' }),
    h('p', { text: 'If you lose your phone, sign in with one of these instead of a code. Each works once. '
      + 'Keep them somewhere safe, such as a password manager: they are shown only now.' }),
    h('ul', { class: 'mfa-codes' }, codes.map((c) => h('li', {}, h('code', { class: 'code', text: c })))));
}

/**
 * The sign-in's second step inside the sign-in card. `kind`: 'mfa_required' (a code, or a
 * recovery code) or 'mfa_enrolment_required' (the firm requires it: set it up now).
 * `finish(answer)` completes the sign-in with the login's answer; `restart()` goes back to the
 * first step. `rememberDays` (from the server's words; 0 hides the box).
 */
export function secondStep(kind, { finish, restart, rememberDays = 30 }) {
  const wrap = h('div', { class: 'mfa-step' });
  const heading = h('h1', { tabindex: '-1' });
  const summary = errorSummary();
  let useRecovery = false;

  const send = async (btn, body) => {
    summary.clear();
    try {
      const answer = await whileBusy(btn, 'Checking\u2026', api('POST', 'auth/login', { body, quiet401: true }));
      await finish(answer);
    } catch (err) {
      if (err.code === 'mfa_expired') {
        restart('Your sign-in took too long. Enter your password again.');
        return;
      }
      summary.show([], err.message);
    }
  };

  function codeStep() {
    heading.textContent = 'Two-step sign-in';
    const code = useRecovery
      ? field({ label: 'Recovery code', name: 'recovery_code', autocomplete: 'off', hint: 'One of the codes you kept when you set up two-step sign-in, like abcde-fghij.',
        attrs: { spellcheck: 'false', autocapitalize: 'none' } })
      : codeField();
    const rememberId = uid('remember');
    const remember = h('input', { type: 'checkbox', id: rememberId, name: 'remember_device' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, h('span', { text: 'Verify' }));
    const form = h('form', { class: 'auth-form', novalidate: true }, summary.el, code.el,
      rememberDays > 0 ? h('div', { class: 'checkbox' }, remember,
        h('label', { for: rememberId, text: `Remember this device for ${rememberDays} days` })) : null,
      submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      code.clearError();
      const value = code.control.value.trim();
      if (!value) {
        code.setError(useRecovery ? 'Enter a recovery code.' : 'Enter the 6-digit code.');
        summary.show([], useRecovery ? 'Enter a recovery code.' : 'Enter the 6-digit code.');
        return;
      }
      const body = useRecovery ? { recovery_code: value } : { totp: value.replace(/\s+/g, '') };
      if (remember.checked) body.remember_device = true;
      await send(submit, body);
      code.control.value = '';
    });
    const other = h('button', {
      type: 'button', class: 'link-button',
      text: useRecovery ? 'Use a code from your authenticator app instead' : 'Use a recovery code instead',
      onclick: () => { useRecovery = !useRecovery; codeStep(); },
    });
    replace(wrap, heading,
      h('p', { class: 'muted', text: useRecovery ? 'Enter one of your recovery codes.' : 'Enter the code from your authenticator app to finish signing in.' }),
      form, h('p', { class: 'auth-foot' }, other));
    // The step is drawn before the page puts it on screen: focus once it is there.
    setTimeout(() => focusElement(code.control), 0);
  }

  async function enrolStep() {
    heading.textContent = 'Set up two-step sign-in';
    replace(wrap, heading, h('p', { class: 'muted', text: 'Preparing\u2026' }));
    let enrolment;
    try {
      enrolment = await api('POST', 'auth/mfa/enrol', { body: {}, quiet401: true });
    } catch (err) {
      if (err.code === 'mfa_expired') restart('Your sign-in took too long. Enter your password again.');
      else replace(wrap, heading, h('p', { role: 'alert', text: err.message }));
      return;
    }
    const code = codeField({ label: 'Code from your app' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, h('span', { text: 'Turn on and sign in' }));
    const form = h('form', { class: 'auth-form', novalidate: true }, summary.el, code.el, submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const value = code.control.value.replace(/\s+/g, '');
      if (!value) {
        code.setError('Enter the 6-digit code.');
        summary.show([], 'Enter the 6-digit code.');
        return;
      }
      await send(submit, { totp: value });
    });
    replace(wrap, heading,
      h('p', { text: 'Your firm requires a second step when you sign in: a code from an authenticator app on your phone.' }),
      enrolmentSteps(enrolment), form);
    focusElement(heading);
  }

  if (kind === 'mfa_enrolment_required') enrolStep();
  else codeStep();
  return wrap;
}

/**
 * The "Two-step sign-in" card of an account page (staff and portal): its state from
 * GET /api/v1/me/mfa, and the enrolment, new recovery codes and turning it off.
 */
export function mfaCard() {
  const titleId = uid('mfa');
  const body = h('div', { class: 'mfa-card-body' }, h('p', { class: 'muted', text: 'Loading\u2026' }));
  const card = h('section', { class: 'card mfa-card', 'aria-labelledby': titleId },
    h('h2', { class: 'card-title', id: titleId, text: 'Two-step sign-in' }), body);

  async function load(focus) {
    let state;
    try {
      state = await api('GET', 'me/mfa');
    } catch (err) {
      replace(body, h('p', { role: 'alert', text: err.message }));
      return;
    }
    if (state.enrolled) showOn(state, focus);
    else showOff(state, focus);
  }

  function showOff(state, focus) {
    const start = h('button', { type: 'button', class: 'btn btn-primary' }, h('span', { text: 'Set up authenticator app' }));
    const status = h('p', { class: 'mfa-status', text: 'Two-step sign-in is off.' });
    start.addEventListener('click', async () => {
      let enrolment;
      try {
        enrolment = await whileBusy(start, 'Preparing\u2026', api('POST', 'me/mfa/totp', { body: {} }));
      } catch (err) {
        replace(body, h('p', { role: 'alert', text: err.message }));
        return;
      }
      showEnrol(enrolment);
    });
    replace(body, status,
      h('p', { text: 'With it on, signing in also asks for a code from an authenticator app on your phone, so a stolen password alone is not enough.' }),
      state.enforced ? h('p', { class: 'alert alert-info', text: 'Your firm requires it.' }) : null,
      h('div', { class: 'form-actions' }, start));
    if (focus) focusElement(start);
  }

  function showEnrol(enrolment) {
    const summary = errorSummary();
    const code = codeField({ label: 'Code from your app', name: 'code' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, h('span', { text: 'Turn on' }));
    const form = h('form', { class: 'form', novalidate: true }, summary.el, code.el, h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      summary.clear();
      code.clearError();
      try {
        const answer = await whileBusy(submit, 'Checking\u2026',
          api('POST', 'me/mfa/totp/confirm', { body: { code: code.control.value.replace(/\s+/g, '') } }));
        showCodes(answer.recovery_codes, 'Two-step sign-in is on.');
      } catch (err) {
        showServerError(err, summary, { code });
      }
    });
    replace(body, enrolmentSteps(enrolment), form);
    focusElement(code.control);
  }

  function showCodes(codes, message) {
    const done = h('button', { type: 'button', class: 'btn btn-primary', onclick: () => load(true) },
      h('span', { text: 'I have kept my recovery codes' }));
    const status = h('p', { class: 'alert alert-success', role: 'status', text: message });
    replace(body, status, recoveryCodesBlock(codes), h('div', { class: 'form-actions' }, done));
    focusElement(status);
  }

  function showOn(state, focus) {
    const summary = errorSummary();
    const code = field({
      label: 'Code from your app, or a recovery code', name: 'code', autocomplete: 'one-time-code',
      hint: 'Needed to make a change here.', attrs: { spellcheck: 'false', autocapitalize: 'none' },
    });
    const renew = h('button', { type: 'button', class: 'btn' }, h('span', { text: 'New recovery codes' }));
    const off = h('button', { type: 'button', class: 'btn btn-danger' }, h('span', { text: 'Turn off two-step sign-in' }));
    const check = () => {
      summary.clear();
      code.clearError();
      const value = code.control.value.trim();
      if (!value) {
        code.setError('Enter a code from your app or a recovery code.');
        summary.show([], 'Enter a code from your app or a recovery code.');
        return '';
      }
      return /^[\d\s]+$/.test(value) ? value.replace(/\s+/g, '') : value;
    };
    renew.addEventListener('click', async () => {
      const value = check();
      if (!value) return;
      try {
        const answer = await whileBusy(renew, 'Making\u2026', api('POST', 'me/mfa/recovery-codes', { body: { code: value } }));
        showCodes(answer.recovery_codes, 'New recovery codes are ready. The old ones no longer work.');
      } catch (err) {
        showServerError(err, summary, { code });
      }
    });
    off.addEventListener('click', async () => {
      const value = check();
      if (!value) return;
      try {
        await whileBusy(off, 'Turning off\u2026', api('POST', 'me/mfa/disable', { body: { code: value } }));
        await load(true);
      } catch (err) {
        showServerError(err, summary, { code });
      }
    });
    const since = state.enrolled_at ? ` since ${new Date(state.enrolled_at).toLocaleDateString()}` : '';
    const status = h('p', { class: 'mfa-status', tabindex: '-1', text: `Two-step sign-in is on${since}.` });
    replace(body, status,
      h('p', { text: `Recovery codes left: ${state.recovery_codes_left} of 10.` }),
      state.enforced ? h('p', { class: 'hint', text: 'Your firm requires two-step sign-in, so it cannot be turned off here.' }) : null,
      h('form', { class: 'form', novalidate: true, onsubmit: (ev) => ev.preventDefault() }, summary.el, code.el,
        h('div', { class: 'form-actions' }, renew, state.enforced ? null : off)));
    if (focus) focusElement(status);
  }

  load(false);
  return card;
}
