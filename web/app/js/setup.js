// First start: the one-time link lexosd prints (#/setup/<token>) creates the firm and its
// owner, then signs the owner in. A page of the staff shell (the route is the shell's).

import { h } from '../../shared/js/dom.js';
import { api } from '../../shared/js/api.js';
import { field, errorSummary, showServerError, whileBusy, isEmail } from '../../shared/js/form.js';
import { signIn } from '../../shared/js/session.js';
import { authCard } from '../../shared/js/shell.js';

export function setupPage(container, ctx) {
  ctx.setTitle('Set up your firm');
  const token = ctx.params.token;
  const firmName = field({ label: 'Firm name', name: 'firm_name', autocomplete: 'organization', required: true,
    hint: 'As clients should see it, for example \u201cSmith & Partners LLP\u201d.' });
  const slug = field({ label: 'Firm short name (slug)', name: 'firm', required: true,
    hint: 'Used to sign in: 2\u201363 lower-case letters, digits and hyphens.', attrs: { autocapitalize: 'none', spellcheck: 'false' } });
  const name = field({ label: 'Your name', name: 'name', autocomplete: 'name' });
  const email = field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'email', required: true });
  const password = field({ label: 'Password', name: 'password', type: 'password', autocomplete: 'new-password',
    required: true, hint: 'At least 12 characters. A passphrase of several words is easy to remember.' });
  const summary = errorSummary();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, h('span', { text: 'Create firm' }));
  const heading = h('h1', { text: 'Set up your firm' });

  // Suggest the slug from the firm name until someone edits the slug.
  let slugEdited = false;
  slug.control.addEventListener('input', () => { slugEdited = true; });
  firmName.control.addEventListener('input', () => {
    if (!slugEdited) slug.control.value = slugify(firmName.control.value);
  });

  const fields = { firm_name: firmName, firm: slug, name, email, password };
  const form = h('form', { class: 'auth-form', novalidate: true },
    summary.el, firmName.el, slug.el, name.el, email.el, password.el, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    summary.clear();
    Object.values(fields).forEach((f) => f.clearError());
    const body = {
      token,
      firm_name: firmName.control.value.trim(),
      firm: slug.control.value.trim().toLowerCase(),
      name: name.control.value.trim(),
      email: email.control.value.trim(),
      password: password.control.value,
    };
    const problems = [];
    const problem = (f, message) => { f.setError(message); problems.push({ label: f.label, message, control: f.control }); };
    if (!body.firm_name) problem(firmName, 'Enter the firm\u2019s name');
    if (!/^[a-z0-9-]{2,63}$/.test(body.firm)) problem(slug, 'Use 2\u201363 lower-case letters, digits and hyphens');
    if (!isEmail(body.email)) problem(email, 'Enter a valid email address');
    if ([...body.password].length < 12) problem(password, 'Use at least 12 characters');
    if (problems.length) {
      summary.show(problems);
      return;
    }
    try {
      await whileBusy(submit, 'Creating firm\u2026', (async () => {
        await api('POST', 'setup', { body, quiet401: true });
        await signIn(body.firm, body.email, body.password);
      })());
      ctx.navigate('#/', 'Your firm is ready.');
    } catch (err) {
      if (err.status === 410) {
        summary.show([], 'This setup link has been used, has expired or is no longer needed. Sign in instead.');
        return;
      }
      showServerError(err, summary, fields);
    }
  });

  container.append(authCard([
    heading,
    h('p', { class: 'muted', text: 'Create your firm and your owner account. This link works once.' }),
    form,
    h('p', { class: 'auth-foot' }, h('a', { href: '#/signin', text: 'Already set up? Sign in' })),
  ], { wide: true }));
  return { focus: firmName.control, focusOnLoad: true };
}

function slugify(s) {
  return s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/&/g, ' and ').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
}
