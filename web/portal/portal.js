// The client portal (first cut): sign in, then a holding page with sign-out. The portal's
// cases, documents and invoices come later. Self-contained: only /portal/ files are used.
// The DOM is built with createElement/textContent only; nothing is parsed as HTML.

const HINT_KEY = 'lexos.portal.signedIn';
const FIRM_KEY = 'lexos.portal.firm';
const main = document.getElementById('main');
let csrf = '';

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

function store() {
  try { return window.localStorage; } catch { return null; }
}

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(`/api/v1/${path}`, { method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw Object.assign(new Error('The server could not be reached. Check your connection and try again.'), { status: 0 });
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw Object.assign(new Error(e.message || `The server answered ${res.status}.`), { status: res.status, field: e.field });
  }
  return data;
}

function brand() {
  return h('div', { class: 'brand' }, h('span', { class: 'brand-logo', 'aria-hidden': 'true', text: 'L' }),
    h('span', { class: 'brand-name', text: 'LexOS' }), h('span', { class: 'brand-tag', text: 'Client portal' }));
}

function field(label, type, name, autocomplete, value = '') {
  const id = `f-${name}`;
  const input = h('input', { id, name, type, autocomplete, spellcheck: 'false' });
  input.value = value;
  return { input, el: h('div', { class: 'field' }, h('label', { for: id, text: label }), input) };
}

function show(...children) {
  main.replaceChildren(h('div', { class: 'card' }, brand(), ...children));
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

function signInPage(notice = '') {
  document.title = 'Sign in \u2014 Client portal';
  const firm = field('Firm', 'text', 'firm', 'organization', store()?.getItem(FIRM_KEY) || '');
  const email = field('Email', 'email', 'email', 'username');
  const password = field('Password', 'password', 'password', 'current-password');
  const error = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: 'Sign in' });
  const form = h('form', { novalidate: true }, error, firm.el, email.el, password.el, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    const values = [firm.input.value.trim().toLowerCase(), email.input.value.trim(), password.input.value];
    if (values.some((v) => !v)) {
      error.textContent = 'Enter your firm, email and password.';
      error.hidden = false;
      (values[0] ? (values[1] ? password : email) : firm).input.focus();
      return;
    }
    submit.disabled = true;
    try {
      const res = await call('POST', 'auth/login', { firm: values[0], email: values[1], password: values[2] });
      csrf = res.csrf_token;
      store()?.setItem(HINT_KEY, '1');
      store()?.setItem(FIRM_KEY, values[0]);
      await home();
    } catch (err) {
      password.input.value = '';
      error.textContent = err.status === 401 ? 'The firm, email or password is not right. Check them and try again.' : err.message;
      error.hidden = false;
      error.focus?.();
    } finally {
      submit.disabled = false;
    }
  });
  show(h('h1', { text: 'Sign in to your client portal' }),
    h('p', { class: 'muted', text: 'See the progress of your matters, your documents and invoices from your law firm.' }),
    notice ? h('p', { class: 'alert alert-info', role: 'status', text: notice }) : null,
    form,
    h('p', { class: 'foot muted', text: 'New here? Your firm sends you an invitation by email to set up your account.' }));
}

async function home() {
  let me;
  try {
    me = await call('GET', 'me');
  } catch (err) {
    store()?.removeItem(HINT_KEY);
    signInPage(err.status === 401 ? 'Your session has ended. Sign in again to continue.' : err.message);
    return;
  }
  csrf = me.csrf_token || csrf;
  const signOut = h('button', { type: 'button', class: 'btn', text: 'Sign out', onclick: async () => {
    try { await call('POST', 'auth/logout'); } catch { /* ended here either way */ }
    csrf = '';
    store()?.removeItem(HINT_KEY);
    signInPage('You have signed out.');
  } });
  if (me.kind !== 'portal') {
    document.title = 'Client portal';
    show(h('h1', { text: 'This is the client portal' }),
      h('p', { text: 'You are signed in as a member of the firm\u2019s staff.' }),
      h('p', {}, h('a', { class: 'btn btn-primary', href: '/app/', text: 'Go to the staff app' })),
      h('p', {}, signOut));
    return;
  }
  document.title = 'Your portal \u2014 LexOS';
  show(h('h1', { text: 'Your portal is being prepared' }),
    h('p', { text: `Welcome${me.display_name ? `, ${me.display_name}` : ''}. You are signed in to ${me.firm_name || 'your firm'}\u2019s client portal.` }),
    h('p', { class: 'muted', text: 'Soon you will see the status of your matters, download documents shared with you and review your invoices here.' }),
    h('p', {}, signOut));
}

if (store()?.getItem(HINT_KEY) === '1') home();
else signInPage();
