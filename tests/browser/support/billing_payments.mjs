// Online payment end to end, run once per database backend by billing_payments_*.test.mjs: a
// real lexosd (clients, cases, portal, billing) configured with the Stripe provider pointed at a
// local stand-in of Stripe's API (support/stripe_standin.mjs), whose webhooks are signed by
// Stripe's official Node library. Staff record time, draft and issue; the client pays in
// Chromium through the stand-in's checkout; the signed webhook records the payment once; the
// receipt is in the portal; the firm's aging no longer lists the invoice; another client of the
// firm sees none of it. Also: Idempotency-Key on Pay, parallel Pay clicks, and every way a
// webhook can be wrong (signature, secret, age, payload, repetition, order).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiSession } from './lexos.mjs';
import { suiteRig } from './rig.mjs';
import { assertClean, screenshot } from './browser.mjs';
import { activatePortalClient, downloadBytes, signInPortal } from './portal.mjs';
import { startStripeStandin } from './stripe_standin.mjs';

const PASSWORD = 'correct horse battery staple';
const CLIENT_PASSWORD = 'amber river lantern 42';
const FIRM = { slug: 'anderson-law', name: 'Anderson Law LLP' };
const OWNER = { firm: FIRM.slug, email: 'olivia.owner@anderson.test', password: PASSWORD, displayName: 'Olivia Owner' };
const CLIENT = { name: 'Thomas Anderson', email: 'thomas@anderson-client.test' };
const OTHER = { name: 'Smith Holdings Ltd', email: 'smith@smith-client.test' };
const SECRET_KEY = 'sk_test_lexos_standin_4242';
const WEBHOOK_SECRET = 'whsec_lexos_standin_0123456789abcdef';

