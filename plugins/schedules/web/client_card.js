// The schedules module's card on the client profile ("staff.client.cards", schedules.read): the
// client's upcoming events across their cases.

import { h, api, replace } from '/shared/js/kit.js';
import { styles, eventList } from './parts.js';

export async function render(mount, kit, ctx) {
  await styles();
  const count = h('span', { class: 'card-count' });
  ctx.heading.append(count);
  replace(mount, h('p', { class: 'muted', text: 'Loading events\u2026' }));
  let data;
  try {
    data = await api('GET', 'events', { query: { client_id: String(ctx.client_id), limit: '20' } });
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return;
    replace(mount, h('p', { class: 'alert alert-error', role: 'alert', text: `The events could not be loaded. ${err.message}` }));
    return;
  }
  if (!ctx.alive()) return;
  count.textContent = data.items.length ? ` (${data.items.length})` : '';
  replace(mount, data.items.length
    ? eventList(data.items, { staff: true, showCase: true }, 'Upcoming events of this client')
    : h('p', { class: 'muted', text: 'Nothing scheduled for this client.' }),
  h('p', { class: 'muted sched-zone', text: `Times in ${data.time_zone}.` }));
}
