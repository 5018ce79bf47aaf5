// The schedules module's screens, run once per database backend by schedules_*.test.mjs. A real
// lexosd with the clients, cases, portal and schedules modules (the firm's time zone set to
// America/Chicago in its Firm settings, a feed secret): staff put a visible hearing and an internal meeting on a case through the case
// page's Upcoming card in Chromium; the calendar's agenda and month views and the client
// profile's card show both; the client's portal matter page shows the hearing only, and the
// client's private ICS feed (fetched without a cookie, read by python3-icalendar) holds the
// hearing only, timed in America/Chicago.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { apiSession, REPO_DIR } from './lexos.mjs';
import { suiteRig } from './rig.mjs';
import { assertClean, screenshot, signInStaff } from './browser.mjs';
import { activatePortalClient, signInPortal as signInPortal_ } from './portal.mjs';

const PASSWORD = 'correct horse battery staple';
const CLIENT_PASSWORD = 'amber river lantern 42';
const FIRM = { slug: 'anderson-law', name: 'Anderson Law LLP' };
const OWNER = { firm: FIRM.slug, email: 'olivia.owner@anderson.test', password: PASSWORD, displayName: 'Olivia Owner' };
const CLIENT = { name: 'Thomas Anderson', email: 'thomas@anderson-client.test' };
const CASE_TITLE = 'Anderson v. Metacortex';

