// The schedules module's card on the case page ("staff.case.cards", schedules.read): the case's
// upcoming events and "Add event" (schedules.write).

import { h, api, replace, can, icon } from '/shared/js/kit.js';
import { styles, eventList, eventForm } from './parts.js';

export async function render(mount, kit, ctx) {
  await styles();
  const count = h('span', { class: 'card-count' });
  ctx.heading.append(count);
  const formBox = h('div', { class: 'sched-form-box' });
  const listBox = h('div');
  replace(mount, formBox, listBox);
  if (can('schedules.write')) {
    const add = h('button', { type: 'button', class: 'btn btn-small btn-primary' }, icon('plus', 'icon icon-sm'), h('span', { text: 'Add event' }));
    add.addEventListener('click', async () => {
      add.disabled = true;
      const f = await eventForm(ctx.case_id, {
        principal: ctx.principal,
        onSaved: () => { replace(formBox); add.disabled = false; load(); add.focus(); },
        onCancel: () => { replace(formBox); add.disabled = false; add.focus(); },
      });
      if (!f) return;
      replace(formBox, f.form);
      f.focus.focus();
    });
    ctx.actions.append(add);
  }
  await load();

  async function load() {
    let data;
    try {
      data = await api('GET', `cases/${encodeURIComponent(String(ctx.case_id))}/events`, { query: { upcoming: '1' } });
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      replace(listBox, h('p', { class: 'alert alert-error', role: 'alert', text: `The events could not be loaded. ${err.message}` }));
      return;
    }
    if (!ctx.alive()) return;
    count.textContent = data.items.length ? ` (${data.items.length})` : '';
    replace(listBox, data.items.length
      ? eventList(data.items, { staff: true, onChanged: load }, 'Upcoming events of this case')
      : h('p', { class: 'muted', text: 'Nothing scheduled for this case.' }),
    h('p', { class: 'muted sched-zone', text: `Times in ${data.time_zone}.` }));
  }
}
