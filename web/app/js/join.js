// Joining the firm: the link of a staff invitation (#/join/<token>, e-mailed by the owner's
// "Send invitation") lets the invitee choose their name and password
// (POST /api/v1/staff/activate), then signs them in. A page of the staff shell.

import { h } from '../../shared/js/dom.js';
import { api } from '../../shared/js/api.js';
import { field, errorSummary, showServerError, whileBusy } from '../../shared/js/form.js';
import { signIn } from '../../shared/js/session.js';
import { authCard } from '../../shared/js/shell.js';

export function joinPage(container, ctx) {
  ctx.setTitle('Join your firm');
  const token = ctx.params.token;
  const name = field({ label: 'Your name', name: 'name', autocomplete: 'name', hint: 'As colleagues and clients see it.' });
  const password = field({ label: 'Password', name: 'password', type: 'password', autocomplete: 'new-password',
    required: true, hint: 'At least 12 characters. A passphrase of several words is easy to remember.' });
  const summary = errorSummary();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, h('span', { text: 'Join the firm' }));
  const fields = { name, password };
  const form = h('form', { class: 'auth-form', novalidate: true }, summary.el, name.el, password.el, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    summary.clear();
    Object.values(fields).forEach((f) => f.clearError());
    const body = { token, name: name.control.value.trim(), password: password.control.value };
    if ([...body.password].length < 12) {
      password.setError('Use at least 12 characters');
      summary.show([{ label: password.label, message: 'Use at least 12 characters', control: password.control }]);
      return;
    }
    try {
      await whileBusy(submit, 'Joining\u2026', (async () => {
        const joined = await api('POST', 'staff/activate', { body, quiet401: true });
        await signIn(joined.firm, joined.email, body.password);
      })());
      ctx.navigate('#/', 'Welcome. You are signed in.');
    } catch (err) {
      if (err.status === 410) {
        summary.show([], 'This invitation link has been used, has expired or was withdrawn. Ask the firm\u2019s owner for a new one.');
        return;
      }
      showServerError(err, summary, fields);
    }
  });
  container.append(authCard([
    h('h1', { text: 'Join your firm' }),
    h('p', { class: 'muted', text: 'You were invited to your firm\u2019s LexOS. Choose your password; this link works once.' }),
    form,
    h('p', { class: 'auth-foot' }, h('a', { href: '#/signin', text: 'Already joined? Sign in' })),
  ]));
  return { focus: name.control, focusOnLoad: true };
}
