// The messages module's section on a portal matter page (extension point
// "portal.matter.sections", messages.portal): the matter's secure conversation with the legal
// team, updated every few seconds while the page is open. The cases module's matter page shows
// "Write a message" (in place of its mailto link) when this module is on; it focuses the box
// below (id "messages-compose").

import { can } from '/shared/js/kit.js';
import { styles, conversation } from './parts.js';

export async function render(mount, kit, ctx) {
  await styles();
  mount.classList.add('messages-section');
  conversation(mount, ctx, {
    path: `portal/cases/${encodeURIComponent(String(ctx.case_id))}/messages`,
    label: 'Your message',
    sendLabel: 'Send message',
    composeId: 'messages-compose',
    emptyText: 'No messages yet. Write to your legal team here; they are notified at once and answer here.',
    // Documents your legal team attached, and your own files, downloaded through the documents
    // module (while shared with you).
    attachmentHref: (id) => `/api/v1/portal/documents/${encodeURIComponent(String(id))}/content`,
    // Your files: sent to the matter through the documents module (a document of the matter,
    // shared with you only), then attached to the message (needs documents.portal_upload).
    files: can('documents.portal_upload')
      ? { path: `portal/cases/${encodeURIComponent(String(ctx.case_id))}/documents` } : null,
  });
}
