// The portal module's card on the client profile (extension point "staff.client.cards",
// people with portal.manage): the client's portal status, its portal users (an organisation
// can have several, each invited separately), "Invite to portal" (to the client's primary
// e-mail), "Invite with a note" and "Invite another contact" (the invite form: Email, Name, a
// personal note, "Preview e-mail" that shows the message without sending it: its HTML part as
// sent, in a sandboxed frame, with a "Plain text" toggle), and "Revoke" /
// "Revoke portal access", each behind a confirmation step. The status mark is the clients module's
// (portal requires clients).

import { h, icon, replace, focusElement, uid, api, field, errorSummary, whileBusy, isEmail, dateTime, useStyles, mailFrame } from '/shared/js/kit.js';
import { portalMark, portalText, styles as clientStyles } from '/plugins/clients/parts.js';

/** A portal user's status as a pill with text: Active (green), Invited (amber), Revoked (red). */
export function userStatusPill(status) {
  const look = {
    active: ['pill-active', 'check', 'Active'],
    invited: ['pill-invited', 'clock', 'Invited'],
    revoked: ['pill-revoked', 'cross', 'Revoked'],
  }[status] || ['pill-none', 'dash', status || 'Unknown'];
  return h('span', { class: ['pill', look[0]] }, icon(look[1], 'icon icon-sm'), h('span', { text: look[2] }));
}

/**
 * Fills the card. ctx.client is the client as GET /api/v1/clients/{id} answers it; the page
 * hands a changed one (after archive/restore) to ctx.onUpdate.
 */
