// The portal's DOM helpers: the shared ones (web/shared/js/dom.js, served at /shared/) and the
// portal's mark.
import { h } from '../../shared/js/dom.js';

export * from '../../shared/js/dom.js';

/** The LexOS mark: a teal square with an L (decorative). */
export function logo() {
  return h('span', { class: 'brand-logo', 'aria-hidden': 'true', text: 'L' });
}
