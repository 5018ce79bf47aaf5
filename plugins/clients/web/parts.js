// Pieces of the clients module's screens that other modules' cards may use too (cases and
// portal require clients, so /plugins/clients/ is there whenever they are): a client's link,
// primary e-mail and phone, and the portal status mark.

import { h, icon, srOnly, useStyles } from '/shared/js/kit.js';

/** "#/clients/7". */
export function clientHref(id) {
  return `#/clients/${encodeURIComponent(String(id))}`;
}

/** The primary e-mail address of a client (the `email` field, else the primary in `emails`). */
export function primaryEmail(c) {
  if (c.email) return c.email;
  const list = Array.isArray(c.emails) ? c.emails : [];
  return (list.find((e) => e.primary) || list[0] || {}).address || '';
}

/** The primary phone number of a client. */
export function primaryPhone(c) {
  if (c.phone) return c.phone;
  const list = Array.isArray(c.phones) ? c.phones : [];
  return (list.find((p) => p.primary) || list[0] || {}).number || '';
}

/** "Organisation" / "Individual". */
export function kindText(kind) {
  return kind === 'organisation' ? 'Organisation' : 'Individual';
}

/** The portal status as a compact, accessible mark: a green check for an active account. */
export function portalMark(status) {
  switch (status) {
    case 'active':
      return h('span', { class: 'portal-mark portal-active', role: 'img', 'aria-label': 'Portal active', title: 'Portal active' },
        icon('check', 'icon icon-check'));
    case 'invited':
      return h('span', { class: 'pill pill-invited', title: 'Invited, not yet activated' },
        icon('clock', 'icon icon-sm'), h('span', { text: 'Invited' }), srOnly(' to the portal'));
    case 'revoked':
      return h('span', { class: 'pill pill-revoked', title: 'Portal access revoked' },
        icon('cross', 'icon icon-sm'), h('span', { text: 'Revoked' }), srOnly(' portal access'));
    default:
      return h('span', { class: 'portal-mark portal-none', role: 'img', 'aria-label': 'No portal account', title: 'No portal account' },
        icon('dash', 'icon icon-dash'));
  }
}

/** A sentence for the portal status (client page). */
export function portalText(status) {
  return {
    active: 'Active \u2014 the client can sign in to the portal.',
    invited: 'Invited \u2014 the client has not activated the account yet.',
    revoked: 'Revoked \u2014 the client can no longer sign in.',
  }[status] || 'No portal account.';
}

/** Loads the clients module's stylesheet (once); resolves when it is there. */
export function styles() {
  return useStyles(new URL('./clients.css', import.meta.url));
}
