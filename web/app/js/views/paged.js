// One page of a keyset-paginated list (the server's next_cursor), shared by the directory views:
// cancels the previous request, marks the results busy, shows a retry on failure, and records
// the cursor of the following page.

import { h, replace } from '../dom.js';
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
