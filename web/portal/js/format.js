// Dates and progress in words a client reads without effort: "3 November 2026", "Today, 14:05",
// "Discovery — step 3 of 6".

import { h } from './dom.js';

/**
 * The firm's phases in order, as the cases module defines them (plugins/cases/case_store.cpp).
 * A matter's own page receives them from the API with the firm's names; the list of matters
 * does not, so it counts steps with this order and shows the label the API gives.
 */
export const PHASE_ORDER = ['intake', 'active', 'discovery', 'trial', 'settled', 'closed'];

/** Plain-language notes on what each phase means for the client. */
export const PHASE_HINTS = {
  intake: 'We are getting to know your matter and gathering what we need.',
  active: 'Your legal team is working on your matter.',
  discovery: 'Both sides are exchanging information and evidence.',
  trial: 'Your matter is before the court.',
  settled: 'An agreement has been reached; we are wrapping things up.',
  closed: 'This matter is finished.',
};

/** { step, of, label, text } for a matter: "Discovery — step 3 of 6". */
export function phaseStep(matter, phases) {
  const order = Array.isArray(phases) && phases.length ? phases.map((p) => p.phase) : PHASE_ORDER;
  const index = order.indexOf(matter.phase);
  const label = matter.phase_label || (phases || []).find((p) => p.phase === matter.phase)?.label || capitalise(matter.phase);
  if (index < 0) return { step: 0, of: order.length, label, text: label };
  return { step: index + 1, of: order.length, label, text: `${label} \u2014 step ${index + 1} of ${order.length}` };
}

/**
 * The progress indicator: role=progressbar with the API's percentage as its value and the step
 * in words as its text, drawn as one segment per phase.
 */
export function progressBar(matter, phases, { labelledBy } = {}) {
  const s = phaseStep(matter, phases);
  const pct = clampPercent(matter.progress_percent);
  const segments = [];
  for (let i = 1; i <= s.of; i += 1) {
    segments.push(h('span', { class: ['segment', i < s.step && 'done', i === s.step && 'current'] }));
  }
  return h('div', {
    class: ['progress', matter.phase === 'closed' && 'progress-complete'],
    role: 'progressbar',
    'aria-valuemin': '0',
    'aria-valuemax': '100',
    'aria-valuenow': String(pct),
    'aria-valuetext': s.text,
    'aria-labelledby': labelledBy,
    'aria-label': labelledBy ? undefined : 'Progress',
  }, segments);
}

function clampPercent(v) {
  const n = Number(v);
  if (!Number.isFinite(n)) return 0;
  return Math.max(0, Math.min(100, Math.round(n)));
}

export function capitalise(s) {
  return s ? `${s.charAt(0).toUpperCase()}${s.slice(1)}` : '';
}

// An API timestamp ("2026-11-03T14:05:00Z") or date ("2026-11-03") as a Date, or null.
function parse(s) {
  if (!s) return null;
  const text = String(s);
  const d = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`)
    : new Date(/Z$|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * A calendar date ("2026-11-01") as "1 November 2026" (`style` 'long') or "1 Nov 2026"
 * ('medium'). It names a day, not an instant, so no time zone moves it.
 */
export function calendarDate(s, style = 'long') {
  const d = parse(s);
  if (!d) return s ? String(s) : '';
  return new Intl.DateTimeFormat(undefined, { dateStyle: style, timeZone: 'UTC' }).format(d);
}

/** A moment as the person's local "Today, 14:05", "Yesterday, 09:12" or "3 November 2026, 14:05". */
export function momentText(s, now = new Date()) {
  const d = parse(s);
  if (!d) return s ? String(s) : '';
  const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(d);
  const days = Math.round((startOfDay(now) - startOfDay(d)) / 86_400_000);
  if (days === 0 || days === 1) {
    let word = days === 0 ? 'Today' : 'Yesterday';
    try {
      word = capitalise(new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }).format(-days, 'day'));
    } catch {
      /* keep the English word */
    }
    return `${word}, ${time}`;
  }
  return `${new Intl.DateTimeFormat(undefined, { dateStyle: 'long' }).format(d)}, ${time}`;
}

/** A short date for lists: "3 Nov 2026" (or "Today"). */
export function shortDate(s, now = new Date()) {
  const d = parse(s);
  if (!d) return s ? String(s) : '';
  if (startOfDay(now) === startOfDay(d)) return 'Today';
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(d);
}

/** A <time> element: `text` shown, the exact moment in `datetime` and as a tooltip. */
export function timeEl(s, text) {
  if (/^\d{4}-\d{2}-\d{2}$/.test(String(s || ''))) return h('time', { datetime: s, text }); // a day, not a moment
  const d = parse(s);
  return h('time', {
    datetime: d ? d.toISOString() : undefined,
    title: d ? new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' }).format(d) : undefined,
    text,
  });
}

function startOfDay(d) {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** Up to two initials of a name, for a contact's avatar ("Olivia Owner" -> "OO"). */
export function initials(name) {
  const parts = String(name || '').replace(/[^\p{L}\s'-]/gu, ' ').trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return '?';
  return (parts[0][0] + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}
