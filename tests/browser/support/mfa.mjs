// Two-step sign-in in Chromium, run once per database backend by mfa_*.test.mjs: a staff user
// turns it on from Sign-in security, reading the key from the page (as a person types it into
// an app that cannot scan); signs out; signs in with the password and a code made by an
// independent implementation, Debian's oathtool; then with a recovery code, which works once.
// And a firm requiring it for portal users: a client sets it up right after their password.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { apiSession } from './lexos.mjs';
import { suiteRig } from './rig.mjs';
import { assertClean, signInStaff } from './browser.mjs';
import { activatePortalClient } from './portal.mjs';

const PASSWORD = 'correct horse battery staple';
const OWNER = { firm: 'steady', email: 'owner@steady.test', password: PASSWORD };
const OWNER2 = { firm: 'tidy', email: 'owner@tidy.test', password: PASSWORD }; // a firm of its own for the policy

/** The TOTP code of `secret` (base32) at `when` (seconds), from oathtool (Debian package oathtool). */
function oathtool(secret, when) {
  return execFileSync('oathtool', ['--totp', '-b', '-N', `@${Math.floor(when)}`, secret], { encoding: 'utf8' }).trim();
}

async function signInUntilSecondStep(page, baseUrl, who) {
  await page.goto(`${baseUrl}/app/`);
  await page.getByLabel('Firm').fill(who.firm);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Two-step sign-in' }).waitFor();
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

export function mfaSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`two-step sign-in in Chromium (${backend})`, () => {
    let server;
    const { newPage } = suiteRig({
      database, cleanup, lexos: { plugins: 'clients,cases,portal' },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: OWNER.firm, name: 'Steady & Co', email: OWNER.email, password: PASSWORD, displayName: 'Sam Steady' });
        await server.createFirmWithOwner({ slug: OWNER2.firm, name: 'Tidy LLP', email: OWNER2.email, password: PASSWORD, displayName: 'Tia Tidy' });
      },
    });

    test('a staff user enrols from the page, signs in with a code from oathtool, and a recovery code works once', async () => {
      const p = await newPage();
      p.expectProblem(/status of 401/); // the first step's answer, and the used recovery code, on purpose
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      await page.getByRole('link', { name: 'Sign-in security' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign-in security' }).waitFor();
      await page.getByText('Two-step sign-in is off.').waitFor();
      await page.getByRole('button', { name: 'Set up authenticator app' }).click();
      await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
      const secret = (await page.locator('.mfa-secret').textContent()).replace(/\s+/g, '');
      assert.match(secret, /^[A-Z2-7]{32}$/);
      assert.equal(await page.locator('.mfa-secret').getAttribute('data-secret'), secret);
      const code = page.getByLabel('Code from your app');
      assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
      assert.equal(await code.getAttribute('inputmode'), 'numeric');
      await code.fill(oathtool(secret, Date.now() / 1000));
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
      const codes = await page.locator('.mfa-codes code').allTextContents();
      assert.equal(codes.length, 10);
      await page.getByRole('button', { name: 'I have kept my recovery codes' }).click();
      await page.getByText(/^Two-step sign-in is on/).waitFor();
      await page.getByText('Recovery codes left: 10 of 10.').waitFor();
      await signOut(page);

      // Password, then a code: the next step's (one step of drift is allowed; the enrolment's
      // own code is used up).
      await signInUntilSecondStep(page, server.baseUrl, OWNER);
      const totp = page.getByLabel('Authentication code');
      assert.equal(await totp.getAttribute('autocomplete'), 'one-time-code');
      assert.equal(await totp.getAttribute('inputmode'), 'numeric');
      await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'totp');
      await totp.fill(oathtool(secret, Date.now() / 1000 + 30));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
      await signOut(page);

      // A recovery code instead of a code, once.
      await signInUntilSecondStep(page, server.baseUrl, OWNER);
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await page.getByLabel('Recovery code').fill(codes[0]);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
      await signOut(page);
      await signInUntilSecondStep(page, server.baseUrl, OWNER);
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await page.getByLabel('Recovery code').fill(codes[0]);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('alert').getByText('That recovery code is not right, or was used before.').waitFor();
      await page.getByLabel('Recovery code').fill(codes[1]);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
      await page.getByRole('link', { name: 'Sign-in security' }).click();
      await page.getByText('Recovery codes left: 8 of 10.').waitFor();
      assertClean(p);
    });

    test('a firm requiring two-step sign-in for clients leads a client through enrolment before the portal opens', async () => {
      const staff = await apiSession(server.baseUrl, OWNER2);
      const client = await staff.json('POST', 'clients', { name: 'Casey Client', email: 'casey@client.test' });
      const CLIENT = { firm: OWNER2.firm, email: 'casey@client.test', password: 'amber lantern river stone' };
      await activatePortalClient(server, staff, client.id, CLIENT.password);
      const policy = await staff.json('PATCH', 'firm/mfa', { enforce_portal: true });
      assert.equal(policy.enforce_portal, true);

      const p = await newPage();
      p.expectProblem(/status of 401/); // the password's answer: a second step is needed
      const { page } = p;
      await page.goto(`${server.baseUrl}/portal/`);
      await page.getByLabel('Firm').fill(CLIENT.firm);
      await page.getByLabel('Email').fill(CLIENT.email);
      await page.getByLabel('Password').fill(CLIENT.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Set up two-step sign-in' }).waitFor();
      await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
      const secret = await page.locator('.mfa-secret').getAttribute('data-secret');
      await page.getByLabel('Code from your app').fill(oathtool(secret, Date.now() / 1000));
      await page.getByRole('button', { name: 'Turn on and sign in' }).click();
      await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
      assert.equal(await page.locator('.mfa-codes code').count(), 10);
      await page.getByRole('button', { name: 'I have kept my recovery codes' }).click();
      await page.getByRole('heading', { level: 1, name: 'My matters' }).waitFor();
      await page.getByRole('link', { name: 'Account' }).click();
      await page.getByText('Your firm requires two-step sign-in, so it cannot be turned off here.').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Turn off two-step sign-in' }).count(), 0);
      assertClean(p);
    });
  });
}
