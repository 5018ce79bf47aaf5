// The client portal (/portal/, or a firm's own address /portal/<slug>/): the kit's shell (web/shared/js/shell.js) with the client's
// sign-in, the activation page of the invitation e-mail, the header-and-tabs layout and the
// portal's words. Every other page is a plugin view listed by /api/v1/nav (My matters,
// Account, ...), loaded from /plugins/<id>/ when opened. Its start page shows the
// "portal.home.cards" contributions, or opens the first tab when there are none.
//
// Read-only by design: the only changes a client can make are to their own password and
// sessions (the portal module's account page); the portal's other calls are GETs.

import { h } from '../../shared/js/dom.js';
import { api } from '../../shared/js/api.js';
import { startShell } from '../../shared/js/shell.js';
import { signInPage } from '../../shared/js/signin.js';
import { headerLayout } from './layout.js';
import { activatePage } from './activate.js';
import { firmSlugOfAddress, portalHome } from './firm_address.js';

// At a firm's own address the sign-in page shows that firm and asks for no firm name; an
// address no firm has falls back to the general page (with the Firm field).
const slug = firmSlugOfAddress();
let face = null;
if (slug) {
  try {
    face = await api('GET', `public/firms/${encodeURIComponent(slug)}`, { quiet401: true });
  } catch {
    face = null;
  }
}

startShell({
  kind: 'portal',
  prefix: 'lexos.portal',
  root: document.getElementById('app'),
  titleSuffix: (me) => (me && (me.firm_name || me.firm)) || 'Client portal',
  layout: headerLayout,
  homePoint: 'portal.home.cards',
  routes: [
    {
      route: 'signin',
      public: true,
      render: signInPage({
        heading: 'Sign in to your client portal',
        lead: face ? `Follow the progress of your matters with ${face.name}, at any time.`
          : 'Follow the progress of your matters with your law firm, at any time.',
        firm: face,
        firmHint: 'Your law firm\u2019s short name, for example \u201canderson\u2011law\u201d. Ask your firm if you do not have it.',
        foot: 'New here? Your firm sends you an invitation by email to set up your account.',
        tag: 'Client portal',
        below: h('p', { class: 'auth-legal' }, 'Work at the firm? ', h('a', { href: '/app/', text: 'Sign in to the staff app' })),
      }),
    },
    { route: 'activate/{token}', public: true, render: activatePage(face, portalHome(face)) },
  ],
  words: {
    sessionEnded: 'Your session has ended. Sign in again.',
    notFound: 'This page does not exist in your portal.',
    notFoundLink: 'Go to my start page',
    noModules: 'Your firm has not shared anything here yet.',
    otherKind: {
      heading: 'This is the client portal',
      lines: ['You are signed in as a member of the firm\u2019s staff.', 'Clients see their matters here. Your work is in the staff app.'],
      href: '/app/',
      link: 'Go to the staff app',
    },
  },
});
