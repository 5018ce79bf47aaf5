// Audit log (#/firm/audit, owners: core.audit.read): the firm's hash-chained log, newest first,
// filtered by action, actor, object and dates (GET /api/v1/audit), with the chain's verdict
// (GET /api/v1/audit/verify: what `lexosctl audit verify` checks) above it. "Older entries"
// follows the answer's next_cursor.

import { h, replace } from '../../shared/js/dom.js';
import { api } from '../../shared/js/api.js';
import { field, errorSummary, showServerError, whileBusy } from '../../shared/js/form.js';
import { dataTable } from '../../shared/js/page.js';
import { dateTime } from '../../shared/js/format.js';

export async function auditPage(container, ctx) {
  ctx.setTitle('Audit log');
  const heading = h('h1', { text: 'Audit log', id: 'audit-title' });
  const verdict = h('div', { class: 'audit-verdict', role: 'status' }, h('p', { class: 'muted', text: 'Checking the chain\u2026' }));
  const action = field({ label: 'Action', name: 'action', hint: 'Exact, like staff.role, or a prefix ending in a dot, like staff.' });
  const actor = field({ label: 'Actor', name: 'actor', hint: 'Part of the e-mail address.' });
  const objectType = field({ label: 'Object type', name: 'object_type', hint: 'For example user, client, case.' });
  const objectId = field({ label: 'Object id', name: 'object_id' });
  const from = field({ label: 'From', name: 'from', type: 'date' });
  const to = field({ label: 'To', name: 'to', type: 'date' });
  const fields = { action, actor, object_type: objectType, object_id: objectId, from, to };
  const summary = errorSummary();
  const apply = h('button', { type: 'submit', class: 'btn btn-primary' }, h('span', { text: 'Show entries' }));
  const form = h('form', { class: 'form audit-filters', novalidate: true, role: 'search', 'aria-label': 'Filter the audit log' },
    summary.el, h('div', { class: 'filter-grid' }, Object.values(fields).map((f) => f.el)), h('div', { class: 'form-actions' }, apply));
  const results = h('div', { id: 'audit-results' });
  const more = h('button', { type: 'button', class: 'btn', hidden: true }, h('span', { text: 'Older entries' }));
  const page = h('section', { class: 'page', 'aria-labelledby': 'audit-title' },
    h('div', { class: 'page-header' }, heading), verdict, form, results, more);
  container.append(page);

  let rows = [];
  let cursor = null;
  const query = () => {
    const q = {};
    for (const [key, f] of Object.entries(fields)) if (f.control.value.trim()) q[key] = f.control.value.trim();
    return q;
  };

  function draw() {
    if (!rows.length) {
      replace(results, h('p', { class: 'muted', text: 'No entries match.' }));
    } else {
      replace(results, dataTable({ cls: 'audit-table', caption: 'Audit log entries, newest first',
        columns: [['col-seq', '#'], ['col-when', 'When'], ['col-actor', 'Actor'], ['col-action', 'Action'],
          ['col-object', 'Object'], ['col-detail', 'Detail']] },
      rows.map((e) => h('tr', {},
        h('td', { class: 'col-seq', dataset: { label: '#' }, text: String(e.seq) }),
        h('td', { class: 'col-when', dataset: { label: 'When' }, text: dateTime(e.at) }),
        h('td', { class: 'col-actor', dataset: { label: 'Actor' }, text: e.actor }),
        h('td', { class: 'col-action', dataset: { label: 'Action' } }, h('code', { text: e.action })),
        h('td', { class: 'col-object', dataset: { label: 'Object' }, text: [e.object_type, e.object_id].filter(Boolean).join(' ') }),
        h('td', { class: 'col-detail', dataset: { label: 'Detail' }, text: e.detail || '' })))));
    }
    more.hidden = !cursor;
  }

  async function load(append) {
    const q = query();
    if (append && cursor) q.before = cursor;
    const res = await api('GET', 'audit', { query: { ...q, limit: 50 } });
    if (!ctx.alive()) return;
    rows = append ? rows.concat(res.items) : res.items;
    cursor = res.next_cursor;
    draw();
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    summary.clear();
    Object.values(fields).forEach((f) => f.clearError());
    try {
      await whileBusy(apply, 'Loading\u2026', load(false));
    } catch (err) {
      if (ctx.alive()) showServerError(err, summary, fields);
    }
  });
  more.addEventListener('click', async () => {
    try {
      await whileBusy(more, 'Loading\u2026', load(true));
    } catch (err) {
      if (ctx.alive()) replace(results, h('p', { role: 'alert', text: err.message }));
    }
  });

  try {
    const [v] = await Promise.all([api('GET', 'audit/verify'), load(false)]);
    if (!ctx.alive()) return { focus: heading };
    replace(verdict, v.verified
      ? h('p', { class: 'alert alert-success' }, h('strong', { text: 'Chain verified. ' }),
        `${v.rows} entries, each linked to the one before by its hash. Head: `, h('code', { text: v.head || '\u2014' }))
      : h('p', { class: 'alert alert-error' }, h('strong', { text: 'Chain broken. ' }), v.problem || ''));
  } catch (err) {
    if (ctx.alive()) replace(verdict, h('p', { role: 'alert', text: err.message }));
  }
  return { focus: heading };
}
