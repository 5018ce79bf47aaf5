// The documents module's screens, run once per database backend by documents_*.test.mjs. A
// real lexosd with the clients, cases, portal and documents modules: staff upload through the
// case page's Documents card in Chromium (the file picker, then drag and drop), switch
// "Accessible to Client" on and off, and read the ledger; the client downloads through the
// portal's matter page and Documents tab, and the downloaded bytes are compared with the
// uploaded ones. Uploads are scanned by a real clamd (support/clamd.mjs): the EICAR test file
// is shown quarantined, without download or share. The firm's Templates page: upload, list,
// download, delete, for the roles that have it, and nowhere in the portal.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { apiSession } from './lexos.mjs';
import { suiteRig } from './rig.mjs';
import { assertClean, screenshot, signInStaff } from './browser.mjs';
import { activatePortalClient, downloadBytes, signInPortal as signInPortal_ } from './portal.mjs';
import { eventually } from './suite.mjs';
import { EICAR, SIGNATURE, startClamd } from './clamd.mjs';

const PASSWORD = 'correct horse battery staple';
const CLIENT_PASSWORD = 'amber river lantern 42';
const FIRM = { slug: 'anderson-law', name: 'Anderson Law LLP' };
const OWNER = { firm: FIRM.slug, email: 'olivia.owner@anderson.test', password: PASSWORD, displayName: 'Olivia Owner' };
const PARALEGAL = { firm: FIRM.slug, email: 'paul.paralegal@anderson.test', password: PASSWORD, displayName: 'Paul Paralegal' };
const BILLING = { firm: FIRM.slug, email: 'bea.billing@anderson.test', password: PASSWORD, displayName: 'Bea Billing' };
const CLIENT = { name: 'Thomas Anderson', email: 'thomas@anderson-client.test' };
const CASE_TITLE = 'State vs. Fouchix';
const FILE_NAME = 'Disclosure letter.pdf';

/** A PDF (libmagic's "%PDF-" signature) of about 300 KB, random after its header. */
function pdfBytes() {
  return Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n', 'latin1'),
    randomBytes(300 * 1024), Buffer.from('\n%%EOF\n')]);
}

/**
 * Defines the suite. `backend`: 'sqlite' or 'postgresql'; `database()` resolves the PostgreSQL
 * URLs (or null for SQLite); `cleanup()` runs at the end.
 */
