// Opening a case (view "cases/new", or #/cases/new?client=<id> from a client's page, which
// preselects the client): client, title, matter number (generated when empty), practice area
// (the firm's own areas, each with its phases, when it has defined any; else free text), phase, opened on, responsible attorney (picked from the firm's staff, GET /api/v1/staff),
// description. The server's {"error": {"field": "title"}} is shown on the
// field it names.

import {
  h, icon, replace, uid, api, field, errorSummary, formSection, showServerError, whileBusy, todayIso, session,
} from '/shared/js/kit.js';
import { caseHref, clientHref, loadAreas, loadPhases, styles } from './parts.js';

const PRACTICE_AREAS = ['Commercial litigation', 'Corporate', 'Criminal defence', 'Employment', 'Family',
  'Immigration', 'Intellectual property', 'Personal injury', 'Real estate', 'Tax', 'Wills and probate'];

export async function render(container, kit, ctx) {
  await styles();
  const heading = h('h1', { text: 'New case', id: 'case-form-title' });
  ctx.setTitle('New case');
  const page = h('section', { class: 'page page-form' });
  container.append(page);
  replace(page, h('div', { class: 'page-header' }, heading), h('p', { class: 'muted', text: 'Loading\u2026' }));

  const preselected = /^\d+$/.test(ctx.query.get('client') || '') ? ctx.query.get('client') : '';
  let phases;
  let areas = [];
  let client = null;
  let staff = [];
  try {
    [phases, areas, client, staff] = await Promise.all([
      loadPhases(),
      loadAreas(),
      preselected ? api('GET', `clients/${encodeURIComponent(preselected)}`).catch((err) => {
        if (err.status === 404) return null; // fall back to the picker
        throw err;
      }) : null,
      loadStaff(),
    ]);
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return null;
    replace(page, h('div', { class: 'page-header' }, heading),
      h('p', { class: 'alert alert-error', role: 'alert', text: err.message }),
      h('p', {}, h('a', { href: '#/cases', text: 'Back to cases' })));
    return { focus: heading };
  }
  if (!ctx.alive()) return null;

  const summary = errorSummary();
  const picker = clientPicker(client);
  const title = field({ label: 'Title', required: true, hint: 'How the firm refers to the matter, for example \u201cState vs. Fouchix\u201d.' });
  const matter = field({ label: 'Matter number', hint: 'Leave empty to number it automatically, like 2026-0001.',
    cls: 'field-medium', attrs: { spellcheck: 'false' } });
  const areasId = uid('areas');
  // With the firm's practice areas, the area is chosen from them and the phases follow it.
  const builtinOptions = phases.length ? phases.map((p) => [p.phase, p.label]) : [['intake', 'Intake']];
  const area = areas.length
    ? field({ label: 'Practice area', type: 'select', value: '',
      options: [['', 'None (the standard phases)'], ...areas.map((a) => [String(a.id), a.name])],
      hint: 'Each practice area has its own phases (Firm › Practice areas).' })
    : field({ label: 'Practice area', hint: 'Choose a suggestion or type your own.', attrs: { list: areasId } });
  const phase = field({ label: 'Phase', type: 'select', value: 'intake', options: builtinOptions,
    hint: 'Where the matter stands; you can change it as it moves on.' });
  if (areas.length) {
    area.control.addEventListener('change', () => {
      const chosen = areas.find((a) => String(a.id) === area.control.value);
      const options = chosen ? chosen.phases.map((p) => [p.key, p.label]) : builtinOptions;
      replace(phase.control, options.map(([value, text]) => h('option', { value, text })));
      phase.control.value = options[0][0];
    });
  }
  const opened = field({ label: 'Opened on', type: 'date', value: todayIso(), cls: 'field-medium' });
  const responsible = responsibleField(staff);
  const description = field({ label: 'Description', type: 'textarea', rows: 4,
    hint: 'Internal to the firm: the client sees the title, phase and the updates you share, never this.' });
  const controls = new Map([['client_id', picker], ['title', title], ['matter_number', matter],
    [areas.length ? 'practice_area_id' : 'practice_area', area],
    ['phase', phase], ['opened_on', opened], ['responsible_user_id', responsible], ['description', description]]);

  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, h('span', { text: 'Open case' }));
  const cancelHref = client ? clientHref(client.id) : '#/cases';
  const form = h('form', { class: 'form-sections', novalidate: true, 'aria-labelledby': 'case-form-title' },
    summary.el,
    formSection('Client', picker.el),
    formSection('Case',
      title.el,
      h('div', { class: 'grid-2' }, matter.el, area.el, phase.el, opened.el, responsible.el),
      h('datalist', { id: areasId }, PRACTICE_AREAS.map((a) => h('option', { value: a }))),
      description.el),
    h('div', { class: 'form-actions' }, submit, h('a', { class: 'btn btn-ghost', href: cancelHref, text: 'Cancel' })));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    summary.clear();
    for (const f of controls.values()) f.clearError();
    const problems = [];
    if (!picker.chosen()) problems.push([picker, 'Choose the client this case is for']);
    if (!title.control.value.trim()) problems.push([title, 'Enter a title for the case']);
    if (opened.control.validity && opened.control.validity.badInput) problems.push([opened, 'Enter a date, like 14/09/2026']);
    if (problems.length) {
      for (const [f, message] of problems) f.setError(message);
      summary.show(problems.map(([f, message]) => ({ label: f.label, message, control: f.focusTarget ? f.focusTarget() : f.control })));
      return;
    }
    const body = { client_id: picker.chosen().id, title: title.control.value.trim(), phase: phase.control.value };
    if (responsible.control.value) body.responsible_user_id = responsible.control.value;
    if (areas.length && area.control.value) body.practice_area_id = area.control.value;
    for (const [key, f] of [['matter_number', matter], ...(areas.length ? [] : [['practice_area', area]]), ['opened_on', opened],
      ['description', description]]) {
      const v = f.control.value.trim();
      if (v) body[key] = v;
    }
    try {
      const saved = await whileBusy(submit, 'Opening\u2026', api('POST', 'cases', { body }));
      if (!ctx.alive()) return;
      ctx.navigate(caseHref(saved.id), `Case opened: ${saved.title} (${saved.matter_number}).`);
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      showServerError(err, summary, controls);
    }
  });

  replace(page,
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
      client ? [h('a', { href: '#/clients', text: 'Clients' }), h('span', { class: 'crumb-sep', 'aria-hidden': 'true', text: '/' }),
        h('a', { href: clientHref(client.id), text: client.name })]
        : h('a', { href: '#/cases' }, icon('left', 'icon icon-sm'), h('span', { text: 'Cases' }))),
    h('div', { class: 'page-header' }, h('div', {}, heading,
      h('p', { class: 'page-sub', text: client ? `A new matter for ${client.name}. Only the title is required.`
        : 'Choose the client, then give the matter a title; everything else can follow.' }))),
    form);
  return { focus: heading };
}

