// The case list (view "cases"): Title, Matter no., Client, Phase, Opened; a Search box (title
// or matter number), a phase filter, keyset paging (Previous/Next), empty states and the
// "New case" button. A client's own cases are listed on the client's page (client_card.js).

import { h, icon, srOnly, can, calendarDate, pagedList, onSearch, keepInAddress } from '/shared/js/kit.js';
import { caseHref, clientHref, loadPhases, phaseBadge, phaseLabel, styles } from './parts.js';

export const PAGE_SIZE = 25;

export async function render(mount, kit, ctx) {
  await styles();
  ctx.setTitle('Cases');
  const filters = { q: ctx.query.get('q') || '', phase: ctx.query.get('phase') || '' };
  let phases = [];
  const mayWrite = can('cases.write');

  const heading = h('h1', { text: 'Cases' });
  const newCase = () => ctx.navigate('#/cases/new');
  const newButton = mayWrite ? h('button', { type: 'button', class: 'btn btn-primary', onclick: newCase },
    icon('plus'), h('span', { text: 'New case' })) : null;

  const search = h('input', {
    type: 'search', id: 'case-search', name: 'q', value: filters.q, autocomplete: 'off',
    placeholder: 'Title or matter number', 'aria-controls': 'case-results', spellcheck: 'false',
  });
  const phase = h('select', { id: 'case-phase', name: 'phase', 'aria-controls': 'case-results' },
    h('option', { value: '', text: 'All phases' }));

  const flash = ctx.takeFlash();
  const filtered = () => Boolean(filters.q || filters.phase);
  const list = pagedList({
    ctx, path: 'cases', pageSize: PAGE_SIZE, noun: 'cases', id: 'case-results',
    query: () => ({ q: filters.q, phase: filters.phase }),
    draw: table,
    empty: emptyState,
    emptyText: () => (filtered() ? 'No cases match these filters.' : 'No cases yet.'),
  });

  mount.append(h('section', { class: 'page' },
    h('div', { class: 'page-header' },
      h('div', {}, heading, h('p', { class: 'page-sub', text: 'The firm\u2019s matters, newest first.' })),
      newButton ? h('div', { class: 'page-actions' }, newButton) : null),
    flash ? h('p', { class: 'alert alert-success', role: 'status', text: flash }) : null,
    h('div', { class: 'toolbar', role: 'search' },
      h('div', { class: 'toolbar-field toolbar-search' },
        h('label', { for: 'case-search', class: 'label', text: 'Search' }),
        h('div', { class: 'input-icon' }, icon('search', 'icon input-icon-glyph'), search)),
      h('div', { class: 'toolbar-field' },
        h('label', { for: 'case-phase', class: 'label', text: 'Phase' }), phase)),
    list.results, list.pager, list.live));

  const stopSearch = onSearch(search, restart);
  phase.addEventListener('change', () => restart());

  function restart(force = false) {
    const q = search.value.trim();
    if (!force && q === filters.q && phase.value === filters.phase && list.showing()) return;
    filters.q = q;
    filters.phase = phase.value;
    keepInAddress('cases', { q: filters.q, phase: filters.phase });
    list.restart();
  }

  function table(items, page) {
    const caption = h('caption', { class: 'sr-only', text: `Cases${filtered() ? ' matching the filters' : ''}, page ${page + 1}` });
    return h('div', { class: 'table-card' },
      h('table', { class: 'data-table cases-table' }, caption,
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col', class: 'col-title', text: 'Title' }),
          h('th', { scope: 'col', class: 'col-matter', text: 'Matter no.' }),
          h('th', { scope: 'col', class: 'col-client', text: 'Client' }),
          h('th', { scope: 'col', class: 'col-phase', text: 'Phase' }),
          h('th', { scope: 'col', class: 'col-opened', text: 'Opened' }))),
        h('tbody', {}, items.map(row))));
  }

  function row(c) {
    const href = caseHref(c.id);
    const tr = h('tr', {},
      h('td', { class: 'col-title', dataset: { label: 'Title' } },
        h('div', { class: 'name-line' },
          h('a', { class: 'row-link', href, text: c.title || '(no title)' }),
          c.practice_area ? h('span', { class: 'cell-aside', title: c.practice_area }, srOnly(', '), c.practice_area) : null)),
      h('td', { class: 'col-matter', dataset: { label: 'Matter no.' } }, h('span', { class: 'matter-no', text: c.matter_number || '' })),
      h('td', { class: 'col-client', dataset: { label: 'Client' } },
        c.client_name ? h('a', { class: 'cell-link truncate', href: clientHref(c.client_id), text: c.client_name }) : h('span', { class: 'muted', text: '\u2014' })),
      h('td', { class: 'col-phase', dataset: { label: 'Phase' } }, phaseBadge(c.phase, phaseLabel(c.phase, phases, c.phase_label))),
      h('td', { class: 'col-opened', dataset: { label: 'Opened' } }, h('span', { class: 'nowrap', text: calendarDate(c.opened_on) })));
    // The whole row is a target for the mouse; the title link is the keyboard's way in.
    tr.addEventListener('click', (ev) => {
      if (ev.target.closest('a, button') || window.getSelection().toString()) return;
      ctx.navigate(href);
    });
    return tr;
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
            restart(true);
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
  for (const p of phases) phase.append(h('option', { value: p.phase, text: p.label }));
  phase.value = phases.some((p) => p.phase === filters.phase) ? filters.phase : '';
  filters.phase = phase.value;
  list.restart();
  return {
    focus: heading,
    cleanup: () => {
      stopSearch();
      list.abort();
    },
  };
}
