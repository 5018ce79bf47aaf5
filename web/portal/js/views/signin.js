// Sign-in (Firm, Email, Password, "Sign in") and the note a member of staff sees when they sign
// in here. Both are centred cards without the portal's navigation.

import { h, logo } from '../dom.js';
import { field, formAlert, whileBusy } from '../form.js';
import { signIn, signOut, rememberedFirm } from '../session.js';
import { afterSignIn, requireSignIn } from '../main.js';

/** The card every signed-out page uses: the LexOS mark, then `children`. */
export function authCard(children, { staffLink = false } = {}) {
  return h('div', { class: 'auth-page' },
    h('div', { class: 'auth-card' },
      h('div', { class: 'auth-brand' }, logo(), h('span', { class: 'brand-name', text: 'LexOS' }),
        h('span', { class: 'auth-tag', text: 'Client portal' })),
      children),
    staffLink ? h('p', { class: 'auth-legal' }, 'Work at the firm? ', h('a', { href: '/app/', text: 'Sign in to the staff app' })) : null);
}

export function signInView(container, ctx) {
  document.title = 'Sign in \u2014 Client portal';
  const firmFromLink = (ctx.query.get('firm') || '').trim().toLowerCase();
  const firm = field({
    label: 'Firm', name: 'firm', autocomplete: 'organization', value: firmFromLink || rememberedFirm(),
    hint: 'Your law firm\u2019s short name, for example \u201canderson\u2011law\u201d. Ask your firm if you do not have it.',
    attrs: { autocapitalize: 'none', spellcheck: 'false' },
  });
  const email = field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'username', value: ctx.signInEmail || '',
    attrs: { spellcheck: 'false' } });
  const password = field({ label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password' });
  const alert = formAlert();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, h('span', { text: 'Sign in' }));
  const heading = h('h1', { text: 'Sign in to your client portal' });
  const notice = ctx.signInNotice ? h('p', { class: 'alert alert-info', role: 'status', text: ctx.signInNotice }) : null;

  const form = h('form', { class: 'auth-form', novalidate: true }, alert.el, firm.el, email.el, password.el, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    alert.clear();
    const problems = [];
    for (const [f, message] of [[firm, 'Enter your firm\u2019s short name.'], [email, 'Enter your email address.'],
      [password, 'Enter your password.']]) {
      f.clearError();
      if (!f.control.value.trim()) {
        f.setError(message);
        problems.push({ label: f.label, message, control: f.control });
      }
    }
    if (problems.length) {
      alert.show(problems.length === 1 ? problems[0].message : 'Fill in the missing details.', problems);
      return;
    }
    try {
      await whileBusy(submit, 'Signing in\u2026',
        signIn(firm.control.value.trim().toLowerCase(), email.control.value.trim(), password.control.value));
      password.control.value = '';
      afterSignIn();
    } catch (err) {
      password.control.value = '';
      if (err.status === 401) {
        alert.show('The firm, email or password is not right. Check them and try again.');
      } else {
        const target = { firm, email, password }[err.field];
        if (target) target.setError(err.message);
        alert.show(err.message);
      }
    }
  });

  container.append(authCard([
    heading,
    h('p', { class: 'muted', text: 'Follow the progress of your matters with your law firm, at any time.' }),
    notice,
    form,
    h('p', { class: 'auth-foot', text: 'New here? Your firm sends you an invitation by email to set up your account.' }),
  ], { staffLink: true }));
  const first = [firm, email, password].find((f) => !f.control.value) || password;
  return { focus: ctx.firstRender ? first.control : heading, focusOnLoad: true };
}

export function staffNoteView(container) {
  document.title = 'Client portal';
  const heading = h('h1', { text: 'This is the client portal' });
  container.append(authCard([
    heading,
    h('p', { text: 'You are signed in as a member of the firm\u2019s staff.' }),
    h('p', { class: 'muted', text: 'Clients see their matters here. Your work is in the staff app.' }),
    h('div', { class: 'button-row' },
      h('a', { class: 'btn btn-primary', href: '/app/', text: 'Go to the staff app' }),
      h('button', {
        type: 'button', class: 'btn', text: 'Sign out',
        onclick: async () => {
          await signOut().catch(() => {});
          requireSignIn('You have signed out.', { comeBack: false });
        },
      })),
  ]));
  return { focus: heading, focusOnLoad: true };
}
