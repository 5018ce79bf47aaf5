// Sign-in security in the staff app: the person's own two-step sign-in (#/account/security,
// every staff user: the card of web/shared/js/mfa.js) and the owner's firm-wide policy and
// resets (#/firm/security, core.users.manage: GET/PATCH /api/v1/firm/mfa,
// DELETE /api/v1/users/{id}/mfa).

import { h, replace, focusElement, uid } from '../../shared/js/dom.js';
import { api } from '../../shared/js/api.js';
import { errorSummary, formSection, showServerError, whileBusy } from '../../shared/js/form.js';
import { can } from '../../shared/js/session.js';
import { mfaCard } from '../../shared/js/mfa.js';

export function accountSecurityPage(container, ctx) {
  ctx.setTitle('Sign-in security');
  const heading = h('h1', { text: 'Sign-in security', id: 'account-security-title' });
  container.append(h('section', { class: 'page page-form', 'aria-labelledby': 'account-security-title' },
    h('div', { class: 'page-header' }, heading),
    h('p', { class: 'muted', text: 'How you sign in to LexOS.' }),
    mfaCard(),
    can('core.users.manage')
      ? h('p', {}, h('a', { href: '#/firm/security', text: 'Two-step sign-in for the whole firm' })) : null));
  return { focus: heading };
}

function checkbox(label, checked, hint) {
  const id = uid('cb');
  const hintId = `${id}-hint`;
  const input = h('input', { type: 'checkbox', id, checked, 'aria-describedby': hintId });
  return {
    input,
    el: h('div', { class: 'checkbox' }, input, h('label', { for: id, text: label }), h('p', { class: 'hint', id: hintId, text: hint })),
  };
}

export async function firmSecurityPage(container, ctx) {
  ctx.setTitle('Two-step sign-in for the firm');
  const heading = h('h1', { text: 'Two-step sign-in for the firm', id: 'firm-security-title' });
  const page = h('section', { class: 'page page-form', 'aria-labelledby': 'firm-security-title' });
  container.append(page);
  replace(page, h('div', { class: 'page-header' }, heading), h('p', { class: 'muted', text: 'Loading\u2026' }));
  let state;
  try {
    state = await api('GET', 'firm/mfa');
  } catch (err) {
    if (!ctx.alive()) return;
    replace(page, h('div', { class: 'page-header' }, heading), h('p', { role: 'alert', text: err.message }));
    return;
  }
  if (!ctx.alive()) return;
  const summary = errorSummary();
  const status = h('p', { class: 'muted', role: 'status' });
  const staff = checkbox('Require it for staff', state.enforce_staff,
    'Staff without it set it up right after their password, before anything else.');
  const portal = checkbox('Require it for portal users', state.enforce_portal,
    'Clients set it up the next time they sign in to the portal.');
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, h('span', { text: 'Save' }));
  const form = h('form', { class: 'form', novalidate: true }, summary.el,
    formSection('Policy', staff.el, portal.el), h('div', { class: 'form-actions' }, save), status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    summary.clear();
    status.textContent = '';
    try {
      state = await whileBusy(save, 'Saving\u2026', api('PATCH', 'firm/mfa', {
        body: { enforce_staff: staff.input.checked, enforce_portal: portal.input.checked },
      }));
      status.textContent = 'Saved.';
      drawUsers();
    } catch (err) {
      showServerError(err, summary);
    }
  });

  const usersTitle = uid('users');
  const table = h('div');
  function drawUsers() {
    const rows = state.users.map((u) => {
      const reset = u.mfa_enrolled ? h('button', {
        type: 'button', class: 'btn btn-small', 'aria-label': `Reset two-step sign-in of ${u.email}`,
        onclick: async () => {
          if (!window.confirm(`Reset two-step sign-in of ${u.email}? They will set it up again at their next sign-in if the firm requires it.`)) return;
          try {
            await whileBusy(reset, 'Resetting\u2026', api('DELETE', `users/${u.id}/mfa`));
            u.mfa_enrolled = false;
            status.textContent = `Two-step sign-in of ${u.email} was reset.`;
            drawUsers();
            focusElement(status);
          } catch (err) {
            showServerError(err, summary);
          }
        },
      }, h('span', { text: 'Reset' })) : null;
      return h('tr', {},
        h('th', { scope: 'row', text: u.display_name ? `${u.display_name} (${u.email})` : u.email }),
        h('td', { text: u.kind === 'portal' ? 'Portal user' : 'Staff' }),
        h('td', { text: u.mfa_enrolled ? 'On' : 'Off' }),
        h('td', {}, reset));
    });
    replace(table, h('table', { class: 'table', 'aria-labelledby': usersTitle },
      h('thead', {}, h('tr', {}, ['Person', 'Kind', 'Two-step sign-in', 'Action'].map((t) => h('th', { scope: 'col', text: t })))),
      h('tbody', {}, rows)));
  }
  drawUsers();
  replace(page, h('div', { class: 'page-header' }, heading),
    h('p', { class: 'muted', text: 'A second step at sign-in: a code from an authenticator app, or a single-use recovery code.' }),
    form,
    h('section', { class: 'card', 'aria-labelledby': usersTitle },
      h('h2', { class: 'card-title', id: usersTitle, text: 'People' }), table));
  return { focus: heading };
}
