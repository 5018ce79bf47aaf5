// Pieces of the cases module's portal screens: a matter's phase as a step ("Discovery — step
// 3 of 6") and the progress indicator, in words a client reads without effort.

import { h, capitalise, useStyles } from '/shared/js/kit.js';

/** Loads the portal screens' stylesheet (once); resolves when it is there. */
export function styles() {
  return useStyles(new URL('./portal.css', import.meta.url));
}

/**
 * The firm's phases in order, as the cases module defines them (plugins/cases/case_store.cpp).
 * The API sends each matter's own phases (its practice area's, by the firm's names, or these
 * renamed); this order is the fallback when it does not.
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
    class: ['progress', (matter.builtin_phase || matter.phase) === 'closed' && 'progress-complete'],
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
