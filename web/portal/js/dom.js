// DOM helpers for the client portal. Everything the portal shows is built here with
// createElement and textContent: no string of HTML is ever parsed, so nothing the server sends
// (a matter's title, an update written by staff) can become markup.

/**
 * Creates an element. `attrs` keys: `class` (string or array), `text` (textContent),
 * `on<event>` (listener), boolean attributes as true/false, everything else via setAttribute.
 * Children: nodes, strings (as text nodes) or nested arrays of those; null/false are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'value' && 'value' in el) el.value = String(value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, strings, nested arrays) to `parent`. */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces all children of `parent`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

const SVG = 'http://www.w3.org/2000/svg';

const ICONS = {
  check: ['M4.5 10.5l3.5 3.5 7.5-8'],
  folder: ['M2.5 5.5h5l1.5 2h8.5v8h-15z'],
  doc: ['M5 2.5h6.5l3.5 3.5v11.5H5z', 'M11.5 2.5V6h3.5'],
  bill: ['M4.5 2.5h11v15l-2-1.3-1.8 1.3-1.7-1.3-1.7 1.3-1.8-1.3-2 1.3z', 'M7.5 7h5M7.5 10h5'],
  user: ['M10 9.5a3.25 3.25 0 1 0 0-6.5 3.25 3.25 0 0 0 0 6.5z', 'M3.5 17c.8-3.2 3.3-5 6.5-5s5.7 1.8 6.5 5'],
  grid: ['M3.5 3.5h5v5h-5zM11.5 3.5h5v5h-5zM3.5 11.5h5v5h-5zM11.5 11.5h5v5h-5z'],
  left: ['M12 5l-5 5 5 5'],
  right: ['M8 5l5 5-5 5'],
  out: ['M8 4.5H4.5v11H8', 'M12 6.5L15.5 10 12 13.5M15.5 10H8'],
  mail: ['M3 5h14v10H3z', 'M3.5 5.5L10 11l6.5-5.5'],
  lock: ['M5.5 9h9v8h-9z', 'M7.5 9V6.5a2.5 2.5 0 0 1 5 0V9'],
  shield: ['M10 2.5l6 2.5v4.5c0 4-2.7 6.8-6 8-3.3-1.2-6-4-6-8V5z', 'M7.3 10l2 2 3.5-4'],
  chat: ['M3.5 4.5h13v9h-7l-4 3v-3h-2z'],
  clock: ['M10 3.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13z', 'M10 6.5V10l2.5 1.5'],
  dot: ['M10 8a2 2 0 1 0 0 4 2 2 0 0 0 0-4z'],
};

/** A small decorative icon (aria-hidden); `name` is one of the shapes above. */
export function icon(name, cls = 'icon') {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 20 20');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', cls);
  for (const d of ICONS[name] || ICONS.dot) {
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d);
    svg.append(p);
  }
  return svg;
}

/** The LexOS mark: a teal square with an L (decorative). */
export function logo() {
  return h('span', { class: 'brand-logo', 'aria-hidden': 'true', text: 'L' });
}

/** Visually hidden text for assistive technology. */
export function srOnly(text) {
  return h('span', { class: 'sr-only', text });
}

/** Moves focus to `el`, making it focusable by script only when it is not focusable already. */
export function focusElement(el) {
  if (!el) return;
  if (!el.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) {
    el.setAttribute('tabindex', '-1');
  }
  el.focus({ preventScroll: false });
}

let idCounter = 0;
/** A document-unique id with a readable prefix. */
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}
