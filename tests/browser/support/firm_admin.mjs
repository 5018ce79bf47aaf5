// Firm administration in the staff app, run once per database backend by firm_admin_*.test.mjs:
// the owner invites a paralegal by e-mail; the paralegal opens the link from the captured mail
// (the outbox), chooses a password, is signed in and sees paralegal navigation only; the owner
// disables them and their open session ends. Then the case form's responsible attorney picker,
// the module switches and the audit log screen.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { suiteRig } from './rig.mjs';
import { assertClean, signInStaff } from './browser.mjs';
import { outboxFiles } from './portal.mjs';
import { eventually } from './suite.mjs';

const PASSWORD = 'correct horse battery staple';
const FIRM = { slug: 'anderson-law', name: 'Anderson Law LLP' };
const OWNER = { firm: FIRM.slug, email: 'olivia.owner@anderson.test', password: PASSWORD };
const ATTORNEY = { firm: FIRM.slug, email: 'alan.attorney@anderson.test', password: PASSWORD };
const PARALEGAL = { firm: FIRM.slug, email: 'pat.paralegal@anderson.test', password: 'paper lantern over the river' };

/** The staff invitation link in the newest e-mail not in `before` (quoted-printable undone). */
async function joinLink(stateDir, before) {
  return eventually(() => {
    const fresh = outboxFiles(stateDir).filter((f) => !before.includes(f));
    assert.ok(fresh.length, 'no new e-mail in the outbox');
    const raw = readFileSync(join(stateDir, 'outbox', fresh[fresh.length - 1]), 'utf8');
    const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    assert.match(raw, new RegExp(`^To:.*${PARALEGAL.email.replace(/\./g, '\\.')}`, 'm'));
    const link = (text.match(/https?:\/\/[^\s"<>]+\/app\/#\/join\/[0-9]+\.[A-Za-z0-9_-]+/) || [''])[0];
    assert.ok(link, `no invitation link in the e-mail:\n${raw}`);
    return link;
  }, 5_000);
}

const navLinks = async (page) => (await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts())
  .map((t) => t.trim()).filter(Boolean);

export function firmAdminSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`firm administration in Chromium (${backend})`, () => {
    let server;
    const { newPage } = suiteRig({
      database, cleanup, lexos: { plugins: 'clients,cases' },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: FIRM.slug, name: FIRM.name, email: OWNER.email, password: PASSWORD, displayName: 'Olivia Owner' });
        await server.lexosctl(['user', 'create', '--firm', FIRM.slug, '--email', ATTORNEY.email, '--role', 'attorney',
          '--name', 'Alan Attorney', '--password-stdin'], `${PASSWORD}\n`);
      },
    });

    test('the owner invites a paralegal by e-mail, who joins, sees paralegal navigation only, and is disabled', async () => {
      const owner = await newPage();
      await signInStaff(owner.page, server.baseUrl, OWNER);
      const ownerNav = await navLinks(owner.page);
      for (const l of ['Staff', 'Modules', 'Audit log', 'Firm settings']) assert.ok(ownerNav.includes(l), `owner sees ${l}: ${ownerNav}`);
      await owner.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Staff' }).click();
      await owner.page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
      await owner.page.locator('tr', { hasText: ATTORNEY.email }).getByText('Active').waitFor();

      const before = outboxFiles(server.stateDir);
      await owner.page.getByLabel('Email').fill(PARALEGAL.email);
      await owner.page.getByLabel('Name').fill('Pat');
      await owner.page.getByLabel('Role', { exact: true }).selectOption('paralegal');
      await owner.page.getByRole('button', { name: 'Send invitation' }).click();
      await owner.page.getByRole('status').getByText(`Invitation sent to ${PARALEGAL.email}.`).waitFor();
      await owner.page.locator('tr', { hasText: PARALEGAL.email }).getByText('Invited').waitFor();
      const link = await joinLink(server.stateDir, before);

      // The paralegal, in a browser of their own, opens the link from the e-mail.
      const para = await newPage();
      await para.page.goto(link);
      await para.page.getByRole('heading', { level: 1, name: 'Join your firm' }).waitFor();
      await para.page.getByLabel('Your name').fill('Pat Paralegal');
      await para.page.getByLabel('Password').fill(PARALEGAL.password);
      await para.page.getByRole('button', { name: 'Join the firm' }).click();
      await para.page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
      const paraNav = await navLinks(para.page);
      assert.ok(paraNav.includes('Clients') && paraNav.includes('Cases'), `paralegal navigation: ${paraNav}`);
      for (const l of ['Staff', 'Modules', 'Audit log', 'Firm settings']) assert.ok(!paraNav.includes(l), `paralegal must not see ${l}: ${paraNav}`);
      await para.page.getByRole('navigation', { name: 'Main' }).getByText('Pat Paralegal').waitFor();

      // The owner's list shows them active, with a sign-in; the owner disables them.
      await owner.page.reload();
      await owner.page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
      const row = owner.page.locator('tr', { hasText: PARALEGAL.email });
      await row.getByText('Active').waitFor();
      assert.notEqual((await row.locator('td.col-when').innerText()).trim(), 'Never');
      await row.getByRole('button', { name: 'Disable Pat Paralegal' }).click();
      await owner.page.getByRole('status').getByText('Pat Paralegal is disabled and signed out.').waitFor();
      await owner.page.locator('tr', { hasText: PARALEGAL.email }).getByText('Disabled').waitFor();

      // The paralegal's open session has ended: the next page asks them to sign in again.
      para.expectProblem(/status of 401/);
      para.expectProblem(/status of 404 .*\/plugins\/cases\//); // a module's screens are for sessions only
      await para.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
      await para.page.getByText('Your session has ended. Sign in again to continue.').waitFor();
      await para.page.getByLabel('Password').waitFor();
      assertClean(owner);
      assertClean(para);
    });

    test('the owner cannot demote themselves as the last owner, and the message says why', async () => {
      const p = await newPage();
      p.expectProblem(/status of 409/);
      await signInStaff(p.page, server.baseUrl, OWNER);
      await p.page.goto(`${server.baseUrl}/app/#/firm/staff`);
      await p.page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
      await p.page.getByLabel('Role of Olivia Owner').selectOption('attorney');
      await p.page.getByText('The firm needs at least one active owner').waitFor();
      await p.page.reload();
      await p.page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
      assert.equal(await p.page.getByLabel('Role of Olivia Owner').inputValue(), 'owner');
      assertClean(p);
    });

    test('a new case picks its responsible attorney from the firm\u2019s staff', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      await page.getByRole('button', { name: 'New client' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Thomas Anderson');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Thomas Anderson' }).waitFor();
      await page.goto(`${server.baseUrl}/app/#/cases/new`);
      await page.getByRole('heading', { level: 1, name: 'New case' }).waitFor();
      await page.getByLabel('Client', { exact: true }).fill('Thomas');
      await page.getByRole('button', { name: /Thomas Anderson/ }).click();
      await page.getByLabel('Title').fill('State vs. Fouchix');
      const picker = page.getByLabel('Responsible attorney');
      const options = await picker.locator('option').allInnerTexts();
      assert.ok(options.includes('Alan Attorney (attorney)'), `options: ${options}`);
      assert.ok(!options.some((o) => o.includes('Pat Paralegal')), `a disabled paralegal is no option: ${options}`);
      await picker.selectOption({ label: 'Alan Attorney (attorney)' });
      await page.getByRole('button', { name: 'Open case' }).click();
      await page.getByRole('heading', { level: 1, name: 'State vs. Fouchix' }).waitFor();
      const summary = page.getByRole('region', { name: 'Case summary' });
      await summary.getByText('Alan Attorney').waitFor();
      // Changed on the case page with the same list.
      await summary.getByRole('button', { name: 'Change responsible' }).click();
      assert.equal(await page.getByLabel('Responsible', { exact: true }).locator('option:checked').innerText(), 'Alan Attorney (attorney)');
      await page.getByLabel('Responsible', { exact: true }).selectOption({ label: 'Olivia Owner (owner)' });
      await page.getByRole('button', { name: 'Save responsible' }).click();
      await summary.locator('a[href="mailto:olivia.owner@anderson.test"]').waitFor();
      await summary.getByRole('button', { name: 'Change responsible' }).waitFor();
      assertClean(p);
    });

    test('the owner switches the cases module off and on, and reads the verified audit log filtered', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Modules' }).click();
      await page.getByRole('heading', { level: 1, name: 'Modules' }).waitFor();
      await page.getByRole('row', { name: /Core/ }).getByText('Always on').waitFor();
      const cases = page.getByRole('switch', { name: 'Cases' });
      assert.equal(await cases.isChecked(), true);
      await cases.click();
      await page.getByRole('status').getByText('Cases is switched off.').waitFor();
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Modules' }).waitFor();
      assert.ok(!(await navLinks(page)).includes('Cases'));
      await page.getByRole('switch', { name: 'Cases' }).click();
      await page.getByRole('status').getByText('Cases is switched on.').waitFor();

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
      await page.getByText('Chain verified.').waitFor();
      await page.getByLabel('Action').fill('firm.modules');
      await page.getByRole('button', { name: 'Show entries' }).click();
      await eventually(async () => assert.equal(await page.locator('table.audit-table tbody tr').count(), 2));
      await page.getByLabel('Action').fill('staff.');
      await page.getByLabel('Actor').fill('olivia');
      await page.getByRole('button', { name: 'Show entries' }).click();
      await page.locator('table.audit-table').getByText('staff.disable').waitFor();
      assertClean(p);
    });
  });
}
