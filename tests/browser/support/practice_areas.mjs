// Practice areas (issue 13), run once per database backend by practice_areas_*.test.mjs. A real
// lexosd with the clients, cases and portal modules. In Chromium the owner adds "Estate planning"
// from its ready-made phases on Firm › Practice areas, renames a phase and saves, opens a case in
// that area through the case form; the client then sees the area's phases on their matter in the
// portal, "Drafting" current, and nowhere "Trial".

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiSession } from './lexos.mjs';
import { suiteRig } from './rig.mjs';
import { assertClean, screenshot, signInStaff } from './browser.mjs';
import { activatePortalClient, signInPortal } from './portal.mjs';

const PASSWORD = 'correct horse battery staple';
const CLIENT_PASSWORD = 'willow garden ledger 77';
const FIRM = { slug: 'estate-law', name: 'Estate Law LLP' };
const OWNER = { firm: FIRM.slug, email: 'olivia.owner@estate.test', password: PASSWORD, displayName: 'Olivia Owner' };
const CLIENT = { name: 'Edna Marsh', email: 'edna@marsh-client.test' };
const CASE_TITLE = 'Marsh family will';

export function practiceAreasSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`cases: practice areas and their phases in Chromium (${backend})`, () => {
    let server;
    let staff;
    const ids = {};

    const { newPage } = suiteRig({
      database, cleanup, lexos: { plugins: 'clients,cases,portal' },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: FIRM.slug, name: FIRM.name, email: OWNER.email, password: OWNER.password,
          displayName: OWNER.displayName });
        staff = await apiSession(server.baseUrl, OWNER);
        ids.client = (await staff.json('POST', 'clients', { name: CLIENT.name, email: CLIENT.email })).id;
        await activatePortalClient(server, staff, ids.client, CLIENT_PASSWORD);
      },
    });

    test('the owner defines an estate-planning area, opens a case in it, and the client sees its phases without Trial', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);

      // Firm › Practice areas: nothing yet, then Estate planning from its ready-made phases.
      await page.getByRole('link', { name: 'Practice areas' }).click();
      await page.getByRole('heading', { level: 1, name: 'Practice areas' }).waitFor();
      await page.getByText(/No practice areas yet/).waitFor();
      await page.getByLabel('Start from').selectOption('estate_planning');
      await page.getByRole('button', { name: 'Add practice area' }).click();
      const card = page.getByRole('region', { name: 'Estate planning' });
      await card.getByRole('heading', { level: 2, name: 'Estate planning' }).waitFor();
      assert.equal(await card.getByLabel(/^Phase \d+$/).count(), 6);
      assert.equal(await card.getByLabel('Phase 2').inputValue(), 'Drafting');

      // Rename "Review" to "Client review" and save, by keyboard.
      const review = card.getByLabel('Phase 3');
      assert.equal(await review.inputValue(), 'Review');
      await review.fill('Client review');
      await review.press('Enter');
      await page.getByRole('status').filter({ hasText: 'Estate planning saved.' }).waitFor();
      const areas = await staff.json('GET', 'practice-areas');
      assert.equal(areas.items.length, 1);
      assert.deepEqual(areas.items[0].phases.map((x) => x.label), ['Intake', 'Drafting', 'Client review', 'Signing', 'Funding', 'Closed']);
      ids.area = areas.items[0].id;
      await screenshot(page, `${backend}-practice-areas-1280`);

      // A phase left empty: the server's error lands on it, and nothing changes.
      await card.getByLabel('Phase 4').fill('');
      p.expectProblem(/status of 400/);
      await card.getByRole('button', { name: 'Save' }).click();
      await card.getByRole('alert').filter({ hasText: /Enter the phase/ }).first().waitFor();
      assert.equal(await card.getByLabel('Phase 4').getAttribute('aria-invalid'), 'true');
      assert.equal((await staff.json('GET', 'practice-areas')).items[0].phases[3].label, 'Signing');
      await card.getByLabel('Phase 4').fill('Signing');

      // New case in the area: its phases replace the standard ones in the form.
      await page.goto(`${server.baseUrl}/app/#/cases/new?client=${ids.client}`);
      await page.getByRole('heading', { level: 1, name: 'New case' }).waitFor();
      await page.getByLabel('Title').fill(CASE_TITLE);
      await page.getByLabel('Practice area').selectOption({ label: 'Estate planning' });
      const phase = page.getByLabel('Phase', { exact: true });
      const options = await phase.locator('option').allTextContents();
      assert.deepEqual(options, ['Intake', 'Drafting', 'Client review', 'Signing', 'Funding', 'Closed']);
      await phase.selectOption({ label: 'Drafting' });
      await page.getByRole('button', { name: 'Open case' }).click();
      await page.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
      const track = page.getByRole('list', { name: 'Progress through the phases' });
      await track.getByText('Client review').waitFor();
      assert.ok(!(await track.innerText()).includes('Trial'));
      const kase = (await staff.json('GET', 'cases')).items.find((c) => c.title === CASE_TITLE);
      assert.equal(kase.phase, 'drafting');
      assert.equal(kase.builtin_phase, 'active');
      assert.equal(String(kase.practice_area_id), String(ids.area));
      ids.case = kase.id;
      // The phase select on the case page offers the area's phases only.
      const select = page.locator('select.phase-select');
      assert.deepEqual(await select.locator('option').allTextContents(),
        ['Intake', 'Drafting', 'Client review', 'Signing', 'Funding', 'Closed']);
      // Out of the area and back, on the case page: the standard phases, then the area's again,
      // at the phase counting as the same built-in one.
      await page.getByRole('button', { name: 'Change area' }).click();
      await page.getByLabel('Practice area', { exact: true }).selectOption({ label: 'None (the standard phases)' });
      await page.getByRole('button', { name: 'Save practice area' }).click();
      await track.getByText('Discovery').waitFor();
      assert.ok((await track.innerText()).includes('Trial'));
      assert.equal((await staff.json('GET', `cases/${ids.case}`)).phase, 'active');
      await page.getByRole('button', { name: 'Change area' }).click();
      await page.getByLabel('Practice area', { exact: true }).selectOption({ label: 'Estate planning' });
      await page.getByRole('button', { name: 'Save practice area' }).click();
      await track.getByText('Client review').waitFor();
      assert.ok(!(await track.innerText()).includes('Trial'));
      assert.equal((await staff.json('GET', `cases/${ids.case}`)).phase, 'drafting');
      await screenshot(page, `${backend}-practice-area-case-1280`);
      assertClean(p);

      // The client: "Drafting", step 2 of 6, the area's stages, no Trial anywhere.
      const c = await newPage();
      await signInPortal(c.page, server.baseUrl, { firm: FIRM.slug, email: CLIENT.email, password: CLIENT_PASSWORD });
      await c.page.getByText('Drafting \u2014 step 2 of 6').first().waitFor();
      await c.page.getByRole('link', { name: CASE_TITLE }).click();
      await c.page.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
      const stages = c.page.getByRole('list', { name: 'Stages of your matter' });
      assert.deepEqual(await stages.locator('.step-label').allTextContents(),
        ['Intake', 'Drafting', 'Client review', 'Signing', 'Funding', 'Closed']);
      await c.page.getByRole('progressbar').first().waitFor();
      assert.equal(await c.page.getByRole('progressbar').first().getAttribute('aria-valuetext'), 'Drafting \u2014 step 2 of 6');
      assert.ok(!(await c.page.locator('main').innerText()).includes('Trial'));
      await screenshot(c.page, `${backend}-portal-practice-area-matter-1280`);
      assertClean(c);
    });
  });
}
