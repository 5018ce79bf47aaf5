// The messages module's screens, run once per database backend by messages_*.test.mjs. A real
// lexosd with the clients, cases, portal and messages modules. The story: a client writes a
// message from the portal's matter page ("Write a message" in place of the mailto link), a
// member of staff sees it unread in the Inbox, opens the case and answers in its Messages card,
// and the client's open page shows the answer without a reload (polling). The staff-only War
// Room card on the same case page never shows in the portal. E-mail notices hold no text. The
// answer carries a document of the case, which sending shares with the client. The client then
// attaches a PDF of their own to a message: staff see it on the message and on the case's
// documents and download the same bytes; another client of the firm never sees it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { apiSession } from './lexos.mjs';
import { expectAccessible } from './axe.mjs';
import { suiteRig } from './rig.mjs';
import { assertClean, screenshot, signInStaff } from './browser.mjs';
import { activatePortalClient, downloadBytes, outboxFiles, signInPortal as signInPortal_ } from './portal.mjs';
import { eventually } from './suite.mjs';

const PASSWORD = 'correct horse battery staple';
const CLIENT_PASSWORD = 'amber river lantern 42';
const FIRM = { slug: 'demo-law', name: 'Demo Law LLP' };
const OWNER = { firm: FIRM.slug, email: 'olivia.owner@demo-law.test', password: PASSWORD, displayName: 'Olivia Owner' };
const PARALEGAL = { firm: FIRM.slug, email: 'paul@demo-law.test', password: PASSWORD, displayName: 'Paul Paralegal' };
const CLIENT = { name: 'Thomas Anderson', email: 'thomas@anderson-client.test' };
const CASE_TITLE = 'Anderson v. Metacortex';
const QUESTION = 'Can we move the hearing? I am travelling that week.';
const ANSWER = 'Yes: we will ask the court for a new date today.';
const WAR_ROOM = 'Strategy: do not concede the timeline.';
const ATTACHMENT = 'hearing-request.txt';
const OTHER = { name: 'Agent Smith', email: 'smith@smith-client.test' };
const OTHER_PASSWORD = 'violet harbour compass 7';
const CLIENT_FILE = 'Signed engagement letter.pdf';
const CLIENT_FILE_TEXT = 'Signed and attached, as you asked.';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n'
  + '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% signed by Thomas Anderson\ntrailer << /Root 1 0 R >>\n%%EOF\n');

