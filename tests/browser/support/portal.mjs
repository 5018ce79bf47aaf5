// The client portal's browser tests, run once per database backend by portal_*.test.mjs.
// A real lexosd with the clients, cases and portal modules; staff steps go through the API
// (the staff app has no "Invite to portal" / "Revoke portal access" buttons yet), the client's
// steps through the portal in Chromium.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { apiSession } from './lexos.mjs';
import { suiteRig } from './rig.mjs';
import { assertClean, screenshot } from './browser.mjs';
import { eventually } from './suite.mjs';

const STAFF_PASSWORD = 'correct horse battery staple';
const FIRM = { slug: 'anderson-law', name: 'Anderson Law LLP' };
const OWNER = { firm: FIRM.slug, email: 'olivia.owner@anderson.test', password: STAFF_PASSWORD, displayName: 'Olivia Owner' };
const CLIENT_EMAIL = 'thomas@anderson-client.test';
const CLIENT_PASSWORD = 'copper kettle north window';
const NEW_PASSWORD = 'quiet harbour violet engine';

/** What each test can see: texts the client must and must not see. */
const SHARED = [
  'We have received the prosecution\u2019s disclosure and are reviewing it with you next week.',
  'Expert witness engaged; the report is expected within three weeks.',
];
const INTERNAL_UPDATE = 'INTERNAL: consider challenging the search warrant before trial.';
const INTERNAL_NOTE = 'WAR ROOM: the CCTV timeline does not match the arrest report.';
const OTHER_CLIENT_UPDATE = 'Statement of claim filed for Smith Holdings.';

/** The .eml files in `<stateDir>/outbox`, oldest first. */
export function outboxFiles(stateDir) {
  try {
    return readdirSync(join(stateDir, 'outbox')).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return [];
  }
}

/**
 * The activation link in the newest message not in `before`, with quoted-printable soft line
 * breaks ("=\r\n") and "=3D" undone. Resolves { link, to, subject }.
 */
export async function activationMail(stateDir, before = []) {
  return eventually(() => {
    const fresh = outboxFiles(stateDir).filter((f) => !before.includes(f));
    assert.ok(fresh.length, `no new e-mail in ${join(stateDir, 'outbox')}`);
    const raw = readFileSync(join(stateDir, 'outbox', fresh[fresh.length - 1]), 'utf8');
    const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const link = (text.match(/https?:\/\/[^\s"<>]+\/portal\/(?:[a-z0-9-]+\/)?#\/activate\/[0-9]+\.[A-Za-z0-9_-]+/) || [''])[0];
    assert.ok(link, `no activation link in the e-mail:\n${raw}`);
    return { link, to: (raw.match(/^To:\s*(.*)$/m) || ['', ''])[1].trim(), subject: (raw.match(/^Subject:\s*(.*)$/m) || ['', ''])[1].trim() };
  }, 5_000);
}

/**
 * Gives client `clientId` a portal account as a firm does: "Invite to portal" through the API
 * (`staff`: an apiSession), then activation with the e-mailed link and `password`.
 */
export async function activatePortalClient(server, staff, clientId, password) {
  const before = outboxFiles(server.stateDir);
  await staff.json('POST', `clients/${clientId}/portal/invite`, {});
  const { link } = await activationMail(server.stateDir, before);
  const token = decodeURIComponent(link.split('#/activate/')[1]);
  const res = await fetch(`${server.baseUrl.replace('//localhost:', '//127.0.0.1:')}/api/v1/portal/activate`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token, password }),
  });
  assert.equal(res.status, 200, `activation: ${await res.text()}`);
}

/** Signs `who` ({firm, email, password}) in to the portal; resolves on "My matters". */
export async function signInPortal(page, baseUrl, who) {
  await page.goto(`${baseUrl}/portal/`);
  await page.getByLabel('Firm').fill(who.firm);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'My matters' }).waitFor();
}

/** Clicks `link` and resolves the downloaded file's bytes. */
export async function downloadBytes(page, link) {
  const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return readFileSync(await dl.path());
}

/** A screenshot with the pointer out of the way, so no card is drawn hovered. */
async function shot(page, name) {
  await page.mouse.move(1, 1);
  return screenshot(page, name);
}

