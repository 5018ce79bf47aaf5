// The kit's formatting: dates and times in the firm's time zone, money from integer minor
// units, phone numbers, names. Words and number styles follow the browser's language; the
// time zone is the firm's once the host reports it (`firm.time_zone` in /api/v1/nav, set in the
// firm's settings), else the browser's. The API speaks UTC ("2026-11-03T14:05:00Z") and calendar days ("2026-11-03").

import { h } from './dom.js';

let timeZone; // undefined: the browser's own

/** Sets the IANA time zone moments are shown in ('' for the browser's). The shell calls it. */
export function setTimeZone(tz) {
  timeZone = undefined;
  if (!tz) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz }).format(0);
    timeZone = tz;
  } catch {
    /* an unknown zone: keep the browser's rather than fail every date on the page */
  }
}

/** The time zone moments are shown in (undefined: the browser's). */
export function currentTimeZone() {
  return timeZone;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An API moment or calendar day as a Date (a day is its midnight UTC), or null. */
export function parseMoment(s) {
  if (!s) return null;
  const text = String(s);
  const d = DAY.test(text) ? new Date(`${text}T00:00:00Z`)
    : new Date(/Z$|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

function fmt(options) {
  return new Intl.DateTimeFormat(undefined, { timeZone, ...options });
}

/** A moment as a date and time in the firm's zone ("3 Nov 2026, 14:05"), or the raw text. */
export function dateTime(s) {
  const d = parseMoment(s);
  if (!d) return s ? String(s) : '';
  return fmt({ dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/**
 * A calendar day ("2026-11-01") as "1 Nov 2026" (`style` 'medium', the default) or
 * "1 November 2026" ('long'). It names a day, not an instant, so no time zone moves it.
 */
export function calendarDate(s, style = 'medium') {
  const d = parseMoment(s);
  if (!d) return s ? String(s) : '';
  return new Intl.DateTimeFormat(undefined, { dateStyle: style, timeZone: 'UTC' }).format(d);
}

// "YYYY-MM-DD" of a moment in the firm's zone.
function dayOf(d) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

// Whole days from the day of `d` to the day of `now`, both in the firm's zone.
function daysBefore(d, now) {
  return Math.round((Date.parse(`${dayOf(now)}T00:00:00Z`) - Date.parse(`${dayOf(d)}T00:00:00Z`)) / 86_400_000);
}

/** Today as "YYYY-MM-DD" in the firm's zone (for date inputs). */
export function todayIso(now = new Date()) {
  return dayOf(now);
}

/** A moment as "Today, 14:05", "Yesterday, 09:12" or "3 November 2026, 14:05" (firm's zone). */
export function momentText(s, now = new Date()) {
  const d = parseMoment(s);
  if (!d) return s ? String(s) : '';
  const time = fmt({ timeStyle: 'short' }).format(d);
  const days = daysBefore(d, now);
  if (days === 0 || days === 1) {
    let word = days === 0 ? 'Today' : 'Yesterday';
    try {
      word = capitalise(new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }).format(-days, 'day'));
    } catch {
      /* keep the English word */
    }
    return `${word}, ${time}`;
  }
  return `${fmt({ dateStyle: 'long' }).format(d)}, ${time}`;
}

/** A short date for lists: "3 Nov 2026", or "Today" (firm's zone). */
export function shortDate(s, now = new Date()) {
  const d = parseMoment(s);
  if (!d) return s ? String(s) : '';
  if (!DAY.test(String(s)) && daysBefore(d, now) === 0) return 'Today';
  return DAY.test(String(s)) ? calendarDate(s) : fmt({ dateStyle: 'medium' }).format(d);
}

/** A <time> element: `text` shown, the exact moment in `datetime` and as a tooltip. */
export function timeEl(s, text) {
  if (DAY.test(String(s || ''))) return h('time', { datetime: s, text }); // a day, not a moment
  const d = parseMoment(s);
  return h('time', {
    datetime: d ? d.toISOString() : undefined,
    title: d ? fmt({ dateStyle: 'full', timeStyle: 'short' }).format(d) : undefined,
    text,
  });
}

/** Digits after the decimal point for an ISO 4217 currency (2 when unknown). */
export function minorDigits(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

/** Integer minor units as money in the person's style ("€275.50"); '' for no amount. */
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

/**
 * A phone number as the API keeps it (E.164: "+" and 8 to 15 digits) from what a person typed:
 * spaces, dots, dashes and brackets dropped, a leading "00" read as "+". '' when it is not one.
 */
export function normalisePhone(s) {
  const compact = String(s || '').trim().replace(/^00/, '+').replace(/[\s().-]/g, '');
  return /^\+[1-9][0-9]{7,14}$/.test(compact) ? compact : '';
}

/**
 * A phone number as a tel: link to the stored (E.164) number, showing `text`: the server's
 * grouped form ("+1 312-555-0199", the API's `display`) or, without one, the number as stored.
 */
export function phoneLink(number, attrs = {}, text = '') {
  const dial = normalisePhone(number);
  const shown = text || number || '';
  return dial ? h('a', { href: `tel:${dial}`, ...attrs, text: shown }) : h('span', { ...attrs, text: shown });
}

/** Whether `s` looks like a phone number someone typed (the server reads it in the firm's country). */
export function looksLikePhone(s) {
  const v = String(s || '').trim();
  const digits = v.replace(/\D/g, '');
  return /^\+?[0-9\s().-]+$/.test(v) && digits.length >= 7 && digits.length <= 17;
}

/** "word" -> "Word". */
export function capitalise(s) {
  return s ? `${s.charAt(0).toUpperCase()}${s.slice(1)}` : '';
}

/** Up to two initials of a name, for an avatar ("Olivia Owner" -> "OO"). */
export function initials(name) {
  const parts = String(name || '').replace(/[^\p{L}\s'-]/gu, ' ').trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return '?';
  return (parts[0][0] + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}