export function messagesSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`messages: the client writes, staff answer, the client sees it without reloading (${backend})`, () => {
    let server;
    let staff;
    const ids = {};

    const { newPage } = suiteRig({
      database,
      cleanup,
      lexos: { plugins: 'clients,cases,portal,documents,messages' },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: FIRM.slug, name: FIRM.name, email: OWNER.email, password: OWNER.password,
          displayName: OWNER.displayName });
        await server.lexosctl(['user', 'create', '--firm', FIRM.slug, '--email', PARALEGAL.email, '--role', 'paralegal',
          '--password-stdin', '--name', PARALEGAL.displayName], `${PARALEGAL.password}\n`);
        staff = await apiSession(server.baseUrl, OWNER);
        ids.client = (await staff.json('POST', 'clients', { name: CLIENT.name, email: CLIENT.email })).id;
        ids.case = (await staff.json('POST', 'cases', { client_id: ids.client, title: CASE_TITLE, phase: 'discovery' })).id;
        await activatePortalClient(server, staff, ids.client, CLIENT_PASSWORD);
        // A document of the case, not shared yet: staff attach it to their answer, which shares it.
        const up = await fetch(`${server.baseUrl.replace('//localhost:', '//127.0.0.1:')}/api/v1/cases/${ids.case}/documents?name=${ATTACHMENT}`, {
          method: 'POST', headers: { Cookie: staff.cookie, 'X-CSRF-Token': staff.csrf, 'Content-Type': 'application/octet-stream' },
          body: 'Request to move the hearing.\n',
        });
        const uploaded = await up.text();
        assert.equal(up.status, 201, `upload: ${uploaded}`);
        ids.doc = JSON.parse(uploaded).id;
        // Another client of the firm, with a matter and a portal account of their own.
        ids.other = (await staff.json('POST', 'clients', { name: OTHER.name, email: OTHER.email })).id;
        ids.otherCase = (await staff.json('POST', 'cases', { client_id: ids.other, title: 'Smith matter' })).id;
        await activatePortalClient(server, staff, ids.other, OTHER_PASSWORD);
      },
    });

    const signInPortal = (page) => signInPortal_(page, server.baseUrl, { firm: FIRM.slug, email: CLIENT.email, password: CLIENT_PASSWORD });
    const mailText = (f) => readFileSync(join(server.stateDir, 'outbox', f), 'utf8').replace(/=\r?\n/g, '');

    test('a client writes a message, staff answer from the inbox and the case, the client sees the answer without reloading', async () => {
      // The client, on the matter page: "Write a message" (not a mailto link) goes to the box.
      const c = await newPage();
      const portal = c.page;
      await signInPortal(portal);
      await portal.goto(`${server.baseUrl}/portal/#/matters/${ids.case}`);
      await portal.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
      const section = portal.getByRole('region', { name: /^Messages/ });
      await section.getByText('No messages yet.', { exact: false }).waitFor();
      assert.equal(await portal.getByRole('link', { name: 'Write an email' }).count(), 0);
      await portal.getByRole('button', { name: 'Write a message' }).click();
      const box = section.getByLabel('Your message');
      assert.equal(await box.evaluate((el) => el === document.activeElement), true, '"Write a message" focuses the box');
      // An empty message is refused on the field.
      await section.getByRole('button', { name: 'Send message' }).click();
      await section.getByText('Write your message.').first().waitFor();
      const mailsBefore = outboxFiles(server.stateDir);
      await box.fill(QUESTION);
      await section.getByRole('button', { name: 'Send message' }).click();
      const log = section.getByRole('log', { name: 'Messages' });
      await log.getByRole('listitem').filter({ hasText: QUESTION }).getByText('You').waitFor();
      assert.equal(await box.inputValue(), '');
      await screenshot(portal, `${backend}-portal-messages-1280`);

      // The notice to the case's lawyer names no text.
      const notice = await eventually(() => {
        const fresh = outboxFiles(server.stateDir).filter((f) => !mailsBefore.includes(f));
        assert.equal(fresh.length, 1);
        return mailText(fresh[0]);
      }, 5_000);
      assert.match(notice, /To: .*olivia\.owner@demo-law\.test/);
      assert.ok(!notice.includes('hearing'), notice);

      // Staff: the Inbox shows the conversation unread; the case page's card shows the message.
      const s = await newPage();
      const staffPage = s.page;
      await signInStaff(staffPage, server.baseUrl, OWNER);
      await staffPage.getByRole('link', { name: 'Inbox' }).click();
      await staffPage.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
      await staffPage.getByText('1 unread message from clients').waitFor();
      const row = staffPage.getByRole('row').filter({ hasText: CLIENT.name });
      await row.getByText('1 unread').waitFor();
      await row.getByText(QUESTION, { exact: false }).waitFor();
      await screenshot(staffPage, `${backend}-staff-inbox-1280`);
      await row.getByRole('link', { name: CLIENT.name }).click();
      await staffPage.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
      const card = staffPage.getByRole('region', { name: /^Messages with the client/ });
      await card.getByRole('log', { name: 'Messages' }).getByRole('listitem').filter({ hasText: QUESTION }).getByText(CLIENT.name)
        .waitFor();
      // Seen on the case page: read.
      await eventually(async () => assert.equal((await staff.json('GET', 'messages')).unread_total, 0), 5_000);

      // The War Room, on the same page: staff only.
      const war = staffPage.getByRole('region', { name: /^War Room/ });
      await war.getByLabel('New thread title').fill('Hearing date');
      await war.getByLabel('First post').fill(`${WAR_ROOM} @paul`);
      await war.getByRole('button', { name: 'Start thread' }).click();
      await war.getByRole('heading', { level: 3, name: 'Hearing date' }).waitFor();
      await war.getByText('Mentioned: Paul Paralegal').waitFor();

      // The answer, with the case's document attached (sending shares it with the client).
      await card.getByLabel('Reply to the client').fill(ANSWER);
      await card.getByLabel('Attach a document').selectOption({ label: `${ATTACHMENT} (will be shared)` });
      await card.getByRole('button', { name: 'Send to client' }).click();
      await card.getByRole('log', { name: 'Messages' }).getByRole('listitem').filter({ hasText: ANSWER }).waitFor();
      await screenshot(staffPage, `${backend}-staff-case-messages-1280`);

      // The client's page, still open and never reloaded, shows the answer within seconds.
      const t0 = Date.now();
      await log.getByRole('listitem').filter({ hasText: ANSWER }).getByText('Olivia Owner').waitFor({ timeout: 10_000 });
      const waited = Date.now() - t0;
      assert.ok(waited < 8_000, `the answer took ${waited} ms to show`);
      assert.equal(await log.locator('ol.msg-list > li').count(), 2, 'each message once');
      const attached = log.getByRole('listitem').filter({ hasText: ANSWER }).getByRole('link', { name: ATTACHMENT });
      assert.equal(await attached.getAttribute('href'), `/api/v1/portal/documents/${ids.doc}/content`);
      assert.equal((await staff.json('GET', `documents/${ids.doc}`)).shared, true, 'attaching shared the document');
      assert.equal((await downloadBytes(portal, attached)).toString(), 'Request to move the hearing.\n');
      // Nothing of the War Room reaches the portal page.
      assert.equal(await portal.getByText(WAR_ROOM).count(), 0);
      assert.equal(await portal.getByText('Hearing date').count(), 0);
      assert.equal(await portal.getByRole('region', { name: /^War Room/ }).count(), 0);
      await screenshot(portal, `${backend}-portal-messages-answered-1280`);

      // The client's notice: "You have a new message from Demo Law LLP", a link, no text.
      const toClient = await eventually(() => {
        const found = outboxFiles(server.stateDir).map(mailText).filter((m) => /To: .*thomas@anderson-client\.test/.test(m)
          && m.includes('new message'));
        assert.equal(found.length, 1);
        return found[0];
      }, 5_000);
      assert.match(toClient, /Subject: You have a new message from Demo Law LLP/);
      assert.ok(toClient.includes(`/portal/#/matters/${ids.case}`), toClient);
      assert.ok(!toClient.includes('court'), toClient);

      assertClean(s);
      assertClean(c);
    });

    test('a client attaches a PDF to a message, staff see it on the message and the case documents and download the same bytes, another client never sees it', async () => {
      const c = await newPage();
      const portal = c.page;
      await signInPortal(portal);
      await portal.goto(`${server.baseUrl}/portal/#/matters/${ids.case}`);
      await portal.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
      const section = portal.getByRole('region', { name: /^Messages/ });
      const box = section.getByLabel('Your message');
      await box.waitFor();
      // The picker is a labelled control, reached from the message box with the keyboard.
      await box.focus();
      await portal.keyboard.press('Tab');
      const picker = section.getByLabel('Attach files');
      assert.equal(await picker.evaluate((el) => el === document.activeElement), true, 'Tab from the box reaches "Attach files"');
      await picker.setInputFiles({ name: CLIENT_FILE, mimeType: 'application/pdf', buffer: PDF });
      await box.fill(CLIENT_FILE_TEXT);
      await section.getByRole('button', { name: 'Send message' }).click();
      const log = section.getByRole('log', { name: 'Messages' });
      const mine = log.getByRole('listitem').filter({ hasText: CLIENT_FILE_TEXT });
      const link = mine.getByRole('link', { name: CLIENT_FILE });
      await link.waitFor();
      assert.ok((await downloadBytes(portal, link)).equals(PDF), 'the client downloads its own file');
      const docId = (await link.getAttribute('href')).match(/documents\/(\d+)\/content/)[1];
      await expectAccessible(portal, 'portal matter with a client attachment');
      await screenshot(portal, `${backend}-portal-message-attachment-1280`);

      // Staff: the file on the client's message and on the case's documents, the same bytes.
      const s = await newPage();
      const staffPage = s.page;
      await signInStaff(staffPage, server.baseUrl, OWNER);
      await staffPage.goto(`${server.baseUrl}/app/#/cases/${ids.case}`);
      await staffPage.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
      const card = staffPage.getByRole('region', { name: /^Messages with the client/ });
      const onMessage = card.getByRole('log', { name: 'Messages' }).getByRole('listitem').filter({ hasText: CLIENT_FILE_TEXT })
        .getByRole('link', { name: CLIENT_FILE });
      await onMessage.waitFor();
      assert.equal(await onMessage.getAttribute('href'), `/api/v1/documents/${docId}/content`);
      assert.ok((await downloadBytes(staffPage, onMessage)).equals(PDF), 'staff download the bytes the client sent');
      const docs = staffPage.getByRole('region', { name: /^Documents/ });
      const item = docs.getByRole('listitem').filter({ has: staffPage.getByRole('link', { name: CLIENT_FILE }) });
      await item.getByText('From the client').waitFor();
      await item.getByText('Shared with client').waitFor();
      await expectAccessible(staffPage, 'staff case page with a client attachment');
      await screenshot(staffPage, `${backend}-staff-client-attachment-1280`);
      const ledger = await staff.json('GET', `documents/${docId}/ledger`);
      const actions = ledger.items.map((e) => e.action);
      for (const a of ['document.upload', 'document.share', 'portal.document.download', 'document.download']) {
        assert.ok(actions.includes(a), `ledger has ${a}: ${actions.join(', ')}`);
      }

      // Another client of the firm: not in their documents, not by its address, not on their matter.
      const other = await apiSession(server.baseUrl, { firm: FIRM.slug, email: OTHER.email, password: OTHER_PASSWORD });
      const theirs = await other.json('GET', 'portal/documents');
      assert.ok(!theirs.items.some((d) => String(d.id) === String(docId)), 'not in the other client\'s documents');
      assert.equal((await other.request('GET', `portal/documents/${docId}/content`)).status, 404);
      assert.equal((await other.request('GET', `portal/cases/${ids.case}/messages`)).status, 404);
      const stolen = await other.request('POST', `portal/cases/${ids.otherCase}/messages`,
        { body: { text: 'mine now', document_ids: [Number(docId)] } });
      assert.equal(stolen.status, 400);
      assert.equal(stolen.data.error.field, 'document_ids[0]');

      assertClean(s);
      assertClean(c);
    });

    test('with the messages module switched off for the firm, the matter page offers "Write an email" again and no message panel', async () => {
      await server.lexosctl(['firm', 'modules', '--firm', FIRM.slug, '--disable', 'messages']);
      try {
        const c = await newPage();
        const portal = c.page;
        const requested = [];
        portal.on('request', (req) => requested.push(new URL(req.url()).pathname));
        await signInPortal(portal);
        await portal.goto(`${server.baseUrl}/portal/#/matters/${ids.case}`);
        await portal.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
        const write = portal.getByRole('link', { name: 'Write an email' });
        await write.waitFor();
        assert.match(await write.getAttribute('href'), /^mailto:olivia\.owner@demo-law\.test\?subject=/);
        assert.equal(await portal.getByRole('button', { name: 'Write a message' }).count(), 0);
        assert.equal(await portal.getByRole('region', { name: /^Messages/ }).count(), 0);
        assert.ok(!requested.some((u) => u.startsWith('/plugins/messages/') || u.includes('/messages')),
          `nothing of the messages module was requested: ${requested.join(' ')}`);
        assertClean(c);
      } finally {
        await server.lexosctl(['firm', 'modules', '--firm', FIRM.slug, '--enable', 'messages']);
      }
    });
  });
}
