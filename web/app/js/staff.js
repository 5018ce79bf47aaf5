// Staff (#/firm/staff, owners: core.users.manage): the firm's staff accounts with role, status and
// last sign-in; invite by e-mail, send an invitation again or revoke it, change a role, disable
// or enable an account (GET/POST /api/v1/users, PATCH /api/v1/users/{id},
// POST/DELETE /api/v1/users/{id}/invitation). The server keeps the last active owner and
// refuses to let anyone disable themselves; its errors show on the field they name.

import { h, replace } from '../../shared/js/dom.js';
import { api } from '../../shared/js/api.js';
import { field, errorSummary, formSection, showServerError, whileBusy, isEmail } from '../../shared/js/form.js';
import { dataTable } from '../../shared/js/page.js';
import { dateTime } from '../../shared/js/format.js';
import { session } from '../../shared/js/session.js';

const ROLES = [['owner', 'Owner'], ['attorney', 'Attorney'], ['paralegal', 'Paralegal'], ['billing', 'Billing']];
const STATUS = { active: 'Active', invited: 'Invited', disabled: 'Disabled', revoked: 'Invitation revoked' };

export async function staffPage(container, ctx) {
  ctx.setTitle('Staff');
  const heading = h('h1', { text: 'Staff', id: 'staff-title' });
  const page = h('section', { class: 'page', 'aria-labelledby': 'staff-title' });
  const status = h('p', { class: 'muted', role: 'status', id: 'staff-status' });
  const listEl = h('div', {}, h('p', { class: 'muted', text: 'Loading\u2026' }));
  container.append(page);

  // Invite form.
  const email = field({ label: 'Email', name: 'email', type: 'email', required: true, autocomplete: 'off' });
  const name = field({ label: 'Name', name: 'name', hint: 'Optional: they can set it themselves.' });
  const role = field({ label: 'Role', name: 'role', type: 'select', options: ROLES, value: 'attorney' });
  const summary = errorSummary();
  const invite = h('button', { type: 'submit', class: 'btn btn-primary' }, h('span', { text: 'Send invitation' }));
  const form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': 'invite-title' },
    summary.el, h('h2', { id: 'invite-title', text: 'Invite a member of staff' }),
    h('p', { class: 'muted', text: 'They get an e-mail with a link that works once, for 72 hours, to choose their password.' }),
    formSection('', email.el, name.el, role.el), h('div', { class: 'form-actions' }, invite));
  const fields = { email, name, role };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    summary.clear();
    Object.values(fields).forEach((f) => f.clearError());
    const body = { email: email.control.value.trim(), role: role.control.value };
    if (name.control.value.trim()) body.name = name.control.value.trim();
    if (!isEmail(body.email)) {
      email.setError('Enter a valid email address');
      summary.show([{ label: email.label, message: 'Enter a valid email address', control: email.control }]);
      return;
    }
    try {
      const member = await whileBusy(invite, 'Sending\u2026', api('POST', 'users', { body }));
      if (!ctx.alive()) return;
      email.control.value = '';
      name.control.value = '';
      status.textContent = `Invitation sent to ${member.email}.`;
      await load();
    } catch (err) {
      if (!ctx.alive()) return;
      showServerError(err, summary, fields);
    }
  });

  async function act(promise, done) {
    status.textContent = '';
    try {
      await promise;
      if (!ctx.alive()) return;
      status.textContent = done;
      await load();
    } catch (err) {
      if (!ctx.alive()) return;
      status.textContent = err.message;
      status.setAttribute('role', 'alert');
      setTimeout(() => status.setAttribute('role', 'status'), 0);
    }
  }

  function row(m) {
    const label = m.name || m.email;
    const self = session.me && String(session.me.id) === String(m.id);
    const roleSelect = h('select', { id: `role-${m.id}`, 'aria-label': `Role of ${label}` },
      ROLES.map(([v, t]) => h('option', { value: v, text: t })));
    roleSelect.value = m.role;
    roleSelect.addEventListener('change', () => act(api('PATCH', `users/${m.id}`, { body: { role: roleSelect.value } }),
      `${label} is now ${roleSelect.options[roleSelect.selectedIndex].text.toLowerCase()}.`));
    const actions = [];
    if (m.status === 'active' && !self) {
      actions.push(h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Disable ${label}`, text: 'Disable',
        onclick: () => act(api('PATCH', `users/${m.id}`, { body: { disabled: true } }), `${label} is disabled and signed out.`) }));
    }
    if (m.status === 'disabled') {
      actions.push(h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Enable ${label}`, text: 'Enable',
        onclick: () => act(api('PATCH', `users/${m.id}`, { body: { disabled: false } }), `${label} can sign in again.`) }));
    }
    if (m.status === 'invited' || m.status === 'revoked') {
      actions.push(h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Send the invitation to ${label} again`,
        text: 'Send again', onclick: () => act(api('POST', `users/${m.id}/invitation`), `A new invitation went to ${m.email}.`) }));
    }
    if (m.status === 'invited') {
      actions.push(h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Revoke the invitation of ${label}`,
        text: 'Revoke', onclick: () => act(api('DELETE', `users/${m.id}/invitation`), `The invitation of ${m.email} is revoked.`) }));
    }
    const badge = h('span', { class: ['badge', m.status === 'active' ? 'badge-ok' : 'badge-warn'], text: STATUS[m.status] || m.status });
    return h('tr', { dataset: { email: m.email } },
      h('td', { class: 'col-name', dataset: { label: 'Name' } }, h('strong', { text: m.name || '\u2014' }), self ? ' (you)' : ''),
      h('td', { class: 'col-email', dataset: { label: 'Email' }, text: m.email }),
      h('td', { class: 'col-role', dataset: { label: 'Role' } }, roleSelect),
      h('td', { class: 'col-status', dataset: { label: 'Status' } }, badge,
        m.status === 'invited' && m.invitation_expires_at ? h('span', { class: 'muted', text: ` until ${dateTime(m.invitation_expires_at)}` }) : null),
      h('td', { class: 'col-when', dataset: { label: 'Last sign-in' }, text: m.last_sign_in_at ? dateTime(m.last_sign_in_at) : 'Never' }),
      h('td', { class: 'col-actions', dataset: { label: 'Actions' } }, h('div', { class: 'row-actions' }, actions)));
  }

  async function load() {
    let list;
    try {
      list = await api('GET', 'users');
    } catch (err) {
      if (!ctx.alive()) return;
      replace(listEl, h('p', { role: 'alert', text: err.message }));
      return;
    }
    if (!ctx.alive()) return;
    replace(listEl, dataTable({ cls: 'staff-table', caption: 'Staff accounts',
      columns: [['col-name', 'Name'], ['col-email', 'Email'], ['col-role', 'Role'], ['col-status', 'Status'],
        ['col-when', 'Last sign-in'], ['col-actions', 'Actions']] }, list.items.map(row)));
  }

  replace(page, h('div', { class: 'page-header' }, heading), status, listEl, form);
  await load();
  return { focus: heading };
}
