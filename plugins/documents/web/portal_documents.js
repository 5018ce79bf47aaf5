// Documents (portal view "documents"): every document the firm shared with the client, newest
// share first, with the matter it belongs to and Download.

import { h, icon, api } from '/shared/js/kit.js';
import { portalList, styles } from './parts.js';

/** Coming back to the tab after a while shows fresh data (the shell re-renders). */
export const refreshOnReturn = true;

export async function render(container, kit, ctx) {
  await styles();
  ctx.setTitle('Documents');
  const heading = h('h1', { text: 'Documents' });
  const body = h('p', { class: 'loading muted', role: 'status', text: 'Loading your documents\u2026' });
  const page = h('section', { class: 'page' },
    h('div', { class: 'page-header' }, heading,
      h('p', { class: 'page-sub', text: 'Documents your legal team shared with you. Download them to keep a copy.' })),
    body);
  container.append(page);
  let items;
  let matters;
  try {
    const [docs, cases] = await Promise.all([
      api('GET', 'portal/documents'),
      api('GET', 'portal/cases').catch(() => ({ items: [] })),
    ]);
    items = Array.isArray(docs && docs.items) ? docs.items : [];
    matters = new Map((Array.isArray(cases && cases.items) ? cases.items : []).map((m) => [m.id, m.title]));
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return null;
    body.replaceWith(h('p', { class: 'alert alert-error', role: 'alert', text: `Your documents could not be loaded. ${err.message}` }));
    return { focus: heading };
  }
  if (!ctx.alive()) return null;
  body.replaceWith(items.length
    ? h('section', { class: 'card' }, portalList(items, { label: 'Documents shared with you', matterName: (id) => matters.get(id) || 'Matter' }))
    : h('div', { class: 'empty-state' }, icon('doc', 'icon empty-icon'),
      h('p', { text: 'No documents have been shared with you yet.' })));
  return { focus: heading };
}
