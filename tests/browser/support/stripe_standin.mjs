// A local stand-in for Stripe's API, following its published protocol closely enough for LexOS's
// provider (plugins/billing/stripe.cpp) to talk to it as it would to api.stripe.com:
//   POST /v1/checkout/sessions   form-encoded, Bearer secret key, Idempotency-Key (same key and
//                                parameters: the first answer again; other parameters: 400
//                                idempotency_error; still in flight: 409 idempotency_key_in_use)
//   GET  /pay/<session>          the hosted checkout page (a form with a Pay button)
//   POST /pay/<session>          pays: the session completes, its webhook goes to LexOS, and the
//                                browser is sent to the session's success_url
// Webhook signatures are made by Stripe's official Node library (`stripe` on npm,
// webhooks.generateTestHeaderString), not by code written here, so that LexOS's verification is
// proven against Stripe's own implementation of the scheme.

import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

const stripe = new Stripe('sk_test_standin_library_only');

function id(prefix) {
  return `${prefix}_test_${randomBytes(12).toString('hex')}`;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// "a[b][c]=1" -> { a: { b: { c: '1' } } }; numeric indices stay object keys ("0").
function parseForm(text) {
  const out = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const path = k.replace(/\]/g, '').split('[');
    let o = out;
    for (let i = 0; i < path.length - 1; i += 1) o = o[path[i]] = o[path[i]] || {};
    o[path[path.length - 1]] = v;
  }
  return out;
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function stripeError(res, status, type, message, extra = {}) {
  send(res, status, { error: { type, message, ...extra } });
}

/**
 * Starts the stand-in. `secretKey` is the API key LexOS must send; `webhookSecret` signs the
 * events; `webhookUrl()` is where they go (known once lexosd runs). `createDelayMs` holds each
 * session creation that long (to catch parallel requests in flight).
 */
