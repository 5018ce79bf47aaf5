// Extension points: a host page (the staff client profile, the staff case page, the portal's
// matter page and home) gives each contribution a plugin declared for its point a card of its
// own: a heading with the contribution's title, a place for buttons beside it, and a mount the
// plugin's module fills through its `render(mount, kit, ctx)`. Modules load lazily and in
// parallel; one that fails to load or throws shows a contained error in its own card and
// leaves the page and the other cards alone.

import { h, replace, uid } from './dom.js';
import { session, contributionsTo } from './session.js';
import * as kit from './kit.js';

/** Imports a plugin's ES module by its URL path ("/plugins/notes/card.js"). */
export function importModule(src) {
  if (typeof src !== 'string' || !/^\/plugins\/[a-z][a-z0-9_-]*\/[^?#]+\.m?js$/.test(src)) {
    return Promise.reject(new Error(`not a plugin module: ${src}`));
  }
  return import(src);
}

/**
 * Renders the contributions to `point` into `container` (appended, one card each, in order).
 * `data` is what the host page tells its cards (for "staff.client.cards": { client_id, client });
 * `host` is the page's ctx (navigate, alive, onCleanup). Returns { cards, update(data) }:
 * update() hands changed data to every card that asked with ctx.onUpdate(fn).
 */
export function renderPoint(point, container, data, host) {
  const cards = contributionsTo(point).map((c) => renderOne(c, container, data, host));
  return {
    cards,
    update(next) {
      for (const card of cards) card.update(next);
    },
  };
}

function renderOne(c, container, data, host) {
  const headingId = uid('card');
  const heading = h('h2', { class: 'card-title', id: headingId, text: c.title || '' });
  const actions = h('div', { class: 'card-actions' });
  const mount = h('div', { class: 'card-body' }, h('p', { class: 'muted', role: 'status', text: 'Loading\u2026' }));
  const el = h('section', { class: 'card ext-card', 'aria-labelledby': headingId, dataset: { point: c.point, module: c.module } },
    h('div', { class: 'card-head' }, heading, actions), mount);
  container.append(el);
  const listeners = [];
  const ctx = {
    ...data,
    point: c.point,
    module: c.module,
    title: c.title,
    heading,
    actions,
    principal: session.me,
    navigate: host.navigate,
    alive: host.alive,
    onCleanup: host.onCleanup,
    onUpdate: (fn) => listeners.push(fn),
  };
  const failed = (err) => {
    if (!host.alive()) return;
    // eslint-disable-next-line no-console
    console.error(`LexOS: the card "${c.title}" of module ${c.module} (${c.src}) failed:`, err);
    replace(actions);
    replace(mount, h('p', { class: 'alert alert-error card-error', role: 'alert',
      text: `This card could not be shown. Reload the page to try again; if it keeps failing, tell the firm\u2019s administrator (module \u201c${c.module}\u201d).` }));
  };
  importModule(c.src)
    .then(async (mod) => {
      if (!host.alive()) return;
      if (typeof mod.render !== 'function') throw new Error(`${c.src} exports no render(mount, kit, ctx)`);
      mount.replaceChildren();
      const result = await mod.render(mount, kit, ctx);
      if (result && typeof result.cleanup === 'function') host.onCleanup(result.cleanup);
    })
    .catch(failed);
  return {
    el,
    update(next) {
      Object.assign(ctx, next);
      for (const fn of listeners) {
        try {
          fn(ctx);
        } catch (err) {
          failed(err);
        }
      }
    },
  };
}