export async function render(mount, kit, ctx) {
  await Promise.all([clientStyles(), useStyles(new URL('./portal.css', import.meta.url))]);
  let client = ctx.client;
  let status = client.portal_status || 'none';
  let users = [];
  let loaded = false;
  const base = `clients/${encodeURIComponent(String(client.id))}/portal`;

  const statusRow = h('div', { class: 'portal-row portal-status' });
  const message = h('p', { class: 'alert alert-success', role: 'status', hidden: true });
  const errorEl = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
  const usersEl = h('div', { class: 'portal-users-wrap' });
  const actions = h('div', { class: 'portal-actions' });
  const hint = h('p', { class: 'hint portal-hint' });
  const confirmAll = h('div', { class: 'confirm', hidden: true });
  const inviteForm = anotherContactForm();
  mount.classList.add('portal-card');
  replace(mount, statusRow, message, errorEl, usersEl, actions, hint, inviteForm.el, confirmAll);
  ctx.onUpdate((next) => {
    client = next.client;
    status = client.portal_status || status;
    draw();
  });

  draw();
  await load();

  async function load() {
    try {
      const data = await api('GET', base);
      if (!ctx.alive()) return;
      users = Array.isArray(data && data.items) ? data.items : [];
      loaded = true;
      draw();
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      showError(`The portal users could not be loaded. ${err.message}`);
    }
  }

  function primaryEmail() {
    return (client.email || '').toLowerCase();
  }

  function draw() {
    replace(statusRow, portalMark(status), h('p', { text: portalText(status) }));
    renderUsers();
    renderActions();
  }

  function renderUsers() {
    if (!loaded) {
      replace(usersEl, h('p', { class: 'muted', text: 'Loading portal users\u2026' }));
      return;
    }
    if (!users.length) {
      replace(usersEl);
      return;
    }
    replace(usersEl,
      h('h3', { class: 'sub-title', text: users.length === 1 ? 'Portal user' : `Portal users (${users.length})` }),
      h('ul', { class: 'portal-users' }, users.map(userRow)));
  }

  function userRow(u) {
    const who = u.name || u.email;
    const dates = [
      u.activated_at ? `Active since ${dateTime(u.activated_at)}` : null,
      !u.activated_at && u.invited_at ? `Invited ${dateTime(u.invited_at)}` : null,
      u.activated_at && u.invited_at && u.invited_at > u.activated_at ? `re-invited ${dateTime(u.invited_at)}` : null,
    ].filter(Boolean).join(', ');
    const rowActions = h('div', { class: 'pu-actions' });
    const li = h('li', { class: ['portal-user', `is-${u.status}`] },
      h('span', { class: 'pu-icon', 'aria-hidden': 'true' }, icon('user', 'icon')),
      h('div', { class: 'pu-main' },
        h('p', { class: 'pu-name' }, h('span', { text: who }), u.email === primaryEmail() ? h('span', { class: 'badge badge-small', text: 'Primary email' }) : null),
        u.name ? h('p', { class: 'pu-email', text: u.email }) : null,
        dates ? h('p', { class: 'pu-dates', text: dates }) : null),
      h('div', { class: 'pu-status' }, userStatusPill(u.status)),
      rowActions);
    const showRevoke = () => {
      li.classList.remove('is-confirming');
      if (u.status === 'revoked') {
        replace(rowActions);
        return;
      }
      replace(rowActions, h('button', {
        type: 'button', class: 'btn btn-small btn-danger-quiet', 'aria-label': `Revoke access for ${u.email}`,
        onclick: () => confirmOne(),
      }, h('span', { text: 'Revoke' })));
    };
    const confirmOne = () => {
      const qId = uid('q');
      const cancel = h('button', { type: 'button', class: 'btn btn-small', onclick: () => { showRevoke(); rowActions.querySelector('button').focus(); } },
        h('span', { text: 'Cancel' }));
      const yes = h('button', {
        type: 'button', class: 'btn btn-small btn-danger', 'aria-describedby': qId,
        onclick: () => revoke(u, yes),
      }, h('span', { text: 'Revoke access' }));
      const box = h('div', { class: 'confirm confirm-inline', role: 'group', 'aria-labelledby': qId },
        h('p', { class: 'confirm-text', id: qId, text: `Revoke ${u.email}? They are signed out at once and the link stops working.` }),
        h('div', { class: 'confirm-buttons' }, yes, cancel));
      closeQuestions(); // one question at a time
      li.classList.add('is-confirming');
      replace(rowActions, box);
      focusElement(box);
    };
    li.addEventListener('lexos:cancel', () => showRevoke());
    showRevoke();
    return li;
  }

  function renderActions() {
    const archived = client.status === 'archived';
    const email = primaryEmail();
    const mine = users.find((u) => u.email === email);
    const list = [];
    if (!archived) {
      if (email && (!mine || mine.status !== 'active')) {
        const text = mine && mine.status === 'invited' ? 'Resend invitation' : 'Invite to portal';
        const btn = h('button', { type: 'button', class: 'btn btn-primary', onclick: () => invite({}, btn) },
          icon('mail', 'icon icon-sm'), h('span', { text }));
        list.push(btn);
        list.push(h('button', { type: 'button', class: 'btn', onclick: () => inviteForm.open('Invite to portal', client.email) },
          icon('mail', 'icon icon-sm'), h('span', { text: 'Invite with a note' })));
      } else if (!email) {
        list.push(h('button', { type: 'button', class: 'btn btn-primary', onclick: () => inviteForm.open('Invite to portal') },
          icon('mail', 'icon icon-sm'), h('span', { text: 'Invite to portal' })));
      }
      if (client.kind === 'organisation' && email) {
        list.push(h('button', { type: 'button', class: 'btn', onclick: () => inviteForm.open('Invite another contact') },
          icon('plus', 'icon icon-sm'), h('span', { text: 'Invite another contact' })));
      }
    }
    if (users.some((u) => u.status !== 'revoked')) {
      list.push(h('button', { type: 'button', class: 'btn btn-danger-quiet', onclick: (ev) => askRevokeAll(ev.currentTarget) },
        icon('cross', 'icon icon-sm'), h('span', { text: 'Revoke portal access' })));
    }
    replace(actions, list);
    actions.hidden = !list.length;
    if (archived) hint.textContent = 'This client is archived. Restore them to invite anyone to the portal.';
    else if (!email) hint.textContent = 'The client has no email address on file: enter the address to send the invitation to.';
    else if (!mine || mine.status !== 'active') hint.textContent = `The invitation goes to ${client.email}, with a link that works once and expires.`;
    else hint.textContent = `${client.email} can sign in to the portal.`;
  }

  function askRevokeAll(opener) {
    const active = users.filter((u) => u.status !== 'revoked').length;
    const qId = uid('q');
    const cancel = h('button', { type: 'button', class: 'btn', onclick: () => { confirmAll.hidden = true; opener.focus(); } },
      h('span', { text: 'Cancel' }));
    const yes = h('button', { type: 'button', class: 'btn btn-danger', 'aria-describedby': qId, onclick: () => revoke(null, yes) },
      h('span', { text: 'Yes, revoke access' }));
    replace(confirmAll,
      h('p', { class: 'confirm-title', id: qId },
        h('strong', { text: `Revoke portal access for ${client.name}?` }),
        ` ${active === 1 ? 'Its portal user is' : `All ${active} portal users are`} signed out at once and can no longer sign in. You can invite them again later.`),
      h('div', { class: 'confirm-buttons' }, yes, cancel));
    confirmAll.setAttribute('role', 'group');
    confirmAll.setAttribute('aria-labelledby', qId);
    closeQuestions();
    confirmAll.hidden = false;
    inviteForm.close();
    focusElement(confirmAll);
  }

  // Closes every open "Revoke …?" question (the card's and the rows').
  function closeQuestions() {
    confirmAll.hidden = true;
    for (const row of usersEl.querySelectorAll('.portal-user.is-confirming')) row.dispatchEvent(new Event('lexos:cancel'));
  }

  async function revoke(user, btn) {
    hideMessages();
    try {
      const query = user ? { user_id: user.user_id } : undefined;
      const res = await whileBusy(btn, 'Revoking\u2026', api('DELETE', base, { query }));
      if (!ctx.alive()) return;
      status = (res && res.portal_status) || status;
      confirmAll.hidden = true;
      await load();
      if (!ctx.alive()) return;
      const n = res && typeof res.revoked === 'number' ? res.revoked : 0;
      showMessage(user ? `Portal access revoked for ${user.email}. They were signed out.`
        : `Portal access revoked: ${n} portal user${n === 1 ? ' was' : 's were'} signed out.`);
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      showError(`Portal access was not revoked. ${err.message}`);
    }
  }

  // Sends an invitation. From a button, problems show in the card; with `throwFieldErrors`
  // (the Email form) an error naming a field is thrown back to be shown on that field.
  async function invite(body, btn, throwFieldErrors = false) {
    hideMessages();
    let res;
    try {
      res = await whileBusy(btn, 'Sending\u2026', api('POST', `${base}/invite`, { body }));
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return false;
      if (throwFieldErrors && err.field) throw err;
      showError(`The invitation was not sent. ${err.message}`);
      return false;
    }
    if (!ctx.alive()) return false;
    status = (res && res.portal_status) || status;
    inviteForm.close(false);
    await load();
    if (!ctx.alive()) return false;
    showMessage(`Invitation sent to ${res.email}. The link works once, until ${dateTime(res.expires_at)}.`);
    return true;
  }

  function showMessage(text) {
    errorEl.hidden = true;
    message.textContent = text;
    message.hidden = false;
    focusElement(message);
  }

  function showError(text) {
    message.hidden = true;
    errorEl.textContent = text;
    errorEl.hidden = false;
  }

  function hideMessages() {
    message.hidden = true;
    errorEl.hidden = true;
  }

  // Email (+ Name) form: another contact of an organisation, or the first address of a client
  // without one.
  function anotherContactForm() {
    const legendId = uid('inv');
    const summary = errorSummary('The invitation was not sent');
    const email = field({ label: 'Email', type: 'email', autocomplete: 'off', attrs: { spellcheck: 'false' },
      hint: 'Their own address: the portal account is theirs.' });
    const name = field({ label: 'Name', autocomplete: 'off', hint: 'Optional: how the portal greets them.' });
    const note = field({ label: 'Personal note', type: 'textarea', rows: 3, autocomplete: 'off',
      hint: 'Optional: a few words from you, shown in the e-mail above the link.' });
    const send = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('mail', 'icon icon-sm'), h('span', { text: 'Send invitation' }));
    const previewButton = h('button', { type: 'button', class: 'btn' }, h('span', { text: 'Preview e-mail' }));
    const cancel = h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => close(true) }, h('span', { text: 'Cancel' }));
    const legend = h('h3', { class: 'sub-title', id: legendId, text: 'Invite another contact' });
    const previewId = uid('preview');
    const preview = h('section', { class: 'mail-preview', 'aria-labelledby': previewId, hidden: true, tabindex: '-1' });
    const form = h('form', { class: 'invite-form', novalidate: true, 'aria-labelledby': legendId, hidden: true },
      legend, summary.el, h('div', { class: 'grid-2' }, email.el, name.el), note.el,
      h('div', { class: 'form-actions' }, send, previewButton, cancel), preview);
    // The body both buttons send; null (and the problem shown) when the address is not usable.
    const bodyOrNull = () => {
      summary.clear();
      email.clearError();
      name.clearError();
      note.clearError();
      const address = email.control.value.trim();
      if (!isEmail(address)) {
        const msg = address ? 'Enter a valid email address, like name@example.com' : 'Enter the email address to invite';
        email.setError(msg);
        summary.show([{ label: email.label, message: msg, control: email.control }]);
        return null;
      }
      const body = { email: address };
      if (name.control.value.trim()) body.name = name.control.value.trim();
      if (note.control.value.trim()) body.note = note.control.value.trim();
      return body;
    };
    const fieldOf = (err) => ({ name, note }[err.field] || email);
    previewButton.addEventListener('click', async () => {
      const body = bodyOrNull();
      if (!body) return;
      try {
        const m = await whileBusy(previewButton, 'Preparing\u2026', api('POST', `${base}/invite/preview`, { body }));
        if (!ctx.alive()) return;
        replace(preview,
          h('h4', { class: 'sub-title', id: previewId, text: 'E-mail preview (not sent)' }),
          h('p', {}, h('strong', { text: 'To: ' }), m.to),
          h('p', {}, h('strong', { text: 'Subject: ' }), m.subject),
          mailParts(m));
        preview.hidden = false;
        focusElement(preview);
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        const target = fieldOf(err);
        target.setError(err.message);
        summary.show([{ label: target.label, message: err.message, control: target.control }]);
      }
    });
    // The message as the client's mail program shows it: the HTML part in a sandboxed frame
    // (kit mailFrame), and a "Plain text" toggle for the text part, which programs that show no
    // HTML use. Without an HTML part, the text.
    function mailParts(m) {
      const text = h('pre', { class: 'mail-preview-text', text: m.text });
      if (!m.html) return text;
      const frame = mailFrame(m.html, { title: `E-mail preview: ${m.subject}` });
      text.hidden = true;
      const toggle = h('button', { type: 'button', class: 'btn btn-small mail-preview-toggle', 'aria-pressed': 'false' },
        h('span', { text: 'Plain text' }));
      toggle.addEventListener('click', () => {
        const plain = toggle.getAttribute('aria-pressed') !== 'true';
        toggle.setAttribute('aria-pressed', String(plain));
        text.hidden = !plain;
        frame.hidden = plain;
      });
      return [h('p', { class: 'mail-preview-switch' }, toggle), frame, text];
    }
    let opener = null;
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = bodyOrNull();
      if (!body) return;
      try {
        await invite(body, send, true);
      } catch (err) {
        const target = fieldOf(err);
        target.setError(err.message);
        summary.show([{ label: target.label, message: err.message, control: target.control }]);
      }
    });
    function close(restoreFocus) {
      const wasOpen = !form.hidden;
      form.hidden = true;
      summary.clear();
      email.clearError();
      email.control.value = '';
      name.control.value = '';
      note.control.value = '';
      preview.hidden = true;
      preview.replaceChildren();
      if (wasOpen && restoreFocus && opener && opener.isConnected) opener.focus();
    }
    return {
      el: form,
      open(title, address = '') {
        opener = document.activeElement;
        legend.textContent = title;
        email.control.value = address;
        closeQuestions();
        form.hidden = false;
        email.control.focus();
      },
      close,
    };
  }
}
