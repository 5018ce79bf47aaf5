// The schedules module's shared pieces: how an event reads (its time in the firm's zone, as the
// API gives it), its kind, the list of upcoming events, the event form and the feed panel.

import {
  h, api, replace, useStyles, field, errorSummary, showServerError, showProblems, whileBusy, can, calendarDate,
} from '/shared/js/kit.js';

export const KINDS = [['hearing', 'Hearing'], ['deadline', 'Deadline'], ['meeting', 'Meeting'], ['reminder', 'Reminder']];
const KIND_LABEL = Object.fromEntries(KINDS);
export const REMINDERS = [['', 'No e-mail reminder'], ['15', '15 minutes before'], ['60', '1 hour before'],
  ['1440', '1 day before'], ['10080', '1 week before']];

export function styles() {
  return useStyles(new URL('./schedules.css', import.meta.url));
}

export function kindBadge(kind) {
  return h('span', { class: ['badge', 'sched-kind', `sched-kind-${kind}`], text: KIND_LABEL[kind] || kind });
}

// "14:30" from "2026-12-03T14:30".
function clock(local) {
  return local ? local.slice(11, 16) : '';
}

// When an event is, in words, in the firm's time zone (the API's *_local fields are already in it).
export function whenText(e) {
  if (e.all_day) {
    const first = calendarDate(e.start_date, 'medium');
    return e.end_date && e.end_date !== e.start_date ? `${first} \u2013 ${calendarDate(e.end_date, 'medium')}, all day`
      : `${first}, all day`;
  }
  const day = calendarDate(e.starts_local.slice(0, 10), 'medium');
  let text = `${day}, ${clock(e.starts_local)}`;
  if (e.ends_local) {
    text += e.ends_local.slice(0, 10) === e.starts_local.slice(0, 10) ? `\u2013${clock(e.ends_local)}`
      : ` \u2013 ${calendarDate(e.ends_local.slice(0, 10), 'medium')}, ${clock(e.ends_local)}`;
  }
  return text;
}

// One event as a list item. opts: { showCase, staff, onChanged }
export function eventItem(e, opts = {}) {
  const cancelled = e.status === 'cancelled';
  const meta = [h('span', { class: 'sched-when', text: whenText(e) })];
  if (e.location) meta.push(h('span', { text: ` \u00b7 ${e.location}` }));
  if (opts.showCase && e.case_title) {
    meta.push(' \u00b7 ', opts.staff ? h('a', { href: `#/cases/${e.case_id}`, text: e.case_title }) : h('span', { text: e.case_title }));
  }
  const tags = [kindBadge(e.kind)];
  if (cancelled) tags.push(h('span', { class: 'badge sched-cancelled', text: 'Cancelled' }));
  if (opts.staff) {
    tags.push(h('span', { class: ['badge', e.client_visible ? 'sched-visible' : 'sched-internal'],
      text: e.client_visible ? 'Visible to client' : 'Internal' }));
  }
  const actions = [];
  let item;
  if (opts.staff && can('schedules.write') && opts.onChanged && !cancelled) {
    const edit = h('button', { type: 'button', class: 'btn btn-small btn-ghost', text: 'Edit', 'aria-label': `Edit ${e.title}`,
      onclick: async () => {
        const f = await eventForm(e.case_id, { event: e, onSaved: () => opts.onChanged(), onCancel: () => opts.onChanged() });
        if (!f) return;
        replace(item, f.form);
        f.focus.focus();
      } });
    actions.push(edit);
  }
  if (opts.staff && can('schedules.write') && opts.onChanged) {
    const b = h('button', { type: 'button', class: 'btn btn-small btn-ghost',
      text: cancelled ? 'Restore' : 'Cancel event',
      'aria-label': `${cancelled ? 'Restore' : 'Cancel event'} ${e.title}`,
      onclick: async () => {
        try {
          await whileBusy(b, cancelled ? 'Restoring\u2026' : 'Cancelling\u2026',
            api('PATCH', `events/${e.id}`, { body: { status: cancelled ? 'confirmed' : 'cancelled' } }));
          opts.onChanged();
        } catch (err) {
          if (err.status !== 401) b.after(h('p', { class: 'alert alert-error', role: 'alert', text: err.message }));
        }
      } });
    actions.push(b);
  }
  const attendees = opts.staff && e.attendees && e.attendees.length
    ? h('p', { class: 'sched-attendees muted', text: `Attending: ${e.attendees.map((a) => a.name).join(', ')}` }) : null;
  item = h('li', { class: ['sched-item', cancelled && 'sched-item-cancelled'], dataset: { eventId: String(e.id) } },
    h('div', { class: 'sched-item-main' },
      h('p', { class: 'sched-title' }, h('strong', { text: e.title })),
      h('p', { class: 'sched-meta' }, meta),
      attendees),
    h('div', { class: 'sched-tags' }, tags, actions));
  return item;
}