export async function startStripeStandin({ secretKey, webhookSecret, webhookUrl = () => null, createDelayMs = 0 }) {
  const sessions = new Map();
  const idempotency = new Map(); // key -> { params, status, body } | { params, pending: true }
  const calls = []; // every API call: { method, path, idempotencyKey, params }
  const deliveries = []; // every webhook sent: { event, status, body }
  const refunds = []; // refunds made
  const state = { failRefunds: false }; // tests set failRefunds to have every refund declined
  let base = '';

  async function deliver(event, { secret = webhookSecret, timestamp, header } = {}) {
    const payload = JSON.stringify(event);
    const signature = header ?? stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
    const r = await fetch(webhookUrl(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': signature, 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
      body: payload,
    });
    const text = await r.text();
    const record = { event, status: r.status, body: text ? JSON.parse(text) : null };
    deliveries.push(record);
    return record;
  }

  function event(type, session) {
    return { id: id('evt'), object: 'event', api_version: '2024-06-20', created: Math.floor(Date.now() / 1000), type, livemode: false,
      data: { object: { ...session } } };
  }

  async function pay(session) {
    session.status = 'complete';
    session.payment_status = 'paid';
    session.payment_intent = session.payment_intent || id('pi');
    return deliver(event('checkout.session.completed', session));
  }

  // An API call's common part, as Stripe does it: the Bearer key, the form body, and the
  // Idempotency-Key (same key and parameters: the first answer again; other parameters: 400
  // idempotency_error; still in flight: 409 idempotency_key_in_use). Resolves
  // { params, text, key } when the call is to run, or null when it has been answered here.
  async function apiCall(req, res, path) {
    if (req.headers.authorization !== `Bearer ${secretKey}`) {
      stripeError(res, 401, 'invalid_request_error', 'Invalid API Key provided.');
      return null;
    }
    const text = await readBody(req);
    const params = parseForm(text);
    const key = req.headers['idempotency-key'];
    calls.push({ method: 'POST', path, idempotencyKey: key, params });
    if (key && idempotency.has(key)) {
      const seen = idempotency.get(key);
      if (seen.text !== text) {
        stripeError(res, 400, 'idempotency_error',
          'Keys for idempotent requests can only be used with the same parameters they were first used with.');
      } else if (seen.pending) {
        stripeError(res, 409, 'invalid_request_error', 'There is currently another in-progress request using this Idempotency Key.',
          { code: 'idempotency_key_in_use' });
      } else {
        send(res, seen.status, seen.body, { 'Idempotent-Replayed': 'true' });
      }
      return null;
    }
    if (key) idempotency.set(key, { text, pending: true });
    return { params, text, key };
  }

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, base);
      if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
        const call = await apiCall(req, res, url.pathname);
        if (!call) return undefined;
        const { params, text, key } = call;
        if (createDelayMs) await new Promise((r) => setTimeout(r, createDelayMs));
        const item = params.line_items && params.line_items['0'];
        const price = item && item.price_data;
        const missing = ['mode', 'success_url', 'cancel_url'].find((k) => !params[k])
          || (!price ? 'line_items' : !price.currency ? 'line_items[0][price_data][currency]'
            : !/^\d+$/.test(price.unit_amount || '') ? 'line_items[0][price_data][unit_amount]' : null);
        let status;
        let body;
        if (missing) {
          status = 400;
          body = { error: { type: 'invalid_request_error', message: `Missing required param: ${missing}.`, param: missing } };
        } else {
          const sid = id('cs');
          const session = {
            id: sid, object: 'checkout.session', mode: params.mode, status: 'open', payment_status: 'unpaid',
            amount_total: Number(price.unit_amount) * Number(item.quantity || 1), currency: price.currency,
            client_reference_id: params.client_reference_id || null, metadata: params.metadata || {},
            success_url: params.success_url, cancel_url: params.cancel_url, payment_intent: null,
            url: `${base}/pay/${sid}`, product: price.product_data ? price.product_data.name : '',
          };
          sessions.set(sid, session);
          status = 200;
          body = session;
        }
        if (key) idempotency.set(key, { text, status, body });
        return send(res, status, body);
      }
      if (req.method === 'POST' && url.pathname === '/v1/refunds') {
        const call = await apiCall(req, res, url.pathname);
        if (!call) return undefined;
        const { params, text, key } = call;
        const paid = [...sessions.values()].find((x) => x.payment_intent && x.payment_intent === params.payment_intent);
        const done = refunds.filter((r) => r.payment_intent === params.payment_intent).reduce((n, r) => n + r.amount, 0);
        let status;
        let body;
        if (state.failRefunds) {
          status = 402;
          body = { error: { type: 'card_error', code: 'charge_expired_for_refund', message: 'The charge is too old to be refunded.' } };
        } else if (!paid) {
          status = 400;
          body = { error: { type: 'invalid_request_error', message: `No such payment_intent: '${params.payment_intent}'`, param: 'payment_intent' } };
        } else if (!/^\d+$/.test(params.amount || '') || Number(params.amount) + done > paid.amount_total) {
          status = 400;
          body = { error: { type: 'invalid_request_error', code: 'amount_too_large', message: 'Refund amount is greater than unrefunded amount on charge.', param: 'amount' } };
        } else {
          status = 200;
          body = { id: id('re'), object: 'refund', amount: Number(params.amount), currency: paid.currency, payment_intent: params.payment_intent, status: 'succeeded' };
          refunds.push(body);
        }
        if (key) idempotency.set(key, { text, status, body });
        return send(res, status, body);
      }
      const m = url.pathname.match(/^\/pay\/(cs_test_[0-9a-f]+)$/);
      if (m && sessions.has(m[1])) {
        const s = sessions.get(m[1]);
        if (req.method === 'GET') {
          const amount = (s.amount_total / 100).toFixed(2);
          res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
          return res.end(`<!doctype html><html lang="en"><head><title>Checkout (stand-in)</title><link rel="icon" href="data:,"></head><body>
<h1>Pay ${s.product.replace(/[<&]/g, '')}</h1><p id="amount">${amount} ${s.currency.toUpperCase()}</p>
<form method="post"><button type="submit">Pay ${amount} ${s.currency.toUpperCase()}</button></form>
<p><a href="${s.cancel_url}">Cancel</a></p></body></html>`);
        }
        if (req.method === 'POST') {
          await pay(s);
          res.writeHead(303, { Location: s.success_url });
          return res.end();
        }
      }
      stripeError(res, 404, 'invalid_request_error', `Unrecognized request URL (${req.method}: ${url.pathname}).`);
    } catch (err) {
      stripeError(res, 500, 'api_error', String(err && err.message));
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  return {
    get url() { return base; },
    sessions, calls, deliveries, refunds, state,
    deliver, event, pay,
    /** Stripe's own library's signature header for `payload` (tests that alter it). */
    sign: (payload, { secret = webhookSecret, timestamp } = {}) => stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }),
    close: () => new Promise((r) => server.close(r)),
  };
}
