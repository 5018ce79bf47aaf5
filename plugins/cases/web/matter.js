// One matter (portal view "matters/{id}"): where it stands (phase, progress, the firm's
// stages), the timeline of updates the legal team shared with the client, the firm's contact
// and the matter's details. Anything that is not the client's answers 404 and shows "Matter not
// found". Other modules add sections below the timeline through the extension point
// "portal.matter.sections" (ctx.case_id, ctx.matter).

import { h, icon, uid, api, calendarDate, capitalise, initials, momentText, timeEl, renderPoint, hasModule, can } from '/shared/js/kit.js';
import { PHASE_HINTS, phaseStep, progressBar, styles } from './portal_parts.js';
import { pageError } from './matters.js';

/** Coming back to the tab after a while shows fresh data (the shell re-renders). */
export const refreshOnReturn = true;

export async function render(container, kit, ctx) {
  await styles();
  const heading = h('h1', { text: 'Matter' });
  const page = h('section', { class: 'page' }, backLink(), h('div', { class: 'page-header' }, heading));
  const body = h('p', { class: 'loading muted', role: 'status', text: 'Loading the matter\u2026' });
  page.append(body);
  container.append(page);

  let m;
  try {
    m = await api('GET', `portal/cases/${encodeURIComponent(ctx.params.id)}`);
  } catch (err) {
    if (!ctx.alive() || err.status === 401) return null;
    if (err.status === 404) {
      ctx.setTitle('Matter not found');
      heading.textContent = 'Matter not found';
      body.replaceWith(h('div', { class: 'empty-state' },
        icon('folder', 'icon empty-icon'),
        h('p', { role: 'alert', text: 'We could not find this matter. It may not exist, or it is not shared with your account.' }),
        h('a', { class: 'btn btn-primary', href: '#/matters', text: 'See my matters' })));
    } else {
      body.replaceWith(pageError(err, 'This matter could not be loaded.', ctx));
    }
    return { focus: heading };
  }
  if (!ctx.alive()) return null;

  ctx.setTitle(m.title);
  heading.textContent = m.title;
  const phases = Array.isArray(m.phases) ? m.phases : [];
  const s = phaseStep(m, phases);
  const updates = (Array.isArray(m.updates) ? m.updates : []).slice().reverse(); // newest first
  const meta = [m.matter_number ? `Matter ${m.matter_number}` : null, m.practice_area || null].filter(Boolean);
  const sections = h('div', { class: 'stack ext-cards' });
  renderPoint('portal.matter.sections', sections, { case_id: m.id, matter: m }, ctx);

  page.replaceChildren(
    backLink(),
    h('div', { class: 'page-header matter-header' },
      h('div', { class: 'title-line' }, heading, h('span', { class: ['phase-badge', `phase-${m.builtin_phase || m.phase}`], text: s.label })),
      meta.length ? h('p', { class: 'page-sub', text: meta.join(' \u00b7 ') }) : null),
    h('div', { class: 'matter-grid' },
      h('div', { class: 'matter-main' },
        statusCard(m, phases, s),
        timeline(updates),
        sections),
      h('aside', { class: 'matter-side', 'aria-label': 'About this matter' },
        contactCard(m.contact || {}, m.title),
        detailsCard(m))));
  return { focus: heading };
}

function backLink() {
  return h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
    h('a', { href: '#/matters' }, icon('left', 'icon icon-sm'), h('span', { text: 'My matters' })));
}

function statusCard(m, phases, s) {
  const titleId = uid('status');
  const textId = uid('progress');
  // A plain-language note on the phase, unless the firm renamed it (then we do not know its meaning).
  const renamed = s.label && s.label !== capitalise(m.phase);
  const hint = !renamed ? PHASE_HINTS[m.builtin_phase || m.phase] : '';
  const list = phases.length ? phases : [];
  return h('section', { class: 'card status-card', 'aria-labelledby': titleId },
    h('h2', { class: 'card-title', id: titleId, text: 'Where things stand' }),
    h('p', { class: 'status-text', id: textId }, s.text),
    hint ? h('p', { class: 'status-hint muted', text: hint }) : null,
    progressBar(m, phases, { labelledBy: textId }),
    list.length ? h('ol', { class: 'stepper', 'aria-label': 'Stages of your matter' }, list.map((p, i) => {
      const n = i + 1;
      const state = n < s.step ? 'done' : n === s.step ? 'current' : 'next';
      return h('li', { class: ['step', `step-${state}`], 'aria-current': state === 'current' ? 'step' : undefined },
        h('span', { class: 'step-mark', 'aria-hidden': 'true' }, state === 'done' ? icon('check', 'icon') : String(n)),
        h('span', { class: 'step-label', text: p.label }),
        h('span', { class: 'sr-only', text: state === 'done' ? ' (completed)' : state === 'current' ? ' (current stage)' : '' }));
    })) : null);
}

