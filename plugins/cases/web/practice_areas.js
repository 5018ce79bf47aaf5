// The firm's practice areas (staff view "firm/practice-areas", cases.settings): each area's
// ordered phases, each counting as one of the six built-in phases (what reports, filters and the
// closed date go by). Add an area from a ready-made one (Litigation, Estate planning, ...) or
// blank; rename it, rename, reorder, add and remove its phases, Save; delete an area no case
// uses. The server's field errors ("phases[2].label") land on the control they name.

import {
  h, icon, replace, uid, api, field, errorSummary, showServerError, whileBusy, pageHeader, focusElement,
} from '/shared/js/kit.js';
import { styles } from './parts.js';

const BUILTIN = [['intake', 'Intake'], ['active', 'Active'], ['discovery', 'Discovery'], ['trial', 'Trial'],
  ['settled', 'Settled'], ['closed', 'Closed']];

export async function render(mount, kit, ctx) {
  await styles();
  ctx.setTitle('Practice areas');
  const heading = h('h1', { text: 'Practice areas' });
  const status = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const announce = (text) => {
    status.textContent = '';
    window.setTimeout(() => { status.textContent = text; }, 50);
  };
  const listEl = h('div', { class: 'area-list' }, h('p', { class: 'muted', role: 'status', text: 'Loading\u2026' }));
  let areas = [];
  let templates = [];
  try {
    [areas, templates] = await Promise.all([
      api('GET', 'practice-areas').then((d) => (Array.isArray(d && d.items) ? d.items : [])),
      api('GET', 'practice-areas/templates').then((d) => (Array.isArray(d && d.items) ? d.items : [])),
    ]);
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return null;
    mount.append(h('section', { class: 'page' }, pageHeader(heading),
      h('p', { class: 'alert alert-error', role: 'alert', text: `The practice areas could not be loaded. ${err.message}` })));
    return { focus: heading };
  }
  if (!ctx.alive()) return null;

  mount.append(h('section', { class: 'page page-practice-areas' },
    pageHeader(heading, 'Each practice area has its own phases, in order. A case in the area moves through them, and '
      + 'the client portal shows them by these names. Each phase counts as one of the standard phases, which reports and '
      + 'the closed date go by.'),
    addCard(), listEl, status));
  draw();
  return { focus: heading };

  function draw() {
    replace(listEl, areas.length
      ? areas.map((a) => areaCard(a))
      : h('p', { class: 'muted', text: 'No practice areas yet: cases use the standard phases (Intake, Active, Discovery, Trial, Settled, Closed).' }));
  }

  // ---- Adding an area: from a ready-made one, or blank ----------------------------------------
  function addCard() {
    const titleId = uid('add-area');
    const summary = errorSummary();
    const from = field({ label: 'Start from', type: 'select', value: templates.length ? templates[0].id : '',
      options: [...templates.map((t) => [t.id, `${t.name} (${t.phases.map((p) => p.label).join(', ')})`]), ['', 'Blank: Intake and Closed']] });
    const name = field({ label: 'Name', hint: 'Leave empty to use the ready-made area\u2019s name.' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('plus', 'icon icon-sm'), h('span', { text: 'Add practice area' }));
    const form = h('form', { class: 'area-add', novalidate: true, 'aria-labelledby': titleId },
      summary.el, h('div', { class: 'grid-2' }, from.el, name.el), h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      summary.clear();
      name.clearError();
      const body = from.control.value
        ? { template: from.control.value, ...(name.control.value.trim() ? { name: name.control.value.trim() } : {}) }
        : { name: name.control.value.trim(), phases: [{ label: 'Intake', builtin_phase: 'intake' }, { label: 'Closed', builtin_phase: 'closed' }] };
      try {
        const area = await whileBusy(submit, 'Adding\u2026', api('POST', 'practice-areas', { body }));
        if (!ctx.alive()) return;
        areas.push(area);
        name.control.value = '';
        draw();
        const card = listEl.querySelector(`[data-area="${area.id}"] h2`);
        if (card) focusElement(card);
        announce(`Practice area ${area.name} added.`);
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        showServerError(err, summary, { name, template: from });
      }
    });
    return h('section', { class: 'card area-add-card', 'aria-labelledby': titleId },
      h('h2', { class: 'card-title', id: titleId, text: 'Add a practice area' }), form);
  }

  // ---- One area: its name and phases, edited together and saved with one button --------------
  function areaCard(area) {
    const titleId = uid('area');
    const summary = errorSummary();
    const title = h('h2', { class: 'card-title', id: titleId, tabindex: '-1', text: area.name });
    const name = field({ label: 'Name', value: area.name });
    // The rows being edited: existing phases keep their key (cases refer to it).
    let rows = area.phases.map((p) => ({ key: p.key, label: p.label, builtin_phase: p.builtin_phase }));
    let fields = new Map();
    const phasesEl = h('ol', { class: 'area-phases', 'aria-label': `Phases of ${area.name}` });
    const phasesError = h('p', { class: 'field-error', role: 'alert', hidden: true });
    const phasesControl = { label: 'Phases', setError: (m) => { phasesError.textContent = m; phasesError.hidden = false; },
      clearError: () => { phasesError.hidden = true; }, control: phasesEl };
    const addPhase = h('button', { type: 'button', class: 'btn btn-small', onclick: () => {
      sync();
      rows.push({ label: '', builtin_phase: 'active' });
      drawRows();
      fields.get(`phases[${rows.length - 1}].label`).control.focus();
    } }, icon('plus', 'icon icon-sm'), h('span', { text: 'Add phase' }));
    const save = h('button', { type: 'submit', class: 'btn btn-primary' }, h('span', { text: 'Save' }));
    const remove = h('button', { type: 'button', class: 'btn btn-danger-quiet', onclick: () => removeArea() },
      h('span', { text: 'Delete practice area' }));
    remove.setAttribute('aria-label', `Delete practice area ${area.name}`);
    const form = h('form', { class: 'area-form', novalidate: true, 'aria-labelledby': titleId },
      summary.el, name.el,
      h('fieldset', { class: 'area-phases-set' }, h('legend', { text: 'Phases, in order' }), phasesError, phasesEl, addPhase),
      h('div', { class: 'form-actions' }, save, remove));
    drawRows();

    // Reads what was typed back into `rows` (before redrawing them).
    function sync() {
      rows = rows.map((r, i) => ({ ...r, label: fields.get(`phases[${i}].label`).control.value,
        builtin_phase: fields.get(`phases[${i}].builtin_phase`).control.value }));
    }

    function drawRows() {
      fields = new Map();
      replace(phasesEl, rows.map((r, i) => {
        const label = field({ label: `Phase ${i + 1}`, value: r.label, cls: 'area-phase-label' });
        const builtin = field({ label: 'Counts as', type: 'select', value: r.builtin_phase, options: BUILTIN, cls: 'area-phase-builtin' });
        fields.set(`phases[${i}].label`, label);
        fields.set(`phases[${i}].key`, label);
        fields.set(`phases[${i}].builtin_phase`, builtin);
        const move = (to, text) => h('button', { type: 'button', class: 'btn btn-ghost btn-small', disabled: to < 0 || to >= rows.length,
          'aria-label': `${text}: ${r.label || `phase ${i + 1}`}`, onclick: () => {
            sync();
            const [row] = rows.splice(i, 1);
            rows.splice(to, 0, row);
            drawRows();
            const again = phasesEl.children[to]?.querySelector(`button[data-move="${text}"]`);
            (again && !again.disabled ? again : fields.get(`phases[${to}].label`).control).focus();
          } }, h('span', { text }));
        const up = move(i - 1, 'Move up');
        up.dataset.move = 'Move up';
        const down = move(i + 1, 'Move down');
        down.dataset.move = 'Move down';
        const drop = h('button', { type: 'button', class: 'btn btn-ghost btn-small', disabled: rows.length === 1,
          'aria-label': `Remove phase ${r.label || i + 1}`, onclick: () => {
            sync();
            rows.splice(i, 1);
            drawRows();
            fields.get(`phases[${Math.min(i, rows.length - 1)}].label`).control.focus();
          } }, h('span', { text: 'Remove' }));
        return h('li', { class: 'area-phase' }, label.el, builtin.el, h('div', { class: 'area-phase-actions' }, up, down, drop));
      }));
    }

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      sync();
      summary.clear();
      name.clearError();
      phasesControl.clearError();
      for (const f of fields.values()) f.clearError();
      const body = { name: name.control.value.trim(),
        phases: rows.map((r) => ({ ...(r.key ? { key: r.key } : {}), label: r.label.trim(), builtin_phase: r.builtin_phase })) };
      try {
        const saved = await whileBusy(save, 'Saving\u2026', api('PATCH', `practice-areas/${encodeURIComponent(area.id)}`, { body }));
        if (!ctx.alive()) return;
        Object.assign(area, saved);
        rows = saved.phases.map((p) => ({ key: p.key, label: p.label, builtin_phase: p.builtin_phase }));
        title.textContent = saved.name;
        phasesEl.setAttribute('aria-label', `Phases of ${saved.name}`);
        remove.setAttribute('aria-label', `Delete practice area ${saved.name}`);
        drawRows();
        announce(`${saved.name} saved.`);
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        showServerError(err, summary, (path) => (path === 'name' ? name : path === 'phases' ? phasesControl : fields.get(path)));
      }
    });

    async function removeArea() {
      // eslint-disable-next-line no-alert
      if (!window.confirm(`Delete the practice area ${area.name}?`)) return;
      summary.clear();
      try {
        await whileBusy(remove, 'Deleting\u2026', api('DELETE', `practice-areas/${encodeURIComponent(area.id)}`));
        if (!ctx.alive()) return;
        areas = areas.filter((a) => a.id !== area.id);
        draw();
        focusElement(heading);
        announce(`Practice area ${area.name} deleted.`);
      } catch (err) {
        if (!ctx.alive() || err.status === 401) return;
        summary.show([], err.message);
      }
    }

    const count = area.case_count || 0;
    return h('section', { class: 'card area-card', 'data-area': String(area.id), 'aria-labelledby': titleId },
      h('div', { class: 'card-head' }, title,
        h('span', { class: 'count', text: count === 1 ? '1 case' : `${count} cases` })),
      form);
  }
}
