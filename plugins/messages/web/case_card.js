// The messages module's card on the case page (extension point "staff.case.cards",
// messages.read): the matter's secure conversation with the client. Messages shown here count as
// read by the person looking (the inbox's unread counts).

import { h, api, can } from '/shared/js/kit.js';
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
