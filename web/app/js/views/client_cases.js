// The "Cases" card of a client's page (people with cases.read, when the cases module is on):
// the client's matters, newest first (the first ten, then "Show all"), and "New case", which
// opens the form with this client chosen.

import { h, icon, replace, uid } from '../dom.js';
import { calendarDate } from '../format.js';
import { can } from '../session.js';
import { caseHref, clientCases, phaseBadge } from './case_parts.js';

const SHOWN = 10;

/** Builds the card for `client`; it loads its list itself. Returns { el }. */
export function clientCasesCard(client, ctx) {
  const titleId = uid('cases');
  const newHref = `#/cases/new?client=${encodeURIComponent(String(client.id))}`;
  const body = h('div', { class: 'client-cases' }, h('p', { class: 'muted', text: 'Loading cases\u2026' }));
  const count = h('span', { class: 'card-count' });
  const el = h('section', { class: 'card cases-card', 'aria-labelledby': titleId },
    h('div', { class: 'card-head' },
      h('h2', { class: 'card-title', id: titleId }, 'Cases', count),
      can('cases.write') ? h('button', { type: 'button', class: 'btn btn-small btn-primary', onclick: () => ctx.navigate(newHref) },
        icon('plus', 'icon icon-sm'), h('span', { text: 'New case' })) : null),
    body);
  load();
  return { el };

  async function load() {
    let items;
    try {
      items = await clientCases(client.id);
    } catch (err) {
      if (!ctx.alive() || err.status === 401) return;
      replace(body, h('div', { class: 'alert alert-error', role: 'alert' },
        h('p', { text: `The cases could not be loaded. ${err.message}` }),
        h('button', { type: 'button', class: 'btn', text: 'Try again', onclick: () => load() })));
      return;
    }
    if (!ctx.alive()) return;
    count.textContent = items.length ? ` (${items.length})` : '';
    if (!items.length) {
      replace(body, h('p', { class: 'muted cases-empty', text: 'No cases for this client yet.' }));
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
    replace(body, list, more);
  }

  function row(c) {
    return h('li', { class: 'case-row' },
      h('div', { class: 'case-row-main' },
        h('a', { class: 'row-link', href: caseHref(c.id), text: c.title }),
        h('p', { class: 'case-row-meta' },
          h('span', { class: 'matter-no', text: c.matter_number }),
          c.practice_area ? ` \u00b7 ${c.practice_area}` : '',
          ` \u00b7 Opened ${calendarDate(c.opened_on)}`)),
      phaseBadge(c.phase, c.phase_label));
  }
}
