// The staff calendar (view "calendar", schedules.read): a month grid or the agenda of upcoming
// events, all of the firm's or only mine, times in the firm's time zone; the private feed
// address. Times are in the firm's time zone (the host's Firm settings).

import { h, api, replace, pageHeader, can, calendarDate } from '/shared/js/kit.js';
import { styles, eventList, feedPanel } from './parts.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December'];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function iso(y, m, d) {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
function addDays(dateIso, n) {
  const d = new Date(`${dateIso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export async function render(mount, kit, ctx) {
  await styles();
  const heading = h('h1', { text: 'Calendar' });
  const sub = h('p', { class: 'page-sub' });
  mount.append(pageHeader(heading));
  heading.after(sub); // the kit's sub-title is text only; this one changes with the time zone
  const view = ctx.query.get('view') === 'month' ? 'month' : 'agenda';
  const mine = ctx.query.get('mine') === '1';
  let month = ctx.query.get('month') || '';
  const go = (q) => {
    const p = new URLSearchParams({ view, mine: mine ? '1' : '0', ...(month ? { month } : {}), ...q });
    ctx.navigate(`#/calendar?${p}`, null, { replace: true });
  };
  const toolbar = h('div', { class: 'sched-toolbar', role: 'group', 'aria-label': 'Calendar view' },
    h('a', { class: ['btn', 'btn-small', view === 'agenda' && 'btn-primary'], href: `#/calendar?view=agenda&mine=${mine ? 1 : 0}`,
      'aria-current': view === 'agenda' ? 'page' : null, text: 'Agenda' }),
    h('a', { class: ['btn', 'btn-small', view === 'month' && 'btn-primary'], href: `#/calendar?view=month&mine=${mine ? 1 : 0}${month ? `&month=${month}` : ''}`,
      'aria-current': view === 'month' ? 'page' : null, text: 'Month' }));
  const mineBox = h('input', { type: 'checkbox', id: 'sched-mine', checked: mine });
  mineBox.addEventListener('change', () => go({ mine: mineBox.checked ? '1' : '0' }));
  toolbar.append(h('div', { class: 'checkbox' }, mineBox, h('label', { for: 'sched-mine', text: 'Only events I attend' })));
  const body = h('div', { class: 'card' });
  mount.append(toolbar, body);

  let settings;
  try {
    settings = await api('GET', 'calendar/settings');
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return null;
    body.append(h('p', { class: 'alert alert-error', role: 'alert', text: err.message }));
    return { focus: heading };
  }
  if (!ctx.alive()) return null;
  sub.textContent = `Times in ${settings.time_zone}.`;
  if (can('core.firm.manage')) {
    sub.append(' ', h('a', { href: '#/firm/settings', text: 'Change the firm\u2019s time zone' }));
  }
  if (!/^\d{4}-\d{2}$/.test(month)) month = settings.today.slice(0, 7);

  if (view === 'month') await drawMonth(); else await drawAgenda();

  // The feed and, for owners, the firm's time zone.
  const side = h('section', { class: 'card', 'aria-labelledby': 'sched-feed-h' },
    h('h2', { id: 'sched-feed-h', text: 'Calendar feed' }), feedPanel({ portal: false }));
  mount.append(side);
  return { focus: heading };

  async function drawAgenda() {
    replace(body, h('p', { class: 'muted', text: 'Loading events\u2026' }));
    let data;
    try {
      data = await api('GET', 'events', { query: { mine: mine ? '1' : '', limit: '200' } });
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      replace(body, h('p', { class: 'alert alert-error', role: 'alert', text: err.message }));
      return;
    }
    if (!ctx.alive()) return;
    if (!data.items.length) { replace(body, h('p', { class: 'muted', text: 'Nothing scheduled from today on.' })); return; }
    const groups = new Map();
    for (const e of data.items) {
      const day = e.start_date < data.today ? data.today : e.start_date;
      if (!groups.has(day)) groups.set(day, []);
      groups.get(day).push(e);
    }
    const agenda = h('div', { class: 'sched-agenda' }, h('h2', { text: 'Upcoming' }));
    for (const [day, items] of groups) {
      agenda.append(h('h3', { text: calendarDate(day, 'long') }),
        eventList(items, { staff: true, showCase: true, onChanged: drawAgenda }, `Events on ${calendarDate(day, 'long')}`));
    }
    replace(body, agenda);
  }

  async function drawMonth() {
    const [y, m] = month.split('-').map(Number);
    const first = iso(y, m, 1);
    const startOffset = (new Date(`${first}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday first
    const gridStart = addDays(first, -startOffset);
    const gridEnd = addDays(gridStart, 41);
    const prev = m === 1 ? iso(y - 1, 12, 1).slice(0, 7) : iso(y, m - 1, 1).slice(0, 7);
    const next = m === 12 ? iso(y + 1, 1, 1).slice(0, 7) : iso(y, m + 1, 1).slice(0, 7);
    const title = h('h2', { text: `${MONTHS[m - 1]} ${y}`, 'aria-live': 'polite' });
    const nav = h('div', { class: 'sched-toolbar' },
      h('button', { type: 'button', class: 'btn btn-small', text: 'Previous month', onclick: () => go({ month: prev }) }),
      h('button', { type: 'button', class: 'btn btn-small', text: 'This month', onclick: () => go({ month: settings.today.slice(0, 7) }) }),
      h('button', { type: 'button', class: 'btn btn-small', text: 'Next month', onclick: () => go({ month: next }) }));
    replace(body, title, nav, h('p', { class: 'muted', text: 'Loading events\u2026' }));
    let data;
    try {
      data = await api('GET', 'events', { query: { from: gridStart, to: gridEnd, mine: mine ? '1' : '' } });
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      replace(body, title, nav, h('p', { class: 'alert alert-error', role: 'alert', text: err.message }));
      return;
    }
    if (!ctx.alive()) return;
    const table = h('table', { class: 'sched-month' },
      h('caption', { class: 'sr-only', text: `${MONTHS[m - 1]} ${y}` }),
      h('thead', {}, h('tr', {}, DAYS.map((d) => h('th', { scope: 'col', text: d })))));
    const tbody = h('tbody');
    let day = gridStart;
    for (let w = 0; w < 6; w++) {
      const tr = h('tr');
      for (let d = 0; d < 7; d++) {
        const items = data.items.filter((e) => e.start_date <= day && e.end_date >= day);
        const inMonth = day.slice(0, 7) === month;
        tr.append(h('td', { class: [!inMonth && 'sched-other', day === data.today && 'sched-today'] },
          h('span', { class: 'sched-day-no', text: String(Number(day.slice(8))) }),
          items.length ? h('ul', {}, items.map((e) => h('li', { class: e.status === 'cancelled' && 'sched-item-cancelled' },
            h('a', { href: `#/cases/${e.case_id}`, title: e.title,
              text: `${e.all_day ? '' : `${e.starts_local.slice(11, 16)} `}${e.title}${e.status === 'cancelled' ? ' (cancelled)' : ''}` })))) : null));
        day = addDays(day, 1);
      }
      tbody.append(tr);
    }
    table.append(tbody);
    replace(body, title, nav, table);
  }
}