/**
 * Defines the suite. `backend`: 'sqlite' or 'postgresql'; `database()` resolves the PostgreSQL
 * URLs (or null for SQLite); `cleanup()` runs at the end.
 */
export function portalSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`client portal in Chromium (${backend})`, () => {
    let server;
    let staff;
    const ids = {};
    let link = '';
    let password = CLIENT_PASSWORD;

    const { newPage } = suiteRig({
      database, cleanup, lexos: { plugins: 'clients,cases,portal' },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: FIRM.slug, name: FIRM.name, email: OWNER.email, password: OWNER.password,
          displayName: OWNER.displayName });
        staff = await apiSession(server.baseUrl, OWNER);
        // Mr. Anderson: two matters, shared and internal updates, an internal note.
        ids.anderson = (await staff.json('POST', 'clients', { name: 'Thomas Anderson', email: CLIENT_EMAIL })).id;
        ids.fouchix = (await staff.json('POST', 'cases', {
          client_id: ids.anderson, title: 'State vs. Fouchix', practice_area: 'Criminal defence', phase: 'discovery', opened_on: '2026-09-14',
        })).id;
        ids.insurance = (await staff.json('POST', 'cases', {
          client_id: ids.anderson, title: 'Anderson v. Metro Insurance', practice_area: 'Insurance claim', phase: 'intake',
        })).id;
        ids.estate = (await staff.json('POST', 'cases', {
          client_id: ids.anderson, title: 'Estate of Margaret Anderson', practice_area: 'Probate', phase: 'closed', opened_on: '2025-03-02',
        })).id;
        await staff.json('POST', `cases/${ids.estate}/updates`, { text: 'The estate has been distributed. Thank you for your trust.', client_visible: true });
        await staff.json('POST', `cases/${ids.fouchix}/updates`, { text: SHARED[0], client_visible: true });
        await staff.json('POST', `cases/${ids.fouchix}/updates`, { text: INTERNAL_UPDATE, client_visible: false });
        await staff.json('POST', `cases/${ids.fouchix}/notes`, { text: INTERNAL_NOTE });
        // created_at has whole seconds: keep the two shared updates in distinct seconds.
        await new Promise((r) => setTimeout(r, 1100));
        await staff.json('POST', `cases/${ids.fouchix}/updates`, { text: SHARED[1], client_visible: true });
        // Another client of the same firm, with a matter and a shared update.
        ids.smith = (await staff.json('POST', 'clients', { name: 'Smith Holdings Ltd', email: 'smith@smith-holdings.test' })).id;
        ids.zion = (await staff.json('POST', 'cases', {
          client_id: ids.smith, title: 'Smith Holdings v. Zion Logistics', practice_area: 'Commercial', phase: 'trial',
        })).id;
        await staff.json('POST', `cases/${ids.zion}/updates`, { text: OTHER_CLIENT_UPDATE, client_visible: true });
      },
    });

    async function signIn(page, pw = password) {
      await page.goto(`${server.baseUrl}/portal/`);
      await page.getByRole('heading', { level: 1, name: 'Sign in to your client portal' }).waitFor();
      await page.getByLabel('Firm').fill(FIRM.slug);
      await page.getByLabel('Email').fill(CLIENT_EMAIL);
      await page.getByLabel('Password').fill(pw);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'My matters' }).waitFor();
    }

    const navLink = (page, name) => page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name });
    const cardTitles = (page) => page.locator('.matter-card .matter-title').allTextContents();

    test('staff invites a client; the e-mailed link opens activation; the client sets a password and sees exactly their matters', async () => {
      // Staff step through the API: the staff app has no "Invite to portal" button yet.
      const before = outboxFiles(server.stateDir);
      const invite = await staff.json('POST', `clients/${ids.anderson}/portal/invite`, {});
      assert.equal(invite.portal_status, 'invited');
      const mail = await activationMail(server.stateDir, before);
      assert.equal(mail.to.replace(/.*</, '').replace(/>.*/, ''), CLIENT_EMAIL);
      // The firm's own portal address (/portal/<slug>/): the page shows the firm, asks no firm name.
      assert.match(mail.link, new RegExp(`^${server.baseUrl}/portal/${FIRM.slug}/#/activate/\\d+\\.[A-Za-z0-9_-]+$`));
      link = mail.link;

      const p = await newPage();
      const { page } = p;
      p.expectProblem(/status of 400/); // the server refuses a common password (checked below)
      await page.goto(link);
      await page.getByRole('heading', { level: 1, name: 'Set up your portal account' }).waitFor();
      await shot(page, `${backend}-portal-activate-1280`);
      const pw = page.getByLabel('New password');
      const again = page.getByLabel('Repeat password');

      // Too short and not repeated: caught in the page, each error tied to its field.
      await pw.fill('short');
      await page.getByRole('button', { name: 'Activate account' }).click();
      await page.getByRole('alert').getByRole('button', { name: 'New password: Use at least 12 characters (this one has 5).' }).waitFor();
      await page.getByRole('alert').getByRole('button', { name: 'Repeat password: Type the password again.' }).waitFor();
      assert.equal(await pw.getAttribute('aria-invalid'), 'true');
      const described = (await pw.getAttribute('aria-describedby')).split(' ');
      const errorText = await page.evaluate((ids) => ids.map((id) => document.getElementById(id).textContent).join(' | '), described);
      assert.match(errorText, /Use at least 12 characters/);
      assert.equal(await again.getAttribute('aria-invalid'), 'true');
      await shot(page, `${backend}-portal-activate-errors-1280`);

      // A common password: refused by the server, shown on the New password field.
      await pw.fill('password1234');
      await again.fill('password1234');
      await page.getByRole('button', { name: 'Activate account' }).click();
      await page.getByRole('alert').filter({ hasText: 'This password is too common; choose another.' }).waitFor();
      assert.equal(await pw.getAttribute('aria-invalid'), 'true');
      assert.equal(await again.getAttribute('aria-invalid'), null);

      await pw.fill(CLIENT_PASSWORD);
      await again.fill(CLIENT_PASSWORD);
      await page.getByRole('button', { name: 'Activate account' }).click();
      await page.getByRole('heading', { level: 1, name: 'My matters' }).waitFor();
      await page.getByText(`Your account is ready. Next time, sign in at ${server.baseUrl}/portal/${FIRM.slug}/ with your email`).waitFor();
      assert.ok(!page.url().includes('activate'), 'the spent link leaves the address bar');
      assert.equal(await page.getByRole('banner').getByText(FIRM.name).count(), 1);

      // Exactly this client's matters: open ones, newest first.
      await eventually(async () => assert.deepEqual(await cardTitles(page),
        ['Anderson v. Metro Insurance', 'State vs. Fouchix', 'Estate of Margaret Anderson']));
      const closedSection = page.getByRole('region', { name: 'Closed matters' });
      assert.deepEqual(await closedSection.locator('.matter-title').allTextContents(), ['Estate of Margaret Anderson']);
      assert.equal(await closedSection.getByRole('progressbar').getAttribute('aria-valuetext'), 'Closed \u2014 step 6 of 6');
      assert.equal(await closedSection.getByRole('progressbar').getAttribute('aria-valuenow'), '100');
      const body = await page.locator('body').innerText();
      for (const hidden of ['Smith Holdings v. Zion Logistics', OTHER_CLIENT_UPDATE, INTERNAL_UPDATE, INTERNAL_NOTE]) {
        assert.ok(!body.includes(hidden), `the portal shows ${hidden}`);
      }
      // Phase and progress, for eyes and for assistive technology.
      const fouchix = page.locator('.matter-card').filter({ hasText: 'State vs. Fouchix' });
      await fouchix.getByText('Discovery \u2014 step 3 of 6').waitFor();
      const bar = fouchix.getByRole('progressbar');
      assert.equal(await bar.getAttribute('aria-valuenow'), '50');
      assert.equal(await bar.getAttribute('aria-valuemin'), '0');
      assert.equal(await bar.getAttribute('aria-valuemax'), '100');
      assert.equal(await bar.getAttribute('aria-valuetext'), 'Discovery \u2014 step 3 of 6');
      assert.match(await bar.evaluate((el) => document.getElementById(el.getAttribute('aria-labelledby')).textContent), /Discovery \u2014 step 3 of 6/);
      await fouchix.getByText(SHARED[1]).waitFor(); // the latest shared update, not the internal one
      await fouchix.getByText('Olivia Owner').waitFor();
      await fouchix.getByText(/Opened 14 Sept? 2026/).waitFor();
      const insurance = page.locator('.matter-card').filter({ hasText: 'Anderson v. Metro Insurance' });
      assert.equal(await insurance.getByRole('progressbar').getAttribute('aria-valuetext'), 'Intake \u2014 step 1 of 6');
      await insurance.getByText('No updates yet.').waitFor();
      await shot(page, `${backend}-portal-matters-1280`);

      // The matter's page: timeline of shared updates (newest first), contact, stages.
      await page.getByRole('link', { name: 'State vs. Fouchix' }).click();
      await page.getByRole('heading', { level: 1, name: 'State vs. Fouchix' }).waitFor();
      await eventually(async () => assert.deepEqual(await page.locator('.timeline-text').allTextContents(), [SHARED[1], SHARED[0]]));
      const matterText = await page.locator('body').innerText();
      assert.ok(!matterText.includes(INTERNAL_UPDATE), 'an internal update is on the portal page');
      assert.ok(!matterText.includes(INTERNAL_NOTE), 'an internal note is on the portal page');
      const status = page.getByRole('region', { name: 'Where things stand' });
      await status.getByText('Discovery \u2014 step 3 of 6').waitFor();
      assert.equal(await status.getByRole('progressbar').getAttribute('aria-valuenow'), '50');
      assert.deepEqual(await status.locator('.step-label').allTextContents(), ['Intake', 'Active', 'Discovery', 'Trial', 'Settled', 'Closed']);
      assert.equal(await status.locator('[aria-current="step"] .step-label').textContent(), 'Discovery');
      const contact = page.getByRole('region', { name: 'Your contact' });
      await contact.getByText('Olivia Owner').waitFor();
      assert.equal(await contact.getByRole('link', { name: OWNER.email }).getAttribute('href'), `mailto:${OWNER.email}`);
      assert.equal(await navLink(page, 'My matters').getAttribute('aria-current'), 'page');
      await shot(page, `${backend}-portal-matter-1280`);
      assertClean(p);
    });

    test('the activation link works once: opened again, it says so and shows no password form', async () => {
      assert.ok(link, 'the first test found the link');
      const p = await newPage();
      const { page } = p;
      await page.goto(link);
      await page.getByRole('heading', { level: 1, name: 'This link has already been used' }).waitFor();
      await page.getByRole('alert').getByText('this invitation link worked once and cannot be used again', { exact: false }).waitFor();
      assert.equal(await page.getByLabel('New password').count(), 0, 'no password form for a used link');
      assert.equal(await page.getByRole('button', { name: 'Activate account' }).count(), 0);
      await shot(page, `${backend}-portal-activate-used-1280`);
      // "Sign in instead" leads to the firm's own sign-in page: its name, no Firm field.
      await page.getByRole('link', { name: 'Sign in instead' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign in to your client portal' }).waitFor();
      assert.equal(new URL(page.url()).pathname, `/portal/${FIRM.slug}/`);
      await page.locator('.firm-face').getByText(FIRM.name).waitFor();
      assert.equal(await page.getByLabel('Firm').count(), 0, 'the firm comes from the address');
      assertClean(p);
    });

    test('another client\u2019s matter, and one that does not exist, show "Matter not found"', async () => {
      const p = await newPage();
      const { page } = p;
      p.expectProblem(/status of 404/);
      await signIn(page);
      for (const id of [ids.zion, 987654321]) {
        await page.goto(`${server.baseUrl}/portal/#/matters/${id}`);
        await page.getByRole('heading', { level: 1, name: 'Matter not found' }).waitFor();
        await page.getByText('We could not find this matter. It may not exist, or it is not shared with your account.').waitFor();
        const text = await page.locator('body').innerText();
        assert.ok(!text.includes('Zion') && !text.includes(OTHER_CLIENT_UPDATE), 'nothing of the other client shows');
      }
      await shot(page, `${backend}-portal-not-found-1280`);
      await page.getByRole('link', { name: 'See my matters' }).click();
      await page.getByRole('heading', { level: 1, name: 'My matters' }).waitFor();
      assertClean(p);
    });

    test('phone width (390px): matters, a matter and the account page fit without sideways scrolling', async () => {
      const p = await newPage({ width: 390, height: 844 });
      const { page } = p;
      await signIn(page);
      const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      await page.locator('.matter-card').first().waitFor();
      assert.ok(await overflow() <= 0, `matters: no sideways scrolling (${await overflow()}px)`);
      await shot(page, `${backend}-portal-matters-390`);
      await page.getByRole('link', { name: 'State vs. Fouchix' }).click();
      await page.getByRole('heading', { level: 1, name: 'State vs. Fouchix' }).waitFor();
      await page.locator('.timeline-text').first().waitFor();
      assert.ok(await overflow() <= 0, `matter: no sideways scrolling (${await overflow()}px)`);
      await shot(page, `${backend}-portal-matter-390`);
      await navLink(page, 'Account').click();
      await page.getByRole('heading', { level: 1, name: 'Account' }).waitFor();
      assert.ok(await overflow() <= 0, `account: no sideways scrolling (${await overflow()}px)`);
      await shot(page, `${backend}-portal-account-390`);
      assertClean(p);
    });

    test('sign-in page at 390px, and wrong details are named without saying which', async () => {
      const p = await newPage({ width: 390, height: 844 });
      const { page } = p;
      p.expectProblem(/status of 401/);
      await page.goto(`${server.baseUrl}/portal/`);
      await page.getByRole('heading', { level: 1, name: 'Sign in to your client portal' }).waitFor();
      await shot(page, `${backend}-portal-signin-390`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Fill in the missing details.' }).waitFor();
      assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
      await page.getByLabel('Firm').fill(FIRM.slug);
      await page.getByLabel('Email').fill(CLIENT_EMAIL);
      await page.getByLabel('Password').fill('not the password at all');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'The firm, email or password is not right.' }).waitFor();
      assert.equal(await page.getByLabel('Password').inputValue(), '');
      assertClean(p);
    });

    test('room in the navigation: Documents and Invoices entries from later modules fit at 390px', async () => {
      const p = await newPage({ width: 390, height: 844 });
      const { page } = p;
      // What the documents and billing modules will add to /api/v1/nav (their routes do not exist yet).
      await page.route('**/api/v1/nav', async (route) => {
        const res = await route.fetch();
        const nav = await res.json();
        nav.items.splice(1, 0, { module: 'documents', section: '', label: 'Documents', href: '#/documents' },
          { module: 'billing', section: '', label: 'Invoices', href: '#/invoices' });
        await route.fulfill({ response: res, json: nav });
      });
      await signIn(page);
      const nav = page.getByRole('navigation', { name: 'Portal' });
      assert.deepEqual(await nav.getByRole('link').allTextContents(), ['My matters', 'Documents', 'Invoices', 'Account']);
      for (const link of await nav.getByRole('link').all()) assert.ok(await link.isVisible());
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
      await shot(page, `${backend}-portal-nav-room-390`);
      assertClean(p);
    });

    test('keyboard: a skip link first, visible focus, and focus on each new page\u2019s heading', async () => {
      const p = await newPage();
      const { page } = p;
      await signIn(page);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'My matters' }).waitFor();
      const focused = () => page.evaluate(() => {
        const el = document.activeElement;
        const s = getComputedStyle(el);
        return { text: el.textContent.trim(), tag: el.tagName, outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };
      });
      await page.keyboard.press('Tab');
      let f = await focused();
      assert.equal(f.text, 'Skip to content');
      await page.keyboard.press('Enter');
      await eventually(async () => assert.equal((await focused()).text, 'My matters'));
      // Tab from the heading reaches the first matter's link, with a visible focus ring.
      await page.keyboard.press('Tab');
      f = await focused();
      assert.equal(f.text, 'Anderson v. Metro Insurance');
      const ring = await page.evaluate(() => getComputedStyle(document.activeElement, '::after').outlineStyle);
      assert.notEqual(ring, 'none', 'the focused card shows a ring');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Anderson v. Metro Insurance' }).waitFor();
      await eventually(async () => assert.equal((await focused()).tag, 'H1'));
      // The header's links and buttons show a 2px ring when reached by keyboard.
      await page.getByRole('button', { name: 'Sign out', exact: true }).focus();
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Tab');
      f = await focused();
      assert.equal(f.text, 'Sign out');
      assert.ok(f.outline !== 'none' && f.width >= 2, `focus ring visible (${f.outline} ${f.width}px)`);
      assertClean(p);
    });

    test('account: a wrong current password is named; the new password works and the old one no longer does', async () => {
      const p = await newPage();
      const { page } = p;
      p.expectProblem(/status of 40[01]/);
      await signIn(page);
      await navLink(page, 'Account').click();
      await page.getByRole('heading', { level: 1, name: 'Account' }).waitFor();
      await page.getByRole('main').getByText(CLIENT_EMAIL, { exact: true }).waitFor();
      await page.getByRole('main').getByText(FIRM.slug, { exact: true }).waitFor();
      await shot(page, `${backend}-portal-account-1280`);

      await page.getByLabel('Current password').fill('this is not it at all');
      await page.getByLabel('New password').fill(NEW_PASSWORD);
      await page.getByLabel('Repeat password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('alert').filter({ hasText: 'The current password is not right.' }).waitFor();
      assert.equal(await page.getByLabel('Current password').getAttribute('aria-invalid'), 'true');

      await page.getByLabel('Current password').fill(password);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('Your password was changed.').waitFor();
      assert.equal(await page.getByLabel('Current password').getAttribute('aria-invalid'), null);
      password = NEW_PASSWORD;

      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign in to your client portal' }).waitFor();
      await page.getByText('You have signed out.').waitFor();
      // The old password is refused; the new one signs in.
      await page.getByLabel('Email').fill(CLIENT_EMAIL);
      await page.getByLabel('Password').fill(CLIENT_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'The firm, email or password is not right.' }).waitFor();
      await page.getByLabel('Password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'My matters' }).waitFor();
      // Signed out again, so the next test counts exactly its own sessions.
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByText('You have signed out.').waitFor();
      assertClean(p);
    });

    test('sign out everywhere else ends the session on another device', async () => {
      const here = await newPage();
      const there = await newPage({ width: 390, height: 844 });
      there.expectProblem(/status of 401/);
      // There, the next request is the matter page's module, which the host serves only to a
      // session (the same 404 as for a module that does not exist); the shell then asks /me.
      there.expectProblem(/status of 404 .*\/plugins\/cases\/matter\.js/);
      await signIn(here.page);
      await signIn(there.page);
      await navLink(here.page, 'Account').click();
      await here.page.getByRole('button', { name: 'Sign out everywhere else' }).click();
      await here.page.getByText('Done: one other device was signed out. You stay signed in here.').waitFor();
      // Here: still signed in.
      await navLink(here.page, 'My matters').click();
      await here.page.getByRole('heading', { level: 1, name: 'My matters' }).waitFor();
      // There: the next request finds the session ended.
      await there.page.getByRole('link', { name: 'State vs. Fouchix' }).click();
      await there.page.getByRole('heading', { level: 1, name: 'Sign in to your client portal' }).waitFor();
      await there.page.getByText('Your session has ended. Sign in again.').waitFor();
      assertClean(here);
      assertClean(there);
    });

    test('staff revokes access: the client\u2019s open page is signed out on its next request', async () => {
      const p = await newPage();
      const { page } = p;
      p.expectProblem(/status of 401/);
      await signIn(page);
      await page.getByRole('link', { name: 'State vs. Fouchix' }).click();
      await page.getByRole('heading', { level: 1, name: 'State vs. Fouchix' }).waitFor();

      // Staff step through the API: the staff app has no "Revoke portal access" button yet.
      const revoked = await staff.json('DELETE', `clients/${ids.anderson}/portal`);
      assert.equal(revoked.revoked, 1);
      assert.equal(revoked.portal_status, 'revoked');

      await navLink(page, 'My matters').click();
      await page.getByRole('heading', { level: 1, name: 'Sign in to your client portal' }).waitFor();
      await page.getByText('Your session has ended. Sign in again.').waitFor();
      assert.equal(await page.locator('.matter-card').count(), 0, 'no matter is left on the page');
      assert.equal(await page.getByLabel('Email').inputValue(), CLIENT_EMAIL, 'the email is filled in again');
      await shot(page, `${backend}-portal-session-ended-1280`);
      // And the account no longer signs in.
      await page.getByLabel('Email').fill(CLIENT_EMAIL);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'The firm, email or password is not right.' }).waitFor();
      assertClean(p);
    });
  });
}