export function eventList(items, opts, label) {
  return h('ul', { class: 'sched-list', 'aria-label': label }, items.map((e) => eventItem(e, opts)));
}

let staffCache = null;
async function staffList() {
  if (!staffCache) staffCache = api('GET', 'calendar/staff').then((d) => d.items).catch((err) => { staffCache = null; throw err; });
  return staffCache;
}

// The form that puts an event on case `caseId`. Calls onSaved(event) after a 201.
// With `event`, the form edits it (PATCH; every change is a new SEQUENCE in the feeds).
export async function eventForm(caseId, { onSaved, onCancel, principal, event = null }) {
  const key = event ? `e${event.id}` : `c${caseId}`;
  const summary = errorSummary('The event could not be saved');
  const title = field({ label: 'Title', name: 'title', required: true, value: event ? event.title : '' });
  const kind = field({ label: 'Kind', name: 'kind', type: 'select', options: KINDS, value: event ? event.kind : 'hearing' });
  const allDayBox = h('input', { type: 'checkbox', id: `sched-allday-${key}`, name: 'all_day', checked: !!(event && event.all_day) });
  const allDay = h('div', { class: 'checkbox' }, allDayBox, h('label', { for: allDayBox.id, text: 'All day' }));
  const timeType = event && event.all_day ? 'date' : 'datetime-local';
  const starts = field({ label: 'Starts', name: 'starts_at', type: timeType, required: true,
    hint: 'In the firm\u2019s time zone.', value: event ? event.starts_local : '' });
  const ends = field({ label: 'Ends (optional)', name: 'ends_at', type: timeType,
    value: event && event.ends_local && !(event.all_day && event.ends_local === event.starts_local) ? event.ends_local : '' });
  allDayBox.addEventListener('change', () => {
    const type = allDayBox.checked ? 'date' : 'datetime-local';
    starts.control.type = type;
    ends.control.type = type;
    starts.label = allDayBox.checked ? 'First day' : 'Starts';
  });
  const location = field({ label: 'Location (optional)', name: 'location', value: event ? event.location : '' });
  const reminderValue = event && event.reminder_minutes != null ? String(event.reminder_minutes) : '';
  const reminderOptions = REMINDERS.some(([v]) => v === reminderValue) ? REMINDERS
    : [...REMINDERS, [reminderValue, `${reminderValue} minutes before`]];
  const reminder = field({ label: 'E-mail reminder', name: 'reminder_minutes', type: 'select', options: reminderOptions, value: reminderValue });
  const visibleBox = h('input', { type: 'checkbox', id: `sched-visible-${key}`, name: 'client_visible', checked: !!(event && event.client_visible) });
  const visible = h('div', { class: 'checkbox' }, visibleBox,
    h('label', { for: visibleBox.id, text: 'Visible to the client in the portal' }));
  const notes = field({ label: 'Internal notes (optional)', name: 'notes', type: 'textarea', rows: 2,
    hint: 'Never shown to the client.', value: event ? event.notes : '' });
  const attendeeBoxes = [];
  const attendeeSet = h('fieldset', { class: 'sched-attendee-set' }, h('legend', { text: 'Attending' }));
  try {
    const people = await staffList();
    for (const p of people) {
      const attending = event ? event.attendees.some((a) => String(a.user_id) === String(p.id))
        : !!(principal && principal.email === p.email);
      const box = h('input', { type: 'checkbox', id: `sched-att-${key}-${p.id}`, value: String(p.id), checked: attending });
      attendeeBoxes.push(box);
      attendeeSet.append(h('div', { class: 'checkbox' }, box, h('label', { for: box.id, text: p.name })));
    }
  } catch (err) {
    if (err.status === 401) return null;
    attendeeSet.append(h('p', { class: 'muted', text: `Staff could not be listed: ${err.message}` }));
  }
  const fields = { title, kind, starts_at: starts, ends_at: ends, location, reminder_minutes: reminder, notes };
  const save = h('button', { type: 'submit', class: 'btn btn-primary', text: 'Save event' });
  const cancel = h('button', { type: 'button', class: 'btn btn-ghost', text: 'Cancel', onclick: () => onCancel && onCancel() });
  const form = h('form', { class: 'sched-form', novalidate: true },
    summary.el, title.el, kind.el, allDay, starts.el, ends.el, location.el, attendeeSet, reminder.el, visible, notes.el,
    h('div', { class: 'sched-form-actions' }, save, cancel));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    summary.clear();
    for (const f of Object.values(fields)) f.clearError();
    const problems = [];
    if (!title.value().trim()) problems.push([title, 'Enter a title.']);
    if (!starts.control.value) problems.push([starts, allDayBox.checked ? 'Enter the day.' : 'Enter when it starts.']);
    if (problems.length) { showProblems(summary, problems, 'The event could not be saved'); return; }
    const body = {
      title: title.value().trim(), kind: kind.control.value, all_day: allDayBox.checked,
      starts_at: starts.control.value, client_visible: visibleBox.checked,
      attendee_ids: attendeeBoxes.filter((b) => b.checked).map((b) => Number(b.value)),
    };
    if (ends.control.value) body.ends_at = ends.control.value;
    else if (event) body.ends_at = null;
    if (location.value().trim() || event) body.location = location.value().trim();
    if (notes.control.value.trim() || event) body.notes = notes.control.value.trim();
    body.reminder_minutes = reminder.control.value ? Number(reminder.control.value) : null;
    try {
      const saved = await whileBusy(save, 'Saving\u2026', event ? api('PATCH', `events/${event.id}`, { body })
        : api('POST', `cases/${caseId}/events`, { body }));
      onSaved && onSaved(saved);
    } catch (err) {
      if (err.status === 401) return;
      showServerError(err, summary, (path) => fields[path] || null);
    }
  });
  return { form, focus: title.control };
}

