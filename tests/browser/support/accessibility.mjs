// Every screen of both apps under axe-core (support/axe.mjs), run once per database backend by
// accessibility_*.test.mjs. The walk does not list screens by hand: it follows every link of each
// app's main navigation as a person with the most permissions sees it (the owner; a portal
// client), so a module's new screen is checked the day it appears in the navigation. Screens
// reached from a list (a client's profile, a case, a matter) and the forms behind buttons are
// added explicitly. Each module's own suite also runs axe on every screen it photographs.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiSession } from './lexos.mjs';
import { suiteRig } from './rig.mjs';
import { assertClean } from './browser.mjs';
import { expectAccessible } from './axe.mjs';
import { activatePortalClient } from './portal.mjs';

const PASSWORD = 'correct horse battery staple';
const FIRM = { slug: 'a11y-law', name: 'Access Law LLP' };
const OWNER = { firm: FIRM.slug, email: 'owner@a11y-law.test', password: PASSWORD, displayName: 'Olive Owner' };
const CLIENT = { name: 'Ada Lovelace', email: 'ada@a11y.example' };
const CLIENT_PASSWORD = 'portal password for ada 42';

/**
 * Waits until the screen has its level-1 heading and nothing is still loading. A screen that
 * takes more than 5 s is reported on the test output (which requests were still unanswered
 * then), and one that has not settled in 30 s fails the test saying where the page is, what
 * still shows as loading, which requests are unanswered, and lexosd's last log lines (`p` the
 * tracked page of browser.mjs, `server` startLexos's). CI once saw a screen of the staff walk
 * on PostgreSQL not settle within 10 s on a loaded machine; 23 runs here under load (two CPU
 * hogs, or the package test beside it) never did, and no API answer took over 0.5 s in them,
 * so the report is there to tell the next one apart.
 */
async function settled(p, server) {
  const { page } = p;
  const started = Date.now();
  const slow = setTimeout(() => {
    console.log(`# slow screen (over 5 s): ${page.url()}, unanswered requests: ${JSON.stringify(p.inFlight())}`);
  }, 5_000);
  try {
    await page.getByRole('main').getByRole('heading', { level: 1 }).first().waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => !document.querySelector('[aria-busy="true"], .loading, .skeleton'), null,
      { timeout: Math.max(30_000 - (Date.now() - started), 1_000) });
  } catch (e) {
    const busy = await page.evaluate(() => [...document.querySelectorAll('[aria-busy="true"], .loading, .skeleton')]
      .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}"> ${el.textContent.trim().slice(0, 80)}`)).catch(() => []);
    e.message += `\n  at ${page.url()}\n  still loading: ${JSON.stringify(busy)}\n  unanswered requests: ${JSON.stringify(p.inFlight())}`;
    if (server) e.message += `\n  lexosd's last lines:\n${server.log().split('\n').slice(-40).join('\n')}`;
    throw e;
  } finally {
    clearTimeout(slow);
  }
}

/** Visits every link of the `navigation` landmark named `name`, checking each screen. */
async function walkNavigation(p, server, navName, prefix) {
  const { page } = p;
  const links = page.getByRole('navigation', { name: navName }).getByRole('link');
  const count = await links.count();
  assert.ok(count >= 2, `the ${navName} navigation lists its screens (found ${count})`);
  const seen = [];
  for (let i = 0; i < count; i++) {
    const link = links.nth(i);
    const href = await link.getAttribute('href');
    if (!href || !href.startsWith('#/')) continue; // sign out, the other app
    const label = (await link.innerText()).replace(/\s+/g, ' ').trim();
    await link.click();
    // The clicked screen's address (a hash change: no load event to wait for).
    await page.waitForFunction((want) => [want, `${want}?`, `${want}/`].some((w) => location.hash === want || location.hash.startsWith(w)), href);
    await settled(p, server);
    await expectAccessible(page, `${prefix} ${label} (${href})`);
    seen.push(label);
  }
  return seen;
}

