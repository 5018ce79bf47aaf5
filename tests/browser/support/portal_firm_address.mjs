// A firm's own portal address, its logo and the invitation from the new client form, run once
// per database backend by portal_firm_address_*.test.mjs (issue 13 item 5). A real lexosd with
// clients, cases and portal; every step in Chromium except reading the e-mail (the outbox).
//
// The story: the owner uploads the firm's logo on Firm settings; creates a client with the
// "Invite to client portal" box (on once an e-mail is typed); the client opens the link from
// the mail, lands on /portal/<firm>/ with the firm's name and logo, activates, and later signs
// in there without typing the firm; the used link, opened again, says so and shows no password
// form. Staff preview an invitation with a personal note before sending it: the HTML part as
// sent, in a sandboxed frame where a <script> in the note is text, and its plain-text part.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { suiteRig } from './rig.mjs';
import { assertClean, screenshot, signInStaff } from './browser.mjs';
import { expectAccessible } from './axe.mjs';
import { activationMail, outboxFiles } from './portal.mjs';

const PASSWORD = 'correct horse battery staple';
const FIRM = { slug: 'harbor-law', name: 'Harbor & Finch LLP' };
const OWNER = { firm: FIRM.slug, email: 'owner@harbor.test', password: PASSWORD };
const CLIENT = { name: 'Grace Hopper', email: 'grace@hopper-client.test', password: 'anchor lantern meadow copper' };
// A real 40 x 16 PNG (teal), as an owner would upload.
const LOGO_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAACgAAAAQCAIAAADrtar6AAAAIElEQVR42mPgL8sbEMQwavGoxaMWj1o8avGoxaMWwxAAvJhfn1v+nx4AAAAASUVORK5CYII=',
  'base64');

