// Pieces shared by the case views and the client page: the firm's phase names, the phase badge,
// the "Shared with client" / "Internal" marks, and a case's link.

import { h, icon } from '../dom.js';
import { api } from '../api.js';

/** The phases in order, with the firm's own labels: [{phase, label, progress_percent}]. */
export async function loadPhases(signal) {
  const data = await api('GET', 'cases/phases', { signal });
  return Array.isArray(data && data.items) ? data.items : [];
}

/** The firm's label for `phase` (the case's own phase_label wins, then the list, then the id). */
export function phaseLabel(phase, phases = [], fallback = '') {
  if (fallback) return fallback;
  const p = phases.find((x) => x.phase === phase);
  return p ? p.label : (phase ? phase.charAt(0).toUpperCase() + phase.slice(1) : '');
}

/** A small coloured badge with the phase's label (colour from the phase id, text from the firm). */
export function phaseBadge(phase, label) {
  return h('span', { class: ['phase-badge', `phase-${/^[a-z]+$/.test(phase || '') ? phase : 'other'}`] },
    h('span', { class: 'phase-dot', 'aria-hidden': 'true' }), h('span', { text: label || phase || '' }));
}

/**
 * Who can see an update: an eye and "Shared with client", or a lock and "Internal". The text
 * is always there, so the mark never relies on colour or the icon alone.
 */
export function visibilityMark(visible) {
  return visible
    ? h('span', { class: 'vis-mark vis-shared' }, icon('eye', 'icon icon-sm'), h('span', { text: 'Shared with client' }))
    : h('span', { class: 'vis-mark vis-internal' }, icon('lock', 'icon icon-sm'), h('span', { text: 'Internal' }));
}

/**
 * The cases whose client is `clientId`, newest opened first.
 *
 * The API's own filter, GET /api/v1/cases?client_id=, answers 500 in this build: the handler
 * (plugins/cases/case_handlers.cpp, CaseHandlers::list) writes the second placeholder as "$0",
 * because `std::to_string(params.size())` may be evaluated before `param(id)` pushes the value.
 * Until that is fixed, the client's cases are picked from the firm's list (100 a page, at most
 * `maxPages` pages); afterwards this becomes one call with `client_id`.
 */
export async function clientCases(clientId, { signal, maxPages = 20 } = {}) {
  const mine = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page += 1) {
    const data = await api('GET', 'cases', { query: { limit: 100, cursor }, signal });
    const items = Array.isArray(data && data.items) ? data.items : [];
    for (const c of items) if (String(c.client_id) === String(clientId)) mine.push(c);
    cursor = data && data.next_cursor ? String(data.next_cursor) : null;
    if (!cursor) break;
  }
  return mine;
}

/** "#/cases/12". */
export function caseHref(id) {
  return `#/cases/${encodeURIComponent(String(id))}`;
}

/** "#/clients/7". */
export function clientHref(id) {
  return `#/clients/${encodeURIComponent(String(id))}`;
}