/** The firm's active staff for the pickers (GET /api/v1/staff); empty when it cannot be read. */
export async function loadStaff() {
  try {
    const res = await api('GET', 'staff');
    return Array.isArray(res && res.items) ? res.items : [];
  } catch (err) {
    if (err.status === 401) throw err;
    return [];
  }
}

/**
 * "Responsible attorney": a select of the firm's active staff (attorneys and owners first),
 * preselecting the person signed in; `current` (an id) when editing a case.
 */
export function responsibleField(staff, current = null) {
  const order = { attorney: 0, owner: 1, paralegal: 2, billing: 3 };
  const sorted = [...staff].sort((a, b) => (order[a.role] ?? 9) - (order[b.role] ?? 9) || a.name.localeCompare(b.name));
  const meId = session.me ? String(session.me.id) : '';
  const value = current !== null && current !== undefined ? String(current)
    : (sorted.some((s) => String(s.id) === meId) ? meId : '');
  return field({ label: 'Responsible attorney', type: 'select', value,
    options: [['', current === null ? 'Me (the person opening the case)' : 'Nobody'],
      ...sorted.map((s) => [String(s.id), `${s.name} (${s.role})`])],
    hint: 'The client sees their name and e-mail as the contact for this matter.' });
}

// A client's primary e-mail address, as the clients API gives it.
function primaryEmail(c) {
  if (c.email) return c.email;
  const list = Array.isArray(c.emails) ? c.emails : [];
  return (list.find((e) => e.primary) || list[0] || {}).address || '';
}

/**
 * The client of a new case: shown as chosen (with "Change client") when it came from the
 * client's page; otherwise a search box (GET /api/v1/clients?q=) with the matching clients as
 * buttons below it. Down arrow moves from the box into the list, Escape back.
 * Returns the field() interface plus chosen() and focusTarget().
 */
