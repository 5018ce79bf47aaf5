// The cases module's card on the client profile (extension point "staff.client.cards",
// people with cases.read): the client's matters, newest first (the first ten, then "Show
// all"), and "New case", which opens the form with this client chosen.

import { h, icon, replace, can, calendarDate } from '/shared/js/kit.js';
import { caseHref, clientCases, phaseBadge, styles } from './parts.js';

const SHOWN = 10;

export async function render(mount, kit, ctx) {
  await styles();
  const count = h('span', { class: 'card-count' });
  ctx.heading.append(count);
  if (can('cases.write')) {
    const newHref = `#/cases/new?client=${encodeURIComponent(String(ctx.client_id))}`;
    ctx.actions.append(h('button', { type: 'button', class: 'btn btn-small btn-primary', onclick: () => ctx.navigate(newHref) },
      icon('plus', 'icon icon-sm'), h('span', { text: 'New case' })));
  }
  mount.classList.add('client-cases');
  replace(mount, h('p', { class: 'muted', text: 'Loading cases\u2026' }));
  await load();

  async function load() {
    let items;
    try {
      items = await clientCases(ctx.client_id);
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      replace(mount, h('div', { class: 'alert alert-error', role: 'alert' },
        h('p', { text: `The cases could not be loaded. ${err.message}` }),
        h('button', { type: 'button', class: 'btn', text: 'Try again', onclick: () => load() })));
      return;
    }
    if (!ctx.alive()) return;
    count.textContent = items.length ? ` (${items.length})` : '';
    if (!items.length) {
      replace(mount, h('p', { class: 'muted cases-empty', text: 'No cases for this client yet.' }));
      return;
    }
    const list = h('ul', { class: 'case-rows' }, items.slice(0, SHOWN).map(row));
    const more = items.length > SHOWN ? h('p', { class: 'card-more' }, h('button', {
      type: 'button', class: 'btn btn-small btn-ghost',
      onclick: () => {
        const first = list.children.length;
        list.append(...items.slice(SHOWN).map(row));
        more.remove();
        list.children[first].querySelector('a').focus();
      },
    }, h('span', { text: `Show all ${items.length} cases` }))) : null;
    replace(mount, list, more);
  }
}

function row(c) {
  return h('li', { class: 'case-row' },
    h('div', { class: 'case-row-main' },
      h('a', { class: 'row-link', href: caseHref(c.id), text: c.title }),
      h('p', { class: 'case-row-meta' },
        h('span', { class: 'matter-no', text: c.matter_number }),
        c.practice_area ? ` \u00b7 ${c.practice_area}` : '',
        ` \u00b7 Opened ${calendarDate(c.opened_on)}`)),
    phaseBadge(c.builtin_phase || c.phase, c.phase_label));
}
