// The documents module's section on a portal matter page (extension point
// "portal.matter.sections", documents.portal): the documents the firm shared on this matter,
// each with Download.

import { h, replace, api } from '/shared/js/kit.js';
import { portalList, styles } from './parts.js';

export async function render(mount, kit, ctx) {
  await styles();
  replace(mount, h('p', { class: 'muted', role: 'status', text: 'Loading documents\u2026' }));
  let items;
  try {
    const data = await api('GET', `portal/cases/${encodeURIComponent(String(ctx.case_id))}/documents`);
    items = Array.isArray(data && data.items) ? data.items : [];
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return;
    replace(mount, h('p', { class: 'alert alert-error', role: 'alert', text: `The documents could not be loaded. ${err.message}` }));
    return;
  }
  if (!ctx.alive()) return;
  ctx.heading.append(items.length ? ` (${items.length})` : '');
  replace(mount, items.length
    ? portalList(items, { label: 'Documents shared on this matter' })
    : h('p', { class: 'muted', text: 'Your legal team has not shared documents on this matter yet.' }));
}
