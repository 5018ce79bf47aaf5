// The billing module's staff screens, run once per database backend by billing_staff_*.test.mjs.
// A real lexosd with the clients, cases, portal and billing modules. A paralegal records time on
// the case page with the timer (and has no Billing in the navigation); the owner sees the case's
// time and expenses, drafts an invoice from the client's unbilled work in the editor with a flat
// fee and VAT, issues it, records a partial payment, downloads the invoice's and the receipt's
// PDFs, and reads the balance on the client's profile and the aging on the Billing page; last,
// the owner sets the firm's address, tax ID and tax rates, a new invoice starts with the default
// rate and its PDF prints them, and an attorney reads them. What each step changed is checked
// through the API.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { apiSession } from './lexos.mjs';
import { suiteRig } from './rig.mjs';
import { assertClean, screenshot, signInStaff } from './browser.mjs';
import { downloadBytes } from './portal.mjs';
import { eventually } from './suite.mjs';

const PASSWORD = 'correct horse battery staple';
const FIRM = { slug: 'anderson-law', name: 'Anderson Law LLP' };
const OWNER = { firm: FIRM.slug, email: 'olivia.owner@anderson.test', password: PASSWORD, displayName: 'Olivia Owner' };
const PARALEGAL = { firm: FIRM.slug, email: 'pat.paralegal@anderson.test', password: PASSWORD, displayName: 'Pat Paralegal' };
const ATTORNEY = { firm: FIRM.slug, email: 'alan.attorney@anderson.test', password: PASSWORD, displayName: 'Alan Attorney' };
const ANDERSON = 'Thomas Anderson';
const SMITH = 'Smith Holdings Ltd';
const CASE_TITLE = 'State vs. Fouchix';
const WORK = 'Reviewed the prosecution\u2019s disclosure';
const ADDRESS = ['12 Harbour Street', 'D\u00fan Laoghaire A96 K2X4'];
const TAX_ID = 'IE 6388047V';

