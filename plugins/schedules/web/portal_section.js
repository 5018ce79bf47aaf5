// The schedules module's section on a portal matter page ("portal.matter.sections",
// schedules.portal): the upcoming events the firm shared on this matter, and the client's
// private calendar feed address.

import { h, api, replace } from '/shared/js/kit.js';
import { styles, eventList, feedPanel } from './parts.js';

export async function render(mount, kit, ctx) {
  await styles();
  replace(mount, h('p', { class: 'muted', role: 'status', text: 'Loading events\u2026' }));
  let data;
  try {
    data = await api('GET', 'portal/events', { query: { case_id: String(ctx.case_id) } });
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return;
    replace(mount, h('p', { class: 'alert alert-error', role: 'alert', text: `The events could not be loaded. ${err.message}` }));
    return;
  }
  if (!ctx.alive()) return;
  ctx.heading.append(data.items.length ? ` (${data.items.length})` : '');
  replace(mount, data.items.length
    ? eventList(data.items, {}, 'Upcoming events on this matter')
    : h('p', { class: 'muted', text: 'Nothing scheduled on this matter yet.' }),
  data.items.length ? h('p', { class: 'muted sched-zone', text: `Times in ${data.time_zone}.` }) : null,
  h('details', { class: 'sched-feed-details' }, h('summary', { text: 'Add to my calendar' }), feedPanel({ portal: true })));
}