// The feed panel: the private address, with "Reset address" (staff) or "Stop this address" (portal).
export function feedPanel({ portal }) {
  const box = h('div', { class: 'sched-feed' });
  const show = h('button', { type: 'button', class: 'btn btn-small', text: 'Show calendar feed address' });
  box.append(h('p', { class: 'muted', text: portal
    ? 'Add the events your legal team shares with you to your own calendar app. The address is private: anyone who has it sees these events.'
    : 'Subscribe to your events in a calendar app. The address is private: anyone who has it sees your events.' }), show);
  const out = h('div', { class: 'sched-feed-out', role: 'status' });
  box.append(out);
  async function load(method) {
    try {
      const d = await api(method, portal ? 'portal/calendar/feed' : 'calendar/feed');
      const input = h('input', { type: 'text', readonly: true, value: d.url, class: 'sched-feed-url', id: `sched-feed-url-${portal ? 'p' : 's'}` });
      const stop = h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet',
        text: portal ? 'Stop this address' : 'Reset address',
        onclick: async () => {
          try {
            if (portal) {
              // Holding the address is the credential; sent without the session cookie, which
              // would give the request the portal's read-only scope (docs/schedules.md).
              const res = await whileBusy(stop, 'Stopping\u2026', fetch(`/api/v1/calendar/feeds/${encodeURIComponent(d.token)}`,
                { method: 'DELETE', credentials: 'omit' }));
              if (res.status !== 204) throw new Error('The address could not be stopped. Try again.');
              replace(out, h('p', { class: 'alert alert-success', text: 'That address no longer works. Show the address again for a new one.' }));
            } else {
              await whileBusy(stop, 'Resetting\u2026', load('DELETE'));
              out.prepend(h('p', { class: 'alert alert-success', text: 'The old address no longer works; this is the new one.' }));
            }
          } catch (err) {
            if (err.status !== 401) out.append(h('p', { class: 'alert alert-error', role: 'alert', text: err.message }));
          }
        } });
      replace(out, h('label', { for: input.id, class: 'label', text: 'Calendar feed address' }), input,
        h('p', {}, h('a', { href: d.webcal_url, text: 'Open in my calendar app' }), ' ', stop));
    } catch (err) {
      if (err.status === 401) return;
      replace(out, h('p', { class: 'alert alert-error', role: 'alert', text: err.message }));
    }
  }
  show.addEventListener('click', () => load('GET'));
  return box;
}
