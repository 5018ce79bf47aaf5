// Display helpers shared by the client views.

import { h, icon, srOnly } from './dom.js';

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

/** Digits after the decimal point for a currency (2 when unknown). */
export function minorDigits(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

/** Integer minor units as a money string ("EUR 250.00" in the person's locale style). */
export function money(minor, currency) {
  if (minor === null || minor === undefined || minor === '') return '';
  const digits = currency ? minorDigits(currency) : 2;
  const major = Number(minor) / 10 ** digits;
  try {
    if (currency) return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(major);
  } catch {
    /* unknown currency code: fall through */
  }
  return `${major.toFixed(digits)}${currency ? ` ${currency}` : ''}`;
}

/** A UTC timestamp from the API as a local date and time, or the raw text if unparsable. */
export function dateTime(s) {
  if (!s) return '';
  const d = new Date(/Z$|[+-]\d\d:?\d\d$/.test(s) ? s : `${String(s).replace(' ', 'T')}Z`);
  if (Number.isNaN(d.getTime())) return String(s);
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** A calendar date "YYYY-MM-DD" as a local date ("14 Sept 2026"), or the raw text. */
export function calendarDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(s || ''));
  if (!m) return s ? String(s) : '';
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

/** Today as "YYYY-MM-DD" in the person's time zone (for date inputs). */
export function todayIso() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
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
