// Sign-in: Firm, Email, Password, "Sign in". Staff continue to where they were going; portal
// clients are pointed to the portal.

import { h } from '../dom.js';
import { field, errorSummary, whileBusy } from '../form.js';
import { signIn, rememberedFirm } from '../session.js';
import { afterSignIn } from '../main.js';

export function signInView(container, ctx) {
  document.title = 'Sign in \u2014 LexOS';
  const firm = field({ label: 'Firm', name: 'firm', autocomplete: 'organization', value: rememberedFirm(),
    hint: 'Your firm\u2019s short name, for example \u201csmith-partners\u201d.', attrs: { autocapitalize: 'none', spellcheck: 'false' } });
  const email = field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'username', attrs: { spellcheck: 'false' } });
  const password = field({ label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password' });
  const summary = errorSummary('Sign-in failed');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, h('span', { text: 'Sign in' }));
  const heading = h('h1', { text: 'Sign in to LexOS' });
  const notice = ctx.signInNotice ? h('p', { class: 'alert alert-info', role: 'status', text: ctx.signInNotice }) : null;

  const form = h('form', { class: 'auth-form', novalidate: true }, summary.el, firm.el, email.el, password.el, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    summary.clear();
    const problems = [];
    for (const [f, msg] of [[firm, 'Enter your firm\u2019s short name'], [email, 'Enter your email address'],
      [password, 'Enter your password']]) {
      f.clearError();
      if (!f.control.value.trim()) {
        f.setError(msg);
        problems.push({ label: f.label, message: msg, control: f.control });
      }
    }
    if (problems.length) {
      summary.show(problems);
      return;
    }
    try {
      await whileBusy(submit, 'Signing in\u2026',
        signIn(firm.control.value.trim().toLowerCase(), email.control.value.trim(), password.control.value));
      password.control.value = '';
      afterSignIn();
    } catch (err) {
      password.control.value = '';
      const message = err.status === 401 ? 'The firm, email or password is not right. Check them and try again.'
        : err.message;
      const target = err.field === 'firm' ? firm : err.field === 'email' ? email : err.field === 'password' ? password : null;
      if (target) target.setError(err.message);
      summary.show([{ label: target ? target.label : '', message, control: (target || firm).control }]);
    }
  });

  container.append(h('div', { class: 'auth-page' },
    h('div', { class: 'auth-card' },
      h('div', { class: 'auth-brand' }, h('span', { class: 'brand-logo', 'aria-hidden': 'true', text: 'L' }),
        h('span', { class: 'brand-name', text: 'LexOS' })),
      heading,
      h('p', { class: 'muted', text: 'For the firm\u2019s staff. Clients sign in to the portal.' }),
      notice,
      form,
      h('p', { class: 'auth-foot' }, 'Are you a client? ', h('a', { href: '/portal/', text: 'Go to the client portal' })))));

  const first = firm.control.value ? email.control : firm.control;
  return { focus: ctx.firstRender ? first : heading, focusOnLoad: true };
}