export function documentsSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`documents: staff cards and the client portal in Chromium (${backend})`, () => {
    let server;
    let staff;
    let clamd = null;
    const ids = {};

    const { newPage } = suiteRig({
      database,
      cleanup: async () => {
        if (clamd) await clamd.stop();
        await cleanup();
      },
      // Every upload of the suite is scanned by a real clamd (fail closed: clamd down would refuse them).
      lexos: async () => {
        clamd = await startClamd();
        return { plugins: 'clients,cases,portal,documents', pluginConfig: { documents: { clamd_socket: clamd.socket } } };
      },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: FIRM.slug, name: FIRM.name, email: OWNER.email, password: OWNER.password,
          displayName: OWNER.displayName });
        for (const [who, role] of [[PARALEGAL, 'paralegal'], [BILLING, 'billing']]) {
          await server.lexosctl(['user', 'create', '--firm', FIRM.slug, '--email', who.email, '--role', role, '--password-stdin',
            '--name', who.displayName], `${who.password}\n`);
        }
        staff = await apiSession(server.baseUrl, OWNER);
        ids.client = (await staff.json('POST', 'clients', { name: CLIENT.name, email: CLIENT.email })).id;
        ids.case = (await staff.json('POST', 'cases', {
          client_id: ids.client, title: CASE_TITLE, practice_area: 'Criminal defence', phase: 'discovery', opened_on: '2026-09-14',
        })).id;
        // The client's portal account: invited by the firm, activated with the e-mailed link.
        await activatePortalClient(server, staff, ids.client, CLIENT_PASSWORD);
      },
    });

    async function openCase(page) {
      await page.goto(`${server.baseUrl}/app/#/cases/${ids.case}`);
      await page.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
      const card = page.getByRole('region', { name: /^Documents/ });
      await card.waitFor();
      return card;
    }

    const signInPortal = (page) => signInPortal_(page, server.baseUrl, { firm: FIRM.slug, email: CLIENT.email, password: CLIENT_PASSWORD });
    const download = downloadBytes;

    test('staff upload through the picker and share; the client downloads the same bytes; unsharing hides it; the ledger shows the downloads', async () => {
      const bytes = pdfBytes();
      const s = await newPage();
      const staffPage = s.page;
      await signInStaff(staffPage, server.baseUrl, OWNER);
      let card = await openCase(staffPage);
      await card.getByText('No documents yet.').waitFor();

      // The picker: "Upload" opens the browser's file chooser.
      const [chooser] = await Promise.all([staffPage.waitForEvent('filechooser'),
        card.getByRole('button', { name: 'Upload', exact: true }).click()]);
      assert.ok(chooser.isMultiple(), 'several files at once');
      await chooser.setFiles({ name: FILE_NAME, mimeType: 'application/pdf', buffer: bytes });
      const uploads = card.getByRole('list', { name: 'Uploads' });
      await uploads.getByRole('listitem').filter({ hasText: FILE_NAME }).getByText('Uploaded').waitFor();
      const docs = card.getByRole('list', { name: 'Documents of this case' });
      const item = docs.getByRole('listitem').filter({ hasText: FILE_NAME });
      await item.getByText('Internal').waitFor();
      await item.getByText(/Version 1 · 30\d KB/).waitFor();
      await item.getByText('PDF', { exact: true }).waitFor();
      const [doc] = (await staff.json('GET', `cases/${ids.case}/documents`)).items;
      assert.equal(doc.name, FILE_NAME);
      assert.equal(doc.size, bytes.length);
      assert.equal(doc.content_type, 'application/pdf');
      assert.equal(doc.shared, false);
      ids.doc = doc.id;

      // "Accessible to Client" on.
      const toggle = item.getByRole('switch', { name: 'Accessible to Client' });
      assert.equal(await toggle.getAttribute('aria-checked'), 'false');
      await toggle.click();
      await item.getByText('Shared with client').waitFor();
      assert.equal(await item.getByRole('switch', { name: 'Accessible to Client' }).getAttribute('aria-checked'), 'true');
      assert.equal((await staff.json('GET', `documents/${ids.doc}`)).shared, true);
      await screenshot(staffPage, `${backend}-case-documents-1280`);

      // Preview as client, on the client's profile: exactly what the portal lists.
      await staffPage.goto(`${server.baseUrl}/app/#/clients/${ids.client}`);
      const clientCard = staffPage.getByRole('region', { name: /^Documents/ });
      await clientCard.getByRole('list', { name: 'Documents of this client' }).getByRole('listitem').filter({ hasText: FILE_NAME }).waitFor();
      await clientCard.getByRole('button', { name: 'Preview as client' }).click();
      const preview = clientCard.getByRole('list', { name: 'Documents the client sees' }).getByRole('listitem');
      await preview.filter({ hasText: FILE_NAME }).waitFor();
      assert.equal(await preview.count(), 1);
      assert.equal(await clientCard.getByRole('link', { name: 'Disclosure report (CSV)' }).getAttribute('href'),
        `/api/v1/clients/${ids.client}/disclosures.csv`);
      await screenshot(staffPage, `${backend}-client-documents-preview-1280`);
      card = await openCase(staffPage);

      // The client: on the matter page, then in the Documents tab; both downloads are the bytes uploaded.
      const c = await newPage();
      const portal = c.page;
      await signInPortal(portal);
      await portal.goto(`${server.baseUrl}/portal/#/matters/${ids.case}`);
      await portal.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
      const section = portal.getByRole('region', { name: /^Documents/ });
      const onMatter = section.getByRole('list', { name: 'Documents shared on this matter' }).getByRole('listitem');
      await onMatter.filter({ hasText: FILE_NAME }).waitFor();
      assert.equal(await onMatter.count(), 1);
      assert.ok((await download(portal, section.getByRole('link', { name: `Download ${FILE_NAME}` }))).equals(bytes),
        'the matter page downloads the uploaded bytes');
      await screenshot(portal, `${backend}-portal-matter-documents-1280`);

      await portal.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Documents' }).click();
      await portal.getByRole('heading', { level: 1, name: 'Documents' }).waitFor();
      const all = portal.getByRole('list', { name: 'Documents shared with you' });
      await all.getByRole('listitem').filter({ hasText: FILE_NAME }).getByText(CASE_TITLE, { exact: false }).waitFor();
      assert.ok((await download(portal, all.getByRole('link', { name: `Download ${FILE_NAME}` }))).equals(bytes),
        'the Documents tab downloads the uploaded bytes');
      await screenshot(portal, `${backend}-portal-documents-1280`);

      // Staff switch sharing off: the list no longer shows it and its address answers 404.
      const sharedItem = card.getByRole('list', { name: 'Documents of this case' }).getByRole('listitem').filter({ hasText: FILE_NAME });
      await sharedItem.getByRole('switch', { name: 'Accessible to Client' }).click();
      await sharedItem.getByText('Internal').waitFor();
      assert.equal(await sharedItem.getByRole('switch', { name: 'Accessible to Client' }).getAttribute('aria-checked'), 'false');
      await portal.reload();
      await portal.getByRole('heading', { level: 1, name: 'Documents' }).waitFor();
      await portal.getByText('No documents have been shared with you yet.').waitFor();
      const gone = await portal.request.get(`${server.baseUrl}/api/v1/portal/documents/${ids.doc}/content`);
      assert.equal(gone.status(), 404);
      await portal.goto(`${server.baseUrl}/portal/#/matters/${ids.case}`);
      await portal.getByText('Your legal team has not shared documents on this matter yet.').waitFor();

      // The ledger: both of the client's downloads, by name.
      const ledger = (await staff.json('GET', `documents/${ids.doc}/ledger`)).items
        .filter((r) => r.action === 'portal.document.download');
      assert.equal(ledger.length, 2);
      assert.equal(ledger[0].actor_kind, 'portal');
      card = await openCase(staffPage);
      const again = card.getByRole('list', { name: 'Documents of this case' }).getByRole('listitem').filter({ hasText: FILE_NAME });
      await again.getByRole('button', { name: 'Details' }).click();
      await again.getByRole('heading', { name: 'Who downloaded it (2)' }).waitFor();
      const history = again.getByRole('list', { name: 'History of this document' });
      // The portal account is the client: named as the client, with the account's address.
      const downloads = history.getByRole('listitem').filter({ hasText: `Downloaded by ${CLIENT.name}, ` });
      assert.equal(await downloads.count(), 2);
      assert.match(await downloads.first().innerText(), new RegExp(`^Downloaded by ${CLIENT.name}, \\d{1,2} \\w{3,4} 2\\d{3}, \\d{2}:\\d{2} \\(client portal(, ${CLIENT.email.replace(/\./g, '\\.')})?\\)$`));
      await history.getByText('Shared with the client by Olivia Owner', { exact: false }).waitFor();
      await history.getByText('Stopped sharing by Olivia Owner', { exact: false }).waitFor();
      await screenshot(staffPage, `${backend}-case-document-ledger-1280`);
      assertClean(s);
      assertClean(c);
    });

    test('versions, a pinned share with an expiry, rename and move, the trash and restore, through a document\u2019s details', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      const card = await openCase(page);
      const item = () => card.getByRole('list', { name: 'Documents of this case' }).getByRole('listitem').filter({ hasText: 'Engagement.txt' });
      const [first] = await Promise.all([page.waitForEvent('filechooser'), card.getByRole('button', { name: 'Upload', exact: true }).click()]);
      await first.setFiles({ name: 'Engagement.txt', mimeType: 'text/plain', buffer: Buffer.from('Engagement letter, first draft.\n') });
      await item().getByText('Version 1', { exact: false }).waitFor();
      await item().getByRole('button', { name: 'Details' }).click();
      const [second] = await Promise.all([page.waitForEvent('filechooser'), item().getByRole('button', { name: 'Upload new version' }).click()]);
      await second.setFiles({ name: 'Engagement v2.txt', mimeType: 'text/plain', buffer: Buffer.from('Engagement letter, signed.\n') });
      await item().locator('.doc-row .doc-meta').getByText('Version 2 \u00b7', { exact: false }).waitFor();
      const versions = item().getByRole('list', { name: 'Versions of Engagement.txt' }).getByRole('listitem');
      await eventually(async () => assert.equal(await versions.count(), 2));

      // Share version 1 only, until a date next year.
      await item().getByLabel('Version the client sees').selectOption('1');
      await item().getByLabel('Share until (optional)').fill('2099-12-31');
      await item().getByRole('button', { name: 'Share with client' }).click();
      await item().getByText('Shared with client').waitFor();
      const shared = await staff.json('GET', `cases/${ids.case}/documents`);
      const doc = shared.items.find((d) => d.name === 'Engagement.txt');
      assert.deepEqual({ version: doc.share.version, expires: doc.share.expires_at.slice(0, 10) }, { version: 1, expires: '2099-12-31' });

      // Restore version 1 as version 3.
      await item().getByRole('button', { name: 'Restore version 1' }).click();
      await item().locator('.doc-row .doc-meta').getByText('Version 3 \u00b7', { exact: false }).waitFor();

      // Rename and move.
      await item().getByLabel('Name', { exact: true }).fill('Engagement letter.txt');
      await item().getByLabel('Folder').fill('Correspondence');
      await item().getByRole('button', { name: 'Save name and folder' }).click();
      const renamed = card.getByRole('list', { name: 'Documents of this case' }).getByRole('listitem').filter({ hasText: 'Engagement letter.txt' });
      await renamed.getByText('Correspondence \u00b7 Version 3', { exact: false }).waitFor();

      // The trash: moving there stops sharing; Restore brings it back, unshared.
      await renamed.getByRole('button', { name: 'Move to trash' }).click();
      await renamed.waitFor({ state: 'detached' });
      await card.getByRole('button', { name: 'Trash' }).click();
      const trash = card.getByRole('list', { name: 'Documents in the trash' });
      await trash.getByRole('button', { name: 'Restore Engagement letter.txt' }).click();
      await card.getByRole('list', { name: 'Documents of this case' }).getByRole('listitem').filter({ hasText: 'Engagement letter.txt' })
        .getByText('Internal').waitFor();
      await card.getByText('The trash is empty.').waitFor();
      assert.equal((await staff.json('GET', `documents/${doc.id}`)).shared, false);
      assertClean(p);
    });

    test('drag and drop uploads with a progress bar per file; a refused type shows the server\u2019s message on that file', async () => {
      const p = await newPage();
      const { page } = p;
      p.expectProblem(/status of 415/); // the refused file, which Chromium logs as a failed resource
      await signInStaff(page, server.baseUrl, OWNER);
      const card = await openCase(page);
      const zone = card.locator('.doc-drop');
      await zone.getByText('Drop files here').waitFor();
      const dropped = await page.evaluateHandle(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['Meeting notes, 30 November.\n'.repeat(4000)], 'Meeting notes.txt', { type: 'text/plain' }));
        const elf = new Uint8Array(220);
        elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0]);
        dt.items.add(new File([elf], 'tool.bin', { type: 'application/octet-stream' }));
        return dt;
      });
      await zone.dispatchEvent('dragenter', { dataTransfer: dropped });
      await zone.dispatchEvent('drop', { dataTransfer: dropped });
      const uploads = card.getByRole('list', { name: 'Uploads' });
      const good = uploads.getByRole('listitem').filter({ hasText: 'Meeting notes.txt' });
      await good.getByText('Uploaded').waitFor();
      assert.equal(await good.locator('progress').evaluate((el) => `${el.value}/${el.max}`), '100/100');
      const bad = uploads.getByRole('listitem').filter({ hasText: 'tool.bin' });
      const error = bad.getByRole('alert');
      await error.waitFor();
      assert.match(await error.textContent(), /^Error: Not uploaded: Files of type \S+ are not accepted here\.$/);
      assert.equal(await bad.locator('progress').count(), 0);
      const listed = (await staff.json('GET', `cases/${ids.case}/documents`)).items.map((d) => d.name).sort();
      assert.ok(listed.includes('Meeting notes.txt'));
      assert.ok(!listed.includes('tool.bin'), 'the refused file was not kept');
      await card.getByRole('list', { name: 'Documents of this case' }).getByRole('listitem')
        .filter({ hasText: 'Meeting notes.txt' }).waitFor();
      await screenshot(page, `${backend}-case-documents-drop-1280`);
      assertClean(p);
    });

    test('an infected upload is shown quarantined: the upload row says so, no download link or share switch, each version\u2019s scan status', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      const card = await openCase(page);
      const list = () => card.getByRole('list', { name: 'Documents of this case' });

      // The EICAR test file through the picker: clamd finds it; the upload row says so instead of "Uploaded".
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), card.getByRole('button', { name: 'Upload', exact: true }).click()]);
      await chooser.setFiles({ name: 'Invoice.txt', mimeType: 'text/plain', buffer: Buffer.from(EICAR) });
      const row = card.getByRole('list', { name: 'Uploads' }).getByRole('listitem').filter({ hasText: 'Invoice.txt' });
      const verdict = row.getByRole('alert');
      await verdict.waitFor();
      assert.equal(await verdict.textContent(), `Quarantined: infected file (${SIGNATURE}). It cannot be downloaded or shared.`);
      assert.equal(await row.getByText('Uploaded').count(), 0);

      // The document: a shield and "Quarantined" (read out as an infected file), the reason, and
      // neither a download link nor the "Accessible to Client" switch.
      const item = list().getByRole('listitem').filter({ hasText: 'Invoice.txt' });
      await item.getByText('Quarantined', { exact: true }).waitFor();
      assert.equal(await item.locator('.doc-scan-infected').textContent(), 'Quarantined: infected file');
      await item.getByText(`The malware scanner found ${SIGNATURE} in this file. It is kept for the record, but it cannot be downloaded or shared with the client.`).waitFor();
      assert.equal(await item.getByRole('link').count(), 0, 'no download link');
      assert.equal(await item.getByRole('switch', { name: 'Accessible to Client' }).count(), 0, 'no share switch');
      const [evil] = (await staff.json('GET', `cases/${ids.case}/documents`)).items.filter((d) => d.name === 'Invoice.txt');
      assert.deepEqual(evil.scan, { status: 'infected', signature: SIGNATURE });
      const refused = await page.request.get(`${server.baseUrl}/api/v1/documents/${evil.id}/content`);
      assert.equal(refused.status(), 403, 'the server refuses it too');

      // Details: no sharing form; the version says it is quarantined; the ledger says when.
      await item.getByRole('button', { name: 'Details' }).click();
      const versions = item.getByRole('list', { name: 'Versions of Invoice.txt' });
      await versions.getByText(`Quarantined: ${SIGNATURE}`).waitFor();
      assert.equal(await item.getByRole('button', { name: 'Share with client' }).count(), 0);
      await item.getByRole('list', { name: 'History of this document' })
        .getByText('Quarantined (malware found) when uploaded by Olivia Owner', { exact: false }).waitFor();
      await screenshot(page, `${backend}-case-document-quarantined-1280`);

      // A clean document whose new version is infected: the new version is kept in the history,
      // marked, not restorable and not offered for sharing; the document stays on its clean version.
      const [first] = await Promise.all([page.waitForEvent('filechooser'), card.getByRole('button', { name: 'Upload', exact: true }).click()]);
      await first.setFiles({ name: 'Retainer.txt', mimeType: 'text/plain', buffer: Buffer.from('Retainer agreement.\n') });
      const retainer = () => list().getByRole('listitem').filter({ hasText: 'Retainer.txt' });
      await retainer().getByText('Internal').waitFor();
      await retainer().getByRole('button', { name: 'Details' }).click();
      const rv = retainer().getByRole('list', { name: 'Versions of Retainer.txt' }).getByRole('listitem');
      await rv.filter({ hasText: 'Version 1' }).getByText('Scanned: clean').waitFor();
      const [second] = await Promise.all([page.waitForEvent('filechooser'), retainer().getByRole('button', { name: 'Upload new version' }).click()]);
      await second.setFiles({ name: 'Retainer v2.txt', mimeType: 'text/plain', buffer: Buffer.from(`Retainer, signed.\n${EICAR}\n`) });
      await retainer().locator('.doc-version-progress').getByRole('alert')
        .getByText(`Quarantined: infected file (${SIGNATURE})`, { exact: false }).waitFor();
      await eventually(async () => assert.equal(await rv.count(), 2));
      const v2 = rv.filter({ hasText: 'Version 2' });
      await v2.getByText(`Quarantined: ${SIGNATURE}`).waitFor();
      assert.equal(await v2.getByText('Current').count(), 0);
      await rv.filter({ hasText: 'Version 1' }).getByText('Current').waitFor();
      assert.equal(await retainer().getByRole('button', { name: 'Restore version 2' }).count(), 0, 'an infected version cannot be restored');
      const offered = await retainer().getByLabel('Version the client sees').locator('option').allTextContents();
      assert.deepEqual(offered, ['The latest version (follows new uploads)', 'Version 1 only']);
      await retainer().locator('.doc-row .doc-meta').getByText('Version 1 \u00b7', { exact: false }).waitFor();
      assert.equal(await retainer().getByRole('link', { name: 'Retainer.txt' }).count(), 1, 'the clean current version stays downloadable');
      assert.equal(await retainer().getByRole('switch', { name: 'Accessible to Client' }).count(), 1);

      // The client's profile shows the quarantine the same way.
      await page.goto(`${server.baseUrl}/app/#/clients/${ids.client}`);
      const clientItem = page.getByRole('region', { name: /^Documents/ }).getByRole('list', { name: 'Documents of this client' })
        .getByRole('listitem').filter({ hasText: 'Invoice.txt' });
      await clientItem.getByText('Quarantined', { exact: true }).waitFor();
      assert.equal(await clientItem.getByRole('link').count(), 0);
      assert.equal(await clientItem.getByRole('switch').count(), 0);
      assertClean(p);
    });

    test('the firm\u2019s Templates page: upload, listed, downloaded byte for byte, deleted after a confirmation; paralegals have it, billing and the portal do not', async () => {
      const bytes = pdfBytes();
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      await page.getByRole('navigation').getByRole('link', { name: 'Templates' }).click();
      const heading = page.getByRole('heading', { level: 1 });
      await page.getByRole('heading', { level: 1, name: 'Templates' }).waitFor();
      await page.getByText('No templates yet.', { exact: false }).waitFor();
      assert.equal(await page.title(), 'Templates \u2014 LexOS');
      assert.equal(await page.getByRole('switch').count(), 0, 'templates are never shared');

      // Upload through the picker, into a folder.
      await page.getByLabel('Folder (optional)').fill('Engagement');
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Upload', exact: true }).click()]);
      await chooser.setFiles({ name: 'Engagement letter.pdf', mimeType: 'application/pdf', buffer: bytes });
      await page.getByRole('list', { name: 'Uploads' }).getByRole('listitem').filter({ hasText: 'Engagement letter.pdf' })
        .getByText('Uploaded').waitFor();
      const table = page.getByRole('table', { name: 'The firm\u2019s templates' });
      const tr = table.getByRole('row').filter({ hasText: 'Engagement letter.pdf' });
      await tr.waitFor();
      assert.equal(await heading.textContent(), 'Templates (1)');
      assert.deepEqual((await tr.getByRole('cell').allInnerTexts()).slice(0, 4).map((t) => t.trim()),
        ['Engagement letter.pdf', 'Engagement', 'PDF', `${Math.round(bytes.length / 1024)} KB`]);
      assert.match(await tr.getByRole('cell').nth(4).innerText(), /^Olivia Owner, \d{1,2} \w{3,4} 2\d{3}, \d{2}:\d{2}$/);
      const [tpl] = (await staff.json('GET', 'document-templates')).items;
      assert.deepEqual({ name: tpl.name, folder: tpl.folder, size: tpl.size, type: tpl.content_type },
        { name: 'Engagement letter.pdf', folder: 'Engagement', size: bytes.length, type: 'application/pdf' });
      assert.ok((await download(page, tr.getByRole('link', { name: 'Download Engagement letter.pdf' }))).equals(bytes),
        'the download is the uploaded bytes');
      await screenshot(page, `${backend}-templates-1280`);

      // A paralegal has the page, with upload and delete; billing staff have neither the entry nor the page.
      const q = await newPage();
      await signInStaff(q.page, server.baseUrl, PARALEGAL);
      await q.page.getByRole('navigation').getByRole('link', { name: 'Templates' }).click();
      const theirs = q.page.getByRole('table', { name: 'The firm\u2019s templates' }).getByRole('row').filter({ hasText: 'Engagement letter.pdf' });
      assert.ok((await download(q.page, theirs.getByRole('link', { name: 'Download Engagement letter.pdf' }))).equals(bytes));
      await theirs.getByRole('button', { name: 'Delete Engagement letter.pdf' }).waitFor();
      await q.page.getByRole('button', { name: 'Upload', exact: true }).waitFor();
      const b = await newPage();
      await signInStaff(b.page, server.baseUrl, BILLING);
      assert.equal(await b.page.getByRole('navigation').getByRole('link', { name: 'Templates' }).count(), 0);
      await b.page.goto(`${server.baseUrl}/app/#/templates`);
      await b.page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
      assert.equal(await b.page.getByText('Engagement letter.pdf').count(), 0);

      // The portal: no Templates tab, no such page, and the API refuses a portal session.
      const c = await newPage();
      await signInPortal(c.page);
      assert.equal(await c.page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Templates' }).count(), 0);
      await c.page.goto(`${server.baseUrl}/portal/#/templates`);
      await c.page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
      for (const path of ['document-templates', `document-templates/${tpl.id}/content`]) {
        const res = await c.page.request.get(`${server.baseUrl}/api/v1/${path}`);
        assert.ok([403, 404].includes(res.status()), `portal GET ${path}: ${res.status()}`);
        assert.ok(!(await res.body()).includes(Buffer.from('%PDF')), 'no bytes of the template');
      }

      // Delete: it asks first; Cancel keeps it; "Delete template" removes it.
      await tr.getByRole('button', { name: 'Delete Engagement letter.pdf' }).click();
      const ask = tr.getByRole('group', { name: 'Delete Engagement letter.pdf? It goes for everyone at the firm and cannot be restored.' });
      await ask.waitFor();
      await ask.getByRole('button', { name: 'Cancel' }).click();
      await tr.getByRole('button', { name: 'Delete Engagement letter.pdf' }).click();
      await screenshot(page, `${backend}-templates-delete-1280`);
      await tr.getByRole('button', { name: 'Delete template' }).click();
      await page.getByText('No templates yet.', { exact: false }).waitFor();
      assert.equal(await heading.textContent(), 'Templates');
      assert.deepEqual((await staff.json('GET', 'document-templates')).items, []);
      const gone = await page.request.get(`${server.baseUrl}/api/v1/document-templates/${tpl.id}/content`);
      assert.equal(gone.status(), 404);

      // An infected template is refused on its row, with the scanner's finding, and not listed.
      p.expectProblem(/status of 422/);
      const [bad] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Upload', exact: true }).click()]);
      await bad.setFiles({ name: 'Power of attorney.txt', mimeType: 'text/plain', buffer: Buffer.from(EICAR) });
      const refused = page.getByRole('list', { name: 'Uploads' }).getByRole('listitem').filter({ hasText: 'Power of attorney.txt' }).getByRole('alert');
      await refused.waitFor();
      assert.equal(await refused.textContent(),
        `Error: Not uploaded: The malware scanner found ${SIGNATURE} in Power of attorney.txt. A template must be clean, so it was not kept.`);
      assert.deepEqual((await staff.json('GET', 'document-templates')).items, []);
      assertClean(p);
      assertClean(q);
      assertClean(b);
      assertClean(c);
    });
  });
}
