// The documents module's card on the client profile (extension point "staff.client.cards",
// people with documents.read): every document of the client's cases, "Preview as client" —
// exactly the list the client's portal shows (GET /api/v1/clients/{id}/portal-documents) —
// and the disclosure report (every share and download, CSV).

import { h, icon, replace, api } from '/shared/js/kit.js';
import { portalList, styles } from './parts.js';
import { documentsPanel } from './staff_documents.js';

export async function render(mount, kit, ctx) {
  await styles();
  const id = encodeURIComponent(String(ctx.client_id));
  const preview = h('section', { class: 'doc-preview', hidden: true, 'aria-label': 'Preview as client' });
  const previewBtn = h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false',
    onclick: async () => {
      const opening = preview.hidden;
      preview.hidden = !opening;
      previewBtn.setAttribute('aria-expanded', String(opening));
      if (opening) await loadPreview();
    } }, icon('eye', 'icon icon-sm'), h('span', { text: 'Preview as client' }));
  ctx.actions.append(previewBtn,
    h('a', { class: 'btn btn-small btn-ghost', href: `/api/v1/clients/${id}/disclosures.csv`, download: `disclosures-${ctx.client_id}.csv` },
      h('span', { text: 'Disclosure report (CSV)' })));
  const panel = h('div', {});
  replace(mount, preview, panel);
  await documentsPanel(panel, ctx, { clientId: ctx.client_id, clientName: ctx.client && ctx.client.name });

  async function loadPreview() {
    replace(preview, h('p', { class: 'muted', text: 'Loading what the client sees\u2026' }));
    let items;
    try {
      const data = await api('GET', `clients/${id}/portal-documents`);
      items = Array.isArray(data && data.items) ? data.items : [];
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      replace(preview, h('p', { class: 'alert alert-error', role: 'alert', text: err.message }));
      return;
    }
    if (!ctx.alive()) return;
    replace(preview,
      h('h3', { class: 'doc-sub', text: `What the client sees in the portal (${items.length})` }),
      items.length ? portalList(items, { label: 'Documents the client sees', download: false })
        : h('p', { class: 'muted', text: 'The client sees no documents: none is shared, or every share has expired.' }));
  }
}
