// The messages module's War Room card on the case page (extension point "staff.case.cards",
// messages.warroom): the staff-only discussion of the case, in threads. "@jane" mentions the
// member of staff whose e-mail address starts "jane@" (they get an e-mail without the text).
// Nothing here ever reaches the portal: the tables are the firm's own (docs/messages.md).

import { h, replace, api, field, button, whileBusy, showServerError, errorSummary, momentText, timeEl, uid }
  from '/shared/js/kit.js';
import { styles } from './parts.js';

export async function render(mount, kit, ctx) {
  await styles();
  mount.classList.add('warroom-card');
  const path = `cases/${encodeURIComponent(String(ctx.case_id))}/war-room`;
  const count = h('span', { class: 'card-count' });
  ctx.heading.append(count);
  const threads = h('div', { class: 'warroom-threads' });
  replace(mount, h('p', { class: 'hint', text: 'Staff only \u2014 never shown to the client. Mention a colleague with @ and the start of their e-mail address.' }),
    threads, newThreadForm());
  await load();

  async function load() {
    let data;
    try {
      data = await api('GET', path);
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      replace(threads, h('p', { class: 'alert alert-error', role: 'alert', text: `The War Room could not be loaded. ${err.message}` }));
      return;
    }
    if (!ctx.alive()) return;
    const items = data.items || [];
    count.textContent = items.length ? ` (${items.length})` : '';
    replace(threads, items.length ? items.map(thread) : h('p', { class: 'muted', text: 'No discussion on this case yet.' }));
    if (data.mentions_unseen > 0) api('POST', `${path}/seen`, { body: {} }).catch(() => {});
  }

  function post(p) {
    return h('li', { class: 'warroom-post' },
      h('p', { class: 'msg-meta' }, h('span', { class: 'msg-author', text: p.author_name }), ' \u00b7 ',
        timeEl(p.created_at, momentText(p.created_at))),
      h('p', { class: 'msg-text', text: p.text }),
      p.mentions && p.mentions.length
        ? h('p', { class: 'warroom-mentions muted', text: `Mentioned: ${p.mentions.map((m) => m.name).join(', ')}` }) : null);
  }

  function thread(t) {
    const titleId = uid('thread');
    const summary = errorSummary('The reply was not posted');
    const text = field({ label: 'Reply', type: 'textarea', name: 'text', rows: 2 });
    const send = button('Post reply', { type: 'submit' });
    const list = h('ol', { class: 'warroom-posts' }, (t.posts || []).map(post));
    const form = h('form', { class: 'msg-form', novalidate: true }, summary.el, text.el, h('div', { class: 'msg-actions' }, send));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      summary.clear();
      text.clearError();
      try {
        const p = await whileBusy(send, 'Posting\u2026', api('POST', `${path}/${t.id}/posts`, { body: { text: text.value() } }));
        if (!ctx.alive()) return;
        list.append(post(p));
        text.control.value = '';
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        showServerError(err, summary, { text });
      }
    });
    return h('section', { class: 'warroom-thread', 'aria-labelledby': titleId },
      h('h3', { class: 'warroom-title', id: titleId, text: t.title }), list, form);
  }

  function newThreadForm() {
    const summary = errorSummary('The thread was not started');
    const title = field({ label: 'New thread title', name: 'title' });
    const text = field({ label: 'First post', type: 'textarea', name: 'text', rows: 2 });
    const send = button('Start thread', { kind: 'primary', type: 'submit' });
    const form = h('form', { class: 'msg-form warroom-new', novalidate: true }, summary.el, title.el, text.el,
      h('div', { class: 'msg-actions' }, send));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      summary.clear();
      title.clearError();
      text.clearError();
      try {
        await whileBusy(send, 'Starting\u2026', api('POST', path, { body: { title: title.value(), text: text.value() } }));
        if (!ctx.alive()) return;
        title.control.value = '';
        text.control.value = '';
        await load();
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        showServerError(err, summary, { title, text });
      }
    });
    return form;
  }
}