/** The text of a PDF file, as poppler's pdftotext reads it (UTF-8). */
function pdfText(file) {
  // poppler warns about libharu's ToUnicode maps on stderr; the text still extracts exactly.
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

export function billingStaffSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`billing: the staff's time, invoices and Billing page in Chromium (${backend})`, () => {
    let server;
    let staff;
    const ids = {};

    const { newPage } = suiteRig({
      database, cleanup, lexos: { plugins: 'clients,cases,portal,billing' },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: FIRM.slug, name: FIRM.name, email: OWNER.email, password: OWNER.password,
          displayName: OWNER.displayName });
        await server.lexosctl(['user', 'create', '--firm', FIRM.slug, '--email', PARALEGAL.email, '--role', 'paralegal',
          '--name', PARALEGAL.displayName, '--password-stdin'], `${PARALEGAL.password}\n`);
        staff = await apiSession(server.baseUrl, OWNER);
        ids.anderson = (await staff.json('POST', 'clients', {
          name: ANDERSON, billing: { currency: 'EUR', hourly_rate_minor: 30000, payment_terms_days: 14 },
        })).id;
        ids.case = (await staff.json('POST', 'cases', { client_id: ids.anderson, title: CASE_TITLE })).id;
        // Smith Holdings owes 999.00 since early in the year: issued 10 January, due 30 days later.
        ids.smith = (await staff.json('POST', 'clients', { name: SMITH, billing: { currency: 'EUR', payment_terms_days: 30 } })).id;
        const smithInvoice = await staff.json('POST', 'invoices', {
          client_id: ids.smith, lines: [{ description: 'Retainer: commercial dispute', unit_price_minor: 99900 }],
        });
        ids.smithNumber = (await staff.json('POST', `invoices/${smithInvoice.id}/issue`, { issued_on: '2026-01-10' })).number;
      },
    });

    const mainNav = (page) => page.getByRole('navigation', { name: 'Main' });
    const openCase = async (page) => {
      await page.goto(`${server.baseUrl}/app/#/cases/${ids.case}`);
      await page.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
    };

    test('a paralegal records time on the case page with the timer, and has no Billing in the navigation', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, PARALEGAL);
      // billing.time but not billing.read: no Billing or Invoices entry, no view of the books.
      await mainNav(page).getByRole('link', { name: 'Cases' }).waitFor();
      assert.equal(await mainNav(page).getByRole('link', { name: 'Billing' }).count(), 0);
      assert.equal(await mainNav(page).getByRole('link', { name: 'Invoices' }).count(), 0);

      await openCase(page);
      const card = page.getByRole('region', { name: 'Record time' });
      await card.getByRole('button', { name: 'Start timer' }).waitFor();
      assert.equal(await page.getByRole('region', { name: /^Time and expenses/ }).count(), 0, 'the list needs billing.read');

      // Started, then 25 minutes "pass" and the page is loaded again: the timer is still running.
      await card.getByRole('button', { name: 'Start timer' }).click();
      await card.getByRole('button', { name: 'Stop timer' }).waitFor();
      await page.evaluate((key) => {
        sessionStorage.setItem(key, String(Number(sessionStorage.getItem(key)) - 25 * 60_000));
      }, `lexos.billing.timer.${ids.case}`);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: CASE_TITLE }).waitFor();
      await card.getByRole('button', { name: 'Stop timer' }).click();
      const minutes = Number(await card.getByLabel('Time worked').inputValue());
      assert.ok(minutes >= 26 && minutes <= 27, `the timer put 25 minutes and some seconds, rounded up, in the field (got ${minutes})`);
      await card.getByRole('button', { name: 'Start timer' }).waitFor();

      // h:mm is understood too; a missing description is said on its field before sending.
      const form = card.locator('form[aria-label="Add time"]');
      await form.getByLabel('Time worked').fill('1:30');
      await form.getByRole('button', { name: 'Add time' }).click();
      await form.getByRole('alert').getByText('Describe the work.').waitFor();
      await form.getByLabel('Description').fill(WORK);
      await form.getByLabel('Date').fill('2026-11-20');
      await form.getByRole('button', { name: 'Add time' }).click();
      const recorded = card.getByRole('list', { name: 'Time entries, newest first' }).getByRole('listitem').filter({ hasText: WORK });
      await recorded.getByText('1:30 h').waitFor();
      await recorded.getByText(/450\.00/).first().waitFor();
      const time = await staff.json('GET', `cases/${ids.case}/time`);
      assert.equal(time.items.length, 1);
      assert.equal(time.items[0].minutes, 90);
      assert.equal(time.items[0].user_name, PARALEGAL.displayName);
      assert.equal(time.items[0].amount_minor, 45000);
      assert.equal(time.items[0].date, '2026-11-20');
      // Their own invoice-free entry may be deleted; the Invoices views are not theirs.
      await recorded.getByRole('button', { name: 'Delete' }).waitFor();
      p.expectProblem(/status of 40[34]/);
      await page.goto(`${server.baseUrl}/app/#/invoices`);
      await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
      assertClean(p);
    });

    test('the owner sees the case\u2019s time and expenses, adds and deletes time and adds an expense', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      await openCase(page);
      const card = page.getByRole('region', { name: /^Time and expenses/ });
      const entries = card.getByRole('list', { name: 'Time entries, newest first' }).getByRole('listitem');
      await entries.filter({ hasText: WORK }).getByText(PARALEGAL.displayName).waitFor();
      await card.getByText('1:30', { exact: true }).waitFor();
      assert.equal(await page.getByRole('region', { name: 'Record time' }).count(), 0, 'the short card steps aside for billing.read');

      await card.getByRole('button', { name: 'Add time' }).click();
      const timeForm = card.locator('form[aria-label="Add time"]');
      await timeForm.getByLabel('Time worked').fill('45');
      await timeForm.getByLabel('Description').fill('Call with the client');
      await timeForm.getByRole('button', { name: 'Add time' }).click();
      const call = entries.filter({ hasText: 'Call with the client' });
      await call.getByText('0:45 h').waitFor();
      await card.getByText('2:15', { exact: true }).waitFor();
      await call.getByRole('button', { name: 'Delete' }).click();
      await eventually(async () => assert.equal(await call.count(), 0));
      await card.getByText('1:30', { exact: true }).waitFor();

      await card.getByRole('button', { name: 'Add expense' }).click();
      const expenseForm = card.locator('form[aria-label="Add expense"]');
      await expenseForm.getByLabel('Amount (EUR)').fill('35,5');
      await expenseForm.getByLabel('Description').fill('Court filing fee');
      await expenseForm.getByRole('button', { name: 'Add expense' }).click();
      await card.getByRole('list', { name: 'Expenses, newest first' }).getByRole('listitem').filter({ hasText: 'Court filing fee' })
        .getByText(/35\.50/).waitFor();
      const [time, expenses] = await Promise.all([staff.json('GET', `cases/${ids.case}/time`), staff.json('GET', `cases/${ids.case}/expenses`)]);
      assert.deepEqual(time.items.map((t) => t.minutes), [90]);
      assert.deepEqual(expenses.items.map((e) => [e.amount_minor, e.description]), [[3550, 'Court filing fee']]);
      assertClean(p);
    });

    test('the owner drafts an invoice from the unbilled work with a flat fee and VAT, issues it, takes a partial payment and downloads the PDFs', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      await page.goto(`${server.baseUrl}/app/#/clients/${ids.anderson}`);
      await page.getByRole('heading', { level: 1, name: ANDERSON }).waitFor();
      const invoicesCard = page.getByRole('region', { name: 'Invoices' });
      await invoicesCard.getByText('No invoices for this client yet.').waitFor();
      await invoicesCard.getByRole('link', { name: 'New invoice' }).click();

      await page.getByRole('heading', { level: 1, name: 'New invoice' }).waitFor();
      await page.locator('.bill-chosen').getByRole('link', { name: ANDERSON }).waitFor();
      const caseBox = page.getByRole('checkbox', { name: new RegExp(CASE_TITLE) });
      assert.equal(await caseBox.isChecked(), true, 'a case with unbilled work is chosen');
      await page.locator('.bill-case-choice').getByText(/1:30 h of time in 1 entry, 1 expense: €485\.50/).waitFor();
      await page.getByRole('button', { name: 'Add a flat fee' }).click();
      await page.getByLabel('Description of line 1').fill('Fixed fee: court filing');
      await page.getByLabel('Unit price of line 1').fill('100');
      await page.getByLabel('Tax name').fill('VAT');
      await page.getByLabel('Tax rate (%)').fill('20');
      await page.getByLabel('Notes').fill('Payable by wire to the firm\u2019s account.');
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.getByRole('heading', { level: 1, name: 'Draft invoice' }).waitFor();
      ids.invoice = decodeURIComponent(page.url().split('#/invoices/')[1]);
      const lines = page.getByRole('table', { name: 'Lines of draft invoice' });
      await lines.getByText(/Reviewed the prosecution/).waitFor();
      await lines.getByText('Fixed fee: court filing').waitFor();
      await lines.getByText(/Court filing fee/).waitFor();
      // 450.00 + 35.50 + 100.00 = 585.50; VAT 20% of the taxable 550.00 = 110.00; total 695.50.
      const totals = page.getByRole('definition');
      await totals.filter({ hasText: '€585.50' }).waitFor();
      await totals.filter({ hasText: '€110.00' }).waitFor();
      await totals.filter({ hasText: '€695.50' }).waitFor();
      const draft = await staff.json('GET', `invoices/${ids.invoice}`);
      assert.equal(draft.status, 'draft');
      assert.equal(draft.total_minor, 69550);
      assert.equal(draft.tax_rate_bp, 2000);

      // Edit the draft: the form holds its fee, tax and notes; saving edits it in place.
      await page.getByRole('link', { name: 'Edit draft' }).click();
      await page.getByRole('heading', { level: 1, name: 'Edit draft invoice' }).waitFor();
      assert.equal(await page.getByLabel('Description of line 1').inputValue(), 'Fixed fee: court filing');
      assert.equal(await page.getByLabel('Unit price of line 1').inputValue(), '100.00');
      assert.equal(await page.getByLabel('Tax rate (%)').inputValue(), '20');
      assert.equal(await page.getByRole('checkbox', { name: new RegExp(CASE_TITLE) }).isChecked(), true);
      await page.getByLabel('Notes').fill('Payable by wire within 14 days.');
      await page.getByRole('button', { name: 'Save draft' }).click();
      await page.getByRole('heading', { level: 1, name: 'Draft invoice' }).waitFor();
      await page.getByText('Payable by wire within 14 days.').waitFor();
      assert.equal(decodeURIComponent(page.url().split('#/invoices/')[1]), String(ids.invoice), 'the draft keeps its id');
      const again = await staff.json('GET', `invoices/${ids.invoice}`);
      assert.equal(again.total_minor, 69550, 'the same work, fee and tax');
      assert.equal(again.lines.length, 3);
      const drafts = await staff.json('GET', `invoices?client_id=${ids.anderson}&status=draft`);
      assert.deepEqual(drafts.items.map((i) => String(i.id)), [ids.invoice], 'the old draft is gone');

      await page.getByRole('button', { name: 'Issue\u2026' }).click();
      await page.getByRole('button', { name: 'Issue invoice' }).click();
      const issued = await eventually(async () => {
        const inv = await staff.json('GET', `invoices/${ids.invoice}`);
        assert.equal(inv.status, 'issued');
        return inv;
      });
      ids.number = issued.number;
      assert.match(ids.number, /^2026-\d{4}$/);
      assert.notEqual(ids.number, ids.smithNumber);
      await page.getByRole('heading', { level: 1, name: `Invoice ${ids.number}` }).waitFor();
      await page.getByRole('status').filter({ hasText: `Invoice ${ids.number} issued.` }).first().waitFor();

      // A partial payment by wire: the status and balance follow.
      await page.getByRole('button', { name: 'Record payment' }).click();
      const amountField = page.getByLabel('Amount received (EUR)');
      assert.equal(await amountField.inputValue(), '695.50', 'the balance is offered');
      await amountField.fill('200.00');
      await page.getByLabel('Method').selectOption('wire');
      await page.getByLabel('Reference (optional)').fill('WIRE-778');
      await page.getByRole('button', { name: 'Record payment' }).last().click();
      const payments = page.getByRole('list', { name: 'Payments' });
      const payment = payments.getByRole('listitem').filter({ hasText: 'WIRE-778' });
      await payment.getByText(/€200\.00/).waitFor();
      await page.locator('.bill-fact').getByText('Partly paid').waitFor();
      await page.getByRole('definition').filter({ hasText: '€495.50' }).waitFor();
      const paid = await staff.json('GET', `invoices/${ids.invoice}`);
      assert.equal(paid.status, 'partially_paid');
      assert.equal(paid.paid_minor, 20000);
      assert.equal(paid.balance_minor, 49550);
      const receipt = (await staff.json('GET', `invoices/${ids.invoice}/payments`)).items[0].receipt_number;
      await payment.getByText(new RegExp(`receipt ${receipt}`)).waitFor();
      await screenshot(page, `${backend}-billing-invoice-1280`);

      const pdf = await downloadBytes(page, page.getByRole('link', { name: `Download PDF of invoice ${ids.number}` }));
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      const receiptPdf = await downloadBytes(page, payment.getByRole('link', { name: `Receipt PDF ${receipt}` }));
      assert.equal(receiptPdf.subarray(0, 5).toString('latin1'), '%PDF-');

      // Nothing is left unbilled on the case: the card says so, and marks the entries billed.
      await openCase(page);
      const card = page.getByRole('region', { name: /^Time and expenses/ });
      await card.getByText('0:00', { exact: true }).waitFor();
      await card.getByRole('list', { name: 'Time entries, newest first' }).getByRole('link', { name: 'Billed' }).waitFor();
      assertClean(p);
    });

    test('the client\u2019s profile shows the balance and trust, and the Billing page ages what is owed', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      await page.goto(`${server.baseUrl}/app/#/clients/${ids.anderson}`);
      await page.getByRole('heading', { level: 1, name: ANDERSON }).waitFor();
      const invoicesCard = page.getByRole('region', { name: 'Invoices' });
      const balance = invoicesCard.getByRole('definition').first();
      await eventually(async () => assert.equal(await balance.textContent(), '€495.50'));
      const row = invoicesCard.getByRole('listitem').filter({ hasText: `Invoice ${ids.number}` });
      await row.getByText('Partly paid').waitFor();

      // Trust: a deposit of 1,000.00 shows as the balance held.
      const trust = page.getByRole('region', { name: 'Trust' });
      await trust.getByText('Nothing held in trust for this client yet.').waitFor();
      await trust.getByRole('button', { name: 'Record deposit' }).click();
      await trust.getByLabel('Amount (EUR)').fill('1,000.00');
      await trust.getByLabel('Reference (optional)').fill('CHK-1001');
      await trust.getByRole('button', { name: 'Record', exact: true }).click();
      await trust.getByRole('definition').filter({ hasText: '€1,000.00' }).waitFor();
      const ledger = await staff.json('GET', `clients/${ids.anderson}/trust`);
      assert.equal(ledger.balance_minor, 100000);
      assert.equal(ledger.items[0].reference, 'CHK-1001');

      // 95.50 of it pays part of the invoice, from the invoice's page.
      await row.getByRole('link', { name: `Invoice ${ids.number}` }).click();
      await page.getByRole('heading', { level: 1, name: `Invoice ${ids.number}` }).waitFor();
      await page.getByRole('button', { name: 'Pay from trust' }).click();
      await page.getByText('Held in trust now: €1,000.00.').waitFor();
      await page.getByLabel('Amount from trust (EUR)').fill('95.50');
      await page.getByRole('button', { name: 'Apply trust funds' }).click();
      await page.getByRole('definition').filter({ hasText: '€400.00' }).waitFor();
      assert.equal((await staff.json('GET', `invoices/${ids.invoice}`)).balance_minor, 40000);
      assert.equal((await staff.json('GET', `clients/${ids.anderson}/trust`)).balance_minor, 90450);

      // The Billing page: Anderson's invoice is not yet due; Smith's has been due since February.
      await mainNav(page).getByRole('link', { name: 'Billing' }).click();
      await page.getByRole('heading', { level: 1, name: 'Billing' }).waitFor();
      const aging = page.getByRole('table', { name: /^Accounts receivable aging as of/ });
      const anderson = aging.getByRole('row').filter({ hasText: ANDERSON });
      await anderson.locator('td[data-label="Current"]').getByText('€400.00').waitFor();
      assert.equal(await anderson.locator('td[data-label="Total"]').textContent(), '€400.00');
      const smith = aging.getByRole('row').filter({ hasText: SMITH });
      assert.equal(await smith.locator('td[data-label="Over 90 days"]').textContent(), '€999.00');
      assert.equal(await smith.locator('td[data-label="Current"]').textContent(), '\u2014');
      await aging.getByRole('row').filter({ hasText: 'Total EUR' }).locator('td[data-label="Total"]').getByText('€1,399.00').waitFor();
      // As of 1 March, Smith's invoice was 20 days past due.
      await page.getByLabel('As of').fill('2026-03-01');
      await page.getByRole('table', { name: /as of 1 Mar 2026/ }).waitFor();
      await page.getByRole('table', { name: /as of 1 Mar 2026/ }).getByRole('row').filter({ hasText: SMITH })
        .locator('td[data-label="1\u201330 days"]').getByText('€999.00').waitFor();
      await screenshot(page, `${backend}-billing-page-1280`);

      // Each client links to their profile.
      await page.getByRole('table', { name: /as of 1 Mar 2026/ }).getByRole('link', { name: SMITH }).click();
      await page.getByRole('heading', { level: 1, name: SMITH }).waitFor();
      assertClean(p);
    });

    test('the invoices list filters by status, and the owner sets a staff member\u2019s default rate', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      await mainNav(page).getByRole('link', { name: 'Invoices' }).click();
      await page.getByRole('heading', { level: 1, name: 'Invoices' }).waitFor();
      const table = page.locator('table.bill-invoices-table');
      await table.getByRole('row').filter({ hasText: ids.number }).getByText('Partly paid').waitFor();
      await table.getByRole('row').filter({ hasText: ids.smithNumber }).getByText(SMITH).waitFor();
      await page.getByLabel('Status').selectOption('draft');
      await page.getByRole('heading', { name: 'No invoices match' }).waitFor();
      assert.match(page.url(), /#\/invoices\?status=draft$/);
      await page.getByLabel('Status').selectOption('issued');
      await table.getByRole('row').filter({ hasText: ids.number }).waitFor();
      assert.equal(await table.locator('tbody tr').count(), 2);

      await mainNav(page).getByRole('link', { name: 'Billing' }).click();
      const rates = page.getByRole('list', { name: 'Staff rates' });
      const pat = rates.getByRole('listitem').filter({ hasText: PARALEGAL.displayName });
      await pat.getByRole('textbox').fill('12O');
      await pat.getByRole('button', { name: `Save rate of ${PARALEGAL.displayName}` }).click();
      await pat.getByText('Enter an amount in figures, like 1250.00.').waitFor();
      await pat.getByRole('textbox').fill('120.50');
      await pat.getByRole('button', { name: `Save rate of ${PARALEGAL.displayName}` }).click();
      await eventually(async () => {
        const all = await staff.json('GET', 'billing/rates');
        assert.equal(all.items.find((u) => u.name === PARALEGAL.displayName).rate_minor, 12050);
      });
      assertClean(p);
    });

    test('from the keyboard: a credit note, a payment and its refund, a void and a deleted draft', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      const advice = await staff.json('POST', 'invoices', {
        client_id: ids.anderson, lines: [{ description: 'Advice letter', unit_price_minor: 30000 }],
      });
      const adviceNumber = (await staff.json('POST', `invoices/${advice.id}/issue`, { issued_on: '2026-11-15' })).number;
      await page.goto(`${server.baseUrl}/app/#/invoices/${advice.id}`);
      await page.getByRole('heading', { level: 1, name: `Invoice ${adviceNumber}` }).waitFor();

      // Credit note: the button, then the fields, by keyboard alone.
      await page.getByRole('button', { name: 'Credit note' }).focus();
      await page.keyboard.press('Enter');
      await eventually(async () => assert.equal(await page.evaluate(() => document.activeElement.name), 'amount_minor'));
      await page.keyboard.type('50');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Goodwill: the letter was late');
      await page.keyboard.press('Enter');
      const notes = page.getByRole('list', { name: 'Credit notes' });
      await notes.getByText(/^CN-2026-\d{4}$/).waitFor();
      await notes.getByText(/Goodwill: the letter was late/).waitFor();
      await page.getByRole('definition').filter({ hasText: '€250.00' }).waitFor();
      assert.equal((await staff.json('GET', `invoices/${advice.id}`)).credited_minor, 5000);

      // A payment of 100.00 by check, then 40.00 of it refunded; void is not offered once paid.
      await page.getByRole('button', { name: 'Record payment' }).click();
      await page.getByLabel('Amount received (EUR)').fill('100');
      await page.getByLabel('Method').selectOption('check');
      await page.getByRole('button', { name: 'Record payment' }).last().click();
      const payment = page.getByRole('list', { name: 'Payments' }).getByRole('listitem').filter({ hasText: 'Check' });
      await payment.getByText(/€100\.00/).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Void' }).count(), 0, 'a paid invoice is not voided');
      await payment.getByRole('button', { name: 'Refund' }).click();
      await page.getByLabel('Amount to refund (EUR)').fill('40');
      await page.getByLabel('Reason (optional)').fill('Paid twice');
      await payment.getByRole('button', { name: /^Refund from R-/ }).click();
      await payment.getByText(/€40\.00 refunded/).waitFor();
      await page.getByRole('definition').filter({ hasText: '€190.00' }).waitFor();
      const after = await staff.json('GET', `invoices/${advice.id}`);
      assert.equal(after.paid_minor, 6000);
      assert.equal(after.balance_minor, 19000);

      // An unpaid invoice is voided with a reason; its number stays.
      const wrong = await staff.json('POST', 'invoices', { client_id: ids.anderson, lines: [{ description: 'Wrong client', unit_price_minor: 1000 }] });
      const wrongNumber = (await staff.json('POST', `invoices/${wrong.id}/issue`, {})).number;
      await page.goto(`${server.baseUrl}/app/#/invoices/${wrong.id}`);
      await page.getByRole('heading', { level: 1, name: `Invoice ${wrongNumber}` }).waitFor();
      await page.getByRole('button', { name: 'Void' }).click();
      await page.getByLabel('Reason (optional)').fill('Sent to the wrong client');
      await page.keyboard.press('Escape'); // Escape closes the form and nothing happens
      await eventually(async () => assert.equal(await page.getByLabel('Reason (optional)').count(), 0));
      assert.equal((await staff.json('GET', `invoices/${wrong.id}`)).status, 'issued');
      await page.getByRole('button', { name: 'Void' }).click();
      await page.getByLabel('Reason (optional)').fill('Sent to the wrong client');
      await page.getByRole('button', { name: 'Void invoice' }).click();
      await page.locator('.bill-fact').getByText('Void', { exact: true }).waitFor();
      await page.locator('.bill-fact').getByText('Sent to the wrong client').waitFor();
      const voided = await staff.json('GET', `invoices/${wrong.id}`);
      assert.equal(voided.status, 'void');
      assert.equal(voided.number, wrongNumber);

      // A draft is deleted after a confirmation, and the list says so.
      const draft = await staff.json('POST', 'invoices', { client_id: ids.anderson, lines: [{ description: 'Never sent', unit_price_minor: 500 }] });
      await page.goto(`${server.baseUrl}/app/#/invoices/${draft.id}`);
      await page.getByRole('heading', { level: 1, name: 'Draft invoice' }).waitFor();
      await page.getByRole('button', { name: 'Delete draft' }).click();
      await page.getByRole('button', { name: 'Delete draft permanently' }).click();
      await page.getByRole('heading', { level: 1, name: 'Invoices' }).waitFor();
      await page.getByText(`The draft for ${ANDERSON} was deleted`).waitFor();
      const drafts = await staff.json('GET', `invoices?client_id=${ids.anderson}&status=draft`);
      assert.equal(drafts.items.length, 0);
      assertClean(p);
    });

    test('the editor finds the client by name and says what is missing before drafting', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      await mainNav(page).getByRole('link', { name: 'Billing' }).click();
      await page.getByRole('link', { name: 'New invoice' }).click();
      await page.getByRole('heading', { level: 1, name: 'New invoice' }).waitFor();
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.getByRole('alert').getByText('Client: Choose the client to invoice.').waitFor();
      await page.getByLabel('Find the client').fill('Smith');
      const pick = page.getByLabel('Client', { exact: true });
      await eventually(async () => assert.deepEqual(await pick.locator('option').allTextContents(), ['Choose a client\u2026', SMITH]));
      await pick.selectOption({ label: SMITH });
      await page.getByText(`${SMITH} has no cases: add the lines by hand below.`).waitFor();
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.getByRole('alert').getByText('Choose a case with unbilled work, or add a line by hand.').waitFor();
      await page.getByRole('button', { name: 'Add a flat fee' }).click();
      await page.getByLabel('Description of line 1').fill('Second opinion');
      await page.getByLabel('Unit price of line 1').fill('12.345');
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.getByRole('alert').getByText('Line 1: Use at most 2 decimals for this currency.').waitFor();
      assert.equal(await page.getByLabel('Unit price of line 1').getAttribute('aria-invalid'), 'true');
      await page.getByLabel('Unit price of line 1').fill('1.234,50');
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.getByRole('heading', { level: 1, name: 'Draft invoice' }).waitFor();
      const id = decodeURIComponent(page.url().split('#/invoices/')[1]);
      const made = await staff.json('GET', `invoices/${id}`);
      assert.equal(made.client_id, ids.smith);
      assert.deepEqual(made.lines.map((l) => [l.description, l.unit_price_minor]), [['Second opinion', 123450]]);
      await staff.json('DELETE', `invoices/${id}`);
      assertClean(p);
    });

    test('amounts typed by a person are read in the currency\u2019s own decimals, as integers, and durations as minutes', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      const r = await page.evaluate(async () => {
        const m = await import('/plugins/billing/staff_parts.js');
        const amt = (text, digits) => { const x = m.parseAmount(text, digits); return x.error ? 'error' : x.minor; };
        return {
          eur: ['1234.56', '1,234.56', '1.234,56', '35,5', '€ 1 234,50', '1,000', '0.1', '100', 'EUR 7.25'].map((t) => amt(t, 2)),
          jpy: ['30000', '¥30,000', '30000.5'].map((t) => amt(t, 0)),
          kwd: ['1.250', '1,250', '12.3456', '0.005'].map((t) => amt(t, 3)),
          bad: ['', '12O', '-5', '0', '1.2.3,4', '1,23,4', '9999999999999999'].map((t) => amt(t, 2)),
          // 0.1 + 0.2 style sums never happen: 0.29 is 29, not 28.999…
          exact: [amt('0.29', 2), amt('1.15', 2), amt('4.35', 2), amt('8.20', 2)],
          shown: [m.decimalInput(123450, 2), m.decimalInput(30000, 0), m.decimalInput(5, 3), m.decimalInput(-2550, 2)],
          minutes: ['90', '1:30', '1h 30m', '2h', '1.5h', '0:05', '45 min'].map((t) => m.parseDuration(t).minutes),
          badMinutes: ['', '0', '25:00', '1:75', 'soon'].map((t) => Boolean(m.parseDuration(t).error)),
          percent: ['20', '7.5', '0,25', '100', '100.01', 'x'].map((t) => { const x = m.parsePercent(t); return x.error ? 'error' : x.bp; }),
          hours: [m.hoursText(0), m.hoursText(95), m.hoursText(1440)],
        };
      });
      assert.deepEqual(r.eur, [123456, 123456, 123456, 3550, 123450, 100000, 10, 10000, 725]);
      assert.deepEqual(r.jpy, [30000, 30000, 'error']);
      assert.deepEqual(r.kwd, [1250, 1250, 'error', 5]);
      assert.deepEqual(r.bad, ['error', 'error', 'error', 'error', 'error', 'error', 'error']);
      assert.deepEqual(r.exact, [29, 115, 435, 820]);
      assert.deepEqual(r.shown, ['1234.50', '30000', '0.005', '-25.50']);
      assert.deepEqual(r.minutes, [90, 90, 90, 120, 90, 5, 45]);
      assert.deepEqual(r.badMinutes, [true, true, true, true, true]);
      assert.deepEqual(r.percent, [2000, 750, 25, 10000, 'error', 'error']);
      assert.deepEqual(r.hours, ['0:00', '1:35', '24:00']);
      assertClean(p);
    });

    test('on a phone, the case card, the invoice and the Billing page fit the screen', async () => {
      const p = await newPage({ width: 390, height: 844 });
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      const fits = async (what) => {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `no sideways scrolling on ${what} (overflow ${overflow}px)`);
      };
      await openCase(page);
      await page.getByRole('region', { name: /^Time and expenses/ }).getByRole('button', { name: 'Add time' }).click();
      await fits('the case page with the time form');
      await page.goto(`${server.baseUrl}/app/#/invoices/${ids.invoice}`);
      await page.getByRole('heading', { level: 1, name: `Invoice ${ids.number}` }).waitFor();
      await page.getByRole('button', { name: 'Record payment' }).click();
      await fits('the invoice with the payment form');
      await page.goto(`${server.baseUrl}/app/#/invoices/new?client_id=${ids.anderson}`);
      await page.getByRole('button', { name: 'Add a flat fee' }).click();
      await fits('the invoice editor');
      await page.goto(`${server.baseUrl}/app/#/billing`);
      await page.getByRole('table', { name: /^Accounts receivable aging/ }).waitFor();
      await fits('the Billing page');
      await screenshot(page, `${backend}-billing-page-390`);
      assertClean(p);
    });

    // Last: once the firm has a default rate, invoices drafted without a tax take it.
    test('the owner sets the firm\u2019s address, tax ID and tax rates; a new invoice starts with the default rate and its PDF prints them; an attorney reads them', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      await mainNav(page).getByRole('link', { name: 'Billing' }).click();
      await page.getByRole('heading', { level: 1, name: 'Billing' }).waitFor();
      const settings = page.getByRole('region', { name: 'Billing settings' });
      await settings.getByLabel('Address').fill(ADDRESS.join('\n'));
      await settings.getByLabel('Tax ID').fill(TAX_ID);

      // A rate by keyboard: Add puts the focus in the new row's name; Tab goes on to its rate.
      await settings.getByRole('button', { name: 'Add a tax rate' }).focus();
      await page.keyboard.press('Enter');
      await eventually(async () => assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Name of tax rate 1'));
      await page.keyboard.type('VAT');
      await page.keyboard.press('Tab');
      await page.keyboard.type('23');
      // A second rate with the same name: the server's error lands on that row's name.
      await settings.getByRole('button', { name: 'Add a tax rate' }).click();
      await settings.getByLabel('Name of tax rate 2').fill('VAT');
      await settings.getByLabel('Rate of tax rate 2 (%)').fill('13,5');
      await settings.getByRole('radio', { name: 'Default (tax rate 2)' }).check();
      p.expectProblem(/status of 400/); // the refusal, which Chromium logs
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.getByRole('alert').getByText('Tax rate 2, name: Another rate has this name.').waitFor();
      assert.equal(await settings.getByLabel('Name of tax rate 2').getAttribute('aria-invalid'), 'true');
      assert.equal(await settings.getByLabel('Name of tax rate 1').getAttribute('aria-invalid'), null);
      assert.equal((await staff.json('GET', 'billing/settings')).tax_rates.length, 0, 'nothing was saved');
      // A rate that is not a percentage is said before sending.
      await settings.getByLabel('Name of tax rate 2').fill('VAT reduced');
      await settings.getByLabel('Rate of tax rate 2 (%)').fill('13.555');
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.getByRole('alert').getByText('Enter a percentage like 20 or 7.5 (at most two decimals).').waitFor();
      assert.equal(await settings.getByLabel('Rate of tax rate 2 (%)').getAttribute('aria-invalid'), 'true');
      await settings.getByLabel('Rate of tax rate 2 (%)').fill('13,5');
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.getByText('Saved.').waitFor();
      const saved = await staff.json('GET', 'billing/settings');
      assert.equal(saved.address, ADDRESS.join('\n'));
      assert.equal(saved.tax_id, TAX_ID);
      assert.deepEqual(saved.tax_rates.map((r) => [r.name, r.rate_bp, r.default]), [['VAT', 2300, false], ['VAT reduced', 1350, true]]);
      assert.equal(await settings.getByRole('radio', { name: 'Default (tax rate 2)' }).isChecked(), true, 'the form shows what was saved');
      await screenshot(page, `${backend}-billing-settings-1280`);

      // A new invoice offers the firm's rates, the default chosen; the name and rate fields wait behind "Other…".
      await page.getByRole('link', { name: 'New invoice' }).click();
      await page.getByRole('heading', { level: 1, name: 'New invoice' }).waitFor();
      await page.getByLabel('Find the client').fill('Anderson');
      const pick = page.getByLabel('Client', { exact: true });
      await eventually(async () => assert.deepEqual(await pick.locator('option').allTextContents(), ['Choose a client\u2026', ANDERSON]));
      await pick.selectOption({ label: ANDERSON });
      await page.locator('.bill-case-choice').getByText('Nothing unbilled.').waitFor();
      const tax = page.getByLabel('Tax', { exact: true });
      assert.deepEqual(await tax.locator('option').allTextContents(), ['No tax', 'VAT (23%)', 'VAT reduced (13.5%)', 'Other\u2026']);
      assert.equal(await tax.locator('option:checked').textContent(), 'VAT reduced (13.5%)');
      assert.equal(await page.getByLabel('Tax name').isVisible(), false);
      await tax.selectOption({ label: 'Other\u2026' });
      await page.getByLabel('Tax name').waitFor();
      await tax.selectOption({ label: 'VAT reduced (13.5%)' });
      await page.getByRole('button', { name: 'Add a flat fee' }).click();
      await page.getByLabel('Description of line 1').fill('Contract review');
      await page.getByLabel('Unit price of line 1').fill('200');
      await page.getByRole('button', { name: 'Create draft' }).click();
      await page.getByRole('heading', { level: 1, name: 'Draft invoice' }).waitFor();
      const id = decodeURIComponent(page.url().split('#/invoices/')[1]);
      // 200.00 and 13.5% of it, 27.00: 227.00.
      await page.getByRole('definition').filter({ hasText: '€227.00' }).waitFor();
      const draft = await staff.json('GET', `invoices/${id}`);
      assert.equal(draft.tax_name, 'VAT reduced');
      assert.equal(draft.tax_rate_bp, 1350);
      assert.equal(draft.total_minor, 22700);
      // Editing the draft shows its rate chosen.
      await page.getByRole('link', { name: 'Edit draft' }).click();
      await page.getByRole('heading', { level: 1, name: 'Edit draft invoice' }).waitFor();
      assert.equal(await page.getByLabel('Tax', { exact: true }).locator('option:checked').textContent(), 'VAT reduced (13.5%)');
      await page.getByRole('link', { name: 'Cancel' }).click();
      await page.getByRole('heading', { level: 1, name: 'Draft invoice' }).waitFor();

      // Issued, its PDF prints the address line by line and the tax ID under the firm's name.
      await page.getByRole('button', { name: 'Issue\u2026' }).click();
      await page.getByRole('button', { name: 'Issue invoice' }).click();
      const issued = await eventually(async () => {
        const inv = await staff.json('GET', `invoices/${id}`);
        assert.equal(inv.status, 'issued');
        return inv;
      });
      await page.getByRole('heading', { level: 1, name: `Invoice ${issued.number}` }).waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'),
        page.getByRole('link', { name: `Download PDF of invoice ${issued.number}` }).click()]);
      const text = pdfText(await download.path());
      const lines = text.split('\n').map((l) => l.trim());
      const at = lines.indexOf(FIRM.name);
      assert.ok(at >= 0, `the firm's name is printed:\n${text}`);
      assert.deepEqual(lines.slice(at + 1, at + 4), [...ADDRESS, `Tax ID ${TAX_ID}`], `the address and tax ID under the name:\n${text}`);
      assert.match(text, /VAT reduced/);
      assert.match(text, /227\.00/);

      // The page fits a phone with the rates' rows.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${server.baseUrl}/app/#/billing`);
      await settings.getByLabel('Name of tax rate 2').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling on the Billing page with its settings (overflow ${overflow}px)`);
      await screenshot(page, `${backend}-billing-settings-390`);
      assertClean(p);

      // An attorney reads the books but does not set them: the same settings, read-only.
      await server.lexosctl(['user', 'create', '--firm', FIRM.slug, '--email', ATTORNEY.email, '--role', 'attorney',
        '--name', ATTORNEY.displayName, '--password-stdin'], `${ATTORNEY.password}\n`);
      const a = await newPage();
      await signInStaff(a.page, server.baseUrl, ATTORNEY);
      await mainNav(a.page).getByRole('link', { name: 'Billing' }).click();
      await a.page.getByRole('heading', { level: 1, name: 'Billing' }).waitFor();
      const readOnly = a.page.getByRole('region', { name: 'Billing settings' });
      const rates = readOnly.getByRole('list', { name: 'Tax rates' }).getByRole('listitem');
      await eventually(async () => assert.deepEqual(await rates.allInnerTexts(), ['VAT (23%)', 'VAT reduced (13.5%) Default']));
      assert.equal(await readOnly.getByRole('definition').first().innerText(), ADDRESS.join('\n'));
      await readOnly.getByRole('definition').filter({ hasText: TAX_ID }).waitFor();
      assert.equal(await readOnly.getByRole('textbox').count(), 0);
      assert.equal(await readOnly.getByRole('radio').count(), 0);
      assert.equal(await readOnly.getByRole('button').count(), 0);
      await screenshot(a.page, `${backend}-billing-settings-read-only-1280`);
      const attorney = await apiSession(server.baseUrl, ATTORNEY);
      await assert.rejects(attorney.json('PUT', 'billing/settings', { tax_id: 'XX' }), /: 403 /);
      assertClean(a);

      // Nothing after this test should take a default rate unasked.
      await staff.json('PUT', 'billing/settings', { tax_rates: [] });
    });
  });
}
