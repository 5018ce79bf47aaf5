// The staff app (/app/): the kit's shell (web/shared/js/shell.js) with the staff's sign-in,
// the first-start page, the sidebar layout and the staff's words. Every other page is a plugin
// view listed by /api/v1/nav (clients, cases, ...), loaded from /plugins/<id>/ when opened.

import { h } from '../../shared/js/dom.js';
import { startShell } from '../../shared/js/shell.js';
import { signInPage } from '../../shared/js/signin.js';
import { sidebarLayout } from './layout.js';
import { setupPage } from './setup.js';
import { firmSettingsPage } from './firm.js';
import { accountSecurityPage, firmSecurityPage } from './security.js';
import { staffPage } from './staff.js';
import { modulesPage } from './modules.js';
import { auditPage } from './audit.js';
import { joinPage } from './join.js';
import { apiDescriptionPage } from './api_description.js';

startShell({
  kind: 'staff',
  prefix: 'lexos.staff',
  root: document.getElementById('app'),
  titleSuffix: () => 'LexOS',
  layout: sidebarLayout,
  routes: [
    {
      route: 'signin',
      public: true,
      render: signInPage({
        heading: 'Sign in to LexOS',
        lead: 'For the firm\u2019s staff. Clients sign in to the portal.',
        firmHint: 'Your firm\u2019s short name, for example \u201csmith-partners\u201d.',
        foot: ['Are you a client? ', h('a', { href: '/portal/', text: 'Go to the client portal' })],
      }),
    },
    { route: 'setup/{token}', public: true, render: setupPage },
    { route: 'firm/settings', render: firmSettingsPage, title: 'Firm settings' },
    { route: 'account/security', render: accountSecurityPage, title: 'Sign-in security' },
    { route: 'firm/security', render: firmSecurityPage, title: 'Two-step sign-in for the firm' },
    { route: 'join/{token}', public: true, render: joinPage },
    { route: 'firm/staff', render: staffPage, title: 'Staff' },
    { route: 'firm/modules', render: modulesPage, title: 'Modules' },
    { route: 'firm/audit', render: auditPage, title: 'Audit log' },
    { route: 'firm/api', render: apiDescriptionPage, title: 'API' },
  ],
  words: {
    sessionEnded: 'Your session has ended. Sign in again to continue.',
    notFound: 'This page does not exist or is not available to you.',
    notFoundLink: 'Go to the start page',
    noModules: 'No modules are enabled for you yet. The firm\u2019s owner can enable them with lexosctl firm modules.',
    otherKind: {
      heading: 'This is the staff app',
      lines: ['You are signed in as a client.', 'Your matters and documents are in the client portal.'],
      href: '/portal/',
      link: 'Go to the client portal',
    },
  },
});
