// The kit's page pieces: the header of a page (heading, a line under it, its buttons), a
// breadcrumb back to a list, the one-time message a page shows after a change, and the
// Search toolbar above a list.

import { h, icon } from './dom.js';

/** The page header: `heading` (an h1 element), an optional line under it, buttons on the right. */
export function pageHeader(heading, sub = '', ...actions) {
  const buttons = actions.flat().filter(Boolean);
  return h('div', { class: 'page-header' },
    h('div', {}, heading, sub ? h('p', { class: 'page-sub', text: sub }) : null),
    buttons.length ? h('div', { class: 'page-actions' }, buttons) : null);
}

/** A breadcrumb: a link back ("← Clients"), then the current page's name when there is one. */
export function breadcrumb(href, text, current = '') {
  return h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
    h('a', { href }, icon('left', 'icon icon-sm'), h('span', { text })),
    current ? [h('span', { class: 'crumb-sep', 'aria-hidden': 'true', text: '/' }), h('span', { 'aria-current': 'page', text: current })] : null);
}

/** The message left by ctx.navigate(hash, flash), announced politely; null when there is none. */
export function flashMessage(text) {
  return text ? h('p', { class: 'alert alert-success', role: 'status', text }) : null;
}

/**
 * The toolbar above a list (role=search): a labelled Search box with its icon, then filters
 * given as [label, control] (each control with an id). Returns { el, search }: `search` is
 * the input (id `${id}`, aria-controls `controls`).
 */
export function searchToolbar({ id, value = '', placeholder = '', controls }, ...filters) {
  const search = h('input', {
    type: 'search', id, name: 'q', value, autocomplete: 'off', placeholder, 'aria-controls': controls, spellcheck: 'false',
  });
  const el = h('div', { class: 'toolbar', role: 'search' },
    h('div', { class: 'toolbar-field toolbar-search' },
      h('label', { for: id, class: 'label', text: 'Search' }),
      h('div', { class: 'input-icon' }, icon('search', 'icon input-icon-glyph'), search)),
    filters.map(([label, control]) => h('div', { class: 'toolbar-field' },
      h('label', { for: control.id, class: 'label', text: label }), control)));
  return { el, search };
}

/**
 * A data table in a card: `columns` [[class, heading]], a caption for screen readers, `rows`
 * (tr elements, see tableRow). Below 640 px wide each row becomes a card of labelled values.
 */
export function dataTable({ cls, caption, columns }, rows) {
  return h('div', { class: 'table-card' },
    h('table', { class: ['data-table', cls] }, h('caption', { class: 'sr-only', text: caption }),
      // A column may bring its own header content (a sort button) and attributes (aria-sort).
      h('thead', {}, h('tr', {}, columns.map(([col, text, head]) => (head
        ? h('th', { scope: 'col', class: col, ...head.attrs }, head.content)
        : h('th', { scope: 'col', class: col, text }))))),
      h('tbody', {}, rows)));
}

/**
 * A table row of `cells` ([class, label, content], the label shown beside the value on a
 * phone) that opens `href` when clicked anywhere: the mouse's target, while the link inside
 * stays the keyboard's way in.
 */
export function tableRow(href, navigate, cells, attrs = {}) {
  const tr = h('tr', attrs, cells.map(([col, label, content]) => h('td', { class: col, dataset: { label } }, content)));
  tr.addEventListener('click', (ev) => {
    if (ev.target.closest('a, button') || window.getSelection().toString()) return;
    navigate(href);
  });
  return tr;
}