/** The calendar as python3-icalendar reads it (tests/integration/ics_summary.py). */
function parseIcs(text) {
  const dir = mkdtempSync(join(tmpdir(), 'lexos-ics-'));
  try {
    writeFileSync(join(dir, 'feed.ics'), text);
    return JSON.parse(execFileSync('/usr/bin/python3', [join(REPO_DIR, 'tests/integration/ics_summary.py'), join(dir, 'feed.ics')]).toString());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function schedulesSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`schedules: case card, calendar, portal Upcoming and the ICS feed in Chromium (${backend})`, () => {
    let server;
    let staff;
    const ids = {};

    const { newPage } = suiteRig({
      database,
      cleanup,
      lexos: {
        plugins: 'clients,cases,portal,schedules',
        pluginConfig: { schedules: { feed_secret: 'browser-test-feed-secret-0123456789' } },
      },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: FIRM.slug, name: FIRM.name, email: OWNER.email, password: OWNER.password,
          displayName: OWNER.displayName });
        staff = await apiSession(server.baseUrl, OWNER);
        await staff.json('PATCH', 'firm', { time_zone: 'America/Chicago' }); // the host's Firm settings
        ids.client = (await staff.json('POST', 'clients', { name: CLIENT.name, email: CLIENT.email })).id;
        ids.case = (await staff.json('POST', 'cases', { client_id: ids.client, title: CASE_TITLE })).id;
        await activatePortalClient(server, staff, ids.client, CLIENT_PASSWORD);
      },
    });

    const signInPortal = (page) => signInPortal_(page, server.baseUrl, { firm: FIRM.slug, email: CLIENT.email, password: CLIENT_PASSWORD });

    async function addEvent(card, page, { title, kind, starts, location, visible }) {
      await card.getByRole('button', { name: 'Add event' }).click();
      const form = card.locator('form.sched-form');
      await form.getByLabel('Title').fill(title);
      await form.getByLabel('Kind').selectOption(kind);
      await form.getByLabel('Starts').fill(starts);
      if (location) await form.getByLabel('Location (optional)').fill(location);
      if (visible) await form.getByLabel('Visible to the client in the portal').check();
      await form.getByRole('button', { name: 'Save event' }).click();
      await form.waitFor({ state: 'detached' });
      return card.getByRole('list', { name: 'Upcoming events of this case' }).getByRole('listitem').filter({ hasText: title });
    }

    test('a hearing marked visible shows in the portal and in the client\'s ICS feed, an internal one in neither', async () => {
      const s = await newPage();
      const page = s.page;
      await signInStaff(page, server.baseUrl, OWNER);
      await page.goto(`${server.baseUrl}/app/#/cases/${ids.case}`);
      await page.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
      const card = page.getByRole('region', { name: /^Upcoming/ });
      await card.getByText('Nothing scheduled for this case.').waitFor();

      // A form with an error first: no start.
      await card.getByRole('button', { name: 'Add event' }).click();
      const form = card.locator('form.sched-form');
      await form.getByLabel('Title').fill('Motion hearing');
      await form.getByRole('button', { name: 'Save event' }).click();
      await form.getByRole('alert').getByText('Enter when it starts.').first().waitFor();
      await form.getByRole('button', { name: 'Cancel' }).click();

      const hearing = await addEvent(card, page, { title: 'Motion hearing', kind: 'hearing', starts: '2030-03-12T09:30',
        location: 'Courtroom 4B', visible: true });
      await hearing.getByText('Visible to client').waitFor();
      await hearing.getByText(/09:30/).waitFor();
      await hearing.getByText('Attending: Olivia Owner').waitFor();
      const meeting = await addEvent(card, page, { title: 'Strategy meeting', kind: 'meeting', starts: '2030-03-11T16:00' });
      await meeting.getByText('Internal').waitFor();
      // Edit: the form comes back filled in; the change is a new revision (SEQUENCE) of the event.
      await meeting.getByRole('button', { name: 'Edit Strategy meeting' }).click();
      const editForm = card.locator('form.sched-form');
      assert.equal(await editForm.getByLabel('Title').inputValue(), 'Strategy meeting');
      assert.equal(await editForm.getByLabel('Starts').inputValue(), '2030-03-11T16:00');
      await editForm.getByLabel('Location (optional)').fill('Conference room 2');
      await editForm.getByRole('button', { name: 'Save event' }).click();
      const edited = card.getByRole('list', { name: 'Upcoming events of this case' }).getByRole('listitem')
        .filter({ hasText: 'Strategy meeting' });
      await edited.getByText('Conference room 2', { exact: false }).waitFor();
      await edited.getByText('Internal').waitFor();
      const [changed] = (await staff.json('GET', `cases/${ids.case}/events`)).items.filter((e) => e.title === 'Strategy meeting');
      assert.equal(changed.sequence, 1);
      assert.equal(changed.location, 'Conference room 2');
      assert.equal(changed.client_visible, false);
      await card.getByText('Times in America/Chicago.').waitFor();
      await screenshot(page, `schedules-case-card-${backend}`);
      const [made] = (await staff.json('GET', `cases/${ids.case}/events`)).items.filter((e) => e.title === 'Motion hearing');
      assert.equal(made.starts_at, '2030-03-12T14:30:00Z');
      assert.equal(made.client_visible, true);

      // The calendar: agenda, then the month of March 2030.
      await page.goto(`${server.baseUrl}/app/#/calendar`);
      await page.getByRole('heading', { level: 1, name: 'Calendar' }).waitFor();
      await page.getByText('Times in America/Chicago.').first().waitFor();
      await page.getByRole('list', { name: /^Events on/ }).first().waitFor();
      await page.getByText('Motion hearing').first().waitFor();
      await page.getByText('Strategy meeting').first().waitFor();
      await page.goto(`${server.baseUrl}/app/#/calendar?view=month&month=2030-03`);
      await page.getByRole('heading', { level: 2, name: 'March 2030' }).waitFor();
      const grid = page.getByRole('table', { name: 'March 2030' });
      await grid.getByRole('link', { name: '09:30 Motion hearing' }).waitFor();
      await grid.getByRole('link', { name: '16:00 Strategy meeting' }).waitFor();
      await screenshot(page, `schedules-month-${backend}`);
      // Staff's own feed address is there to copy.
      await page.getByRole('button', { name: 'Show calendar feed address' }).click();
      const staffUrl = await page.getByLabel('Calendar feed address').inputValue();
      assert.match(staffUrl, /\/api\/v1\/calendar\/feeds\/.+\.ics$/);

      // The client profile's card.
      await page.goto(`${server.baseUrl}/app/#/clients/${ids.client}`);
      const clientCard = page.getByRole('region', { name: /^Upcoming/ });
      await clientCard.getByText('Motion hearing').waitFor();
      await clientCard.getByText('Strategy meeting').waitFor();
      assertClean(s);

      // The portal: the matter page shows the hearing only.
      const p = await newPage();
      const portal = p.page;
      await signInPortal(portal);
      await portal.goto(`${server.baseUrl}/portal/#/matters/${ids.case}`);
      const section = portal.getByRole('region', { name: /^Upcoming/ });
      await section.getByText('Motion hearing').waitFor();
      await section.getByText('Courtroom 4B', { exact: false }).waitFor();
      assert.equal(await section.getByText('Strategy meeting').count(), 0);
      assert.equal(await portal.getByText('Strategy meeting').count(), 0);
      await screenshot(portal, `schedules-portal-matter-${backend}`);

      // The client's feed: fetched as a calendar program would (no cookie), read by python3-icalendar.
      await section.getByText('Add to my calendar').click();
      await section.getByRole('button', { name: 'Show calendar feed address' }).click();
      const url = await section.getByLabel('Calendar feed address').inputValue();
      const res = await fetch(url.replace('//localhost:', '//127.0.0.1:'));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type'), /^text\/calendar/);
      const text = await res.text();
      assert.ok(!text.includes('Strategy meeting'), 'the internal meeting is not in the client\'s feed');
      const cal = parseIcs(text);
      assert.equal(cal.events.length, 1);
      assert.equal(cal.events[0].summary, 'Hearing: Motion hearing');
      assert.equal(cal.events[0].start.tzid, 'America/Chicago');
      assert.equal(cal.events[0].start.utc, '2030-03-12T14:30:00Z');
      assert.deepEqual(cal.timezones, ['America/Chicago']);

      // The client stops the address: it answers 404 from then on.
      await section.getByRole('button', { name: 'Stop this address' }).click();
      await section.getByText('That address no longer works.', { exact: false }).waitFor();
      assert.equal((await fetch(url.replace('//localhost:', '//127.0.0.1:'))).status, 404);
      assertClean(p);
    });
  });
}
