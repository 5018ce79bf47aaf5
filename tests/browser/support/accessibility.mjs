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

/** Waits until the screen has its level-1 heading and nothing is still loading. */
async function settled(page) {
  await page.getByRole('main').getByRole('heading', { level: 1 }).first().waitFor();
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"], .loading, .skeleton'), null, { timeout: 10_000 });
}

/** Visits every link of the `navigation` landmark named `name`, checking each screen. */
async function walkNavigation(page, navName, prefix) {
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
    await settled(page);
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
      await settled(page);

      const seen = await walkNavigation(page, 'Main', 'staff');
      for (const name of ['Clients', 'Firm settings']) assert.ok(seen.some((s) => s.includes(name)), `the walk reached ${name} (walked: ${seen.join(', ')})`);

      await page.goto(`${server.baseUrl}/app/#/clients/${ids.client}`);
      await page.getByRole('heading', { level: 1, name: CLIENT.name }).waitFor();
      await settled(page);
      await expectAccessible(page, 'staff client profile');

      await page.goto(`${server.baseUrl}/app/#/cases/${ids.case}`);
      await page.getByRole('heading', { level: 1, name: 'Lovelace v. Babbage' }).waitFor();
      await settled(page);
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
      await settled(page);
      await expectAccessible(page, 'portal my matters');

      const navName = await page.getByRole('navigation').first().getAttribute('aria-label');
      const seen = await walkNavigation(page, navName || 'Main', 'portal');
      assert.ok(seen.length >= 2, `the portal walk reached its screens (walked: ${seen.join(', ')})`);

      await page.goto(`${server.baseUrl}/portal/#/matters/${ids.case}`);
      await page.getByRole('heading', { level: 1, name: 'Lovelace v. Babbage' }).waitFor();
      await settled(page);
      await expectAccessible(page, 'portal matter page');
      assertClean(p);
    });
  });
}
