// Pieces of the billing module's staff screens (the case card, the client cards, the invoices
// list and editor, the Billing page): the stylesheet, an invoice's status as staff read it,
// amounts typed by a person read into integer minor units (never through floating point),
// durations typed as minutes or h:mm, and the addresses of invoices, PDFs and clients.

import { h, api, money, useStyles } from '/shared/js/kit.js';

/** Loads the staff screens' stylesheet (once); resolves when it is there. */
export function styles() {
  return Promise.all([useStyles(new URL('./billing.css', import.meta.url)), useStyles(new URL('./staff.css', import.meta.url))]);
}

const STATUS = {
  draft: ['Draft', 'badge bill-badge-draft'],
  issued: ['Open', 'badge bill-badge-open'],
  partially_paid: ['Partly paid', 'badge badge-warn'],
  paid: ['Paid', 'badge badge-ok'],
  void: ['Void', 'badge bill-badge-void'],
};

/** The status as staff read it: Draft, Open, Partly paid, Paid, Void; "Overdue" beside it when past due. */
export function statusBadge(inv) {
  const [text, cls] = STATUS[inv.status] || [inv.status, 'badge'];
  const badge = h('span', { class: cls, text });
  if (!inv.overdue) return badge;
  return h('span', { class: 'bill-badges' }, badge, ' ', h('span', { class: 'badge bill-badge-overdue', text: 'Overdue' }));
}

/** The status's words alone ("Partly paid"), for a sentence. */
export function statusText(inv) {
  return (STATUS[inv.status] || [inv.status])[0] + (inv.overdue ? ', overdue' : '');
}

/** Minor units as money in `currency` ("€1,234.50"); a negative amount keeps its sign. */
export function amount(minor, currency) {
  return money(minor, currency);
}

/** Minor units as a plain decimal for an input ("1234.50" for 123450 with 2 digits), exact. */
export function decimalInput(minor, digits) {
  const negative = Number(minor) < 0;
  const s = String(Math.abs(Math.trunc(Number(minor) || 0))).padStart(digits + 1, '0');
  const text = digits ? `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}` : s;
  return negative ? `-${text}` : text;
}

const MAX_DIGITS = 15; // every amount of the API stays under 10^15 minor units (exact in a double)

/**
 * Reads an amount a person typed ("1,234.56", "1234,5", "250", "¥30,000") as integer minor
 * units for a currency with `digits` decimals. Works on the text, never on a floating-point
 * value. Resolves { minor } or { error } (a sentence for the field). `allowZero` accepts 0.
 */
