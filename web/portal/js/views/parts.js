// Small pieces several pages share: a loading line, a page-level error, a card.

import { h } from '../dom.js';

/** A polite "Loading…" line, announced to screen readers. */
export function loadingBlock(text) {
  return h('p', { class: 'loading muted', role: 'status', text });
}

/** A page-level error with a Try again button (reloads the page's data). */
export function pageError(err, fallback) {
  return h('div', { class: 'alert alert-error', role: 'alert' },
    h('p', { text: (err && err.message) || fallback }),
    h('button', { type: 'button', class: 'btn', text: 'Try again', onclick: () => window.dispatchEvent(new HashChangeEvent('hashchange')) }));
}

/** A titled card: `<section class="card">` with an h2. */
export function card(title, body, { id, cls } = {}) {
  const headingId = id || undefined;
  return h('section', { class: ['card', cls], 'aria-labelledby': headingId },
    h('h2', { class: 'card-title', id: headingId, text: title }), body);
}
