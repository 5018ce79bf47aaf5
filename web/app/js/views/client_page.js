// One client's profile: contact details, address, billing, the client's cases (cases module),
// the client portal (invite and revoke with the portal module; the status alone otherwise),
// notes; Edit, Archive and Restore.

import { h, icon, replace, focusElement } from '../dom.js';
import { api } from '../api.js';
import { money, dateTime, portalMark, portalText, kindText } from '../format.js';
import { takeFlash } from '../main.js';
import { countryName } from '../codes.js';
import { can, hasModule } from '../session.js';
import { clientCasesCard } from './client_cases.js';
import { clientPortalCard } from './client_portal.js';

export async function clientPageView(container, ctx) {
  const id = ctx.params.id;
  const heading = h('h1', { text: 'Client' });
  const page = h('section', { class: 'page' }, breadcrumb(''), h('div', { class: 'page-header' }, heading),
    h('p', { class: 'muted', text: 'Loading\u2026' }));
  container.append(page);
  const flash = takeFlash();
  let client;
  try {
    client = await api('GET', `clients/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return null;
    heading.textContent = err.status === 404 ? 'Client not found' : 'Client';
    document.title = 'Client not found \u2014 LexOS';
    replace(page, breadcrumb(''), h('div', { class: 'page-header' }, heading),
      h('p', { class: 'alert alert-error', role: 'alert', text: err.status === 404 ? 'This client does not exist or is not available to you.' : err.message }),
      h('p', {}, h('a', { href: '#/clients', text: 'Back to clients' })));
    return { focus: heading };
  }
  if (!ctx.alive()) return null;

  const status = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const flashEl = h('p', { class: 'alert alert-success', role: 'status', hidden: !flash, text: flash || '' });
  const errorEl = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
  // Built once, so archiving or restoring does not reload them; only with the module on (a
  // firm without it gets no 404s from its routes) and the permission.
  const casesCard = hasModule('cases') && can('cases.read') ? clientCasesCard(client, ctx) : null;
  const portalCard = hasModule('portal') && can('portal.manage') ? clientPortalCard(client, ctx) : null;
  render();
  return { focus: heading };

  function render(focusAction = false) {
    document.title = `${client.name} \u2014 LexOS`;
    heading.textContent = client.name;
    const archived = client.status === 'archived';
    const edit = h('button', { type: 'button', class: 'btn', onclick: () => ctx.navigate(`#/clients/${encodeURIComponent(id)}/edit`) },
      h('span', { text: 'Edit' }));
    const toggle = h('button', { type: 'button', class: archived ? 'btn btn-primary' : 'btn', onclick: () => setArchived(!archived, toggle) },
      h('span', { text: archived ? 'Restore' : 'Archive' }));
    const badges = h('div', { class: 'badges' },
      h('span', { class: 'badge', text: kindText(client.kind) }),
      archived ? h('span', { class: 'badge badge-warn', text: 'Archived' }) : h('span', { class: 'badge badge-ok', text: 'Active' }));

    const emails = Array.isArray(client.emails) ? client.emails : [];
    const phones = Array.isArray(client.phones) ? client.phones : [];
    const a = client.address || {};
    const b = client.billing || {};

    replace(page,
      breadcrumb(client.name),
      h('div', { class: 'page-header' },
        h('div', {}, heading, badges),
        h('div', { class: 'page-actions' }, edit, toggle)),
      flashEl, errorEl,
      archived ? h('p', { class: 'alert alert-info', text: 'This client is archived: kept on record, hidden from the everyday list. Restore to work with them again.' }) : null,
      h('div', { class: 'stack' },
        h('div', { class: 'cards' },
          card('Contact',
            dl([
              client.kind === 'organisation' ? ['Contact person', client.contact_person || none()] : null,
              ['Email', emails.length ? list(emails.map((e) => [e.address, e.label, e.primary])) : (client.email || none())],
              ['Phone', phones.length ? list(phones.map((p) => [p.number, p.label, p.primary])) : (client.phone || none())],
              ['Address', postal(a) || none()],
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
        casesCard ? casesCard.el : null,
        // With the portal module the card has users and actions: it takes the full width.
        portalCard ? [portalCard.el, notesCard()] : h('div', { class: 'cards' },
          card('Client portal',
            h('div', { class: 'portal-row' }, portalMark(client.portal_status), h('p', { text: portalText(client.portal_status) }))),
          notesCard())),
      h('p', { class: 'record-meta muted' },
        client.created_at ? `Added ${dateTime(client.created_at)}` : '',
        client.updated_at && client.updated_at !== client.created_at ? ` \u00b7 Last changed ${dateTime(client.updated_at)}` : ''),
      status);
    if (focusAction) focusElement(toggle);
  }

  function notesCard() {
    return card('Notes', client.notes ? h('p', { class: 'pre', text: client.notes }) : h('p', { class: 'muted', text: 'No notes.' }));
  }

  async function setArchived(archive, btn) {
    errorEl.hidden = true;
    flashEl.hidden = true;
    btn.disabled = true;
    try {
      const updated = await api('POST', `clients/${encodeURIComponent(id)}/${archive ? 'archive' : 'restore'}`);
      if (!ctx.alive()) return;
      client = updated && updated.id !== undefined ? updated : { ...client, status: archive ? 'archived' : 'active' };
      if (portalCard) portalCard.setClient(client);
      render(true);
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

function breadcrumb(name) {
  return h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
    h('a', { href: '#/clients' }, icon('left', 'icon icon-sm'), h('span', { text: 'Clients' })),
    name ? [h('span', { class: 'crumb-sep', 'aria-hidden': 'true', text: '/' }), h('span', { 'aria-current': 'page', text: name })] : null);
}

function card(title, body) {
  return h('section', { class: 'card' }, h('h2', { class: 'card-title', text: title }), body);
}

function dl(pairs) {
  return h('dl', { class: 'details' }, pairs.filter(Boolean).map(([k, v]) => h('div', { class: 'detail' },
    h('dt', { text: k }), h('dd', {}, v))));
}

function list(entries) {
  return h('ul', { class: 'plain-list' }, entries.map(([value, label, primary]) => h('li', {},
    h('span', { text: value }),
    label ? h('span', { class: 'muted', text: ` \u00b7 ${label.charAt(0).toUpperCase()}${label.slice(1)}` }) : null,
    primary && entries.length > 1 ? h('span', { class: 'badge badge-small', text: 'Primary' }) : null)));
}

// A postal address as lines, or null when it is empty.
function postal(a) {
  const lines = [a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(' '), a.region, countryName(a.country)]
    .filter(Boolean);
  return lines.length ? h('address', {}, lines.map((l) => h('span', { class: 'line', text: l }))) : null;
}

function none() {
  return h('span', { class: 'muted', text: 'Not given' });
}
