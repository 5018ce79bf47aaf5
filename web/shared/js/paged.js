// A keyset-paged list, as the API pages them ({items, next_cursor}): the results area, the
// Previous/Next pager, a polite live region saying what is shown, a retry on failure, and the
// list's filters kept in the address. The view keeps its own filters and draws the rows.

import { h, icon, replace } from './dom.js';
import { api } from './api.js';

/**
 * opts: `ctx` (the view's), `path` ('clients'), `pageSize`, `noun` ('clients', for messages),
 * `id` (of the results element, for aria-controls), `search` (the Search input, sent as `q`),
 * `filters` ({ param: select }: each sent as its API parameter), `route` and `defaults` (the
 * filters are kept in the address as #/<route>?q=…, leaving out values equal to their
 * default), `draw(items, page)` (a node: the table), `empty()` (a node for no results) and
 * `emptyText()` (what the live region says then). When the first page's answer has `total`
 * (and `total_exact`), the range says "of N" on every page and `onTotal(total, exact)` is called.
 * Returns { results, pager, live, values, apply(force), stop() }: `values` are the filters
 * shown now; apply() reads the controls and goes back to page 1 when they changed (or when
 * forced); the view calls apply(true) to load the first page and stop() in its cleanup.
 */
export function pagedList(opts) {
  const state = { cursors: [null], page: 0, controller: null, total: '' }; // cursors[i] fetches page i+1
  const results = h('div', { id: opts.id, class: 'results' });
  const live = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', class: 'btn btn-pager', onclick: () => go(state.page - 1) },
    icon('left'), h('span', { text: 'Previous' }));
  const next = h('button', { type: 'button', class: 'btn btn-pager', onclick: () => go(state.page + 1) },
    h('span', { text: 'Next' }), icon('right'));
  const range = h('span', { class: 'pager-range' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages', hidden: true }, range, h('div', { class: 'pager-buttons' }, prev, next));
  const filters = opts.filters || {};
  const values = {};
  const read = () => ({
    q: opts.search ? opts.search.value.trim() : '',
    ...Object.fromEntries(Object.entries(filters).map(([k, control]) => [k, control.value])),
  });
  Object.assign(values, read());

  function apply(force = false) {
    const now = read();
    const same = Object.keys(now).every((k) => now[k] === values[k]);
    if (!force && same && state.page === 0 && results.childElementCount > 0) return;
    Object.assign(values, now);
    if (opts.route) {
      const shown = Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== (opts.defaults || {})[k]));
      keepInAddress(opts.route, shown);
    }
    state.cursors = [null];
    state.page = 0;
    load();
  }
  const stopSearch = opts.search ? onSearch(opts.search, () => apply()) : () => {};
  for (const control of Object.values(filters)) control.addEventListener('change', () => apply());

  function go(page) {
    if (page < 0 || page >= state.cursors.length) return;
    state.page = page;
    load(true);
  }

  async function load(fromPager = false) {
    if (state.controller) state.controller.abort();
    const controller = new AbortController();
    state.controller = controller;
    results.setAttribute('aria-busy', 'true');
    prev.disabled = true;
    next.disabled = true;
    let data;
    try {
      data = await api('GET', opts.path, {
        query: { ...values, limit: opts.pageSize, cursor: state.cursors[state.page] },
        signal: controller.signal,
      });
    } catch (err) {
      if (err.name === 'AbortError' || !opts.ctx.alive()) return;
      results.removeAttribute('aria-busy');
      if (err.status === 401) return;
      replace(results, h('div', { class: 'alert alert-error', role: 'alert' },
        h('p', { text: `The ${opts.noun} could not be loaded. ${err.message}` }),
        h('button', { type: 'button', class: 'btn', text: 'Try again', onclick: () => load() })));
      pager.hidden = true;
      return;
    }
    if (!opts.ctx.alive() || controller.signal.aborted) return;
    state.controller = null;
    results.removeAttribute('aria-busy');
    const items = Array.isArray(data && data.items) ? data.items : [];
    state.cursors.length = state.page + 1;
    if (state.page === 0) {
      const n = data && typeof data.total === 'number' ? data.total : null;
      state.total = n === null ? '' : `${n.toLocaleString('en')}${data.total_exact === false ? '+' : ''}`;
      if (n !== null && opts.onTotal) opts.onTotal(n, data.total_exact !== false);
    }
    if (data && data.next_cursor) state.cursors.push(String(data.next_cursor));
    const more = state.cursors.length > state.page + 1;

    if (!items.length && state.page === 0) {
      replace(results, opts.empty());
      pager.hidden = true;
      live.textContent = opts.emptyText();
      return;
    }
    replace(results, opts.draw(items, state.page));
    const from = state.page * opts.pageSize + 1;
    const to = state.page * opts.pageSize + items.length;
    range.textContent = `Showing ${from}\u2013${to}${state.total ? ` of ${state.total}` : ''}`;
    prev.disabled = state.page === 0;
    next.disabled = !more;
    pager.hidden = state.page === 0 && !more;
    live.textContent = `Showing ${opts.noun} ${from} to ${to}${state.total ? ` of ${state.total}` : ''}${more ? '' : ' (last page)'}.`;
    if (fromPager) {
      // Keep the keyboard where it was; if that button just became disabled, use the other.
      const keep = document.activeElement;
      if (keep === prev && prev.disabled) next.focus();
      if (keep === next && next.disabled) prev.focus();
      results.scrollIntoView({ block: 'start', behavior: 'auto' });
    }
  }

  return {
    results, pager, live, values, apply,
    stop() {
      stopSearch();
      if (state.controller) state.controller.abort();
    },
  };
}

/** Calls `restart()` 250 ms after typing in `search` stops, or at once on Enter. Returns a cancel function. */
export function onSearch(search, restart) {
  let debounce = 0;
  search.addEventListener('input', () => {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(() => restart(), 250);
  });
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      window.clearTimeout(debounce);
      restart();
    }
  });
  return () => window.clearTimeout(debounce);
}

/** Keeps a list's filters in the address (shareable, survives reload) without a route change. */
export function keepInAddress(route, filters) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  const qs = params.toString();
  window.history.replaceState(null, '', `#/${route}${qs ? `?${qs}` : ''}`);
}