export function portalFirmAddressSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`a firm's portal address, logo and invitation in Chromium (${backend})`, () => {
    let server;
    let link = '';
    const { newPage } = suiteRig({
      database, cleanup, lexos: { plugins: 'clients,cases,portal' },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: FIRM.slug, name: FIRM.name, email: OWNER.email, password: PASSWORD,
          displayName: 'Olive Owner' });
      },
    });

    test('the owner uploads the logo, creates a client invited to the portal, and the client activates at the firm\u2019s address', async (t) => {
      const p = await newPage();
      const { page } = p;
      p.expectProblem(/status of 400 .*\/api\/v1\/firm\/logo/); // the text file refused below, on purpose
      await signInStaff(page, server.baseUrl, OWNER);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Firm settings' }).click();
      await page.getByRole('heading', { level: 1, name: 'Firm settings' }).waitFor();
      await page.getByText('No logo yet', { exact: false }).waitFor();
      // Not an image: the server reads the bytes and says so on the field.
      await page.getByLabel('Logo image').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') });
      await page.getByRole('button', { name: 'Upload logo' }).click();
      const logoError = page.locator('.field.has-error').filter({ has: page.getByLabel('Logo image') });
      await logoError.getByText(/not a PNG or JPEG image/).waitFor();
      await page.getByLabel('Logo image').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: LOGO_PNG });
      await page.getByRole('button', { name: 'Upload logo' }).click();
      await page.getByRole('status').getByText('Logo saved.').waitFor();
      const current = page.getByRole('img', { name: `Current logo of ${FIRM.name}` });
      await current.waitFor();
      assert.equal(await current.evaluate((img) => img.complete && img.naturalWidth), 40, 'the saved logo loads');

      // A new client with an e-mail: "Invite to client portal" turns on by itself.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      await page.getByRole('button', { name: 'New client' }).click();
      await page.getByRole('heading', { level: 1, name: 'New client' }).waitFor();
      const invite = page.getByRole('checkbox', { name: 'Invite to client portal' });
      assert.equal(await invite.isChecked(), false);
      await page.getByLabel('Name', { exact: true }).fill(CLIENT.name);
      await page.getByLabel('Email', { exact: true }).fill(CLIENT.email);
      assert.equal(await invite.isChecked(), true, 'on once an e-mail is given');
      // The action bar stays in view on the long form.
      const bar = page.locator('.form-actions-sticky');
      assert.equal(await bar.evaluate((el) => getComputedStyle(el).position), 'sticky');
      await page.getByRole('button', { name: 'Create and open a case' }).waitFor();
      const before = outboxFiles(server.stateDir);
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: CLIENT.name }).waitFor();
      await page.getByText(`Invitation to the client portal sent to ${CLIENT.email}.`, { exact: false }).waitFor();
      const mail = await activationMail(server.stateDir, before);
      assert.match(mail.link, new RegExp(`/portal/${FIRM.slug}/#/activate/`));
      const raw = readFileSync(join(server.stateDir, 'outbox', outboxFiles(server.stateDir).at(-1)), 'utf8')
        .replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      assert.match(raw, /works until [A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2} at \d{1,2}:\d\d [AP]M \(UTC\)/);
      assert.match(raw, new RegExp(`<img src="[^"]*/api/v1/public/firms/${FIRM.slug}/logo\\?v=[0-9a-f]+" alt="Harbor &amp; Finch LLP"`));
      link = mail.link;
      assertClean(p);

      // The client opens the link from the mail: the firm's own page, its name and logo.
      const c = await newPage();
      const client = c.page;
      await client.goto(link);
      await client.getByRole('heading', { level: 1, name: 'Set up your portal account' }).waitFor();
      await client.getByLabel('New password').waitFor();
      assert.equal(new URL(client.url()).pathname, `/portal/${FIRM.slug}/`);
      await client.locator('.firm-face').getByText(FIRM.name).waitFor();
      const logo = client.getByRole('img', { name: `${FIRM.name} logo` });
      assert.equal(await logo.evaluate((img) => img.complete && img.naturalWidth), 40, 'the firm\u2019s logo loads');
      await screenshot(client, `${backend}-portal-firm-activate-1280`);
      await client.getByLabel('New password').fill(CLIENT.password);
      await client.getByLabel('Repeat password').fill(CLIENT.password);
      await client.getByRole('button', { name: 'Activate account' }).click();
      // Two Argon2 hashes (activation, then sign-in) on a busy machine: give them time.
      await client.getByText(`Your account is ready. Next time, sign in at ${server.baseUrl}/portal/${FIRM.slug}/`, { exact: false })
        .waitFor({ timeout: 60_000 });
      // The header carries the firm's logo and name.
      const banner = client.getByRole('banner');
      await banner.getByText(FIRM.name).waitFor();
      assert.equal(await banner.locator('img.brand-img').evaluate((img) => img.complete && img.naturalWidth), 40);
      await banner.getByRole('button', { name: 'Sign out' }).click();

      // Signing in later at the firm's address: Email and Password only.
      await client.goto(`${server.baseUrl}/portal/${FIRM.slug}/`);
      await client.getByRole('heading', { level: 1, name: 'Sign in to your client portal' }).waitFor();
      await client.locator('.firm-face').getByText(FIRM.name).waitFor();
      assert.equal(await client.getByLabel('Firm').count(), 0, 'no Firm field at the firm\u2019s address');
      await screenshot(client, `${backend}-portal-firm-signin-1280`);
      await client.getByLabel('Email').fill(CLIENT.email);
      await client.getByLabel('Password').fill(CLIENT.password);
      await client.getByRole('button', { name: 'Sign in' }).click();
      await client.getByRole('banner').getByText(FIRM.name).waitFor();
      assert.ok(new URL(client.url()).pathname === `/portal/${FIRM.slug}/`);
      assertClean(c);
      t.diagnostic('activated and signed in at the firm address');
    });

    test('the used link, opened again, says it was used and shows no password form', async () => {
      assert.ok(link, 'the first test found the link');
      const p = await newPage();
      const { page } = p;
      await page.goto(link);
      await page.getByRole('heading', { level: 1, name: 'This link has already been used' }).waitFor();
      assert.equal(await page.getByLabel('New password').count(), 0);
      await page.locator('.firm-face').getByText(FIRM.name).waitFor();
      await page.getByRole('link', { name: 'Sign in instead' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign in to your client portal' }).waitFor();
      assert.equal(await page.getByLabel('Firm').count(), 0);
      assertClean(p);
    });

    test('the general portal page keeps its Firm field, and staff preview an invitation with a note before sending it', async () => {
      const p = await newPage();
      const { page } = p;
      await page.goto(`${server.baseUrl}/portal/`);
      await page.getByRole('heading', { level: 1, name: 'Sign in to your client portal' }).waitFor();
      await page.getByLabel('Firm').waitFor();

      await signInStaff(page, server.baseUrl, OWNER);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      await page.getByRole('button', { name: 'New client' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Alan Turing');
      await page.getByLabel('Email', { exact: true }).fill('alan@turing-client.test');
      // A US address: shown later in the US order ("City, ST ZIP").
      await page.getByLabel('Address line 1', { exact: true }).fill('1600 Pennsylvania Ave NW');
      await page.getByLabel('Town or city', { exact: true }).fill('Washington');
      await page.getByLabel('Region or state', { exact: true }).fill('DC');
      await page.getByLabel('Postal code', { exact: true }).fill('20500');
      await page.getByLabel('Country', { exact: true }).selectOption('US');
      await page.getByRole('checkbox', { name: 'Invite to client portal' }).uncheck();
      const before = outboxFiles(server.stateDir);
      // "Create and open a case": the new case form, with this client chosen.
      await page.getByRole('button', { name: 'Create and open a case' }).click();
      await page.getByRole('heading', { level: 1, name: 'New case' }).waitFor();
      assert.match(page.url(), /#\/cases\/new\?client=\d+/);
      assert.deepEqual(outboxFiles(server.stateDir), before, 'no invitation when the box is off');

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      await page.locator('table.clients-table tbody tr').filter({ hasText: 'Alan Turing' }).getByRole('link', { name: 'Alan Turing' }).click();
      await page.getByRole('heading', { level: 1, name: 'Alan Turing' }).waitFor();
      const address = page.getByRole('main').locator('address').first();
      assert.deepEqual(await address.locator('.line').allTextContents(),
        ['1600 Pennsylvania Ave NW', 'Washington, DC 20500', 'United States']);
      const card = page.getByRole('region', { name: 'Client portal' });
      await card.getByRole('button', { name: 'Invite with a note' }).click();
      const form = card.getByRole('form', { name: 'Invite to portal' });
      assert.equal(await form.getByLabel('Email').inputValue(), 'alan@turing-client.test');
      // A note with markup in it: shown as the text it is, never run.
      const note = 'Dear Alan, your documents will appear here. <script>parent.lexosPwned = 1</script><b>bold?</b>';
      await form.getByLabel('Personal note').fill(note);
      const answer = page.waitForResponse((r) => r.url().endsWith('/portal/invite/preview'));
      await form.getByRole('button', { name: 'Preview e-mail' }).click();
      const sent = await (await answer).json();
      const preview = form.getByRole('region', { name: 'E-mail preview (not sent)' });
      await preview.getByText(`${FIRM.name} invites you to your secure client portal`).waitFor();

      // The HTML part, as sent, in a frame that runs nothing.
      const frameEl = preview.locator('iframe');
      assert.equal(await frameEl.getAttribute('title'), `E-mail preview: ${FIRM.name} invites you to your secure client portal`);
      assert.equal(await frameEl.getAttribute('sandbox'), 'allow-same-origin', 'sandboxed, without allow-scripts');
      const frame = preview.frameLocator('iframe');
      await frame.getByText(note, { exact: false }).waitFor();
      assert.equal(await frame.locator('script').count(), 0, 'the note\u2019s <script> is text, not an element');
      assert.equal(await frame.locator('b').count(), 0);
      assert.equal(await page.evaluate(() => window.lexosPwned), undefined);
      // The mail's own styles, applied in spite of the app's policy (kit mailFrame).
      const button = frame.getByRole('link', { name: 'Set your password' });
      assert.equal(await button.evaluate((a) => getComputedStyle(a).backgroundColor), 'rgb(15, 118, 110)', 'the mail\u2019s own styles');
      const logo = frame.getByRole('img', { name: FIRM.name });
      await logo.waitFor();
      assert.equal(await logo.evaluate((img) => img.complete && img.naturalWidth), 40, 'the firm\u2019s logo, as the portal shows it');
      await frame.getByText(/works until [A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2} at \d{1,2}:\d\d [AP]M \(UTC\)/).waitFor();
      assert.ok((await frameEl.boundingBox()).height > 300, 'the frame grows to the message');
      await screenshot(page, `${backend}-invite-preview-1280`);

      // "Plain text", from the keyboard: the text part; pressed again, the HTML part.
      const toggle = preview.getByRole('button', { name: 'Plain text' });
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      await toggle.focus();
      await page.keyboard.press('Enter');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      const text = preview.locator('pre');
      await text.waitFor();
      assert.equal(await text.textContent(), sent.text);
      assert.equal(await frameEl.isVisible(), false);
      assert.match(sent.text, /<script>parent\.lexosPwned = 1<\/script>/, 'the text part carries the note as typed');
      await expectAccessible(page, `${backend}-invite-preview-plain-text`);
      await page.keyboard.press('Space');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      await frameEl.waitFor();
      assert.equal(await text.isVisible(), false);
      assert.deepEqual(outboxFiles(server.stateDir), before, 'the preview sends nothing');

      // The e-mail itself, on a page of its own (no policy of the app's), held to the same rules.
      const mailPage = await newPage();
      await mailPage.page.setContent(sent.html);
      await mailPage.page.getByRole('link', { name: 'Set your password' }).waitFor();
      await expectAccessible(mailPage.page, `${backend}-invitation-email-html`);
      // The frame holds that same document, element for element (styles compared above).
      const unstyled = (html) => html.replace(/ style="[^"]*"/g, '');
      assert.equal(unstyled(await frameEl.evaluate((f) => f.contentDocument.documentElement.outerHTML)),
        unstyled(await mailPage.page.evaluate(() => document.documentElement.outerHTML)));
      assertClean(mailPage);
      await form.getByRole('button', { name: 'Send invitation' }).click();
      await card.getByText('Invitation sent to alan@turing-client.test.', { exact: false }).waitFor();
      const mail = await activationMail(server.stateDir, before);
      assert.equal(mail.to.replace(/.*</, '').replace(/>.*/, ''), 'alan@turing-client.test');
      assertClean(p);
    });
  });
}
