// The messages module's shared pieces: the conversation panel (the portal's section on a matter
// and the staff's card on the case page use the same one), polling for what is new, and styles.

import { h, replace, api, upload, field, button, whileBusy, showServerError, errorSummary, momentText, timeEl, useStyles }
  from '/shared/js/kit.js';

/** How often an open conversation asks for new messages (docs/messages.md: measured cost). */
export const POLL_MS = 3000;

export function styles() {
  return useStyles(new URL('./messages.css', import.meta.url));
}

/**
 * A conversation: the messages, newest last, and a form to write one. `path` is the API path of
 * the conversation (`cases/12/messages` or `portal/cases/12/messages`). Polls every POLL_MS while
 * the page is open and the tab visible, with the `after` cursor of the previous answer; a message
 * shown once is not shown again (by id). `onSeen(answer)` runs after each answer that brought
 * messages (the staff card marks them read). `files` (the portal): a file picker; on sending,
 * each chosen file goes up first through `files.path` (the documents module's client upload,
 * shared with the client only), then the message carries their ids. Returns { stop }.
 */
export function conversation(mount, ctx, { path, label, sendLabel, emptyText, composeId, onSeen, attach, attachmentHref, files }) {
  const shown = new Set();
  let after = 0;
  let timer = null;
  let stopped = false;
  let busy = false;

  // The list stays a list for assistive technology (an <ol role="log"> would lose its items'
  // list semantics: axe-core's `listitem` rule); the live region is the log around it.
  const list = h('ol', { class: 'msg-list' });
  const log = h('div', { class: 'msg-log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Messages' }, list);
  const empty = h('p', { class: 'muted msg-empty', text: emptyText });
  const status = h('p', { class: 'msg-status muted', role: 'status' });
  const summary = errorSummary('The message was not sent');
  const text = field({ label, type: 'textarea', name: 'text', rows: 3, id: composeId });
  const send = button(sendLabel, { kind: 'primary', type: 'submit' });
  // Optional: attach a document of the case (staff; attach = { load, prepare }).
  const doc = attach ? field({ label: 'Attach a document (it is shared with the client)', type: 'select', name: 'document',
    options: [['', 'No attachment']] }) : null;
  const picker = files ? field({ label: 'Attach files', type: 'file', name: 'files', id: `${composeId}-files`,
    attrs: { multiple: true }, hint: 'PDFs, images or office documents. Only you and your legal team can open them.' }) : null;
  const form = h('form', { class: 'msg-form', novalidate: true }, summary.el, text.el, doc ? doc.el : null,
    picker ? picker.el : null, h('div', { class: 'msg-actions' }, send));
  let docs = [];
  async function loadDocs() {
    try {
      docs = await attach.load();
    } catch { docs = []; }
    if (!ctx.alive()) return;
    replace(doc.control, h('option', { value: '', text: 'No attachment' }),
      docs.map((d) => h('option', { value: String(d.id), text: d.shared ? d.name : `${d.name} (will be shared)` })));
  }
  if (doc) loadDocs();
  replace(mount, h('div', { class: 'msg-panel' }, log, empty, status, form));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    summary.clear();
    text.clearError();
    if (picker) picker.clearError();
    const chosenFiles = picker ? [...picker.control.files] : [];
    if (!text.value().trim() && !chosenFiles.length) {
      text.setError('Write your message.');
      summary.show([{ label, message: 'Write your message.', control: text.control }]);
      return;
    }
    try {
      const body = { text: text.value() };
      const chosen = doc && doc.value() ? docs.find((d) => String(d.id) === doc.value()) : null;
      const m = await whileBusy(send, 'Sending\u2026', (async () => {
        if (chosen) {
          await attach.prepare(chosen);
          body.document_ids = [chosen.id];
        }
        if (chosenFiles.length) {
          const ids = [];
          for (const file of chosenFiles) {
            status.textContent = `Sending ${file.name}\u2026`;
            const sent = await upload(files.path, file, { query: { name: file.name } });
            ids.push(sent.id);
          }
          body.document_ids = ids;
        }
        return api('POST', path, { body });
      })());
      if (!ctx.alive()) return;
      text.control.value = '';
      if (doc) { doc.control.value = ''; if (chosen && !chosen.shared) loadDocs(); }
      if (picker) picker.control.value = '';
      add([m]);
      status.textContent = 'Message sent.';
      text.control.focus();
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      status.textContent = '';
      showServerError(err, summary, (f) => (f === 'text' ? text
        : (doc && f.startsWith('document_ids') ? doc
          : (picker && (f === 'file' || f === 'name' || f.startsWith('document_ids')) ? picker : null))));
    }
  });

  function add(items) {
    const fresh = items.filter((m) => !shown.has(String(m.id)));
    for (const m of fresh) {
      shown.add(String(m.id));
      const who = m.mine ? 'You' : (m.author_name || (m.author_kind === 'client' ? 'Client' : 'Your legal team'));
      list.append(h('li', { class: ['msg', m.author_kind === 'client' ? 'msg-client' : 'msg-staff', m.mine ? 'msg-mine' : null],
        dataset: { id: String(m.id) } },
      h('p', { class: 'msg-meta' }, h('span', { class: 'msg-author', text: who }), ' \u00b7 ',
        timeEl(m.created_at, momentText(m.created_at))),
      h('p', { class: 'msg-text', text: m.text }),
      m.attachments && m.attachments.length && attachmentHref
        ? h('ul', { class: 'msg-attachments', 'aria-label': 'Attachments' }, m.attachments.map((a) => h('li', {},
          a.shared === false ? h('span', { class: 'muted', text: `${a.name} (no longer shared)` })
            : h('a', { href: attachmentHref(a.document_id), download: a.name, text: a.name }))))
        : null));
    }
    empty.hidden = shown.size > 0;
    if (fresh.length) list.scrollTop = list.scrollHeight;
    return fresh;
  }

  async function poll() {
    if (stopped || busy) return;
    if (document.visibilityState === 'hidden') { schedule(); return; }
    busy = true;
    try {
      const answer = await api('GET', path, { query: after ? { after: String(after) } : {} });
      if (stopped || !ctx.alive()) return;
      after = Math.max(after, Number(answer.after) || 0);
      const fresh = add(answer.items || []);
      if (fresh.length && onSeen) onSeen(answer, fresh);
      status.textContent = '';
    } catch (err) {
      if (stopped || !ctx.alive()) return;
      if (err.status === 401 || err.status === 404 || err.status === 403) { stop(); return; }
      status.textContent = `New messages could not be loaded just now. ${err.message}`;
    } finally {
      busy = false;
    }
    schedule();
  }
  function schedule() {
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  }
  function stop() {
    stopped = true;
    if (timer) clearTimeout(timer);
  }
  ctx.onCleanup(stop);
  poll();
  return { stop, poll };
}
