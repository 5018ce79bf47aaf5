// Activation: the link in the invitation e-mail (/portal/<firm>/#/activate/<token>) opens this
// page. It first asks the server what the link meets (POST /api/v1/portal/activation/check): a
// used, replaced, revoked or expired link never shows the password form, it says which (a used
// one points to the firm's sign-in page). Otherwise the client chooses a password; on success
// they are signed in and see their start page. A page of the portal shell (the route is the
// shell's; the portal module answers POST /api/v1/portal/activate).

import { h, icon } from '../../shared/js/dom.js';
import { api } from '../../shared/js/api.js';
import {
  field, errorSummary, showProblems, showServerError, whileBusy, passwordProblems, showPasswords,
} from '../../shared/js/form.js';
import { signIn } from '../../shared/js/session.js';
import { authCard, navigate } from '../../shared/js/shell.js';
import { firmFace } from '../../shared/js/signin.js';

const PASSWORD_HINT = 'At least 12 characters. A few unrelated words make a strong password that is easy to remember.';

// What each state of a link that cannot be used says: [title, heading, lines, link, link text].
const CLOSED = {
  used: ['Link already used', 'This link has already been used',
    'Your account is set up: this invitation link worked once and cannot be used again.',
    'Sign in instead with your email and the password you chose.', 'Sign in instead'],
  replaced: ['Link replaced', 'A newer invitation replaced this link',
    'Your firm sent you a newer invitation, so this link no longer works.',
    'Open the link in the most recent invitation e-mail from your firm.', 'Go to sign in'],
  revoked: ['Access withdrawn', 'Your firm has withdrawn this invitation',
    'This link no longer works because your firm withdrew your portal access.',
    'If you think this is a mistake, contact your firm.', 'Go to sign in'],
  expired: ['Link expired', 'This link has expired',
    'Invitation links work for a limited time, and this one has run out.',
    'Ask your firm to send you a new invitation.', 'Go to sign in'],
  invalid: ['Link no longer valid', 'This link can no longer be used',
    'The invitation link has already been used, has expired, or was withdrawn by your firm.',
    'If you have already set your password, sign in. Otherwise, ask your firm to send you a new invitation.', 'Go to sign in'],
};

/** The activation page's renderer, for the firm `face` of this address (or null) and its sign-in `home`. */
export function activatePage(face, home = '/portal/') {
  return (container, ctx) => render(container, ctx, face, home);
}

function render(container, ctx, face, home) {
  const token = ctx.params.token;
  const signInHref = `${home}#/signin`;
  ctx.setTitle('Checking your link');
  const checking = h('p', { role: 'status', class: 'muted', text: 'Checking your invitation link\u2026' });
  container.append(authCard([face ? firmFace(face) : null, h('h1', { text: 'Set up your portal account' }), checking],
    { tag: 'Client portal' }));
  api('POST', 'portal/activation/check', { body: { token }, quiet401: true })
    .then((answer) => {
      const state = (answer && answer.state) || 'invalid';
      container.replaceChildren();
      if (state === 'valid') showForm(container, ctx, token, face, signInHref);
      else showClosed(container, ctx, state, face, signInHref);
    })
    .catch((err) => {
      container.replaceChildren(authCard([
        face ? firmFace(face) : null,
        h('h1', { text: 'Set up your portal account' }),
        h('p', { role: 'alert', class: 'alert alert-error', text: err.message }),
      ], { tag: 'Client portal' }));
    });
  return { focusOnLoad: false };
}

function showClosed(container, ctx, state, face, signInHref) {
  const [title, headingText, line, advice, linkText] = CLOSED[state] || CLOSED.invalid;
  ctx.setTitle(title);
  const heading = h('h1', { text: headingText, tabindex: '-1' });
  container.replaceChildren(authCard([
    face ? firmFace(face) : null,
    h('div', { class: 'state-icon state-icon-warn' }, icon('clock', 'icon')),
    heading,
    h('p', { role: 'alert', text: line }),
    h('p', { class: 'muted', text: advice }),
    h('a', { class: 'btn btn-primary btn-block', href: signInHref, text: linkText }),
  ], { tag: 'Client portal' }));
  heading.focus();
}

function showForm(container, ctx, token, face, signInHref) {
  ctx.setTitle('Set up your account');
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
        showClosed(container, ctx, 'invalid', face, signInHref);
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
    navigate('#/', face
      ? `Your account is ready. Next time, sign in at ${window.location.origin}${signInHref.replace('#/signin', '')} with your email ${account.email} and this password.`
      : `Your account is ready. Next time, sign in with the firm \u201c${account.firm}\u201d, your email ${account.email} and this password.`, { replace: true });
  });

  container.append(authCard([
    face ? firmFace(face) : null,
    heading,
    h('p', { class: 'muted', text: `Welcome! ${face ? face.name : 'Your law firm'} has invited you to its secure client portal. Choose a password to finish setting up your account.` }),
    form,
    h('p', { class: 'auth-foot', text: 'Already set up? ' }, h('a', { href: signInHref, text: 'Sign in' })),
  ], { tag: 'Client portal' }));
  password.control.focus();
}
