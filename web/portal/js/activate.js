// Activation: the link in the invitation e-mail (#/activate/<token>) opens this page. The client
// chooses a password; on success they are signed in and see their start page. A used, expired
// or revoked link says so and points to sign-in. A page of the portal shell (the route is the
// shell's; the portal module answers POST /api/v1/portal/activate).

import { h, icon } from '../../shared/js/dom.js';
import { api } from '../../shared/js/api.js';
import {
  field, errorSummary, showProblems, showServerError, whileBusy, passwordProblems, showPasswords,
} from '../../shared/js/form.js';
import { signIn } from '../../shared/js/session.js';
import { authCard, navigate } from '../../shared/js/shell.js';

const PASSWORD_HINT = 'At least 12 characters. A few unrelated words make a strong password that is easy to remember.';

export function activatePage(container, ctx) {
  ctx.setTitle('Set up your account');
  const token = ctx.params.token;
  const heading = h('h1', { text: 'Set up your portal account' });
  const password = field({ label: 'New password', name: 'new-password', type: 'password', autocomplete: 'new-password', hint: PASSWORD_HINT });
  const again = field({ label: 'Repeat password', name: 'repeat-password', type: 'password', autocomplete: 'new-password' });
  const alert = errorSummary();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, h('span', { text: 'Activate account' }));
  const form = h('form', { class: 'auth-form', novalidate: true }, alert.el, password.el, again.el,
    showPasswords([password, again]), submit);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    alert.clear();
    password.clearError();
    again.clearError();
    const problems = passwordProblems(password, again);
    if (problems.length) {
      showProblems(alert, problems, 'Check the password fields.');
      return;
    }
    const chosen = password.control.value;
    let account;
    try {
      account = await whileBusy(submit, 'Setting up\u2026', api('POST', 'portal/activate', { body: { token, password: chosen }, quiet401: true }));
    } catch (err) {
      if (err.status === 410 || err.code === 'invitation_invalid') {
        showInvalid();
        return;
      }
      showServerError(err, alert, { password });
      return;
    }
    // Signed in with the password just chosen; the firm and email come from the invitation.
    try {
      await whileBusy(submit, 'Signing in\u2026', signIn(account.firm, account.email, chosen));
    } catch {
      navigate('#/signin');
      return;
    }
    navigate('#/', `Your account is ready. Next time, sign in with the firm \u201c${account.firm}\u201d, your email ${account.email} and this password.`, { replace: true });
  });

  function showInvalid() {
    ctx.setTitle('Link no longer valid');
    const invalidHeading = h('h1', { text: 'This link can no longer be used' });
    container.replaceChildren(authCard([
      h('div', { class: 'state-icon state-icon-warn' }, icon('clock', 'icon')),
      invalidHeading,
      h('p', { role: 'alert', text: 'The invitation link has already been used, has expired, or was withdrawn by your firm.' }),
      h('p', { class: 'muted', text: 'If you have already set your password, sign in. Otherwise, ask your firm to send you a new invitation.' }),
      h('a', { class: 'btn btn-primary btn-block', href: '#/signin', text: 'Go to sign in' }),
    ], { tag: 'Client portal' }));
    invalidHeading.setAttribute('tabindex', '-1');
    invalidHeading.focus();
  }

  container.append(authCard([
    heading,
    h('p', { class: 'muted', text: 'Welcome! Your law firm has invited you to its secure client portal. Choose a password to finish setting up your account.' }),
    form,
    h('p', { class: 'auth-foot', text: 'Already set up? ' }, h('a', { href: '#/signin', text: 'Sign in' })),
  ], { tag: 'Client portal' }));
  return { focus: ctx.firstRender ? password.control : heading, focusOnLoad: true };
}
