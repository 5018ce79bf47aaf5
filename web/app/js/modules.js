// Modules (#/firm/modules, owners: core.firm.manage): every module with a switch for this firm
// (GET /api/v1/firm/modules, PUT /api/v1/firm/modules/{id}). The core (accounts, sessions, the
// audit log) is shown, without a switch; a module another one needs stays on until that one is
// off, and the server says so when asked otherwise.

import { h, replace } from '../../shared/js/dom.js';
import { api } from '../../shared/js/api.js';
import { dataTable } from '../../shared/js/page.js';

const NAMES = {
  core: 'Core (accounts, sessions, audit log)', clients: 'Clients', cases: 'Cases', portal: 'Client portal',
  documents: 'Documents', billing: 'Billing', schedules: 'Schedules', messages: 'Messages',
};

export async function modulesPage(container, ctx) {
  ctx.setTitle('Modules');
  const heading = h('h1', { text: 'Modules', id: 'modules-title' });
  const status = h('p', { class: 'muted', role: 'status' });
  const listEl = h('div', {}, h('p', { class: 'muted', text: 'Loading\u2026' }));
  const page = h('section', { class: 'page', 'aria-labelledby': 'modules-title' },
    h('div', { class: 'page-header' }, heading),
    h('p', { class: 'muted', text: 'Switch modules on or off for the whole firm. A module that is off disappears from everyone\u2019s navigation at once; its data stays.' }),
    status, listEl);
  container.append(page);

  function draw(list) {
    replace(listEl, dataTable({ cls: 'modules-table', caption: 'Modules of the firm',
      columns: [['col-name', 'Module'], ['col-state', 'Switched on'], ['col-note', 'Notes']] },
    list.items.map((m) => {
      const label = NAMES[m.id] || m.id;
      let control;
      if (m.switchable) {
        control = h('input', { type: 'checkbox', id: `module-${m.id}`, role: 'switch' });
        control.checked = m.enabled;
        control.addEventListener('change', async () => {
          const want = control.checked;
          status.textContent = '';
          control.disabled = true;
          try {
            const next = await api('PUT', `firm/modules/${encodeURIComponent(m.id)}`, { body: { enabled: want } });
            if (!ctx.alive()) return;
            draw(next);
            status.textContent = `${label} is switched ${want ? 'on' : 'off'}.`;
            listEl.querySelector(`#module-${CSS.escape(m.id)}`)?.focus();
          } catch (err) {
            if (!ctx.alive()) return;
            control.checked = !want;
            control.disabled = false;
            status.textContent = err.message;
          }
        });
      } else {
        control = h('span', { class: 'badge badge-ok', text: 'Always on' });
      }
      const notes = [];
      if (m.requires.length) notes.push(`Needs ${m.requires.map((r) => NAMES[r] || r).join(', ')}.`);
      if (m.required_by.length) notes.push(`Needed by ${m.required_by.map((r) => NAMES[r] || r).join(', ')}.`);
      return h('tr', {},
        h('td', { class: 'col-name', dataset: { label: 'Module' } }, h('label', { for: m.switchable ? `module-${m.id}` : null, text: label }),
          h('span', { class: 'muted', text: ` ${m.version}` })),
        h('td', { class: 'col-state', dataset: { label: 'Switched on' } }, control),
        h('td', { class: 'col-note', dataset: { label: 'Notes' }, text: notes.join(' ') }));
    })));
  }

  try {
    const list = await api('GET', 'firm/modules');
    if (!ctx.alive()) return { focus: heading };
    draw(list);
  } catch (err) {
    if (ctx.alive()) replace(listEl, h('p', { role: 'alert', text: err.message }));
  }
  return { focus: heading };
}
