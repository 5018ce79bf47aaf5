// Plugin screens in both shells, run once per database backend by plugin_screens_*.test.mjs: a
// real lexosd with the bundled modules and the probe test plugin (a plugin of the test build
// with views and cards of its own, installed the way a third party's is). Two firms: alpha
// has switched the cases and probe modules off, beta has everything on.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiSession } from './lexos.mjs';
import { suiteRig } from './rig.mjs';
import { assertClean, signInStaff } from './browser.mjs';
import { eventually } from './suite.mjs';
import { activationMail, outboxFiles } from './portal.mjs';

const PASSWORD = 'correct horse battery staple';
const CLIENT_PASSWORD = 'copper kettle north window';
const ALPHA = { firm: 'alpha', email: 'owner@alpha.test', password: PASSWORD };
const BETA = { firm: 'beta', email: 'owner@beta.test', password: PASSWORD };

/**
 * Defines the suite. `backend`: 'sqlite' or 'postgresql'; `database()` resolves the PostgreSQL
 * URLs (or null for SQLite); `cleanup()` runs at the end.
 */
export function pluginScreensSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`plugin screens in Chromium (${backend})`, () => {
    let server;
    const ids = {};

    // A firm with an owner, a client, a case, and the client's portal account (activated).
    async function seedFirm(who, name) {
      await server.createFirmWithOwner({ slug: who.firm, name, email: who.email, password: who.password, displayName: `${name} Owner` });
      const staff = await apiSession(server.baseUrl, who);
      const clientEmail = `client@${who.firm}-client.test`;
      const client = await staff.json('POST', 'clients', { name: `${name} Client`, email: clientEmail });
      const kase = await staff.json('POST', 'cases', { client_id: client.id, title: `${name} v. Example`, phase: 'active' });
      const seen = outboxFiles(server.stateDir);
      await staff.json('POST', `clients/${client.id}/portal/invite`, {});
      const { link } = await activationMail(server.stateDir, seen);
      const res = await fetch(`${server.baseUrl.replace('//localhost:', '//127.0.0.1:')}/api/v1/portal/activate`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token: link.split('#/activate/')[1], password: CLIENT_PASSWORD }),
      });
      assert.equal(res.status, 200, `activation: ${await res.text()}`);
      return { client: client.id, case: kase.id, portal: { firm: who.firm, email: clientEmail, password: CLIENT_PASSWORD } };
    }

    const { newPage } = suiteRig({
      database, cleanup, lexos: { plugins: 'clients,cases,portal,probe', testPlugins: ['probe'] },
      seed: async (started) => {
        server = started;
        ids.alpha = await seedFirm(ALPHA, 'Alpha');
        ids.beta = await seedFirm(BETA, 'Beta');
        // Alpha switches two modules off (after its data exists): nothing of them may reach
        // alpha's browsers; beta is untouched.
        await server.lexosctl(['firm', 'modules', '--firm', ALPHA.firm, '--disable', 'cases', '--disable', 'probe']);
      },
    });

    /** A page that records the URL path of every /plugins/ request it makes. */
    async function openTracked(opts) {
      const p = await newPage(opts);
      p.pluginRequests = [];
      p.page.on('request', (r) => {
        const path = new URL(r.url()).pathname;
        if (path.startsWith('/plugins/')) p.pluginRequests.push(path);
      });
      return p;
    }

    const mainNav = (page) => page.getByRole('navigation', { name: 'Main' });
    const navEntries = (page) => mainNav(page).getByRole('list').getByRole('link').allTextContents();
    const status = (page, path) => page.evaluate(async (u) => (await fetch(u)).status, path);

    test('a view of a plugin renders from /plugins/<id>/ and gets its route\u2019s parameters', async () => {
      const p = await openTracked();
      const { page } = p;
      await signInStaff(page, server.baseUrl, BETA);
      // The bundled modules are plugins like any other: the directory came from /plugins/clients/.
      assert.ok(p.pluginRequests.includes('/plugins/clients/list.js'), `requests: ${p.pluginRequests.join(', ')}`);
      const [response] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/plugins/probe/probe_view.js'),
        mainNav(page).getByRole('link', { name: 'Probe' }).click(),
      ]);
      assert.equal(response.status(), 200);
      assert.match(response.headers()['content-type'], /^text\/javascript/);
      await page.getByRole('main').getByText('probe view {}', { exact: true }).waitFor();
      assert.equal(await page.title(), 'Probe \u2014 LexOS', 'the view\u2019s declared title');
      assert.equal(await mainNav(page).getByRole('link', { name: 'Probe' }).getAttribute('aria-current'), 'page');
      // A route with a parameter (owners hold probe.write, which the edit view needs).
      await page.goto(`${server.baseUrl}/app/#/probe/42/edit`);
      await page.getByRole('main').getByText('probe view {"id":"42"}', { exact: true }).waitFor();
      // Back to a view of a bundled module: the shell goes on as before.
      await mainNav(page).getByRole('link', { name: 'Clients' }).click();
      await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
      assertClean(p);
    });

    test('the client profile shows each module\u2019s card under its heading, in order', async () => {
      const p = await openTracked();
      const { page } = p;
      await signInStaff(page, server.baseUrl, BETA);
      await page.goto(`${server.baseUrl}/app/#/clients/${ids.beta.client}`);
      await page.getByRole('heading', { level: 1, name: 'Beta Client' }).waitFor();
      const probe = page.getByRole('region', { name: 'Probe card' });
      await probe.getByText('probe card', { exact: true }).waitFor();
      await page.getByRole('region', { name: /^Cases/ }).getByRole('link', { name: 'Beta v. Example' }).waitFor();
      await page.getByRole('region', { name: 'Client portal' }).getByText('Active \u2014 the client can sign in to the portal.').waitFor();
      const order = await page.locator('section.ext-card h2').allTextContents();
      assert.deepEqual(order.map((t) => t.replace(/\s*\(\d+\)$/, '')), ['Probe card', 'Cases', 'Client portal']);
      assertClean(p);
    });

    test('a module switched off for one firm loses its navigation, views and cards there, and only there', async () => {
      // Alpha: no Cases or Probe in the navigation, their views are "Page not found", their
      // cards are missing from the client profile, and the browser never asks for their files.
      const a = await openTracked();
      a.expectProblem(/status of 404 .*\/plugins\/(cases|probe)\//); // asked for on purpose below
      await signInStaff(a.page, server.baseUrl, ALPHA);
      assert.deepEqual(await navEntries(a.page), ['Clients', 'Firm settings', 'Staff', 'Modules', 'Audit log', 'API']);
      for (const route of ['cases', `cases/${ids.alpha.case}`, 'cases/new', 'probe']) {
        await a.page.goto(`${server.baseUrl}/app/#/${route}`);
        await a.page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
      }
      await a.page.goto(`${server.baseUrl}/app/#/clients/${ids.alpha.client}`);
      await a.page.getByRole('heading', { level: 1, name: 'Alpha Client' }).waitFor();
      // The portal module is still on for alpha: its card is there.
      await a.page.locator('section.ext-card[data-module="portal"]').getByText('Active \u2014 the client can sign in to the portal.').waitFor();
      assert.equal(await a.page.getByRole('region', { name: /^Cases/ }).count(), 0);
      assert.equal(await a.page.getByRole('region', { name: 'Probe card' }).count(), 0);
      assert.deepEqual(a.pluginRequests.filter((u) => /^\/plugins\/(cases|probe)\//.test(u)), [],
        'nothing of a switched-off module was requested');
      // Asked for directly, its files are not there for alpha.
      assert.equal(await status(a.page, '/plugins/cases/list.js'), 404);
      assert.equal(await status(a.page, '/plugins/probe/probe_card.js'), 404);
      assert.equal(await status(a.page, '/plugins/clients/list.js'), 200);

      // Beta, at the same time: all of it.
      const b = await openTracked();
      await signInStaff(b.page, server.baseUrl, BETA);
      assert.deepEqual(await navEntries(b.page), ['Clients', 'Cases', 'Probe', 'Firm settings', 'Practice areas', 'Staff', 'Modules', 'Audit log', 'API']);
      await b.page.goto(`${server.baseUrl}/app/#/cases/${ids.beta.case}`);
      await b.page.getByRole('heading', { level: 1, name: 'Beta v. Example' }).waitFor();
      await b.page.goto(`${server.baseUrl}/app/#/clients/${ids.beta.client}`);
      await b.page.getByRole('region', { name: /^Cases/ }).getByRole('link', { name: 'Beta v. Example' }).waitFor();
      await b.page.getByRole('region', { name: 'Probe card' }).getByText('probe card', { exact: true }).waitFor();
      assert.equal(await status(b.page, '/plugins/cases/list.js'), 200);
      assertClean(a);
      assertClean(b);
    });

    test('the portal: a firm\u2019s portal shows the views and sections of its modules, and none of a module it switched off', async () => {
      // Beta's client: My matters (cases), the probe's section on the matter page, the probe's view.
      const b = await openTracked();
      await b.page.goto(`${server.baseUrl}/portal/`);
      await signInPortal(b.page, ids.beta.portal);
      const nav = b.page.getByRole('navigation', { name: 'Portal' });
      assert.deepEqual(await nav.getByRole('link').allTextContents(), ['My matters', 'Account']);
      await b.page.getByRole('link', { name: 'Beta v. Example' }).click();
      await b.page.getByRole('heading', { level: 1, name: 'Beta v. Example' }).waitFor();
      await b.page.getByRole('region', { name: 'Probe section' }).getByText('probe card', { exact: true }).waitFor();
      await b.page.goto(`${server.baseUrl}/portal/#/probe`);
      await b.page.getByRole('main').getByText('probe view {}', { exact: true }).waitFor();

      // Alpha's client: cases and probe are off, so the portal has the account page only.
      const a = await openTracked();
      await a.page.goto(`${server.baseUrl}/portal/`);
      await signInPortal(a.page, ids.alpha.portal, 'Account');
      assert.deepEqual(await a.page.getByRole('navigation', { name: 'Portal' }).getByRole('link').allTextContents(), ['Account']);
      for (const route of ['matters', `matters/${ids.alpha.case}`, 'probe']) {
        await a.page.goto(`${server.baseUrl}/portal/#/${route}`);
        await a.page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
      }
      assert.deepEqual(a.pluginRequests.filter((u) => /^\/plugins\/(cases|probe)\//.test(u)), []);
      assertClean(a);
      assertClean(b);
    });

    test('a card that fails shows a contained error, and the rest of its page works', async () => {
      const p = await openTracked();
      const { page } = p;
      // The probe's card throws in render(); the cases card's module does not even parse.
      await page.route('**/plugins/probe/probe_card.js', (route) => route.fulfill({
        status: 200, contentType: 'text/javascript', body: 'export function render() { throw new Error("probe card broke"); }\n',
      }));
      await page.route('**/plugins/cases/client_card.js', (route) => route.fulfill({
        status: 200, contentType: 'text/javascript', body: 'export function render( {\n',
      }));
      p.expectProblem(/the card "Probe card" of module probe .*failed/);
      p.expectProblem(/the card "Cases" of module cases .*failed/);
      await signInStaff(page, server.baseUrl, BETA);
      await page.goto(`${server.baseUrl}/app/#/clients/${ids.beta.client}`);
      await page.getByRole('heading', { level: 1, name: 'Beta Client' }).waitFor();
      for (const name of ['Probe card', 'Cases']) {
        await page.getByRole('region', { name }).getByRole('alert').getByText('This card could not be shown.', { exact: false }).waitFor();
      }
      assert.equal(await page.getByRole('region', { name: 'Cases' }).getByRole('button', { name: 'New case' }).count(), 0,
        'a failed card keeps no half-built controls');
      // The page and the other cards work: the portal card, the client's own details, Edit.
      const portal = page.getByRole('region', { name: 'Client portal' });
      await portal.getByText('Active \u2014 the client can sign in to the portal.').waitFor();
      await page.getByRole('main').getByText(`client@beta-client.test`, { exact: true }).first().waitFor();
      await page.getByRole('button', { name: 'Edit' }).click();
      await page.getByRole('heading', { level: 1, name: 'Edit Beta Client' }).waitFor();
      assertClean(p);
    });

    test('a view that fails shows an error inside the shell, whose navigation still works', async () => {
      const p = await openTracked();
      const { page } = p;
      await page.route('**/plugins/probe/probe_view.js', (route) => route.fulfill({
        status: 200, contentType: 'text/javascript', body: 'export async function render() { throw new Error("probe view broke"); }\n',
      }));
      await signInStaff(page, server.baseUrl, BETA);
      await mainNav(page).getByRole('link', { name: 'Probe' }).click();
      await page.getByRole('heading', { level: 1, name: 'Something went wrong' }).waitFor();
      await page.getByRole('main').getByRole('alert').getByText('probe view broke').waitFor();
      await eventually(async () => assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Something went wrong'));
      await mainNav(page).getByRole('link', { name: 'Cases' }).click();
      await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
      assertClean(p);
    });

    test('switching the portal module off leaves the client profile its own portal status, without the portal\u2019s card', async () => {
      await server.lexosctl(['firm', 'modules', '--firm', BETA.firm, '--disable', 'portal']);
      try {
        const p = await openTracked();
        const { page } = p;
        await signInStaff(page, server.baseUrl, BETA);
        await page.goto(`${server.baseUrl}/app/#/clients/${ids.beta.client}`);
        await page.getByRole('heading', { level: 1, name: 'Beta Client' }).waitFor();
        const card = page.getByRole('region', { name: 'Client portal' });
        await card.getByText('Active \u2014 the client can sign in to the portal.').waitFor();
        assert.equal(await card.getByRole('button').count(), 0, 'no invitation or revocation without the module');
        assert.equal(await page.locator('section.ext-card[data-module="portal"]').count(), 0);
        await page.getByRole('region', { name: 'Probe card' }).getByText('probe card', { exact: true }).waitFor();
        assert.ok(!p.pluginRequests.some((u) => u.startsWith('/plugins/portal/')), 'nothing of the portal module was requested');
        assertClean(p);
      } finally {
        await server.lexosctl(['firm', 'modules', '--firm', BETA.firm, '--enable', 'portal']);
      }
    });

    async function signInPortal(page, who, landing = 'My matters') {
      await page.getByRole('heading', { level: 1, name: 'Sign in to your client portal' }).waitFor();
      await page.getByLabel('Firm').fill(who.firm);
      await page.getByLabel('Email').fill(who.email);
      await page.getByLabel('Password').fill(who.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: landing }).waitFor();
    }
  });
}
