// The messages module's card on the case page (extension point "staff.case.cards",
// messages.read): the matter's secure conversation with the client. Messages shown here count as
// read by the person looking (the inbox's unread counts).

import { h, api, can, hasModule } from '/shared/js/kit.js';
import { styles, conversation } from './parts.js';

export async function render(mount, kit, ctx) {
  await styles();
  const badge = h('span', { class: 'card-count' });
  ctx.heading.append(badge);
  mount.classList.add('messages-card');
  const path = `cases/${encodeURIComponent(String(ctx.case_id))}/messages`;
  const c = conversation(mount, ctx, {
    path,
    label: 'Reply to the client',
    sendLabel: 'Send to client',
    composeId: 'messages-reply',
    emptyText: 'No messages on this matter yet. What you write here reaches the client\u2019s portal; they are told by e-mail (without the text).',
    attachmentHref: (id) => `/api/v1/documents/${encodeURIComponent(String(id))}/content`,
    // Attach a document of the case: one shared with the client already, or (with documents.share)
    // one that sending shares ("Accessible to Client", latest version) through the documents module.
    attach: can('messages.write') && hasModule('documents') && can('documents.read') ? {
      load: async () => {
        const { items } = await api('GET', `cases/${encodeURIComponent(String(ctx.case_id))}/documents`);
        return (items || []).filter((d) => !d.deleted_at && (!d.scan || d.scan.status !== 'infected') && (d.shared || can('documents.share')));
      },
      prepare: async (d) => {
        if (!d.shared) await api('PUT', `documents/${encodeURIComponent(String(d.id))}/share`, { body: { version: 'latest' } });
      },
    } : null,
    onSeen: async (answer, fresh) => {
      const last = fresh[fresh.length - 1];
      if (!answer.unread && Number(answer.last_read_id) >= Number(last.id)) return;
      try {
        await api('POST', `${path}/read`, { body: { last_id: last.id } });
      } catch { /* the count stays; the next visit marks it */ }
    },
  });
  if (!can('messages.write')) {
    const form = mount.querySelector('form');
    if (form) form.replaceWith(h('p', { class: 'muted', text: 'You can read this conversation; writing to clients needs the messages.write permission.' }));
  }
  return { cleanup: c.stop };
}
