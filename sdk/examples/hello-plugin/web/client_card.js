// The hello example's card on the staff client profile, declared in hello.cpp with
// r.addContribution({"staff.client.cards", "client_card.js", "hello.read", "Notes (hello example)", 900}).
//
// The shell gives the card its own mount (under a heading with the card's title) and
// ctx.client_id. It lists the client's notes and adds one with a JSON POST; the kit's API client
// sends the CSRF token, and shows a 400's message next to the field it names.

export async function render(mount, kit, ctx) {
  const { h, replace } = kit.dom;
  const list = h('ul', { class: 'plain-list' });
  const input = h('textarea', { id: `hello-note-${ctx.client_id}`, name: 'text', rows: '2' });
  const error = h('p', { class: 'field-error', role: 'alert' });
  const canWrite = !ctx.principal || !ctx.principal.permissions || ctx.principal.permissions.includes('hello.write');

  async function load() {
    const data = await kit.api('GET', 'hello/notes', { query: { client_id: ctx.client_id } });
    replace(list, ...(data.items.length
      ? data.items.map((n) => h('li', {}, h('span', { text: n.text }), ' ', h('small', { text: `${n.author}, ${n.created_at}` })))
      : [h('li', { class: 'muted', text: 'No notes yet.' })]));
  }

  async function add(event) {
    event.preventDefault();
    error.textContent = '';
    try {
      await kit.api('POST', 'hello/notes', { body: { client_id: Number(ctx.client_id), text: input.value } });
      input.value = '';
      await load();
    } catch (err) {
      error.textContent = err.message;
    }
  }

  const form = canWrite
    ? h('form', { onsubmit: add },
        h('label', { for: input.id, text: 'New note' }), input, error,
        h('button', { type: 'submit', class: 'btn', text: 'Add note' }))
    : '';
  replace(mount, list, form);
  await load();
}
