// The hello example's card on the staff client profile, declared in hello.cpp with a
// Contribution {"staff.client.cards", "client_card.js", "hello.read", "Notes (hello example)", 900}.
//
// The profile gives the card its own mount under a heading with the card's title, and
// ctx.client_id. The card lists the client's notes and adds one with a JSON POST: the kit's API
// client sends the session's CSRF token, and a 400 names the field at fault.
import { h, api, replace, can, field, button, errorSummary, showServerError, dateTime } from '/shared/js/kit.js';

export async function render(mount, kit, ctx) {
  const list = h('ul', { class: 'plain-list hello-notes' });

  async function load() {
    const { items } = await api('GET', 'hello/notes', { query: { client_id: ctx.client_id } });
    if (!ctx.alive()) return;
    replace(list, items.length
      ? items.map((n) => h('li', {}, h('span', { class: 'hello-note-text', text: n.text }), ' ',
          h('small', { class: 'muted', text: `${n.author}, ${dateTime(n.created_at)}` })))
      : h('li', { class: 'muted', text: 'No notes yet.' }));
  }

  let form = null;
  if (can('hello.write')) {
    const text = field({ label: 'New note', type: 'textarea', name: 'text', rows: 2 });
    const summary = errorSummary('The note was not added');
    const add = button('Add note', { type: 'submit' });
    form = h('form', {
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        summary.clear();
        text.clearError();
        try {
          await api('POST', 'hello/notes', { body: { client_id: Number(ctx.client_id), text: text.value() } });
          text.control.value = '';
          await load();
        } catch (err) {
          if (err.status === 401) return;
          showServerError(err, summary, { text });
        }
      },
    }, summary.el, text.el, add);
  }
  replace(mount, list, form || '');
  await load();
}