function timeline(updates) {
  const titleId = uid('updates');
  return h('section', { class: 'card updates-card', 'aria-labelledby': titleId },
    h('div', { class: 'card-head' },
      h('h2', { class: 'card-title', id: titleId, text: 'Updates from your legal team' }),
      updates.length ? h('span', { class: 'count', text: updates.length === 1 ? '1 update' : `${updates.length} updates` }) : null),
    updates.length
      ? h('ol', { class: 'timeline' }, updates.map((u) => h('li', { class: 'timeline-item' },
        h('span', { class: 'timeline-dot', 'aria-hidden': 'true' }),
        h('p', { class: 'timeline-meta' }, timeEl(u.created_at, momentText(u.created_at)),
          u.author_name ? h('span', { class: 'timeline-author', text: ` \u00b7 ${u.author_name}` }) : null),
        h('p', { class: 'timeline-text', text: u.text }))))
      : h('p', { class: 'muted empty-line', text: 'No updates yet. When your legal team has news about this matter, you will find it here.' }));
}

function contactCard(contact, title) {
  const name = contact.name || contact.email || '';
  const titleId = uid('contact');
  if (!name) {
    return h('section', { class: 'card', 'aria-labelledby': titleId },
      h('h2', { class: 'card-title', id: titleId, text: 'Your contact' }),
      h('p', { class: 'muted', text: 'Your firm has not named a contact for this matter yet.' }));
  }
  const subject = encodeURIComponent(`About: ${title}`);
  return h('section', { class: 'card contact-card', 'aria-labelledby': titleId },
    h('h2', { class: 'card-title', id: titleId, text: 'Your contact' }),
    h('div', { class: 'contact-person' },
      h('span', { class: 'avatar', 'aria-hidden': 'true', text: initials(name) }),
      h('div', {},
        h('p', { class: 'contact-name', text: name }),
        contact.email ? h('p', { class: 'contact-email' }, h('a', { href: `mailto:${contact.email}`, text: contact.email })) : null)),
    writeButton(contact, subject),
    h('p', { class: 'hint', text: 'Questions about this matter? Your contact is happy to help.' }));
}

// With the messages module on, the matter's secure conversation (its section below, whose box has
// the id "messages-compose") takes the place of plain e-mail: "Write a message" goes there.
// Without it, "Write an email" opens the mail program as before (docs/messages.md).
function writeButton(contact, subject) {
  if (hasModule('messages') && can('messages.portal')) {
    return h('button', { type: 'button', class: 'btn btn-block', onclick: () => {
      const box = document.getElementById('messages-compose');
      if (!box) return;
      box.scrollIntoView({ block: 'center' });
      box.focus();
    } }, icon('chat'), h('span', { text: 'Write a message' }));
  }
  return contact.email ? h('a', { class: 'btn btn-block', href: `mailto:${contact.email}?subject=${subject}` },
    icon('mail'), h('span', { text: 'Write an email' })) : null;
}

function detailsCard(m) {
  const rows = [
    ['Matter number', m.matter_number],
    ['Type of matter', m.practice_area],
    ['Opened', m.opened_on ? timeEl(m.opened_on, calendarDate(m.opened_on, 'long')) : null],
    ['Closed', m.closed_on ? timeEl(m.closed_on, calendarDate(m.closed_on, 'long')) : null],
  ].filter(([, v]) => v);
  const titleId = uid('details');
  return h('section', { class: 'card', 'aria-labelledby': titleId },
    h('h2', { class: 'card-title', id: titleId, text: 'Matter details' }),
    h('dl', { class: 'details' }, rows.map(([k, v]) => h('div', { class: 'detail' }, h('dt', { text: k }), h('dd', {}, v)))));
}
