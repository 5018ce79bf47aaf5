// The billing module's portal screens, run once per database backend by billing_portal_*.test.mjs.
// A real lexosd with the clients, cases, portal and billing modules; staff record time, draft,
// issue and take a payment through the API (the staff screens are not built yet); the client
// reads their balance, billing history, an invoice's lines and downloads the invoice's and the
// receipt's PDFs in Chromium, and sees nothing of a draft or of another client's invoice.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiSession } from './lexos.mjs';
import { suiteRig } from './rig.mjs';
import { assertClean, screenshot } from './browser.mjs';
import { activatePortalClient, downloadBytes, signInPortal } from './portal.mjs';

const PASSWORD = 'correct horse battery staple';
const CLIENT_PASSWORD = 'amber river lantern 42';
const FIRM = { slug: 'anderson-law', name: 'Anderson Law LLP' };
const OWNER = { firm: FIRM.slug, email: 'olivia.owner@anderson.test', password: PASSWORD, displayName: 'Olivia Owner' };
const CLIENT = { name: 'Thomas Anderson', email: 'thomas@anderson-client.test' };

export function billingPortalSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`billing: the client portal's invoices in Chromium (${backend})`, () => {
    let server;
    const ids = {};

    const { newPage } = suiteRig({
      database, cleanup, lexos: { plugins: 'clients,cases,portal,billing' },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: FIRM.slug, name: FIRM.name, email: OWNER.email, password: OWNER.password,
          displayName: OWNER.displayName });
        const staff = await apiSession(server.baseUrl, OWNER);
        ids.client = (await staff.json('POST', 'clients', {
          name: CLIENT.name, email: CLIENT.email, billing: { currency: 'EUR', hourly_rate_minor: 30000, payment_terms_days: 14 },
        })).id;
        ids.case = (await staff.json('POST', 'cases', { client_id: ids.client, title: 'State vs. Fouchix' })).id;
        await staff.json('POST', `cases/${ids.case}/time`, { minutes: 50, description: 'Reviewed the disclosure', date: '2026-11-02' });
        // Issued: 250.00 time + 100.00 fee, VAT 20% = 420.00; 120.00 paid by wire.
        ids.invoice = (await staff.json('POST', 'invoices', {
          client_id: ids.client, case_ids: [ids.case], tax_name: 'VAT', tax_rate_bp: 2000,
          lines: [{ description: 'Fixed fee: court filing', unit_price_minor: 10000 }],
        })).id;
        ids.number = (await staff.json('POST', `invoices/${ids.invoice}/issue`, { issued_on: '2026-11-30' })).number;
        ids.payment = await staff.json('POST', `invoices/${ids.invoice}/payments`, { amount_minor: 12000, method: 'wire', received_on: '2026-12-01' });
        // A draft of the same client, and another client's issued invoice: neither may show.
        ids.draft = (await staff.json('POST', 'invoices', {
          client_id: ids.client, lines: [{ description: 'DRAFT ONLY: not for the client yet', unit_price_minor: 777 }],
        })).id;
        const smith = (await staff.json('POST', 'clients', { name: 'Smith Holdings Ltd', billing: { currency: 'EUR' } })).id;
        ids.smithInvoice = (await staff.json('POST', 'invoices', {
          client_id: smith, lines: [{ description: 'SMITH: retainer', unit_price_minor: 99900 }],
        })).id;
        ids.smithNumber = (await staff.json('POST', `invoices/${ids.smithInvoice}/issue`, {})).number;
        // A retainer in trust: shown read-only with its entries.
        await staff.json('POST', `clients/${ids.client}/trust`, { kind: 'deposit', amount_minor: 50000, description: 'Retainer' });
        await activatePortalClient(server, staff, ids.client, CLIENT_PASSWORD);
      },
    });

    const signIn = (page) => signInPortal(page, server.baseUrl, { firm: FIRM.slug, email: CLIENT.email, password: CLIENT_PASSWORD });
    const download = downloadBytes;

    test('the client sees what they owe, their history and receipts, opens an invoice and downloads its PDF and the receipt', async () => {
      const p = await newPage();
      const { page } = p;
      await signIn(page);
      await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Invoices' }).click();
      await page.getByRole('heading', { level: 1, name: 'Invoices' }).waitFor();
      const balance = page.getByRole('region', { name: 'Outstanding balance' });
      await balance.getByText(/300\.00/).waitFor();  // 420.00 - 120.00
      const history = page.getByRole('table', { name: 'Billing history' });
      const row = history.getByRole('row').filter({ hasText: ids.number });
      await row.getByText('Partly paid').waitFor();
      await row.getByText(/420\.00/).waitFor();
      assert.equal(await history.getByRole('row').count(), 2, 'a header row and the one issued invoice');
      const text = await page.locator('main').innerText();
      assert.ok(!text.includes(ids.smithNumber), 'another client\u2019s invoice number must not show');
      assert.ok(!text.includes('DRAFT ONLY'), 'a draft must not show');
      const trust = page.getByRole('region', { name: 'Trust balance' });
      await trust.getByText(/500\.00/).first().waitFor();
      await trust.getByRole('table', { name: 'Trust account entries' }).getByText(/Deposit · Retainer/).waitFor();
      await screenshot(page, `${backend}-portal-invoices-1280`);

      // The receipt of the wire payment, as a PDF.
      const receipts = page.getByRole('list', { name: 'Receipts' });
      await receipts.getByRole('listitem').filter({ hasText: ids.payment.receipt_number }).getByText(/120\.00 for invoice/).waitFor();
      const receiptPdf = await download(page, receipts.getByRole('link', { name: `Download receipt ${ids.payment.receipt_number}` }));
      assert.equal(receiptPdf.subarray(0, 5).toString('latin1'), '%PDF-');

      // The invoice itself: its lines and figures, and its PDF.
      await row.getByRole('link', { name: ids.number, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: `Invoice ${ids.number}` }).waitFor();
      const lines = page.getByRole('table', { name: `Lines of invoice ${ids.number}` });
      await lines.getByText('Fixed fee: court filing').waitFor();
      await lines.getByText(/Reviewed the disclosure/).waitFor();
      const totals = page.getByRole('definition').filter({ hasText: /420\.00/ });
      await totals.first().waitFor();
      const pdf = await download(page, page.getByRole('link', { name: `Download PDF of invoice ${ids.number}` }));
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      await screenshot(page, `${backend}-portal-invoice-1280`);

      // Another client's invoice and a draft, asked for by address: "Invoice not found".
      for (const id of [ids.smithInvoice, ids.draft]) {
        p.expectProblem(/status of 404/);
        await page.goto(`${server.baseUrl}/portal/#/invoices/${id}`);
        await page.getByRole('heading', { level: 1, name: 'Invoice not found' }).waitFor();
      }
      assertClean(p);
    });
  });
}
