// Pieces of the cases module's staff screens (the case list, form and page, and its card on
// the client profile): the firm's phase names, the phase badge, the "Shared with client" /
// "Internal" marks, and a case's link.

import { h, icon, api, useStyles } from '/shared/js/kit.js';

/** Loads the staff screens' stylesheet (once); resolves when it is there. */
export function styles() {
  return useStyles(new URL('./staff.css', import.meta.url));
}

/** The phases in order, with the firm's own labels: [{phase, label, progress_percent}]. */
export async function loadPhases(signal) {
  const data = await api('GET', 'cases/phases', { signal });
  return Array.isArray(data && data.items) ? data.items : [];
}

/**
 * The firm's practice areas with their phases ([{id, name, phases: [{key, label, builtin_phase}]}]);
 * empty when the firm has defined none.
 */
export async function loadAreas(signal) {
  const data = await api('GET', 'practice-areas', { signal });
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
 * The cases of one client (as main client or related client), newest first, following the
 * server's keyset cursor (at most maxPages pages of 100).
 */
export async function clientCases(clientId, { signal, maxPages = 20 } = {}) {
  const mine = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page += 1) {
    const data = await api('GET', 'cases', { query: { client_id: clientId, limit: 100, cursor }, signal });
    const items = Array.isArray(data && data.items) ? data.items : [];
    mine.push(...items);
    cursor = data && data.next_cursor ? String(data.next_cursor) : null;
    if (!cursor) break;
  }
  return mine;
}

/** "#/cases/12". */
export function caseHref(id) {
  return `#/cases/${encodeURIComponent(String(id))}`;
}

/** "#/clients/7" (a page of the clients module, which cases requires). */
export function clientHref(id) {
  return `#/clients/${encodeURIComponent(String(id))}`;
}
