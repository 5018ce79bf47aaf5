// The messages module's Inbox (staff view "inbox", messages.read): every conversation with a
// client, latest first, with what I have not read yet, and where colleagues mentioned me in a
// War Room. Refreshes every 15 seconds while open.

import { h, replace, api, pageHeader, momentText, timeEl, icon, can } from '/shared/js/kit.js';
import { styles } from './parts.js';

const REFRESH_MS = 15000;

export async function render(mount, kit, ctx) {
  await styles();
  const heading = h('h1', { text: 'Inbox' });
  const total = h('p', { class: 'page-sub', role: 'status' });
  const body = h('div', { class: 'inbox' }, h('p', { class: 'muted', text: 'Loading conversations\u2026' }));
  const mentions = h('div', { class: 'inbox-mentions' });
  const header = pageHeader(heading);
  header.firstChild.append(total);  // a live status under the heading (pageHeader's sub is text only)
  mount.append(h('section', { class: 'page' }, header, body, mentions));
  let timer = null;
  let stopped = false;
  await load();
  return { focus: heading, cleanup: () => { stopped = true; if (timer) clearTimeout(timer); } };

  async function load() {
    try {
      const data = await api('GET', 'messages', { query: { limit: '100' } });
      if (!ctx.alive() || stopped) return;
      const items = data.items || [];
      total.textContent = data.unread_total
        ? `${data.unread_total} unread ${data.unread_total === 1 ? 'message' : 'messages'} from clients`
        : 'No unread messages from clients.';
      ctx.setTitle(data.unread_total ? `Inbox (${data.unread_total})` : 'Inbox');
      replace(body, items.length ? table(items) : h('div', { class: 'empty-state' }, icon('chat', 'icon empty-icon'),
        h('p', { text: 'No conversations yet. When a client writes from the portal, the conversation shows here.' })));
      if (can('messages.warroom')) await loadMentions();
    } catch (err) {
      if (!ctx.alive() || err.status === 401 || stopped) return;
      replace(body, h('p', { class: 'alert alert-error', role: 'alert', text: `The inbox could not be loaded. ${err.message}` }));
    }
    if (!stopped) timer = setTimeout(load, REFRESH_MS);
  }

  async function loadMentions() {
    const data = await api('GET', 'war-room/mentions');
    if (!ctx.alive() || stopped) return;
    const items = data.items || [];
    replace(mentions, h('h2', { text: 'Mentions of you in War Rooms' }), items.length
      ? h('ul', { class: 'plain-list inbox-mention-list' }, items.map((m) => h('li', { class: m.seen ? 'seen' : 'unseen' },
        h('a', { href: `#/cases/${m.case_id}`, text: `${m.case_title} (${m.matter_number})` }),
        ` \u2014 ${m.author_name} in \u201c${m.thread_title}\u201d, `, timeEl(m.created_at, momentText(m.created_at)),
        m.seen ? null : h('span', { class: 'badge inbox-new', text: 'New' }))))
      : h('p', { class: 'muted', text: 'Nobody has mentioned you yet.' }));
  }

  function table(items) {
    return h('div', { class: 'card table-card' }, h('table', { class: 'data-table inbox-table' },
      h('caption', { class: 'sr-only', text: 'Conversations with clients, latest first' }),
      h('thead', {}, h('tr', {}, ['Client and matter', 'Last message', 'When', 'Unread'].map((t) => h('th', { scope: 'col', text: t })))),
      h('tbody', {}, items.map((c) => h('tr', { class: c.unread ? 'inbox-unread' : null },
        h('td', {}, h('a', { href: `#/cases/${c.case_id}`, text: c.client_name }),
          h('span', { class: 'muted inbox-matter', text: ` ${c.case_title} (${c.matter_number})` })),
        h('td', { class: 'inbox-preview' }, h('span', { class: 'msg-author', text: c.last_message.author_kind === 'client' ? c.last_message.author_name : `${c.last_message.author_name} (firm)` }),
          `: ${c.last_message.preview}`),
        h('td', {}, timeEl(c.last_message.created_at, momentText(c.last_message.created_at))),
        h('td', {}, c.unread ? h('span', { class: 'badge inbox-new', text: `${c.unread} unread` }) : h('span', { class: 'muted', text: '\u2014' })))))));
  }
}
