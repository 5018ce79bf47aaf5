// My matters (portal view "matters"): each of the client's matters with its current phase, a
// progress indicator, the latest shared update and the firm's contact. Open matters first,
// then closed ones.

import { h, icon, uid, api, session, calendarDate, initials, shortDate, timeEl } from '/shared/js/kit.js';
import { phaseStep, progressBar, styles } from './portal_parts.js';

/** Coming back to the tab after a while shows fresh data (the shell re-renders). */
export const refreshOnReturn = true;

export async function render(container, kit, ctx) {
  await styles();
  const firmName = session.me.firm_name || 'your law firm';
  ctx.setTitle('My matters');
  const heading = h('h1', { text: 'My matters' });
  const flash = ctx.takeFlash();
  const page = h('section', { class: 'page' },
    h('div', { class: 'page-header' }, heading,
      h('p', { class: 'page-sub', text: `${greeting()}Here is where your matters with ${firmName} stand.` })),
    flash ? h('div', { class: 'alert alert-success', role: 'status' }, icon('check', 'icon'), h('p', { text: flash })) : null);
  const body = h('p', { class: 'loading muted', role: 'status', text: 'Loading your matters\u2026' });
  page.append(body);
  container.append(page);

  let data;
  try {
    data = await api('GET', 'portal/cases');
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return null;
    body.replaceWith(pageError(err, 'Your matters could not be loaded.', ctx));
    return { focus: heading };
  }
  if (!ctx.alive()) return null;
  const items = Array.isArray(data && data.items) ? data.items : [];
  const open = items.filter((m) => !m.closed_on && (m.builtin_phase || m.phase) !== 'closed');
  const closed = items.filter((m) => m.closed_on || (m.builtin_phase || m.phase) === 'closed');

  if (!items.length) {
    body.replaceWith(h('div', { class: 'empty-state' },
      icon('folder', 'icon empty-icon'),
      h('h2', { text: 'No matters yet' }),
      h('p', { class: 'muted', text: `When ${firmName} opens a matter for you, you will see it here with its progress and news from your legal team.` })));
    return { focus: heading };
  }
  const parts = [];
  if (open.length) parts.push(h('ul', { class: 'matter-list', 'aria-label': 'Open matters' }, open.map((m) => h('li', {}, matterCard(m)))));
  else parts.push(h('p', { class: 'muted', text: 'You have no open matters at the moment.' }));
  if (closed.length) {
    parts.push(h('section', { class: 'closed-section', 'aria-labelledby': 'closed-heading' },
      h('h2', { class: 'section-title', id: 'closed-heading', text: 'Closed matters' }),
      h('ul', { class: 'matter-list' }, closed.map((m) => h('li', {}, matterCard(m))))));
  }
  body.replaceWith(...parts);
  return { focus: heading };
}

function greeting() {
  const name = (session.me.display_name || '').trim();
  return name ? `Welcome, ${name}. ` : '';
}

function matterCard(m) {
  const href = `#/matters/${encodeURIComponent(m.id)}`;
  const progressId = uid('progress');
  const s = phaseStep(m, m.phases);
  const contact = m.contact || {};
  const latest = m.latest_update;
  const meta = [m.matter_number ? `Matter ${m.matter_number}` : null, m.practice_area || null,
    m.closed_on ? `Closed ${calendarDate(m.closed_on, 'medium')}` : (m.opened_on ? `Opened ${calendarDate(m.opened_on, 'medium')}` : null)].filter(Boolean);
  return h('article', { class: 'matter-card' },
    h('div', { class: 'matter-head' },
      h('h2', { class: 'matter-title' }, h('a', { class: 'stretched-link', href, text: m.title })),
      h('span', { class: ['phase-badge', `phase-${m.builtin_phase || m.phase}`], text: s.label })),
    meta.length ? h('p', { class: 'matter-meta', text: meta.join(' \u00b7 ') }) : null,
    h('div', { class: 'matter-progress' },
      h('p', { class: 'progress-text', id: progressId }, h('span', { class: 'sr-only', text: 'Progress: ' }), s.text),
      progressBar(m, m.phases, { labelledBy: progressId })),
    latest ? h('div', { class: 'latest' },
      h('p', { class: 'latest-title' }, icon('chat', 'icon icon-sm'), h('span', { text: 'Latest update' }),
        h('span', { class: 'latest-date' }, timeEl(latest.created_at, shortDate(latest.created_at)))),
      h('p', { class: 'latest-text', text: latest.text }))
      : h('div', { class: 'latest latest-none' }, h('p', { class: 'muted', text: 'No updates yet. Your legal team will post news here.' })),
    h('div', { class: 'matter-foot' },
      contact.name || contact.email ? h('div', { class: 'matter-contact' },
        h('span', { class: 'avatar avatar-sm', 'aria-hidden': 'true', text: initials(contact.name || contact.email) }),
        h('p', {}, h('span', { class: 'contact-label', text: 'Your contact' }),
          h('span', { class: 'sr-only', text: ': ' }),
          h('span', { class: 'contact-name', text: contact.name || contact.email }))) : h('span'),
      h('span', { class: 'card-cta', 'aria-hidden': 'true' }, 'View matter', icon('right', 'icon icon-sm'))));
}

/** A page-level error with a Try again button (shows the page again). */
export function pageError(err, fallback, ctx) {
  return h('div', { class: 'alert alert-error', role: 'alert' },
    h('p', { text: (err && err.message) || fallback }),
    h('button', { type: 'button', class: 'btn', text: 'Try again', onclick: () => ctx.navigate(window.location.hash) }));
}
