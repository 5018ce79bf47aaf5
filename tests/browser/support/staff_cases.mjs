// The staff app's cases and client-portal pages, run once per database backend by
// staff_cases_*.test.mjs. A real lexosd with the clients, cases and portal modules; every
// step a person takes goes through the app in Chromium, and what it changed is checked
// through the API and the mail outbox.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { apiSession } from './lexos.mjs';
import { suiteRig } from './rig.mjs';
import { assertClean, screenshot, signInStaff } from './browser.mjs';
import { eventually } from './suite.mjs';

const PASSWORD = 'correct horse battery staple';
const FIRM = { slug: 'anderson-law', name: 'Anderson Law LLP' };
const OWNER = { firm: FIRM.slug, email: 'olivia.owner@anderson.test', password: PASSWORD, displayName: 'Olivia Owner' };
const BILLING = { firm: FIRM.slug, email: 'bill.billing@anderson.test', password: PASSWORD, displayName: 'Bill Billing' };
const ANDERSON = { name: 'Thomas Anderson', email: 'thomas@anderson-client.test' };
const SMITH = { name: 'Smith Holdings Ltd', email: 'legal@smith-holdings.test', contact: 'Sarah Smith' };
const CASE_TITLE = 'State vs. Fouchix';
const SHARED_TEXT = 'We received the prosecution\u2019s disclosure and will review it with you next week.';
const INTERNAL_TEXT = 'Consider challenging the search warrant before trial.';
const NOTE_TEXT = 'WAR ROOM: the CCTV timeline does not match the arrest report.';

/** The .eml files in `<stateDir>/outbox`, oldest first. */
function outbox(stateDir) {
  try {
    return readdirSync(join(stateDir, 'outbox')).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return [];
  }
}

/** The newest message not in `seen`: { to, subject, raw }. */
function newMail(stateDir, seen) {
  return eventually(() => {
    const fresh = outbox(stateDir).filter((f) => !seen.includes(f));
    assert.ok(fresh.length, `no new e-mail in ${join(stateDir, 'outbox')}`);
    const raw = readFileSync(join(stateDir, 'outbox', fresh[fresh.length - 1]), 'utf8');
    const to = (raw.match(/^To:\s*(.*)$/m) || ['', ''])[1].trim().replace(/^.*<(.*)>$/, '$1');
    return { raw, to, subject: (raw.match(/^Subject:\s*(.*)$/m) || ['', ''])[1].trim() };
  }, 5_000);
}

/**
 * Defines the suite. `backend`: 'sqlite' or 'postgresql'; `database()` resolves the PostgreSQL
 * URLs (or null for SQLite); `cleanup()` runs at the end.
 */
