// The firm's settings page and the phone numbers it governs, run once per database backend by
// firm_settings_*.test.mjs: the owner sets the firm's country and time zone in the staff app;
// then a client's phone number typed the way it is dialled in the US is kept as E.164, shown
// grouped ("+1 312-555-0199") and linked as tel:. A paralegal gets no settings page.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiSession } from './lexos.mjs';
import { suiteRig } from './rig.mjs';
import { assertClean, signInStaff } from './browser.mjs';

const PASSWORD = 'correct horse battery staple';
const OWNER = { firm: 'windy', email: 'owner@windy.test', password: PASSWORD };
const PARALEGAL = { firm: 'windy', email: 'para@windy.test', password: PASSWORD };

export function firmSettingsSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`firm settings and phone numbers in Chromium (${backend})`, () => {
    let server;
    const { newPage } = suiteRig({
      database, cleanup, lexos: { plugins: 'clients' },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: OWNER.firm, name: 'Windy City Law', email: OWNER.email, password: PASSWORD, displayName: 'Olive Owner' });
        await server.lexosctl(['user', 'create', '--firm', OWNER.firm, '--email', PARALEGAL.email, '--role', 'paralegal',
          '--name', 'Pat Paralegal', '--password-stdin'], `${PASSWORD}\n`);
      },
    });

    test('the owner sets the firm\u2019s country and time zone, then a US number typed as dialled is kept and shown grouped', async () => {
      const p = await newPage();
      p.expectProblem(/status of 400 .*\/api\/v1\/(firm|clients\/\d+)\)/); // the two refusals below, on purpose
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Firm settings' }).click();
      await page.getByRole('heading', { level: 1, name: 'Firm settings' }).waitFor();
      assert.equal(await page.getByLabel('Firm name').inputValue(), 'Windy City Law');
      assert.equal(await page.getByLabel('Time zone').inputValue(), 'UTC');

      // A time zone that does not exist: the server's message on the field, nothing saved.
      await page.getByLabel('Time zone').fill('America/Springfield');
      await page.getByRole('button', { name: 'Save settings' }).click();
      const tzError = page.locator('.field.has-error').filter({ has: page.getByLabel('Time zone') });
      await tzError.getByText(/not a time zone of the tz database/).waitFor();
      assert.equal(await page.getByLabel('Time zone').getAttribute('aria-invalid'), 'true');

      await page.getByLabel('Time zone').fill('America/Chicago');
      await page.getByLabel('Country').selectOption('US');
      await page.getByLabel('Postal address').fill('200 W Madison St\nChicago, IL 60606');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByRole('status').getByText('Saved. The firm is in America/Chicago, United States.').waitFor();
      assert.equal(await page.getByLabel('Time zone').getAttribute('aria-invalid'), null);
      // From the next page load on, the shells show every date and time in the firm's zone.
      const zone = () => page.evaluate(async () => (await import('/shared/js/format.js')).currentTimeZone());
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Firm settings' }).waitFor();
      assert.equal(await zone(), 'America/Chicago');

      // A new client with a national number.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      await page.getByRole('button', { name: 'New client' }).click();
      await page.getByRole('heading', { level: 1, name: 'New client' }).waitFor();
      await page.getByLabel('Name', { exact: true }).fill('Dana Scully');
      await page.getByLabel('Phone', { exact: true }).fill('(312) 555-0199');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Dana Scully' }).waitFor();
      const main = page.getByRole('main');
      await main.locator('a[href="tel:+13125550199"]', { hasText: '+1 312-555-0199' }).waitFor();

      // The directory shows it grouped too; editing shows the grouped form, and a number that is
      // not one of the US answers on the field.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      await page.locator('table.clients-table tbody tr', { hasText: 'Dana Scully' }).getByText('+1 312-555-0199').waitFor();
      await page.locator('table.clients-table tbody tr', { hasText: 'Dana Scully' }).getByRole('link', { name: 'Dana Scully' }).click();
      await page.getByRole('button', { name: 'Edit' }).click();
      assert.equal(await page.getByLabel('Phone', { exact: true }).inputValue(), '+1 312-555-0199');
      await page.getByLabel('Phone', { exact: true }).fill('555-0199');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('.field.has-error').getByText(/firm's country \(US\)/).waitFor();
      assertClean(p);
    });

    test('a paralegal reads no settings page and cannot change the firm', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, PARALEGAL);
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Firm settings' }).count(), 0);
      const staff = await apiSession(server.baseUrl, PARALEGAL);
      const firm = await staff.json('GET', 'firm');
      assert.equal(firm.slug, 'windy');
      const res = await staff.request('PATCH', 'firm', { body: { country: 'DE' } });
      assert.equal(res.status, 403);
      assertClean(p);
    });
  });
}