export function parseAmount(text, digits, { allowZero = false } = {}) {
  let s = String(text || '').trim().replace(/[\s\u00a0\u202f'_]/g, '');
  s = s.replace(/^(\p{Sc}|[A-Za-z]{3})/u, '').replace(/(\p{Sc}|[A-Za-z]{3})$/u, ''); // a currency sign or code
  if (!s) return { error: 'Enter an amount.' };
  if (s.startsWith('-')) return { error: 'Enter an amount above zero.' };
  if (!/^[\d.,]+$/.test(s)) return { error: 'Enter an amount in figures, like 1250.00.' };
  let whole = s;
  let frac = '';
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    // Both: the last one is the decimal separator, the other groups thousands.
    const dec = lastDot > lastComma ? '.' : ',';
    const group = dec === '.' ? ',' : '.';
    const at = s.lastIndexOf(dec);
    const groups = s.slice(0, at).split(group);
    // Thousands come in threes ("1,234,567.89"); anything else is a typing slip.
    if (groups.slice(1).some((g) => g.length !== 3) || groups.some((g) => g.includes(dec))) {
      return { error: 'Enter an amount in figures, like 1250.00.' };
    }
    whole = groups.join('');
    frac = s.slice(at + 1);
  } else if (lastDot >= 0 || lastComma >= 0) {
    const sep = lastDot >= 0 ? '.' : ',';
    const parts = s.split(sep);
    if (parts.length > 2 || (sep === ',' && parts[1].length === 3 && digits !== 3)) {
      // "1,000" or "1.000.000": thousands.
      if (parts.slice(1).some((p) => p.length !== 3)) return { error: 'Enter an amount in figures, like 1250.00.' };
      whole = parts.join('');
    } else {
      [whole, frac] = parts;
    }
  }
  if (!/^\d*$/.test(whole) || !/^\d*$/.test(frac)) return { error: 'Enter an amount in figures, like 1250.00.' };
  if (frac.length > digits) {
    return { error: digits ? `Use at most ${digits} decimal${digits === 1 ? '' : 's'} for this currency.` : 'This currency has no decimals: enter whole units.' };
  }
  const figures = `${whole || '0'}${frac.padEnd(digits, '0')}`.replace(/^0+(?=\d)/, '');
  if (figures.length > MAX_DIGITS) return { error: 'That amount is too large.' };
  const minor = Number.parseInt(figures, 10);
  if (!allowZero && minor === 0) return { error: 'Enter an amount above zero.' };
  return { minor };
}

/**
 * Reads a duration typed as minutes ("90"), hours and minutes ("1:30", "1h 30m", "1h") or
 * decimal hours ("1.5h"). Resolves { minutes } or { error }.
 */
export function parseDuration(text) {
  const s = String(text || '').trim().toLowerCase().replace(/\s+/g, ' ');
  if (!s) return { error: 'Enter the time worked, in minutes or as h:mm.' };
  let minutes = null;
  let m;
  if ((m = /^(\d{1,4})(?: ?m(?:in)?)?$/.exec(s))) minutes = Number(m[1]);
  else if ((m = /^(\d{1,2}):([0-5]\d)$/.exec(s))) minutes = Number(m[1]) * 60 + Number(m[2]);
  else if ((m = /^(\d{1,2}) ?h(?: ?(\d{1,2}) ?m(?:in)?)?$/.exec(s))) minutes = Number(m[1]) * 60 + Number(m[2] || 0);
  else if ((m = /^(\d{1,2})[.,](\d{1,2}) ?h$/.exec(s))) {
    // Decimal hours in whole numbers: "1.25h" = 1 h + 25/100 of 60 min, rounded to the minute.
    const hundredths = Number(m[2].padEnd(2, '0'));
    minutes = Number(m[1]) * 60 + Math.round((hundredths * 60) / 100);
  }
  if (minutes === null) return { error: 'Enter the time worked in minutes (90) or as h:mm (1:30).' };
  if (minutes < 1) return { error: 'Enter at least one minute.' };
  if (minutes > 1440) return { error: 'Enter at most 24 hours (1440 minutes) for one entry.' };
  return { minutes };
}

/** 95 minutes as "1:35". */
export function hoursText(minutes) {
  const n = Math.max(0, Math.trunc(Number(minutes) || 0));
  return `${Math.floor(n / 60)}:${String(n % 60).padStart(2, '0')}`;
}

/** Basis points as a percentage text without floating point ("20", "7.5", "0.25"). */
export function percentText(bp) {
  const n = Math.trunc(Number(bp) || 0);
  const whole = Math.floor(n / 100);
  const rest = String(n % 100).padStart(2, '0').replace(/0+$/, '');
  return rest ? `${whole}.${rest}` : String(whole);
}

/** A percentage typed ("20", "7.5", "0,25") as basis points; { bp } or { error }. */
export function parsePercent(text) {
  const s = String(text || '').trim().replace('%', '').replace(',', '.').trim();
  if (!s) return { bp: 0 };
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return { error: 'Enter a percentage like 20 or 7.5 (at most two decimals).' };
  const bp = Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
  if (bp > 10000) return { error: 'Enter at most 100%.' };
  return { bp };
}

/** Digits after the decimal point of an invoice (its own `minor_units`), else of a currency. */
export function digitsOf(invOrCurrency, fallbackCurrency) {
  if (invOrCurrency && typeof invOrCurrency === 'object' && Number.isInteger(invOrCurrency.minor_units)) return invOrCurrency.minor_units;
  const c = typeof invOrCurrency === 'string' ? invOrCurrency : fallbackCurrency;
  return c ? digitsForCurrency(c) : 2;
}

/** ISO 4217 exponent as the browser knows it (2 when unknown). */
export function digitsForCurrency(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

const PAYMENT_METHODS = [['check', 'Check'], ['wire', 'Wire transfer'], ['cash', 'Cash'], ['card_present', 'Card (in person)']];
export const paymentMethods = PAYMENT_METHODS;
/** "wire" as "Wire transfer". */
export function methodText(method) {
  const m = PAYMENT_METHODS.find(([v]) => v === method);
  return m ? m[1] : method;
}

export const invoiceHref = (id) => `#/invoices/${encodeURIComponent(String(id))}`;
export const clientHref = (id) => `#/clients/${encodeURIComponent(String(id))}`;
export const invoicePdfHref = (id) => `/api/v1/invoices/${encodeURIComponent(String(id))}/pdf`;
export const receiptPdfHref = (id) => `/api/v1/receipts/${encodeURIComponent(String(id))}/pdf`;

/** An invoice's name in a sentence: its number, or "Draft" with its id. */
export function invoiceName(inv) {
  return inv.number ? `Invoice ${inv.number}` : 'Draft invoice';
}

const clientNames = new Map();
/** A client's name (GET /api/v1/clients/{id}), asked once per page load; '' when it cannot be read. */
export function clientName(id) {
  const key = String(id);
  if (!clientNames.has(key)) {
    clientNames.set(key, api('GET', `clients/${encodeURIComponent(key)}`).then((c) => (c && c.name) || '').catch(() => {
      clientNames.delete(key);
      return '';
    }));
  }
  return clientNames.get(key);
}

/** A polite live region and `announce(text)` for what a button on the page did. */
export function announcer() {
  const el = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  return {
    el,
    announce(text) {
      el.textContent = '';
      window.setTimeout(() => { el.textContent = text; }, 50);
    },
  };
}

/** Items of a list answer ({items}), or []. */
export function itemsOf(data) {
  return Array.isArray(data && data.items) ? data.items : [];
}
