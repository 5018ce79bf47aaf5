// The case list: Title, Matter no., Client, Phase, Opened; a Search box (title or matter
// number), a phase filter, cursor pagination (Previous/Next), empty states and the "New case"
// button. A client's own cases are listed on the client's page.

import { h, icon, replace, srOnly } from '../dom.js';
import { fetchPage, keepInAddress, onSearch, pagerControls } from './paged.js';
import { calendarDate } from '../format.js';
import { can } from '../session.js';
import { takeFlash } from '../main.js';
import { caseHref, clientHref, loadPhases, phaseBadge, phaseLabel } from './case_parts.js';

export const PAGE_SIZE = 25;

export function casesListView(container, ctx) {
  document.title = 'Cases \u2014 LexOS';
  const state = {
    q: ctx.query.get('q') || '',
    phase: ctx.query.get('phase') || '',
    phases: [],
    cursors: [null], // cursors[i] fetches page i+1
    page: 0,
    controller: null,
  };
  const mayWrite = can('cases.write');

  const heading = h('h1', { text: 'Cases' });
  const newHref = () => '#/cases/new';
  const newButton = mayWrite ? h('button', {
    type: 'button', class: 'btn btn-primary', onclick: () => ctx.navigate(newHref()),
  }, icon('plus'), h('span', { text: 'New case' })) : null;

  const search = h('input', {
    type: 'search', id: 'case-search', name: 'q', value: state.q, autocomplete: 'off',
    placeholder: 'Title or matter number', 'aria-controls': 'case-results', spellcheck: 'false',
  });
  const phase = h('select', { id: 'case-phase', name: 'phase', 'aria-controls': 'case-results' },
    h('option', { value: '', text: 'All phases' }));

  const flash = takeFlash();
  const live = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const flashEl = flash ? h('p', { class: 'alert alert-success', role: 'status', text: flash }) : null;
  const results = h('div', { id: 'case-results', class: 'results' });
  const { prev, next, range, pager } = pagerControls(go, state);

  container.append(h('section', { class: 'page' },
    h('div', { class: 'page-header' },
      h('div', {}, heading, h('p', { class: 'page-sub', text: 'The firm\u2019s matters, newest first.' })),
      newButton ? h('div', { class: 'page-actions' }, newButton) : null),
    flashEl,
    h('div', { class: 'toolbar', role: 'search' },
      h('div', { class: 'toolbar-field toolbar-search' },
        h('label', { for: 'case-search', class: 'label', text: 'Search' }),
        h('div', { class: 'input-icon' }, icon('search', 'icon input-icon-glyph'), search)),
      h('div', { class: 'toolbar-field' },
        h('label', { for: 'case-phase', class: 'label', text: 'Phase' }), phase)),
    results, pager, live));

  onSearch(search, restart);
  phase.addEventListener('change', () => restart());

  function restart(force = false) {
    const q = search.value.trim();
    if (!force && q === state.q && phase.value === state.phase && state.page === 0 && results.childElementCount) return;
    state.q = q;
    state.phase = phase.value;
    state.cursors = [null];
    state.page = 0;
    keepInAddress('cases', { q: state.q, phase: state.phase });
    load();
  }

  function go(page) {
    if (page < 0 || page >= state.cursors.length) return;
    state.page = page;
    load(true);
  }

  async function start() {
    // The phase names come first: the filter and the badges show the firm's own labels.
    const phases = await loadPhases().catch(() => []);
    if (!ctx.alive()) return;
    state.phases = phases;
    for (const p of phases) phase.append(h('option', { value: p.phase, text: p.label }));
    phase.value = phases.some((p) => p.phase === state.phase) ? state.phase : '';
    state.phase = phase.value;
    load();
  }

  async function load(fromPager = false) {
    const items = await fetchPage(state, {
      path: 'cases', query: { q: state.q, phase: state.phase }, pageSize: PAGE_SIZE,
      results, pager, prev, next, noun: 'cases', ctx, retry: () => load(),
    });
    if (!items) return;
    const nextCursor = state.cursors[state.page + 1] || null;

    if (!items.length && state.page === 0) {
      replace(results, emptyState());
      pager.hidden = true;
      live.textContent = filtered() ? 'No cases match these filters.' : 'No cases yet.';
      return;
    }
    replace(results, table(items));
    const from = state.page * PAGE_SIZE + 1;
    const to = state.page * PAGE_SIZE + items.length;
    range.textContent = `Showing ${from}\u2013${to}`;
    prev.disabled = state.page === 0;
    next.disabled = !nextCursor;
    pager.hidden = state.page === 0 && !nextCursor;
    live.textContent = `Showing cases ${from} to ${to}${nextCursor ? '' : ' (last page)'}.`;
    if (fromPager) {
      const keep = document.activeElement;
      if (keep === prev && prev.disabled) next.focus();
      if (keep === next && next.disabled) prev.focus();
      results.scrollIntoView({ block: 'start', behavior: 'auto' });
    }
  }

  const filtered = () => Boolean(state.q || state.phase);

  function table(items) {
    const caption = h('caption', { class: 'sr-only', text: `Cases${filtered() ? ' matching the filters' : ''}, page ${state.page + 1}` });
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
      h('td', { class: 'col-phase', dataset: { label: 'Phase' } }, phaseBadge(c.phase, phaseLabel(c.phase, state.phases, c.phase_label))),
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
        h('h2', { text: state.q ? `No cases match \u201c${state.q}\u201d` : 'No cases match these filters' }),
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
      mayWrite ? h('button', { type: 'button', class: 'btn btn-primary', onclick: () => ctx.navigate(newHref()) },
        icon('plus'), h('span', { text: 'Open your first case' })) : null);
  }

  start();
  return {
    focus: heading,
    cleanup: () => {
      window.clearTimeout(debounce);
      if (state.controller) state.controller.abort();
    },
  };
}