export function staffCasesSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`staff app: cases and the client portal in Chromium (${backend})`, () => {
    let server;
    let staff;
    const ids = {};

    const { newPage } = suiteRig({
      database, cleanup, lexos: { plugins: 'clients,cases,portal' },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: FIRM.slug, name: FIRM.name, email: OWNER.email, password: OWNER.password,
          displayName: OWNER.displayName });
        await server.lexosctl(['user', 'create', '--firm', FIRM.slug, '--email', BILLING.email, '--role', 'billing',
          '--name', BILLING.displayName, '--password-stdin'], `${BILLING.password}\n`);
        staff = await apiSession(server.baseUrl, OWNER);
        ids.anderson = (await staff.json('POST', 'clients', { name: ANDERSON.name, email: ANDERSON.email })).id;
        ids.smith = (await staff.json('POST', 'clients', {
          kind: 'organisation', name: SMITH.name, contact_person: SMITH.contact, email: SMITH.email,
        })).id;
      },
    });

    const signIn = (page, who = OWNER) => signInStaff(page, server.baseUrl, who);

    async function openClient(page, name) {
      await page.locator('table.clients-table tbody tr').filter({ hasText: name }).getByRole('link', { name }).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
    }

    async function openCase(page) {
      await page.goto(`${server.baseUrl}/app/#/cases/${ids.case}`);
      await page.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
    }

    const noSidewaysScroll = async (page, what) => {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling on ${what} (overflow ${overflow}px)`);
    };

    const updateItems = (page) => page.getByRole('list', { name: 'Status updates, newest first' }).getByRole('listitem');
    const updateItem = (page, text) => updateItems(page).filter({ hasText: text });

    test('open a case from a client\u2019s page through the form, with inline errors naming the field', async () => {
      const p = await newPage();
      const { page } = p;
      // The matter number conflict below is a 409, which Chromium logs as a failed resource.
      p.expectProblem(/status of 409/);
      await signIn(page);
      await openClient(page, ANDERSON.name);
      const casesCard = page.getByRole('region', { name: /^Cases/ });
      await casesCard.getByText('No cases for this client yet.').waitFor();
      await casesCard.getByRole('button', { name: 'New case' }).click();

      await page.getByRole('heading', { level: 1, name: 'New case' }).waitFor();
      assert.match(page.url(), new RegExp(`#/cases/new\\?client=${ids.anderson}$`));
      // The client is chosen already, from the page we came from.
      await page.locator('.picked').getByText(ANDERSON.name).waitFor();
      await page.getByRole('button', { name: `Change client (now ${ANDERSON.name})` }).waitFor();
      assert.equal(await page.getByLabel('Phase', { exact: true }).inputValue(), 'intake');

      // Nothing but a title missing: the form says so on the field, before sending anything.
      await page.getByRole('button', { name: 'Open case' }).click();
      const summary = page.getByRole('alert').filter({ hasText: 'Please correct the following' });
      await summary.getByText('Title: Enter a title for the case', { exact: true }).waitFor();
      assert.equal(await page.getByLabel('Title').getAttribute('aria-invalid'), 'true');

      // A matter number the firm already uses: the server's error lands on "Matter number".
      const taken = await staff.json('POST', 'cases', { client_id: ids.smith, title: 'Smith Holdings v. Harbour Freight',
        matter_number: 'SH-001', practice_area: 'Commercial litigation', phase: 'active', opened_on: '2026-01-12' });
      ids.smithCase = taken.id;
      await page.getByLabel('Title').fill(CASE_TITLE);
      await page.getByLabel('Matter number').fill('SH-001');
      await page.getByLabel('Practice area').fill('Criminal defence');
      await page.getByLabel('Phase', { exact: true }).selectOption('discovery');
      await page.getByLabel('Opened on').fill('2026-09-14');
      await page.getByLabel('Description').fill('Defence of Mr. Anderson against the charges brought by the State.');
      await page.getByRole('button', { name: 'Open case' }).click();
      await summary.getByText('Matter number: Another case already has matter number SH-001.', { exact: true }).waitFor();
      await page.locator('.has-error').getByText('Another case already has matter number SH-001.').waitFor();
      await screenshot(page, `${backend}-case-form-errors-1280`);

      // Empty: the server numbers it (YYYY-NNNN).
      await page.getByLabel('Matter number').fill('');
      await page.getByRole('button', { name: 'Open case' }).click();
      await page.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
      ids.case = decodeURIComponent(page.url().split('#/cases/')[1]);
      assert.match(ids.case, /^\d+$/);
      const kase = await staff.json('GET', `cases/${ids.case}`);
      assert.equal(kase.client_id, ids.anderson);
      assert.equal(kase.phase, 'discovery');
      assert.equal(kase.opened_on, '2026-09-14');
      assert.equal(kase.practice_area, 'Criminal defence');
      assert.match(kase.matter_number, /^2026-\d{4}$/);
      await page.getByText(`Case opened: ${CASE_TITLE} (${kase.matter_number}).`).waitFor();

      // The header: matter number, client (a link), phase (a select), responsible contact.
      const summaryCard = page.getByRole('region', { name: 'Case summary' });
      await page.locator('.case-badges').getByText(kase.matter_number).waitFor();
      await summaryCard.getByText('Criminal defence').waitFor();
      await summaryCard.getByRole('link', { name: ANDERSON.name }).waitFor();
      assert.equal(await summaryCard.getByLabel('Phase', { exact: true }).inputValue(), 'discovery');
      await summaryCard.getByText(OWNER.displayName).waitFor();
      await summaryCard.getByRole('link', { name: OWNER.email }).waitFor();
      assert.equal(await page.locator('.phase-step[aria-current="step"] .step-label').textContent(), 'Discovery');

      // Back on the client's page, the case is listed.
      await summaryCard.getByRole('link', { name: ANDERSON.name }).click();
      await page.getByRole('heading', { level: 1, name: ANDERSON.name }).waitFor();
      await page.getByRole('region', { name: /^Cases/ }).getByRole('link', { name: CASE_TITLE }).waitFor();
      assertClean(p);
    });

    test('the phase changes from the case header and the firm\u2019s label shows', async () => {
      const p = await newPage();
      const { page } = p;
      await staff.json('PUT', 'cases/phases/trial', { label: 'Hearing' });
      await signIn(page);
      await openCase(page);
      const phase = page.getByRole('region', { name: 'Case summary' }).getByLabel('Phase', { exact: true });
      await phase.selectOption('trial');
      await page.getByRole('button', { name: 'Save phase' }).click();
      await eventually(async () => assert.equal((await staff.json('GET', `cases/${ids.case}`)).phase, 'trial'));
      await page.locator('.case-badges .phase-badge').getByText('Hearing').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Save phase' }).count(), 0, 'Save hides again once saved');
      // Closing dates the case; reopening clears the date.
      await phase.selectOption('closed');
      await page.getByRole('button', { name: 'Save phase' }).click();
      await page.locator('.case-badges').getByText(/^Closed \d/).waitFor();
      await page.getByRole('region', { name: 'About this case' }).getByText('Closed', { exact: true }).waitFor();
      await phase.selectOption('discovery');
      await page.getByRole('button', { name: 'Save phase' }).click();
      await eventually(async () => assert.equal((await staff.json('GET', `cases/${ids.case}`)).phase, 'discovery'));
      assert.equal((await staff.json('GET', `cases/${ids.case}`)).closed_on, null);
      await eventually(async () => assert.equal(await page.getByRole('region', { name: 'About this case' }).getByText('Closed', { exact: true }).count(), 0));
      await staff.json('PUT', 'cases/phases/trial', { label: 'Trial' });
      assertClean(p);
    });

    test('post a shared update and an internal one, see each marked, and toggle who sees it', async () => {
      const p = await newPage();
      const { page } = p;
      await signIn(page);
      await openCase(page);
      await page.getByText('No updates yet.').waitFor();
      const share = page.getByLabel('Share this update with the client');
      assert.equal(await share.isChecked(), false, 'updates are internal unless ticked');
      await page.getByText('Internal: only the firm will see this update.').waitFor();

      await page.getByLabel('New update').fill(INTERNAL_TEXT);
      await page.getByRole('button', { name: 'Post update' }).click();
      await page.getByText('Update posted. It is internal.').waitFor();
      const internal = updateItem(page, INTERNAL_TEXT);
      await internal.getByText('Internal', { exact: true }).waitFor();
      assert.equal(await internal.getByText('Shared with client').count(), 0);
      await internal.getByRole('button', { name: 'Share with client' }).waitFor();

      await page.getByLabel('New update').fill(SHARED_TEXT);
      await share.check();
      await page.getByText('The client will see this update in their portal.').waitFor();
      await page.getByRole('button', { name: 'Post update' }).click();
      await page.getByText('Update posted and shared with the client.').waitFor();
      const shared = updateItem(page, SHARED_TEXT);
      await shared.getByText('Shared with client', { exact: true }).waitFor();
      await shared.getByRole('button', { name: 'Stop sharing' }).waitFor();
      assert.equal(await share.isChecked(), false, 'the box is unticked again after posting');
      // Newest first.
      assert.match(await updateItems(page).first().textContent(), /disclosure/);

      const visible = async () => Object.fromEntries((await staff.json('GET', `cases/${ids.case}/updates`)).items
        .map((u) => [u.text, u.client_visible]));
      assert.deepEqual(await visible(), { [INTERNAL_TEXT]: false, [SHARED_TEXT]: true });
      await screenshot(page, `${backend}-case-1280`);

      // Toggle: the button says what it does, focus stays on it, and the mark follows.
      await internal.getByRole('button', { name: 'Share with client' }).click();
      await internal.getByText('Shared with client', { exact: true }).waitFor();
      const stop = internal.getByRole('button', { name: 'Stop sharing' });
      await stop.waitFor();
      await eventually(async () => assert.equal(await stop.evaluate((el) => el === document.activeElement), true));
      assert.deepEqual(await visible(), { [INTERNAL_TEXT]: true, [SHARED_TEXT]: true });
      await page.keyboard.press('Enter'); // the keyboard toggles it back
      await internal.getByText('Internal', { exact: true }).waitFor();
      await eventually(async () => assert.deepEqual(await visible(), { [INTERNAL_TEXT]: false, [SHARED_TEXT]: true }));
      assertClean(p);
    });

    test('an internal note goes in the panel marked as never shown to the client', async () => {
      const p = await newPage();
      const { page } = p;
      await signIn(page);
      await openCase(page);
      const panel = page.getByRole('region', { name: 'Internal notes \u2014 never shown to the client' });
      await panel.getByText('No internal notes yet.').waitFor();
      await panel.getByRole('button', { name: 'Add note' }).click();
      await panel.getByRole('alert').getByText('New internal note: Write the note first').waitFor();
      await panel.getByLabel('New internal note').fill(NOTE_TEXT);
      await panel.getByRole('button', { name: 'Add note' }).click();
      await panel.getByRole('listitem').filter({ hasText: NOTE_TEXT }).getByText(OWNER.displayName).waitFor();
      assert.equal(await panel.getByLabel('New internal note').inputValue(), '');
      const notes = await staff.json('GET', `cases/${ids.case}/notes`);
      assert.deepEqual(notes.items.map((n) => n.text), [NOTE_TEXT]);
      // The note is not in the timeline the client's updates come from.
      assert.equal(await updateItems(page).filter({ hasText: NOTE_TEXT }).count(), 0);
      await screenshot(page, `${backend}-case-notes-1280`);
      assertClean(p);
    });

    test('a billing user reads the case without the notes panel or the update controls', async () => {
      const p = await newPage();
      const { page } = p;
      const notesRequests = [];
      page.on('request', (r) => { if (r.url().includes('/notes')) notesRequests.push(r.url()); });
      await signIn(page, BILLING);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
      await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'New case' }).count(), 0, 'billing cannot open cases');
      await page.getByRole('link', { name: CASE_TITLE }).click();
      await page.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
      await updateItem(page, SHARED_TEXT).getByText('Shared with client').waitFor();
      await updateItem(page, INTERNAL_TEXT).getByText('Internal', { exact: true }).waitFor();
      assert.equal(await page.getByRole('heading', { name: /Internal notes/ }).count(), 0);
      assert.equal(await page.getByText(NOTE_TEXT).count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Post update' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /Share with client|Stop sharing/ }).count(), 0);
      assert.equal(await page.getByRole('region', { name: 'Case summary' }).getByRole('combobox').count(), 0, 'the phase is text');
      assert.deepEqual(notesRequests, [], 'the app does not even ask for the notes');
      // Billing holds no portal.manage either: the client page shows the status only.
      await page.getByRole('region', { name: 'Case summary' }).getByRole('link', { name: ANDERSON.name }).click();
      await page.getByRole('heading', { level: 1, name: ANDERSON.name }).waitFor();
      await page.getByText('No portal account.').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Invite to portal' }).count(), 0);
      assertClean(p);
    });

    test('invite a client to the portal from the client page, then revoke access', async () => {
      const p = await newPage();
      const { page } = p;
      await signIn(page);
      await openClient(page, ANDERSON.name);
      const card = page.getByRole('region', { name: 'Client portal' });
      await card.getByText('No portal account.').waitFor();
      await card.getByText(`The invitation goes to ${ANDERSON.email}`, { exact: false }).waitFor();
      const seen = outbox(server.stateDir);
      await card.getByRole('button', { name: 'Invite to portal' }).click();
      await card.getByRole('status').getByText(`Invitation sent to ${ANDERSON.email}.`, { exact: false }).waitFor();
      const mail = await newMail(server.stateDir, seen);
      assert.equal(mail.to, ANDERSON.email);
      assert.match(mail.subject, /Anderson Law LLP invites you/);
      await card.getByText('Invited \u2014 the client has not activated the account yet.').waitFor();
      const user = card.getByRole('listitem').filter({ hasText: ANDERSON.email });
      await user.getByText('Invited', { exact: true }).waitFor();
      await card.getByRole('button', { name: 'Resend invitation' }).waitFor();
      await screenshot(page, `${backend}-client-portal-invited-1280`);

      // The directory's Portal column agrees.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      const row = page.locator('table.clients-table tbody tr').filter({ hasText: ANDERSON.name });
      await row.getByText('Invited').waitFor();
      await openClient(page, ANDERSON.name);

      // Revoke, with a confirmation step that can be cancelled.
      await card.getByRole('button', { name: 'Revoke portal access', exact: true }).click();
      const confirm = card.getByRole('group', { name: /Revoke portal access for Thomas Anderson\?/ });
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      assert.equal(await confirm.count(), 0);
      assert.equal((await staff.json('GET', `clients/${ids.anderson}/portal`)).items[0].status, 'invited', 'Cancel revokes nothing');
      await card.getByRole('button', { name: 'Revoke portal access', exact: true }).click();
      await confirm.getByRole('button', { name: 'Yes, revoke access' }).click();
      await card.getByText('Portal access revoked: 1 portal user was signed out.').waitFor();
      await card.getByText('Revoked \u2014 the client can no longer sign in.').waitFor();
      await user.getByText('Revoked', { exact: true }).waitFor();
      assert.equal(await card.getByRole('button', { name: 'Revoke portal access', exact: true }).count(), 0);
      const after = await staff.json('GET', `clients/${ids.anderson}`);
      assert.equal(after.portal_status, 'revoked');
      await screenshot(page, `${backend}-client-portal-revoked-1280`);
      assertClean(p);
    });

    test('an organisation invites several contacts, each revoked on its own', async () => {
      const p = await newPage();
      const { page } = p;
      await signIn(page);
      await openClient(page, SMITH.name);
      const card = page.getByRole('region', { name: 'Client portal' });
      await card.getByRole('button', { name: 'Invite to portal' }).click();
      await card.getByText(`Invitation sent to ${SMITH.email}.`, { exact: false }).waitFor();

      const seen = outbox(server.stateDir);
      await card.getByRole('button', { name: 'Invite another contact' }).click();
      const form = card.getByRole('form', { name: 'Invite another contact' });
      assert.equal(await form.getByLabel('Email').evaluate((el) => el === document.activeElement), true, 'focus goes to Email');
      await form.getByLabel('Email').fill('sarah.smith@');
      await form.getByRole('button', { name: 'Send invitation' }).click();
      await form.getByRole('alert').getByText('Email: Enter a valid email address, like name@example.com').waitFor();
      await form.getByLabel('Email').fill('sarah.smith@smith-holdings.test');
      await form.getByLabel('Name').fill(SMITH.contact);
      await form.getByRole('button', { name: 'Send invitation' }).click();
      await card.getByText('Invitation sent to sarah.smith@smith-holdings.test.', { exact: false }).waitFor();
      assert.equal((await newMail(server.stateDir, seen)).to, 'sarah.smith@smith-holdings.test');
      await card.getByRole('heading', { name: 'Portal users (2)' }).waitFor();
      const sarah = card.getByRole('listitem').filter({ hasText: SMITH.contact });
      await sarah.getByText('sarah.smith@smith-holdings.test').waitFor();
      await screenshot(page, `${backend}-client-portal-1280`);

      await sarah.getByRole('button', { name: 'Revoke access for sarah.smith@smith-holdings.test' }).click();
      await sarah.getByRole('button', { name: 'Revoke access' }).click();
      await card.getByText('Portal access revoked for sarah.smith@smith-holdings.test.', { exact: false }).waitFor();
      await sarah.getByText('Revoked', { exact: true }).waitFor();
      const users = Object.fromEntries((await staff.json('GET', `clients/${ids.smith}/portal`)).items.map((u) => [u.email, u.status]));
      assert.deepEqual(users, { [SMITH.email]: 'invited', 'sarah.smith@smith-holdings.test': 'revoked' });
      await card.getByText('Invited \u2014 the client has not activated the account yet.').waitFor();
      assertClean(p);
    });

    test('the case list: search, phase filter, a client\u2019s cases and keyset paging', async () => {
      // 27 more matters for Smith Holdings, opened on different days.
      for (let i = 1; i <= 27; i += 1) {
        await staff.json('POST', 'cases', { client_id: ids.smith, title: `Smith Holdings debt recovery ${String(i).padStart(2, '0')}`,
          phase: i % 3 ? 'active' : 'settled', opened_on: `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + i).padStart(2, '0')}` });
      }
      const p = await newPage();
      const { page } = p;
      await signIn(page);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
      await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
      const range = page.locator('.pager-range');
      const titles = () => page.locator('table.cases-table tbody .row-link').allTextContents();
      await eventually(async () => assert.equal(await range.textContent(), 'Showing 1\u201325'));
      const headers = await page.locator('table.cases-table thead th').allTextContents();
      assert.deepEqual(headers, ['Title', 'Matter no.', 'Client', 'Phase', 'Opened']);
      const first = await titles();
      assert.equal(first[0], CASE_TITLE, 'newest opened first');
      const row = page.locator('table.cases-table tbody tr').first();
      await row.getByRole('link', { name: ANDERSON.name }).waitFor();
      await row.getByText('Discovery').waitFor();
      await row.getByText(/^14 Sept? 2026$/).waitFor();
      await screenshot(page, `${backend}-cases-1280`);
      await page.getByRole('button', { name: 'Next' }).click();
      await eventually(async () => assert.equal(await range.textContent(), 'Showing 26\u201329'));
      const second = await titles();
      assert.equal(new Set([...first, ...second]).size, 29, 'every case once');
      assert.equal(await page.getByRole('button', { name: 'Next' }).isDisabled(), true);

      await page.getByLabel('Search').fill('fouchix');
      await eventually(async () => assert.deepEqual(await titles(), [CASE_TITLE]));
      await page.getByLabel('Search').fill('');
      await page.getByLabel('Phase', { exact: true }).selectOption('settled');
      await eventually(async () => {
        const t = await titles();
        assert.equal(t.length, 9);
        assert.ok(t.every((x) => x.startsWith('Smith Holdings debt recovery')));
      });
      await page.getByLabel('Search').fill('no such matter');
      await page.getByRole('heading', { name: '\u201cno such matter\u201d', exact: false }).waitFor();
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await eventually(async () => assert.equal(await range.textContent(), 'Showing 1\u201325'));

      // A client's page lists only that client's cases: ten, then "Show all".
      await page.goto(`${server.baseUrl}/app/#/clients/${ids.smith}`);
      const casesCard = page.getByRole('region', { name: 'Cases (28)' });
      const caseLinks = casesCard.getByRole('listitem').getByRole('link');
      await eventually(async () => assert.equal(await caseLinks.count(), 10));
      await casesCard.getByRole('button', { name: 'Show all 28 cases' }).click();
      await eventually(async () => assert.equal(await caseLinks.count(), 28));
      assert.equal(await casesCard.getByRole('link', { name: CASE_TITLE }).count(), 0);
      assertClean(p);
    });

    test('New case from the case list: choose the client with the search box and the keyboard', async () => {
      const p = await newPage();
      const { page } = p;
      await signIn(page);
      await page.goto(`${server.baseUrl}/app/#/cases`);
      await page.getByRole('button', { name: 'New case' }).click();
      await page.getByRole('heading', { level: 1, name: 'New case' }).waitFor();
      await page.getByRole('button', { name: 'Open case' }).click();
      await page.getByRole('alert').getByText('Client: Choose the client this case is for').waitFor();
      await page.getByLabel('Client', { exact: true }).fill('smith');
      const option = page.getByRole('list', { name: 'Matching clients' }).getByRole('button', { name: new RegExp(SMITH.name) });
      await option.waitFor();
      await page.getByLabel('Client', { exact: true }).press('ArrowDown');
      await eventually(async () => assert.equal(await option.evaluate((el) => el === document.activeElement), true));
      await page.keyboard.press('Enter');
      await page.locator('.picked').getByText(SMITH.name).waitFor();
      await eventually(async () => assert.equal(await page.getByLabel('Title').evaluate((el) => el === document.activeElement), true));
      await page.keyboard.type('Smith Holdings v. Northwind');
      await screenshot(page, `${backend}-case-form-1280`);
      await page.getByRole('button', { name: 'Open case' }).click();
      await page.getByRole('heading', { level: 1, name: 'Smith Holdings v. Northwind' }).waitFor();
      await page.getByRole('region', { name: 'Case summary' }).getByRole('link', { name: SMITH.name }).waitFor();
      assertClean(p);
    });

    test('phone width (390px): the case page and the client portal card fit, nothing scrolls sideways', async () => {
      const p = await newPage({ width: 390, height: 844 });
      const { page } = p;
      await signIn(page);
      await openCase(page);
      await updateItem(page, SHARED_TEXT).waitFor();
      await page.getByRole('region', { name: 'Internal notes \u2014 never shown to the client' }).getByText(NOTE_TEXT).waitFor();
      await noSidewaysScroll(page, 'the case page');
      await screenshot(page, `${backend}-case-390`);
      await page.goto(`${server.baseUrl}/app/#/clients/${ids.smith}`);
      await page.getByRole('region', { name: 'Client portal' }).getByRole('heading', { name: 'Portal users (2)' }).waitFor();
      await page.getByRole('region', { name: /^Cases/ }).getByRole('link').first().waitFor();
      await noSidewaysScroll(page, 'the client page');
      await screenshot(page, `${backend}-client-portal-390`);
      await page.goto(`${server.baseUrl}/app/#/cases`);
      await page.locator('table.cases-table tbody tr').first().waitFor();
      await noSidewaysScroll(page, 'the case list');
      await screenshot(page, `${backend}-cases-390`);
      assertClean(p);
    });
  });
}
