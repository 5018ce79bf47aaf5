// A page the portal does not have.

import { h } from '../dom.js';

export function notFoundView(container) {
  document.title = 'Page not found \u2014 Client portal';
  const heading = h('h1', { text: 'Page not found' });
  container.append(h('section', { class: 'page narrow' }, heading,
    h('p', { class: 'muted', text: 'This page does not exist in your portal.' }),
    h('p', {}, h('a', { class: 'btn btn-primary', href: '#/', text: 'Go to my matters' }))));
  return { focus: heading };
}
