// One page of a keyset-paginated list (the server's next_cursor), shared by the directory views:
// cancels the previous request, marks the results busy, shows a retry on failure, and records
// the cursor of the following page.

import { h, icon, replace } from '../dom.js';
import { api } from '../api.js';

/**
 * Loads page `state.page` of `path` (cursors kept in `state.cursors`). Returns the items, or
 * null when the request failed (an error with "Try again" is shown), was superseded or the
 * view is gone. `noun` names the things in the error message ("cases").
 */
export async function fetchPage(state, { path, query, pageSize, results, pager, prev, next, noun, ctx, retry }) {
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  results.setAttribute('aria-busy', 'true');
  prev.disabled = true;
  next.disabled = true;
  let data;
  try {
    data = await api('GET', path, {
      query: { ...query, limit: pageSize, cursor: state.cursors[state.page] },
      signal: controller.signal,
    });
  } catch (err) {
    if (err.name === 'AbortError' || !ctx.alive()) return null;
    results.removeAttribute('aria-busy');
    if (err.status === 401) return null;
    replace(results, h('div', { class: 'alert alert-error', role: 'alert' },
      h('p', { text: `The ${noun} could not be loaded. ${err.message}` }),
      h('button', { type: 'button', class: 'btn', text: 'Try again', onclick: () => retry() })));
    pager.hidden = true;
    return null;
  }
  if (!ctx.alive() || controller.signal.aborted) return null;
  state.controller = null;
  results.removeAttribute('aria-busy');
  const items = Array.isArray(data && data.items) ? data.items : [];
  const nextCursor = data && data.next_cursor ? String(data.next_cursor) : null;
  state.cursors.length = state.page + 1;
  if (nextCursor) state.cursors.push(nextCursor);
  return items;
}

/**
 * The pager under a list: Previous and Next (calling `go(page)`), the range text, in a nav that
 * fetchPage shows once there is more than one page.
 */
export function pagerControls(go, state) {
  const prev = h('button', { type: 'button', class: 'btn btn-pager', onclick: () => go(state.page - 1) },
    icon('left'), h('span', { text: 'Previous' }));
  const next = h('button', { type: 'button', class: 'btn btn-pager', onclick: () => go(state.page + 1) },
    h('span', { text: 'Next' }), icon('right'));
  const range = h('span', { class: 'pager-range' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages', hidden: true }, range, h('div', { class: 'pager-buttons' }, prev, next));
  return { prev, next, range, pager };
}

/** Runs `restart()` 250 ms after typing in `search` stops, or at once on Enter. */
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
}

/** Keeps a list's filters in the address (shareable, survives reload) without a route change. */
export function keepInAddress(route, filters) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  const qs = params.toString();
  window.history.replaceState(null, '', `#/${route}${qs ? `?${qs}` : ''}`);
}
