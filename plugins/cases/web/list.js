// The case list (view "cases"): Title, Matter no., Client, Phase, Opened; a Search box (title
// or matter number), a phase filter, keyset paging (Previous/Next), empty states and the
// "New case" button. A client's own cases are listed on the client's page (client_card.js).

import {
  h, icon, srOnly, can, calendarDate, pagedList, pageHeader, flashMessage, searchToolbar, dataTable,
  tableRow,
} from '/shared/js/kit.js';
import { caseHref, clientHref, loadPhases, phaseBadge, phaseLabel, styles } from './parts.js';

export const PAGE_SIZE = 25;

export async function render(mount, kit, ctx) {
  await styles();
  ctx.setTitle('Cases');
  let phases = [];
  const mayWrite = can('cases.write');
  const heading = h('h1', { text: 'Cases' });
  const newCase = () => ctx.navigate('#/cases/new');
  const newButton = mayWrite ? h('button', { type: 'button', class: 'btn btn-primary', onclick: newCase },
    icon('plus'), h('span', { text: 'New case' })) : null;

  const phase = h('select', { id: 'case-phase', name: 'phase', 'aria-controls': 'case-results' },
    h('option', { value: '', text: 'All phases' }));
  const { el: toolbar, search } = searchToolbar({
    id: 'case-search', value: ctx.query.get('q') || '', placeholder: 'Title or matter number', controls: 'case-results',
  }, ['Phase', phase]);
  const filtered = () => Boolean(list.values.q || list.values.phase);
  const list = pagedList({
    ctx, path: 'cases', pageSize: PAGE_SIZE, noun: 'cases', id: 'case-results',
    search, filters: { phase }, route: 'cases', defaults: { q: '', phase: '' },
    draw: table,
    empty: emptyState,
    emptyText: () => (filtered() ? 'No cases match these filters.' : 'No cases yet.'),
  });
  const filters = list.values;

  mount.append(h('section', { class: 'page' },
    pageHeader(heading, 'The firm\u2019s matters, newest first.', newButton),
    flashMessage(ctx.takeFlash()), toolbar, list.results, list.pager, list.live));

  function table(items, page) {
    return dataTable({
      cls: 'cases-table',
      caption: `Cases${filtered() ? ' matching the filters' : ''}, page ${page + 1}`,
      columns: [['col-title', 'Title'], ['col-matter', 'Matter no.'], ['col-client', 'Client'], ['col-phase', 'Phase'], ['col-opened', 'Opened']],
    }, items.map(row));
  }

  function row(c) {
    return tableRow(caseHref(c.id), ctx.navigate, [
      ['col-title', 'Title', h('div', { class: 'name-line' },
        h('a', { class: 'row-link', href: caseHref(c.id), text: c.title || '(no title)' }),
        c.practice_area ? h('span', { class: 'cell-aside', title: c.practice_area }, srOnly(', '), c.practice_area) : null)],
      ['col-matter', 'Matter no.', h('span', { class: 'matter-no', text: c.matter_number || '' })],
      ['col-client', 'Client', c.client_name ? h('a', { class: 'cell-link truncate', href: clientHref(c.client_id), text: c.client_name })
        : h('span', { class: 'muted', text: '\u2014' })],
      ['col-phase', 'Phase', phaseBadge(c.builtin_phase || c.phase, phaseLabel(c.phase, phases, c.phase_label))],
      ['col-opened', 'Opened', h('span', { class: 'nowrap', text: calendarDate(c.opened_on) })],
    ]);
  }

  function emptyState() {
    if (filtered()) {
      return h('div', { class: 'empty-state' },
        icon('search', 'icon empty-icon'),
        h('h2', { text: filters.q ? `No cases match \u201c${filters.q}\u201d` : 'No cases match these filters' }),
        h('p', { class: 'muted', text: 'Search by a word of the title or by matter number, or show every phase.' }),
        h('button', {
          type: 'button', class: 'btn', text: 'Clear filters',
          onclick: () => {
            search.value = '';
            phase.value = '';
            list.apply(true);
            search.focus();
          },
        }));
    }
    return h('div', { class: 'empty-state' },
      icon('folder', 'icon empty-icon'),
      h('h2', { text: 'No cases yet' }),
      h('p', { class: 'muted', text: mayWrite ? 'Open a case from a client\u2019s page, or here: its updates, phase and internal notes live in one place.'
        : 'Cases the firm opens appear here.' }),
      mayWrite ? h('button', { type: 'button', class: 'btn btn-primary', onclick: newCase },
        icon('plus'), h('span', { text: 'Open your first case' })) : null);
  }

  // The phase names come first: the filter and the badges show the firm's own labels.
  phases = await loadPhases().catch(() => []);
  if (!ctx.alive()) return null;
  const wanted = ctx.query.get('phase') || '';
  for (const p of phases) phase.append(h('option', { value: p.phase, text: p.label }));
  phase.value = phases.some((p) => p.phase === wanted) ? wanted : '';
  list.apply(true);
  return { focus: heading, cleanup: () => list.stop() };
}