export function accessibilitySuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`accessibility: every screen of both apps under axe-core (${backend})`, () => {
    let server;
    let staff;
    const ids = {};

    const { newPage } = suiteRig({
      database,
      cleanup,
      lexos: {
        plugins: 'clients,cases,portal,documents,billing,schedules,messages',
        pluginConfig: { schedules: { feed_secret: 'browser-test-feed-secret-0123456789' } },
      },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: FIRM.slug, name: FIRM.name, email: OWNER.email, password: OWNER.password,
          displayName: OWNER.displayName });
        staff = await apiSession(server.baseUrl, OWNER);
        await staff.json('PATCH', 'firm', { time_zone: 'America/Chicago', country: 'US' });
        ids.client = (await staff.json('POST', 'clients', { name: CLIENT.name, email: CLIENT.email, phone: '(312) 555-0199' })).id;
        await staff.json('POST', 'clients', { name: 'Smith Holdings Ltd', kind: 'organisation', contact_person: 'Jane Smith' });
        ids.case = (await staff.json('POST', 'cases', { client_id: ids.client, title: 'Lovelace v. Babbage' })).id;
        await staff.json('POST', `cases/${ids.case}/updates`, { text: 'Claim filed with the court.', client_visible: true });
        await staff.json('POST', `cases/${ids.case}/notes`, { text: 'Internal: check the engine drawings.' });
        await staff.json('POST', `cases/${ids.case}/messages`, { text: 'Welcome to your portal, Ada.' });
        await activatePortalClient(server, staff, ids.client, CLIENT_PASSWORD);
      },
    });

    test('staff app: sign-in, every navigation screen, a client profile, a case page and the new-client form have no axe-core violations', async () => {
      const p = await newPage();
      const { page } = p;
      await page.goto(`${server.baseUrl}/app/`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await expectAccessible(page, 'staff sign-in');
      await page.getByLabel('Firm').fill(OWNER.firm);
      await page.getByLabel('Email').fill(OWNER.email);
      await page.getByLabel('Password').fill(OWNER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await settled(p, server);

      const seen = await walkNavigation(p, server, 'Main', 'staff');
      for (const name of ['Clients', 'Firm settings']) assert.ok(seen.some((s) => s.includes(name)), `the walk reached ${name} (walked: ${seen.join(', ')})`);

      await page.goto(`${server.baseUrl}/app/#/clients/${ids.client}`);
      await page.getByRole('heading', { level: 1, name: CLIENT.name }).waitFor();
      await settled(p, server);
      await expectAccessible(page, 'staff client profile');

      await page.goto(`${server.baseUrl}/app/#/cases/${ids.case}`);
      await page.getByRole('heading', { level: 1, name: 'Lovelace v. Babbage' }).waitFor();
      await settled(p, server);
      await expectAccessible(page, 'staff case page');

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients', exact: true }).click();
      await page.getByRole('button', { name: 'New client' }).click();
      await page.getByRole('heading', { level: 1, name: 'New client' }).waitFor();
      await expectAccessible(page, 'staff new client form');
      // The same form with the server's field errors showing.
      p.expectProblem(/status of 400 .*\/api\/v1\/clients\)/);
      await page.getByLabel('Name', { exact: true }).fill('Bad Email');
      await page.getByLabel('Email', { exact: true }).fill('not-an-email');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.locator('.field.has-error').first().waitFor();
      await expectAccessible(page, 'staff new client form with errors');
      assertClean(p);
    });

    test('portal: sign-in, every navigation screen, a matter page and the account page have no axe-core violations', async () => {
      const p = await newPage();
      const { page } = p;
      await page.goto(`${server.baseUrl}/portal/`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await expectAccessible(page, 'portal sign-in');
      await page.getByLabel('Firm').fill(FIRM.slug);
      await page.getByLabel('Email').fill(CLIENT.email);
      await page.getByLabel('Password').fill(CLIENT_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'My matters' }).waitFor();
      await settled(p, server);
      await expectAccessible(page, 'portal my matters');

      const navName = await page.getByRole('navigation').first().getAttribute('aria-label');
      const seen = await walkNavigation(p, server, navName || 'Main', 'portal');
      assert.ok(seen.length >= 2, `the portal walk reached its screens (walked: ${seen.join(', ')})`);

      await page.goto(`${server.baseUrl}/portal/#/matters/${ids.case}`);
      await page.getByRole('heading', { level: 1, name: 'Lovelace v. Babbage' }).waitFor();
      await settled(p, server);
      await expectAccessible(page, 'portal matter page');
      assertClean(p);
    });
  });
}
