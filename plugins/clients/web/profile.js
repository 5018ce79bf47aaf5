// One client's profile (view "clients/{id}"): contact details, address, billing and notes;
// Edit, Archive and Restore. Other modules add their cards through the extension point
// "staff.client.cards" (the client's cases, the client portal, ...): each gets ctx.client_id
// and ctx.client, and hears of an archive or restore through ctx.onUpdate. Without a card from
// the portal module, the page shows the client's portal status itself.

import {
  h, icon, replace, focusElement, uid, api, can, contributionsTo, renderPoint, money, dateTime, phoneLink, breadcrumb,
  session,
} from '/shared/js/kit.js';
import { countryName } from './codes.js';
import { addressLines } from './address_format.js';
import { clientHref, kindText, portalMark, portalText, styles } from './parts.js';

export async function render(mount, kit, ctx) {
  await styles();
  const id = ctx.params.id;
  const heading = h('h1', { text: 'Client' });
  const page = h('section', { class: 'page' }, breadcrumb('#/clients', 'Clients'), h('div', { class: 'page-header' }, heading),
    h('p', { class: 'muted', text: 'Loading\u2026' }));
  mount.append(page);
  const flash = ctx.takeFlash();
  let client;
  try {
    client = await api('GET', `clients/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return null;
    heading.textContent = err.status === 404 ? 'Client not found' : 'Client';
    ctx.setTitle(heading.textContent);
    replace(page, breadcrumb('#/clients', 'Clients'), h('div', { class: 'page-header' }, heading),
      h('p', { class: 'alert alert-error', role: 'alert', text: err.status === 404 ? 'This client does not exist or is not available to you.' : err.message }),
      h('p', {}, h('a', { href: '#/clients', text: 'Back to clients' })));
    return { focus: heading };
  }
  if (!ctx.alive()) return null;

  const status = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const flashEl = h('p', { class: 'alert alert-success', role: 'status', hidden: !flash, text: flash || '' });
  const errorEl = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
  // The other modules' cards are built once, so archiving or restoring does not reload them.
  const cardsEl = h('div', { class: 'stack ext-cards' });
  const cards = renderPoint('staff.client.cards', cardsEl, { client_id: client.id, client }, ctx);
  const portalCard = contributionsTo('staff.client.cards').some((c) => c.module === 'portal');
  const mayWrite = can('clients.write');
  draw();
  return { focus: heading };

  function draw(focusAction = false) {
    ctx.setTitle(client.name);
    heading.textContent = client.name;
    const archived = client.status === 'archived';
    const edit = mayWrite ? h('button', { type: 'button', class: 'btn', onclick: () => ctx.navigate(`${clientHref(id)}/edit`) },
      h('span', { text: 'Edit' })) : null;
    const toggle = mayWrite ? h('button', { type: 'button', class: archived ? 'btn btn-primary' : 'btn', onclick: () => setArchived(!archived, toggle) },
      h('span', { text: archived ? 'Restore' : 'Archive' })) : null;
    const badges = h('div', { class: 'badges' },
      h('span', { class: 'badge', text: kindText(client.kind) }),
      archived ? h('span', { class: 'badge badge-warn', text: 'Archived' }) : h('span', { class: 'badge badge-ok', text: 'Active' }));

    const emails = Array.isArray(client.emails) ? client.emails : [];
    const phones = Array.isArray(client.phones) ? client.phones : [];
    const b = client.billing || {};
    const notes = card('Notes', client.notes ? h('p', { class: 'pre', text: client.notes }) : h('p', { class: 'muted', text: 'No notes.' }));

    replace(page,
      breadcrumb('#/clients', 'Clients', client.name),
      h('div', { class: 'page-header' },
        h('div', {}, heading, badges),
        mayWrite ? h('div', { class: 'page-actions' }, edit, toggle) : null),
      flashEl, errorEl,
      archived ? h('p', { class: 'alert alert-info', text: 'This client is archived: kept on record, hidden from the everyday list. Restore to work with them again.' }) : null,
      h('div', { class: 'stack' },
        h('div', { class: 'cards' },
          card('Contact',
            dl([
              client.kind === 'organisation' ? ['Contact person', client.contact_person || none()] : null,
              ['Email', emails.length ? list(emails.map((e) => [e.address, e.label, e.primary])) : (client.email || none())],
              ['Phone', phones.length ? list(phones.map((p) => [phoneLink(p.number, {}, p.display), p.label, p.primary])) : (client.phone ? phoneLink(client.phone, {}, client.phone_display) : none())],
              ['Address', postal(client.address || {}) || none()],
            ])),
          card('Billing',
            dl([
              ['Billing contact', b.contact || none()],
              ['Billing email', b.email || none()],
              ['Billing address', postal(b.address || {}) || 'Same as the client\u2019s address'],
              ['Currency', b.currency || none()],
              ['Payment terms', b.payment_terms_days === null || b.payment_terms_days === undefined ? none() : `${b.payment_terms_days} days`],
              ['Hourly rate', b.hourly_rate_minor === null || b.hourly_rate_minor === undefined ? none() : money(b.hourly_rate_minor, b.currency)],
              ['Tax ID', b.tax_id || none()],
            ]))),
        cardsEl,
        // With the portal module's card (users and actions, full width) the status is there.
        portalCard ? notes : h('div', { class: 'cards' },
          card('Client portal',
            h('div', { class: 'portal-row' }, portalMark(client.portal_status), h('p', { text: portalText(client.portal_status) }))),
          notes)),
      h('p', { class: 'record-meta muted' },
        client.created_at ? `Added ${dateTime(client.created_at)}` : '',
        client.updated_at && client.updated_at !== client.created_at ? ` \u00b7 Last changed ${dateTime(client.updated_at)}` : ''),
      status);
    if (focusAction && toggle) focusElement(toggle);
  }

  async function setArchived(archive, btn) {
    errorEl.hidden = true;
    flashEl.hidden = true;
    btn.disabled = true;
    try {
      const updated = await api('POST', `clients/${encodeURIComponent(id)}/${archive ? 'archive' : 'restore'}`);
      if (!ctx.alive()) return;
      client = updated && updated.id !== undefined ? updated : { ...client, status: archive ? 'archived' : 'active' };
      cards.update({ client });
      draw(true);
      flashEl.textContent = archive ? `${client.name} was archived.` : `${client.name} was restored.`;
      flashEl.hidden = false;
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      btn.disabled = false;
      errorEl.textContent = err.message;
      errorEl.hidden = false;
    }
  }
}


function card(title, body) {
  const id = uid('card');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { class: 'card-title', id, text: title }), body);
}

function dl(pairs) {
  return h('dl', { class: 'details' }, pairs.filter(Boolean).map(([k, v]) => h('div', { class: 'detail' },
    h('dt', { text: k }), h('dd', {}, v))));
}

function list(entries) {
  return h('ul', { class: 'plain-list' }, entries.map(([value, label, primary]) => h('li', {},
    typeof value === 'string' ? h('span', { text: value }) : value,
    label ? h('span', { class: 'muted', text: ` \u00b7 ${label.charAt(0).toUpperCase()}${label.slice(1)}` }) : null,
    primary && entries.length > 1 ? h('span', { class: 'badge badge-small', text: 'Primary' }) : null)));
}

// A postal address as lines in its country's order (address_format.js), or null when it is empty.
function postal(a) {
  const lines = addressLines(a, countryName, (session.nav && session.nav.firm && session.nav.firm.country) || '');
  return lines.length ? h('address', {}, lines.map((l) => h('span', { class: 'line', text: l }))) : null;
}

function none() {
  return h('span', { class: 'muted', text: 'Not given' });
}