function clientPicker(initial) {
  const f = field({ label: 'Client', type: 'search', required: true, autocomplete: 'off',
    hint: 'Type part of the client\u2019s name, email or phone, then choose them below.',
    attrs: { spellcheck: 'false', 'aria-controls': uid('picker') } });
  const listId = f.control.getAttribute('aria-controls');
  let chosen = null;
  let controller = null;
  let debounce = 0;
  let seq = 0;
  const list = h('ul', { class: 'picker-results', id: listId, 'aria-label': 'Matching clients' });
  const status = h('p', { class: 'picker-status muted', role: 'status', 'aria-live': 'polite' });
  const changeButton = h('button', { type: 'button', class: 'btn btn-small', onclick: () => unchoose(true) },
    h('span', { text: 'Change client' }));
  const chosenEl = h('div', { class: 'picked', hidden: true });
  const searchBox = h('div', { class: 'picker-search' });
  // Move the input and the list into one box below the label, hint and error slot.
  f.control.replaceWith(searchBox);
  searchBox.append(h('div', { class: 'input-icon' }, icon('search', 'icon input-icon-glyph'), f.control), status, list);
  f.el.append(chosenEl);
  f.el.classList.add('client-picker');
  const hint = f.el.querySelector('.hint'); // how to search: only while searching

  f.control.addEventListener('input', () => {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(() => search(), 200);
  });
  f.control.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown') {
      const first = list.querySelector('button');
      if (first) { ev.preventDefault(); first.focus(); }
    } else if (ev.key === 'Enter') {
      ev.preventDefault(); // Enter searches now instead of sending the form
      window.clearTimeout(debounce);
      search();
    }
  });
  list.addEventListener('keydown', (ev) => {
    const buttons = [...list.querySelectorAll('button')];
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    if (ev.key === 'ArrowDown' && i < buttons.length - 1) { ev.preventDefault(); buttons[i + 1].focus(); }
    if (ev.key === 'ArrowUp') { ev.preventDefault(); (i > 0 ? buttons[i - 1] : f.control).focus(); }
    if (ev.key === 'Escape') { ev.preventDefault(); f.control.focus(); }
  });

  async function search() {
    const q = f.control.value.trim();
    const mine = ++seq;
    if (controller) controller.abort();
    controller = new AbortController();
    let data;
    try {
      data = await api('GET', 'clients', { query: { q, limit: 8, status: 'active' }, signal: controller.signal });
    } catch (err) {
      if (err.name === 'AbortError' || mine !== seq) return;
      status.textContent = err.status === 401 ? '' : `Clients could not be searched. ${err.message}`;
      return;
    }
    if (mine !== seq) return;
    const items = Array.isArray(data && data.items) ? data.items : [];
    // A keyboard user may already be in the list (from the previous answer) when this one
    // arrives: keep their focus on the same client, or on the first, not lost to the page.
    const focused = list.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    replace(list, items.map((c) => {
      const email = primaryEmail(c);
      return h('li', {}, h('button', { type: 'button', class: 'picker-option', 'data-id': String(c.id), onclick: () => choose(c, true) },
        icon(c.kind === 'organisation' ? 'users' : 'user', 'icon picker-icon'),
        h('span', { class: 'picker-name', text: c.name }),
        email ? h('span', { class: 'picker-meta', text: email }) : null));
    }));
    if (focused !== null) {
      const buttons = [...list.querySelectorAll('button')];
      (buttons.find((b) => b.dataset.id === focused) || buttons[0] || f.control).focus();
    }
    status.textContent = items.length
      ? (q ? `${items.length}${data.next_cursor ? ' or more' : ''} matching client${items.length === 1 ? '' : 's'}.` : '')
      : (q ? `No active client matches \u201c${q}\u201d.` : 'The firm has no active clients yet.');
  }

  function choose(c, focusNext) {
    chosen = { id: c.id, name: c.name, email: primaryEmail(c) };
    f.clearError();
    replace(chosenEl,
      icon(c.kind === 'organisation' ? 'users' : 'user', 'icon picked-icon'),
      h('div', { class: 'picked-text' },
        h('span', { class: 'picked-name', text: chosen.name }),
        chosen.email ? h('span', { class: 'picked-meta', text: chosen.email }) : null),
      changeButton);
    changeButton.setAttribute('aria-label', `Change client (now ${chosen.name})`);
    chosenEl.hidden = false;
    searchBox.hidden = true;
    if (hint) hint.hidden = true;
    if (focusNext) {
      // On to the next field: the case's title.
      const next = f.el.closest('form')?.querySelector('input[name]:not([type="search"])');
      if (next) next.focus();
    }
  }

  function unchoose(focus) {
    chosen = null;
    chosenEl.hidden = true;
    searchBox.hidden = false;
    if (hint) hint.hidden = false;
    if (!list.childElementCount) search();
    if (focus) f.control.focus();
  }

  if (initial) choose(initial, false);
  else search();

  return {
    ...f,
    el: f.el,
    chosen: () => chosen,
    focusTarget: () => (chosen ? changeButton : f.control),
    setError(message) {
      if (chosen) unchoose(false);
      f.setError(message);
    },
  };
}
