// The kit's DOM helpers (web/shared/js/dom.js, served at /shared/js/dom.js): both shells and
// every plugin screen build their markup with these. Everything is made with createElement and
// textContent: no string of HTML is ever parsed, so data from the server (a client's name, an
// update written by staff) cannot become markup, and nothing needs an inline script or style
// (the server's Content-Security-Policy forbids both).

/**
 * Creates an element. `attrs` keys: `class`, `text` (textContent), `on<Event>` (listener),
 * `dataset` (object), boolean attributes as true/false, everything else via setAttribute.
 * Children: nodes, strings (as text nodes), arrays of those; null/false are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
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

/** A small decorative icon (aria-hidden); `name` is one of the paths below. */
export function icon(name, cls = 'icon') {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 20 20');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', cls);
  const d = ICONS[name] || ICONS.dot;
  for (const part of d) {
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', part);
    svg.append(p);
  }
  return svg;
}

const ICONS = {
  check: ['M4.5 10.5l3.5 3.5 7.5-8'],
  clock: ['M10 3.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13z', 'M10 6.5V10l2.5 1.5'],
  cross: ['M6 6l8 8M14 6l-8 8'],
  dash: ['M6 10h8'],
  plus: ['M10 4.5v11M4.5 10h11'],
  search: ['M8.5 3.5a5 5 0 1 0 0 10 5 5 0 0 0 0-10z', 'M12.2 12.2L16.5 16.5'],
  menu: ['M3.5 6h13M3.5 10h13M3.5 14h13'],
  left: ['M12 5l-5 5 5 5'],
  right: ['M8 5l5 5-5 5'],
  users: ['M7.5 9a3 3 0 1 0 0-6 3 3 0 0 0 0 6z', 'M2.5 16.5c.6-3 2.6-4.5 5-4.5s4.4 1.5 5 4.5',
          'M13 3.3a3 3 0 0 1 0 5.5', 'M14.5 12.2c1.5.5 2.6 1.9 3 4.3'],
  folder: ['M2.5 5.5h5l1.5 2h8.5v8h-15z'],
  doc: ['M5 2.5h6.5l3.5 3.5v11.5H5z', 'M11.5 2.5V6h3.5'],
  bill: ['M4.5 2.5h11v15l-2-1.3-1.8 1.3-1.7-1.3-1.7 1.3-1.8-1.3-2 1.3z', 'M7.5 7h5M7.5 10h5'],
  grid: ['M3.5 3.5h5v5h-5zM11.5 3.5h5v5h-5zM3.5 11.5h5v5h-5zM11.5 11.5h5v5h-5z'],
  dot: ['M10 8a2 2 0 1 0 0 4 2 2 0 0 0 0-4z'],
  out: ['M8 4.5H4.5v11H8', 'M12 6.5L15.5 10 12 13.5M15.5 10H8'],
  eye: ['M1.8 10S4.8 4.5 10 4.5 18.2 10 18.2 10 15.2 15.5 10 15.5 1.8 10 1.8 10z', 'M10 7.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z'],
  eyeOff: ['M8.2 4.7A8 8 0 0 1 10 4.5c5.2 0 8.2 5.5 8.2 5.5a14 14 0 0 1-2.2 2.8', 'M5.3 5.9A13.6 13.6 0 0 0 1.8 10s3 5.5 8.2 5.5a7.7 7.7 0 0 0 3.9-1',
           'M8.2 8.2a2.5 2.5 0 0 0 3.6 3.6', 'M3 3l14 14'],
  lock: ['M5 9h10v8H5z', 'M7 9V6.5a3 3 0 0 1 6 0V9'],
  mail: ['M2.5 5h15v10h-15z', 'M2.5 5.5L10 11l7.5-5.5'],
  note: ['M4.5 3.5h11v9l-4 4h-7z', 'M11.5 16.5v-4h4', 'M7.5 7.5h5M7.5 10h3'],
  user: ['M10 9.5a3.2 3.2 0 1 0 0-6.4 3.2 3.2 0 0 0 0 6.4z', 'M3.5 17c.7-3.3 3.3-5 6.5-5s5.8 1.7 6.5 5'],
  calendar: ['M3.5 5h13v11.5h-13z', 'M3.5 8.5h13M7 3v3.5M13 3v3.5'],
  send: ['M3 10l14-6.5-4.5 14-3-5.5z', 'M9.5 12L17 3.5'],
  shield: ['M10 2.5l6 2.5v4.5c0 4-2.7 6.8-6 8-3.3-1.2-6-4-6-8V5z', 'M7.3 10l2 2 3.5-4'],
  chat: ['M3.5 4.5h13v9h-7l-4 3v-3h-2z'],
};

/** The LexOS mark: a teal square with an L (decorative). */
export function logo() {
  return h('span', { class: 'brand-logo', 'aria-hidden': 'true', text: 'L' });
}

/** Visually hidden text for assistive technology. */
export function srOnly(text) {
  return h('span', { class: 'sr-only', text });
}

/** Moves focus to `el` (making it focusable for scripts only when it is not). */
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

const styles = new Map();
/**
 * Adds a stylesheet to the page once (a plugin's own CSS: `useStyles(new URL('./notes.css',
 * import.meta.url))`) and resolves when it has loaded, or failed (the page then works
 * unstyled rather than not at all). Same-origin <link>s are what the CSP allows; inline
 * styles are not.
 */
export function useStyles(href) {
  const url = new URL(String(href), document.baseURI).href;
  if (!styles.has(url)) {
    styles.set(url, new Promise((resolve) => {
      const link = h('link', { rel: 'stylesheet', href: url });
      link.addEventListener('load', () => resolve(true));
      link.addEventListener('error', () => resolve(false));
      document.head.append(link);
    }));
  }
  return styles.get(url);
}
