// One case (view "cases/{id}"): the header (title, matter number, client, phase, responsible
// contact), the phase track, the timeline of status updates — each marked "Shared with client"
// or "Internal", with a button that changes it — the "Post update" composer (internal unless
// the box is ticked), and the internal notes panel, which only people with cases.notes see.
// Other modules add cards below "About this case" through the extension point
// "staff.case.cards" (ctx.case_id, ctx.client_id, ctx.case).

import {
  h, icon, replace, srOnly, uid, api, field, errorSummary, showServerError, whileBusy, calendarDate, dateTime, can,
  renderPoint, breadcrumb,
} from '/shared/js/kit.js';
import { clientHref, loadAreas, loadPhases, phaseBadge, phaseLabel, styles, visibilityMark } from './parts.js';
import { loadStaff } from './form.js';

export async function render(container, kit, ctx) {
  await styles();
  const id = ctx.params.id;
  const base = `cases/${encodeURIComponent(id)}`;
  const heading = h('h1', { text: 'Case' });
  const page = h('section', { class: 'page case-page' }, breadcrumb('#/cases', 'Cases'), h('div', { class: 'page-header' }, heading),
    h('p', { class: 'muted', text: 'Loading\u2026' }));
  container.append(page);
  const flash = ctx.takeFlash();
  const mayWrite = can('cases.write');
  const mayNotes = can('cases.notes');

  let kase;
  let updates;
  let phases;
  let notes = [];
  let staff = [];
  let areas = [];
  try {
    [kase, updates, phases, notes, staff, areas] = await Promise.all([
      api('GET', base),
      api('GET', `${base}/updates`).then((d) => (Array.isArray(d && d.items) ? d.items : [])),
      loadPhases().catch(() => []),
      mayNotes ? api('GET', `${base}/notes`).then((d) => (Array.isArray(d && d.items) ? d.items : [])) : [],
      mayWrite ? loadStaff() : [],
      mayWrite ? loadAreas().catch(() => []) : [],
    ]);
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return null;
    heading.textContent = err.status === 404 ? 'Case not found' : 'Case';
    ctx.setTitle(heading.textContent);
    replace(page, breadcrumb('#/cases', 'Cases'), h('div', { class: 'page-header' }, heading),
      h('p', { class: 'alert alert-error', role: 'alert', text: err.status === 404 ? 'This case does not exist or is not available to you.' : err.message }),
      h('p', {}, h('a', { href: '#/cases', text: 'Back to cases' })));
    return { focus: heading };
  }
  if (!ctx.alive()) return null;

  // One live region for what the buttons on this page did ("Update shared with the client.").
  const announcer = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const announce = (text) => {
    announcer.textContent = '';
    window.setTimeout(() => { announcer.textContent = text; }, 50);
  };
  const flashEl = h('p', { class: 'alert alert-success', role: 'status', hidden: !flash, text: flash || '' });

  const headerBadges = h('div', { class: 'badges case-badges' });
  const facts = h('div', { class: 'case-facts-wrap' });
  const track = h('div', { class: 'phase-track-wrap' });
  const about = h('section', { class: 'card', 'aria-labelledby': 'about-case' });
  const timelinePanel = updatesPanel();
  const notesEl = mayNotes ? notesPanel() : null;

  ctx.setTitle(kase.title);
  heading.textContent = kase.title;
  const cardsEl = h('div', { class: 'ext-cards' });
  const cards = renderPoint('staff.case.cards', cardsEl, { case_id: kase.id, client_id: kase.client_id, case: kase }, ctx);
  renderHeader();
  replace(page,
    breadcrumb('#/cases', 'Cases', kase.title),
    h('div', { class: 'page-header case-header' }, h('div', { class: 'case-title' }, heading, headerBadges)),
    flashEl,
    h('section', { class: 'card case-summary', 'aria-label': 'Case summary' }, facts, track),
    h('div', { class: ['case-grid', notesEl ? null : 'no-notes'] },
      h('div', { class: 'case-main' }, timelinePanel.el),
      h('div', { class: 'case-side' }, notesEl ? notesEl.el : null, about, cardsEl)),
    announcer);
  return { focus: heading };

  // The phases this case moves through: its practice area's (the server sends them with the
  // case), else the firm's built-in ones.
  function casePhases() {
    return Array.isArray(kase.phases) && kase.phases.length ? kase.phases : phases;
  }

  // ---- Header: badges, facts (with the phase select) and the phase track ------------------
  function renderHeader() {
    const label = phaseLabel(kase.phase, casePhases(), kase.phase_label);
    replace(headerBadges,
      h('span', { class: 'matter-badge' }, srOnly('Matter number '), kase.matter_number),
      phaseBadge(kase.builtin_phase || kase.phase, label),
      kase.closed_on ? h('span', { class: 'badge', text: `Closed ${calendarDate(kase.closed_on)}` }) : null);
    const contact = kase.contact || {};
    replace(facts, h('dl', { class: 'case-facts' },
      fact('Client', h('a', { class: 'fact-link', href: clientHref(kase.client_id), text: kase.client_name || 'The client' })),
      mayWrite ? phaseEditor(label) : fact('Phase', h('span', { text: label })),
      mayWrite && staff.length ? responsibleEditor(contact) : fact('Responsible', contactEl(contact)),
      mayWrite && areas.length ? areaEditor() : fact('Practice area', areaText()),
      fact('Opened', h('span', { text: calendarDate(kase.opened_on) }))));
    replace(track, phaseTrack());
    renderAbout();
  }

  function contactEl(contact) {
    return contact.name
      ? h('span', { class: 'contact' }, h('span', { class: 'contact-name', text: contact.name }),
        contact.email ? h('a', { class: 'contact-email', href: `mailto:${contact.email}`, text: contact.email }) : null)
      : h('span', { class: 'muted', text: 'Nobody yet' });
  }

  // The responsible attorney: the contact as shown to everyone, and "Change responsible", which
  // opens a select of the firm's active staff (GET /api/v1/staff) saved with its own button.
  function responsibleEditor(contact) {
    const current = kase.responsible_user_id == null ? '' : String(kase.responsible_user_id);
    const options = [['', 'Nobody'], ...staff.map((s) => [String(s.id), `${s.name} (${s.role})`])];
    if (current && !staff.some((s) => String(s.id) === current)) options.push([current, `${contact.name || 'Former member of staff'} (no longer active)`]);
    return selectFact({
      term: 'Responsible', idPrefix: 'responsible', selectClass: 'responsible-select', options, current,
      shown: () => contactEl(contact), changeText: 'Change responsible', saveText: 'Save responsible',
      body: (value) => ({ responsible_user_id: value ? value : null }),
      focusAfter: '.responsible button',
      said: () => `Responsible attorney: ${(kase.contact && kase.contact.name) || 'nobody'}.`,
    });
  }

  function areaText() {
    return kase.practice_area ? h('span', { text: kase.practice_area }) : h('span', { class: 'muted', text: 'Not given' });
  }

  // The practice area: its name and "Change practice area", which opens a select of the firm's
  // areas saved with its own button; the phases then become the new area's (the server keeps
  // the case at the phase counting as the same built-in one, else the area's first).
  function areaEditor() {
    const el = selectFact({
      term: 'Practice area', idPrefix: 'area', selectClass: 'area-select',
      options: [['', 'None (the standard phases)'], ...areas.map((a) => [String(a.id), a.name])],
      current: kase.practice_area_id == null ? '' : String(kase.practice_area_id),
      shown: areaText, changeText: 'Change area', saveText: 'Save practice area',
      body: (value) => ({ practice_area_id: value ? value : null }),
      focusAfter: '.area-fact button',
      said: () => `Practice area: ${kase.practice_area || 'none'}; phase ${kase.phase_label}.`,
    });
    el.classList.add('area-fact');
    return el;
  }

  // A fact of the case changed in place: what `shown()` draws and a `changeText` button, which
  // opens a select of `options` ([value, text]) saved with its own button; Cancel or Escape goes
  // back, unchanged. Saved, the case is PATCHed with `body(value)`, the header drawn again, the
  // focus put on `focusAfter` (the new header's button) and `said()` announced.
  function selectFact({ term, idPrefix, selectClass, options, current, shown, changeText, saveText, body, focusAfter, said }) {
    const selectId = uid(idPrefix);
    const wrap = h('div', { class: 'responsible' });
    const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
    const label = h('label', { for: selectId, text: term });
    const showValue = () => {
      const change = h('button', { type: 'button', class: 'btn btn-small', text: changeText, onclick: () => showPicker() });
      replace(wrap, shown(), h('div', {}, change));
      return change;
    };
    const showPicker = () => {
      const select = h('select', { id: selectId, class: selectClass }, options.map(([v, t]) => h('option', { value: v, text: t })));
      select.value = current;
      const save = h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, h('span', { text: saveText }));
      const cancel = h('button', { type: 'button', class: 'btn btn-ghost btn-small', text: 'Cancel', onclick: () => showValue().focus() });
      const form = h('form', { class: 'phase-form', novalidate: true }, select, save, cancel);
      form.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') { ev.preventDefault(); showValue().focus(); } });
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (select.value === current) { showValue().focus(); return; }
        error.hidden = true;
        try {
          const updated = await whileBusy(save, 'Saving\u2026', api('PATCH', base, { body: body(select.value) }));
          if (!ctx.alive()) return;
          kase = { ...kase, ...updated };
          renderHeader();
          cards.update({ case: kase });
          facts.querySelector(focusAfter)?.focus();
          announce(said());
        } catch (err) {
          if (!ctx.alive() || err.status === 401) return;
          replace(error, srOnly('Error: '), err.message);
          error.hidden = false;
        }
      });
      replace(wrap, form);
      select.focus();
    };
    showValue();
    return fact(term, h('div', {}, wrap, error), label);
  }

  function fact(term, value, termEl) {
    return h('div', { class: 'fact' }, h('dt', {}, termEl || term), h('dd', {}, value));
  }

  // The phase as a select with a Save button that appears once it differs: arrowing through a
  // closed select must not save every phase on the way.
  function phaseEditor(label) {
    const selectId = uid('phase');
    const select = h('select', { id: selectId, class: 'phase-select' },
      (casePhases().length ? casePhases() : [{ phase: kase.phase, label }]).map((p) => h('option', { value: p.phase, text: p.label })));
    select.value = kase.phase;
    const save = h('button', { type: 'submit', class: 'btn btn-primary btn-small', hidden: true }, h('span', { text: 'Save phase' }));
    const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
    const form = h('form', { class: 'phase-form', novalidate: true }, select, save);
    select.addEventListener('change', () => { save.hidden = select.value === kase.phase; });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (select.value === kase.phase) return;
      error.hidden = true;
      try {
        const updated = await whileBusy(save, 'Saving\u2026', api('PATCH', base, { body: { phase: select.value } }));
        if (!ctx.alive()) return;
        kase = { ...kase, ...updated };
        renderHeader();
        cards.update({ case: kase });
        const again = facts.querySelector('select.phase-select');
        if (again) again.focus();
        announce(`Phase changed to ${phaseLabel(kase.phase, casePhases(), kase.phase_label)}.`);
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        replace(error, srOnly('Error: '), err.message);
        error.hidden = false;
      }
    });
    return fact('Phase', h('div', {}, form, error), h('label', { for: selectId, text: 'Phase' }));
  }

  function phaseTrack() {
    const list = casePhases();
    if (!list.length) return null;
    const at = list.findIndex((p) => p.phase === kase.phase);
    return h('ol', { class: 'phase-track', 'aria-label': 'Progress through the phases' }, list.map((p, i) => {
      const state = i < at ? 'done' : i === at ? 'current' : 'todo';
      return h('li', { class: ['phase-step', `is-${state}`], 'aria-current': i === at ? 'step' : null },
        h('span', { class: 'step-bar', 'aria-hidden': 'true' }),
        h('span', { class: 'step-label' }, p.label, state === 'done' ? srOnly(' (done)') : null));
    }));
  }

  // Closing a case adds its date here, so this follows the header.
  function renderAbout() {
    const rows = [
      ['Matter number', h('span', { class: 'matter-no', text: kase.matter_number })],
      kase.closed_on ? ['Closed', calendarDate(kase.closed_on)] : null,
      ['Description', kase.description ? h('p', { class: 'pre', text: kase.description }) : h('span', { class: 'muted', text: 'No description.' })],
    ].filter(Boolean);
    replace(about,
      h('h2', { class: 'card-title', id: 'about-case', text: 'About this case' }),
      h('dl', { class: 'details details-stacked' }, rows.map(([k, v]) => h('div', { class: 'detail' }, h('dt', { text: k }), h('dd', {}, v)))),
      h('p', { class: 'record-meta muted', text: `Last changed ${dateTime(kase.updated_at)}` }));
  }

  // ---- Status updates ---------------------------------------------------------------------
  function updatesPanel() {
    const list = h('ol', { class: 'timeline', 'aria-label': 'Status updates, newest first' });
    const empty = h('div', { class: 'timeline-empty' }, icon('clock', 'icon empty-icon'),
      h('p', { text: 'No updates yet.' }),
      h('p', { class: 'muted', text: mayWrite ? 'Post the first one above: the client sees it only if you share it.' : 'Updates the legal team posts appear here.' }));
    const errorEl = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
    const count = h('span', { class: 'panel-count' });
    const render = () => {
      replace(list, updates.slice().reverse().map(updateItem));
      empty.hidden = updates.length > 0;
      const shared = updates.filter((u) => u.client_visible).length;
      count.textContent = updates.length ? `${updates.length} \u00b7 ${shared} shared` : '';
    };

    function updateItem(u) {
      const metaId = uid('upd');
      const shared = Boolean(u.client_visible);
      const li = h('li', { class: ['update', shared ? 'is-shared' : 'is-internal'], dataset: { id: String(u.id) } },
        h('span', { class: 'update-marker', 'aria-hidden': 'true' }, icon(shared ? 'eye' : 'lock', 'icon icon-sm')),
        h('article', { class: 'update-card', 'aria-labelledby': metaId },
          h('div', { class: 'update-head' },
            h('p', { class: 'update-meta', id: metaId },
              h('span', { class: 'update-author', text: u.author_name || 'Someone at the firm' }),
              srOnly(', '),
              h('span', { class: 'update-time' }, ' \u00b7 ', h('time', { datetime: u.created_at, text: dateTime(u.created_at) }))),
            visibilityMark(shared)),
          h('p', { class: 'update-text pre', text: u.text }),
          mayWrite ? h('div', { class: 'update-actions' }, toggleButton(u, shared, metaId)) : null));
      return li;
    }

    function toggleButton(u, shared, metaId) {
      const btn = h('button', {
        type: 'button', class: ['btn', 'btn-small', shared ? 'btn-unshare' : 'btn-share'], 'aria-describedby': metaId,
        onclick: async () => {
          errorEl.hidden = true;
          try {
            const saved = await whileBusy(btn, shared ? 'Stopping\u2026' : 'Sharing\u2026',
              api('PATCH', `${base}/updates/${encodeURIComponent(String(u.id))}`, { body: { client_visible: !shared } }));
            if (!ctx.alive()) return;
            const i = updates.findIndex((x) => x.id === u.id);
            updates[i] = { ...u, ...saved };
            render();
            const again = list.querySelector(`li[data-id="${CSS.escape(String(u.id))}"] .update-actions button`);
            if (again) again.focus();
            announce(updates[i].client_visible ? 'Update shared with the client.' : 'Update is internal again: the client no longer sees it.');
          } catch (err) {
            if (!ctx.alive() || err.status === 401) return;
            errorEl.textContent = `The update could not be changed. ${err.message}`;
            errorEl.hidden = false;
          }
        },
      }, icon(shared ? 'eyeOff' : 'eye', 'icon icon-sm'), h('span', { text: shared ? 'Stop sharing' : 'Share with client' }));
      return btn;
    }

    const composer = mayWrite ? updateComposer() : null;
    render();
    return {
      el: h('section', { class: 'panel updates-panel', 'aria-labelledby': 'updates-title' },
        h('div', { class: 'panel-head' },
          h('h2', { class: 'panel-title', id: 'updates-title', text: 'Status updates' }), count),
        h('p', { class: 'panel-sub', text: 'Internal unless you share them. The client reads shared updates in their portal.' }),
        composer ? composer.el : null,
        errorEl, list, empty),
    };

    function updateComposer() {
      const summary = errorSummary('The update was not posted');
      const text = field({ label: 'New update', type: 'textarea', rows: 3, name: 'update',
        hint: 'What happened, and what comes next.' });
      const shareId = uid('share');
      const share = h('input', { type: 'checkbox', id: shareId, name: 'client_visible' });
      const note = h('p', { class: 'composer-note', 'aria-live': 'polite' });
      const posted = h('p', { class: 'alert alert-success composer-done', role: 'status', hidden: true });
      const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('send', 'icon icon-sm'), h('span', { text: 'Post update' }));
      const form = h('form', { class: 'composer', novalidate: true, 'aria-label': 'Post a status update' },
        summary.el, text.el,
        h('div', { class: 'checkbox share-check' }, share, h('label', { for: shareId, text: 'Share this update with the client' })),
        h('div', { class: 'composer-foot' }, note, submit),
        posted);
      const showNote = () => {
        const on = share.checked;
        form.classList.toggle('is-sharing', on);
        replace(note, icon(on ? 'eye' : 'lock', 'icon icon-sm'),
          h('span', { text: on ? 'The client will see this update in their portal.' : 'Internal: only the firm will see this update.' }));
      };
      share.addEventListener('change', showNote);
      showNote();
      submitText(form, {
        text, summary, submit, busyText: 'Posting\u2026', emptyText: 'Write the update first',
        before: () => { posted.hidden = true; },
        send: (value) => api('POST', `${base}/updates`, { body: { text: value, client_visible: share.checked } }),
        done: (saved) => {
          updates.push(saved);
          render();
          share.checked = false;
          showNote();
          posted.textContent = saved.client_visible ? 'Update posted and shared with the client.' : 'Update posted. It is internal.';
          posted.hidden = false;
        },
      });
      return { el: form };
    }
  }

  // A form of one text field (an update, a note): the text must be there; it is sent, then
  // the field is emptied and keeps the focus; the server's errors show on it.
  function submitText(form, { text, summary, submit, busyText, emptyText, before = () => {}, send, done }) {
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      summary.clear();
      text.clearError();
      before();
      const value = text.control.value.trim();
      if (!value) {
        text.setError(emptyText);
        summary.show([{ label: text.label, message: emptyText, control: text.control }]);
        return;
      }
      try {
        const saved = await whileBusy(submit, busyText, send(value));
        if (!ctx.alive()) return;
        text.control.value = '';
        done(saved);
        text.control.focus();
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        showServerError(err, summary, { text });
      }
    });
  }

  // ---- Internal notes -----------------------------------------------------------------------
  function notesPanel() {
    const list = h('ol', { class: 'notes-list', 'aria-label': 'Internal notes, newest first' });
    const empty = h('p', { class: 'notes-empty', text: 'No internal notes yet.' });
    const summary = errorSummary('The note was not added');
    const text = field({ label: 'New internal note', type: 'textarea', rows: 3, name: 'note',
      hint: 'Strategy, risks, reminders: for the firm\u2019s eyes only.' });
    const submit = h('button', { type: 'submit', class: 'btn btn-note' }, icon('lock', 'icon icon-sm'), h('span', { text: 'Add note' }));
    const added = h('p', { class: 'sr-only', role: 'status' });
    const render = () => {
      replace(list, notes.slice().reverse().map((n) => h('li', { class: 'note' },
        h('p', { class: 'note-text pre', text: n.text }),
        h('p', { class: 'note-meta' }, h('span', { class: 'note-author', text: n.author_name || 'Someone at the firm' }),
          ' \u00b7 ', h('time', { datetime: n.created_at, text: dateTime(n.created_at) })))));
      empty.hidden = notes.length > 0;
    };
    const form = h('form', { class: 'notes-form', novalidate: true, 'aria-label': 'Add an internal note' },
      summary.el, text.el, h('div', { class: 'form-actions' }, submit));
    submitText(form, {
      text, summary, submit, busyText: 'Adding\u2026', emptyText: 'Write the note first',
      send: (value) => api('POST', `${base}/notes`, { body: { text: value } }),
      done: (saved) => {
        notes.push(saved);
        render();
        added.textContent = 'Internal note added.';
      },
    });
    render();
    return {
      el: h('section', { class: 'notes-panel', 'aria-labelledby': 'notes-title' },
        h('div', { class: 'notes-head' },
          h('span', { class: 'notes-icon', 'aria-hidden': 'true' }, icon('lock', 'icon')),
          h('h2', { class: 'notes-title', id: 'notes-title', text: 'Internal notes \u2014 never shown to the client' })),
        h('p', { class: 'notes-sub', text: 'Only the firm\u2019s lawyers and paralegals can read these. They never reach the portal.' }),
        form, added, list, empty),
    };
  }
}

