// Account (portal view "account"): who is signed in, change password (the server then ends
// the person's other sessions), and sign out everywhere else. The only changes a client can
// make in the portal.

import {
  h, icon, uid, api, field, errorSummary, showProblems, showServerError, whileBusy, passwordProblems, showPasswords, useStyles,
} from '/shared/js/kit.js';
import { mfaCard } from '/shared/js/mfa.js';

export async function render(container, kit, ctx) {
  await useStyles(new URL('./portal.css', import.meta.url));
  const me = ctx.principal;
  ctx.setTitle('Account');
  const heading = h('h1', { text: 'Account' });
  container.append(h('section', { class: 'page narrow' },
    h('div', { class: 'page-header' }, heading,
      h('p', { class: 'page-sub', text: 'Your sign-in details and security.' })),
    h('div', { class: 'stack' }, detailsCard(me), passwordCard(), mfaCard(), sessionsCard())));
  return { focus: heading };
}

function detailsCard(me) {
  const titleId = uid('details');
  const rows = [
    me.display_name ? ['Name', me.display_name] : null,
    ['Email', me.email],
    ['Law firm', me.firm_name || me.firm],
    ['Firm short name', h('span', {}, h('code', { class: 'code', text: me.firm }),
      h('span', { class: 'muted', text: ' \u2014 you need it, with your email, to sign in.' }))],
  ].filter(Boolean);
  return h('section', { class: 'card', 'aria-labelledby': titleId },
    h('h2', { class: 'card-title', id: titleId, text: 'Your details' }),
    h('dl', { class: 'details' }, rows.map(([k, v]) => h('div', { class: 'detail' }, h('dt', { text: k }), h('dd', {}, v)))),
    h('p', { class: 'hint', text: 'To change your name or email address, contact your law firm.' }));
}

function passwordCard() {
  const titleId = uid('password');
  const current = field({ label: 'Current password', name: 'current-password', type: 'password', autocomplete: 'current-password' });
  const next = field({
    label: 'New password', name: 'new-password', type: 'password', autocomplete: 'new-password',
    hint: 'At least 12 characters. A few unrelated words make a strong password that is easy to remember.',
  });
  const again = field({ label: 'Repeat password', name: 'repeat-password', type: 'password', autocomplete: 'new-password' });
  const alert = errorSummary();
  const done = h('div', { class: 'alert alert-success', role: 'status', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, h('span', { text: 'Change password' }));
  const form = h('form', { class: 'account-form', novalidate: true }, alert.el, done, current.el, next.el, again.el,
    showPasswords([current, next, again]), h('div', { class: 'form-actions' }, submit));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    alert.clear();
    done.hidden = true;
    for (const f of [current, next, again]) f.clearError();
    const problems = [];
    if (!current.control.value) problems.push([current, 'Enter your current password.']);
    problems.push(...passwordProblems(next, again));
    if (!problems.length && next.control.value === current.control.value) {
      problems.push([next, 'Choose a password different from your current one.']);
    }
    if (problems.length) {
      showProblems(alert, problems, 'Check the password fields.');
      return;
    }
    try {
      await whileBusy(submit, 'Changing\u2026', api('POST', 'portal/account/password', {
        body: { current_password: current.control.value, new_password: next.control.value },
      }));
    } catch (err) {
      if (err.status === 401) return; // the session ended: the sign-in page is shown
      showServerError(err, alert, { current_password: current, new_password: next });
      return;
    }
    for (const f of [current, next, again]) f.control.value = '';
    done.replaceChildren(icon('check', 'icon'), h('p', { text: 'Your password was changed. You stay signed in here; any other devices were signed out.' }));
    done.hidden = false;
  });

  return h('section', { class: 'card', 'aria-labelledby': titleId },
    h('h2', { class: 'card-title', id: titleId, text: 'Change password' }),
    form);
}

function sessionsCard() {
  const titleId = uid('sessions');
  const result = h('div', { class: 'alert alert-success', role: 'status', hidden: true });
  const error = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'button', class: 'btn' }, icon('out'), h('span', { text: 'Sign out everywhere else' }));
  button.addEventListener('click', async () => {
    result.hidden = true;
    error.hidden = true;
    let answer;
    try {
      answer = await whileBusy(button, 'Signing out\u2026', api('POST', 'portal/account/sign-out-everywhere'));
    } catch (err) {
      if (err.status === 401) return;
      error.textContent = err.message;
      error.hidden = false;
      return;
    }
    const n = Number(answer && answer.ended) || 0;
    result.replaceChildren(icon('check', 'icon'), h('p', {
      text: n === 0 ? 'You were not signed in anywhere else. Only this device is signed in.'
        : `Done: ${n === 1 ? 'one other device was' : `${n} other devices were`} signed out. You stay signed in here.`,
    }));
    result.hidden = false;
  });
  return h('section', { class: 'card', 'aria-labelledby': titleId },
    h('h2', { class: 'card-title', id: titleId, text: 'Devices' }),
    h('p', { text: 'Signed in on a shared or lost device? Sign out of the portal everywhere except here.' }),
    result, error,
    h('div', { class: 'form-actions' }, button));
}