export function billingPaymentsSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`billing: online payment through a Stripe-protocol stand-in (${backend})`, () => {
    let server;
    let standin;
    let staff;
    let portal;
    let other;
    const ids = {};
    const webhookUrl = () => `${server.baseUrl.replace('//localhost:', '//127.0.0.1:')}/api/v1/billing/webhooks/stripe`;

    const { newPage } = suiteRig({
      database,
      cleanup: async () => { if (standin) await standin.close(); await cleanup(); },
      lexos: async () => {
        standin = await startStripeStandin({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET, webhookUrl, createDelayMs: 300 });
        return {
          plugins: 'clients,cases,portal,billing',
          pluginConfig: { billing: {
            provider: 'stripe', stripe_api_base: standin.url, stripe_secret_key: SECRET_KEY,
            stripe_webhook_secret: WEBHOOK_SECRET,
          } },
        };
      },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: FIRM.slug, name: FIRM.name, email: OWNER.email, password: OWNER.password,
          displayName: OWNER.displayName });
        staff = await apiSession(server.baseUrl, OWNER);
        ids.client = (await staff.json('POST', 'clients', {
          name: CLIENT.name, email: CLIENT.email, billing: { currency: 'EUR', hourly_rate_minor: 24000, payment_terms_days: 14 },
        })).id;
        ids.other = (await staff.json('POST', 'clients', { name: OTHER.name, email: OTHER.email, billing: { currency: 'EUR' } })).id;
        ids.case = (await staff.json('POST', 'cases', { client_id: ids.client, title: 'State vs. Fouchix' })).id;
        // Time -> draft -> issue: 1 h 30 at 240.00 = 360.00, VAT 20% = 432.00.
        await staff.json('POST', `cases/${ids.case}/time`, { minutes: 90, description: 'Hearing preparation', date: '2026-11-20' });
        ids.invoice = (await staff.json('POST', 'invoices', { client_id: ids.client, case_ids: [ids.case], tax_name: 'VAT', tax_rate_bp: 2000 })).id;
        ids.number = (await staff.json('POST', `invoices/${ids.invoice}/issue`, {})).number;
        // Two more of Anderson's, for the API checks; one of the other client's.
        ids.second = (await staff.json('POST', 'invoices', { client_id: ids.client, lines: [{ description: 'Letter', unit_price_minor: 5000 }] })).id;
        await staff.json('POST', `invoices/${ids.second}/issue`, {});
        ids.third = (await staff.json('POST', 'invoices', { client_id: ids.client, lines: [{ description: 'Call', unit_price_minor: 7000 }] })).id;
        await staff.json('POST', `invoices/${ids.third}/issue`, {});
        ids.otherInvoice = (await staff.json('POST', 'invoices', { client_id: ids.other, lines: [{ description: 'SMITH retainer', unit_price_minor: 99900 }] })).id;
        ids.otherNumber = (await staff.json('POST', `invoices/${ids.otherInvoice}/issue`, {})).number;
        await activatePortalClient(server, staff, ids.client, CLIENT_PASSWORD);
        portal = await apiSession(server.baseUrl, { firm: FIRM.slug, email: CLIENT.email, password: CLIENT_PASSWORD });
        await activatePortalClient(server, staff, ids.other, CLIENT_PASSWORD);
        other = await apiSession(server.baseUrl, { firm: FIRM.slug, email: OTHER.email, password: CLIENT_PASSWORD });
      },
    });

    const payments = async (invoice) => (await staff.json('GET', `invoices/${invoice}/payments`)).items;

    test('Pay: one checkout for the amount owed; the same Idempotency-Key replays it, with other parameters it is refused; parallel clicks make one', async () => {
      const before = standin.calls.length;
      const key = 'pay-3f1e2d9c-0001';
      const first = await portal.request('POST', `portal/invoices/${ids.second}/pay`, { headers: { 'Idempotency-Key': key } });
      assert.equal(first.status, 201, JSON.stringify(first.data));
      assert.equal(first.data.amount_minor, 5000);
      assert.equal(first.data.currency, 'EUR');
      assert.match(first.data.checkout_url, /^http:\/\/127\.0\.0\.1:\d+\/pay\/cs_test_/);
      const session = standin.sessions.get(first.data.checkout_id);
      assert.ok(session, 'the stand-in made the session');
      assert.equal(session.amount_total, 5000);
      assert.equal(session.currency, 'eur');
      assert.equal(session.metadata.lexos_invoice, String(ids.second));
      assert.equal(session.metadata.lexos_client, String(ids.client));
      const call = standin.calls.at(-1);
      assert.ok(call.idempotencyKey, 'LexOS sends the provider an Idempotency-Key of its own');
      // The same key: the first answer again, not a second checkout.
      const again = await portal.request('POST', `portal/invoices/${ids.second}/pay`, { headers: { 'Idempotency-Key': key } });
      assert.equal(again.status, 201);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(again.data, first.data);
      assert.equal(standin.calls.length, before + 1, 'a replay does not reach the provider');
      // The same key for another invoice: 409 naming the header.
      const reused = await portal.request('POST', `portal/invoices/${ids.third}/pay`, { headers: { 'Idempotency-Key': key } });
      assert.equal(reused.status, 409);
      assert.equal(reused.data.error.code, 'idempotency_key_reused');
      assert.equal(reused.data.error.field, 'Idempotency-Key');
      // A malformed key names the header.
      const bad = await portal.request('POST', `portal/invoices/${ids.third}/pay`, { headers: { 'Idempotency-Key': 'has spaces in it' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.data.error.field, 'Idempotency-Key');
      // Two Pay clicks at once, without keys (two tabs): one checkout at the provider.
      const both = await Promise.all([0, 1].map(() => portal.request('POST', `portal/invoices/${ids.third}/pay`)));
      assert.deepEqual(both.map((r) => r.status), [201, 201], JSON.stringify(both.map((r) => r.data)));
      assert.equal(both[0].data.checkout_id, both[1].data.checkout_id);
      const made = [...standin.sessions.values()].filter((s) => s.metadata.lexos_invoice === String(ids.third));
      assert.equal(made.length, 1);
      // Not the client's invoice, not a number: 404; staff cannot use the portal's Pay.
      assert.equal((await other.request('POST', `portal/invoices/${ids.second}/pay`)).status, 404);
      assert.equal((await portal.request('POST', `portal/invoices/${ids.otherInvoice}/pay`)).status, 404);
      assert.equal((await staff.request('POST', `portal/invoices/${ids.second}/pay`)).status, 403);
    });

    test('the webhook: signed by Stripe\'s library it records the payment once, whatever is repeated or reordered; anything forged or stale is refused', async () => {
      const created = await portal.json('POST', `portal/invoices/${ids.second}/pay`);
      const session = standin.sessions.get(created.checkout_id);
      const paid = { ...session, status: 'complete', payment_status: 'paid', payment_intent: 'pi_test_webhookcase' };
      const completed = standin.event('checkout.session.completed', paid);
      const payload = JSON.stringify(completed);
      const post = (body, signature) => fetch(webhookUrl(), {
        method: 'POST', headers: { 'Content-Type': 'application/json', ...(signature ? { 'Stripe-Signature': signature } : {}) }, body,
      }).then(async (r) => ({ status: r.status, data: await r.json().catch(() => null) }));
      // Forgeries and replays of old events: 400, nothing recorded.
      const refused = [
        ['no signature', await post(payload)],
        ['another secret', await post(payload, standin.sign(payload, { secret: 'whsec_not_the_firms' }))],
        ['a changed amount', await post(payload.replace('"amount_total":5000', '"amount_total":1'), standin.sign(payload))],
        ['an hour old', await post(payload, standin.sign(payload, { timestamp: Math.floor(Date.now() / 1000) - 3600 }))],
        ['garbage header', await post(payload, 't=abc,v1=zz')],
      ];
      for (const [why, r] of refused) {
        assert.equal(r.status, 400, `${why}: ${JSON.stringify(r.data)}`);
        assert.equal(r.data.error.field, 'Stripe-Signature', why);
      }
      assert.equal((await payments(ids.second)).length, 0, 'nothing recorded by a refused webhook');
      // The real thing, delivered three times, then the async-success event of the same session.
      const first = await standin.deliver(completed);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.match(first.body.outcome, /^payment R-\d{4}-\d{4}$/);
      const dup = await standin.deliver(completed);
      assert.equal(dup.status, 200);
      assert.equal(dup.body.duplicate, true);
      await standin.deliver(completed);
      const late = await standin.deliver(standin.event('checkout.session.async_payment_succeeded', paid));
      assert.equal(late.status, 200);
      assert.equal(late.body.outcome, 'duplicate payment');
      const recorded = await payments(ids.second);
      assert.equal(recorded.length, 1, 'one payment, whatever was repeated');
      assert.equal(recorded[0].method, 'card_online');
      assert.equal(recorded[0].amount_minor, 5000);
      assert.equal(recorded[0].reference, 'pi_test_webhookcase');
      const inv = await staff.json('GET', `invoices/${ids.second}`);
      assert.equal(inv.status, 'paid');
      assert.equal(inv.balance_minor, 0);
      // Reordered: a session's async success before its completed (unpaid) event: one payment.
      const c3 = await portal.json('POST', `portal/invoices/${ids.third}/pay`);
      const s3 = { ...standin.sessions.get(c3.checkout_id), payment_intent: 'pi_test_async' };
      const success = await standin.deliver(standin.event('checkout.session.async_payment_succeeded', { ...s3, payment_status: 'paid', status: 'complete' }));
      assert.match(success.body.outcome, /^payment /);
      const pending = await standin.deliver(standin.event('checkout.session.completed', { ...s3, payment_status: 'unpaid', status: 'complete' }));
      assert.equal(pending.body.outcome, 'noted');
      assert.equal((await payments(ids.third)).length, 1);
      // Events LexOS did not start are acknowledged and left alone.
      const foreign = await standin.deliver(standin.event('checkout.session.completed', { id: 'cs_test_foreign', metadata: {}, amount_total: 100, currency: 'eur', payment_status: 'paid' }));
      assert.equal(foreign.status, 200);
      assert.ok(foreign.body.ignored);
      // The firm's audit log has the webhook's work (hash-chained, docs/accounts.md).
      const audit = await staff.request('GET', 'audit?limit=50');
      if (audit.status === 200) assert.ok(JSON.stringify(audit.data).includes('billing.webhook'));
    });

    test('time to paid in Chromium: the client pays through the checkout, sees it paid with its receipt; aging updated; the other client sees nothing', async () => {
      const p = await newPage();
      const { page } = p;
      await signInPortal(page, server.baseUrl, { firm: FIRM.slug, email: CLIENT.email, password: CLIENT_PASSWORD });
      await page.goto(`${server.baseUrl}/portal/#/invoices/${ids.invoice}`);
      await page.getByRole('heading', { level: 1, name: `Invoice ${ids.number}` }).waitFor();
      const payButton = page.getByRole('button', { name: /^Pay .*432\.00/ });
      await payButton.waitFor();
      await screenshot(page, `${backend}-portal-invoice-pay-1280`);
      await payButton.click();
      // The provider's page (the stand-in's), then back.
      await page.waitForURL(/\/pay\/cs_test_/);
      await page.getByText('432.00 EUR').first().waitFor();
      await page.getByRole('button', { name: 'Pay 432.00 EUR' }).click();
      await page.waitForURL(/\/portal\//);
      await page.getByRole('heading', { level: 1, name: `Invoice ${ids.number}` }).waitFor();
      await page.getByText('Paid', { exact: true }).first().waitFor({ timeout: 20_000 });
      assert.equal(await page.getByRole('button', { name: /^Pay / }).count(), 0, 'nothing left to pay');
      assert.ok(!page.url().includes('checkout='), 'the return marker leaves the address');
      // The receipt, in the portal, as a PDF.
      const recorded = await payments(ids.invoice);
      assert.equal(recorded.length, 1);
      assert.equal(recorded[0].amount_minor, 43200);
      await page.goto(`${server.baseUrl}/portal/#/invoices`);
      const receipts = page.getByRole('list', { name: 'Receipts' });
      const link = receipts.getByRole('link', { name: `Download receipt ${recorded[0].receipt_number}` });
      await link.waitFor();
      const pdf = await downloadBytes(page, link);
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      await screenshot(page, `${backend}-portal-invoices-paid-1280`);
      // A partial refund by staff goes back through the provider, to the card that paid.
      const refund = await staff.request('POST', `payments/${recorded[0].id}/refunds`, { body: { amount_minor: 3200, reason: 'Fee waived' } });
      assert.equal(refund.status, 200, JSON.stringify(refund.data));
      assert.equal(refund.data.refunded_minor, 3200);
      const made = standin.refunds.at(-1);
      assert.equal(made.amount, 3200);
      assert.equal(made.payment_intent, recorded[0].reference);
      // The provider declines the next: 502, and nothing is recorded as refunded.
      standin.state.failRefunds = true;
      const declined = await staff.request('POST', `payments/${recorded[0].id}/refunds`, { body: { amount_minor: 1000 } });
      standin.state.failRefunds = false;
      assert.equal(declined.status, 502, JSON.stringify(declined.data));
      assert.equal(declined.data.error.code, 'provider_refused');
      const after = await payments(ids.invoice);
      assert.equal(after[0].refunded_minor, 3200, 'the declined refund left nothing behind');
      assert.equal((await staff.json('GET', `invoices/${ids.invoice}`)).balance_minor, 3200);
      const note = await staff.json('POST', `invoices/${ids.invoice}/credit-notes`, { amount_minor: 3200, reason: 'Fee waived' });
      // The client finds the credit note on the invoice, with its PDF.
      await page.goto(`${server.baseUrl}/portal/#/invoices/${ids.invoice}`);
      const notes = page.getByRole('list', { name: 'Credit notes' });
      await notes.getByText(/Fee waived/).waitFor();
      const notePdf = await downloadBytes(page, notes.getByRole('link', { name: `Download credit note ${note.number}` }));
      assert.equal(notePdf.subarray(0, 5).toString('latin1'), '%PDF-');
      // The firm's aging no longer holds the invoice's 432.00.
      const aging = await staff.json('GET', `billing/aging?client_id=${ids.client}`);
      const total = aging.items.reduce((s, i) => s + i.total_minor, 0);
      assert.equal(total, 0, JSON.stringify(aging));
      // The other client: none of Anderson's invoices, payments or receipts.
      const theirs = await other.json('GET', 'portal/invoices');
      assert.deepEqual(theirs.items.map((i) => i.number), [ids.otherNumber]);
      const theirReceipts = await other.json('GET', 'portal/receipts');
      assert.equal(theirReceipts.items.length, 0);
      assert.equal((await other.request('GET', `portal/invoices/${ids.invoice}`)).status, 404);
      assert.equal((await other.request('GET', `portal/receipts/${recorded[0].id}/pdf`)).status, 404);
      assertClean(p);
    });
  });
}
