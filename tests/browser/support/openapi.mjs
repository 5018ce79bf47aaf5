// The API described (GET /api/v1/openapi.json), run once per database backend by the
// openapi_*.test.mjs files, against lexosd with every bundled module:
// - the description is checked by an independent validator, @apidevtools/swagger-parser
//   (OpenAPI 3.1 structure, $refs), and every schema in it is compiled by ajv's JSON Schema
//   2020-12 validator in strict mode;
// - real answers of the main routes (staff and portal, successes and errors) are checked against
//   the schema the description gives for their status, with ajv: a module whose answer differs
//   from what it declared (a missing member, a wrong type, a staff-only member in a portal
//   answer) fails here;
// - the staff app's API page (#/firm/api) lists the operations by module, for owners only, and
//   passes axe-core.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { apiSession } from './lexos.mjs';
import { suiteRig } from './rig.mjs';
import { assertClean, signInStaff } from './browser.mjs';
import { expectAccessible } from './axe.mjs';
import { activatePortalClient } from './portal.mjs';

const PASSWORD = 'correct horse battery staple';
const FIRM = { slug: 'described', name: 'Described LLP' };
const OWNER = { firm: FIRM.slug, email: 'olga.owner@described.test', password: PASSWORD };
const ATTORNEY = { firm: FIRM.slug, email: 'arne.attorney@described.test', password: PASSWORD };
const CLIENT = { firm: FIRM.slug, email: 'cleo.client@described.test', password: 'portal password for cleo 7' };

/** A new ajv for JSON Schema 2020-12 with the formats the description uses (date, date-time). */
function newAjv() {
  const ajv = new Ajv2020({ strict: true, allErrors: true, strictRequired: false });
  addFormats(ajv);
  return ajv;
}

/** The operation of `doc` (dereferenced) that serves `method path` (a concrete path). */
function operationFor(doc, method, path) {
  const bare = path.split('?')[0];
  const candidates = Object.keys(doc.paths).filter((template) => {
    const re = new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return re.test(bare);
  });
  // A literal segment beats a parameter (/api/v1/clients/export.csv before /api/v1/clients/{id}).
  candidates.sort((a, b) => (a.match(/\{/g) || []).length - (b.match(/\{/g) || []).length);
  const item = candidates.length ? doc.paths[candidates[0]] : null;
  return item && item[method.toLowerCase()] ? { template: candidates[0], op: item[method.toLowerCase()] } : null;
}

/**
 * Checks one real answer against the description: the operation exists, the status is one it
 * lists (or its `default`), the content type is the declared one, and a JSON body matches the
 * declared schema. Returns a list of problems (empty when it matches).
 */
export function checkAnswer(doc, ajv, { method, path, status, contentType, body }) {
  const found = operationFor(doc, method, path);
  if (!found) return [`${method} ${path}: no operation in the description`];
  const { op, template } = found;
  const where = `${method} ${path} (${template}) answered ${status}`;
  const response = op.responses[String(status)] || op.responses.default;
  if (!response) return [`${where}: the description lists no such answer`];
  if (status === 204) return [];
  const types = Object.keys(response.content || {});
  const media = types.find((t) => (contentType || '').startsWith(t)) || null;
  if (!media) return [`${where}: content type ${contentType}, the description says ${types.join(', ')}`];
  const schema = response.content[media].schema;
  if (!schema) return [];
  const validate = ajv.compile(schema);
  if (validate(body)) return [];
  return [`${where}: the body does not match the declared schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 400)}`];
}

export function openApiSuite({ backend, database = async () => null, cleanup = async () => {} }) {
  describe(`the API described: openapi.json validated and real answers checked against it (${backend})`, () => {
    let server;
    let owner;
    const ids = {};

    const { newPage } = suiteRig({
      database,
      cleanup,
      lexos: {
        plugins: 'clients,cases,portal,documents,billing,schedules,messages',
        pluginConfig: { schedules: { feed_secret: 'openapi-test-feed-secret-0123456789' } },
      },
      seed: async (started) => {
        server = started;
        await server.createFirmWithOwner({ slug: FIRM.slug, name: FIRM.name, email: OWNER.email, password: OWNER.password });
        await server.lexosctl(['user', 'create', '--firm', FIRM.slug, '--email', ATTORNEY.email, '--role', 'attorney',
          '--password-stdin'], `${PASSWORD}\n`);
        owner = await apiSession(server.baseUrl, OWNER);
        ids.client = (await owner.json('POST', 'clients', { name: 'Cleo Client', email: CLIENT.email })).id;
        ids.case = (await owner.json('POST', 'cases', { client_id: ids.client, title: 'Described v. Undescribed' })).id;
        await activatePortalClient(server, owner, ids.client, CLIENT.password);
      },
    });

    /** The description as the owner gets it, dereferenced by swagger-parser (a fresh copy). */
    async function described(who = owner) {
      // A kept-alive connection lexosd closed while the suite started Chromium (its idle
      // timeout is 10 s) fails as "fetch failed"; a GET is safe to send again.
      const r = await who.request('GET', 'openapi.json').catch(() => who.request('GET', 'openapi.json'));
      assert.equal(r.status, 200, JSON.stringify(r.data));
      return r.data;
    }

    test('swagger-parser validates the description as OpenAPI 3.1 and ajv compiles every schema in it', async () => {
      const doc = await described();
      assert.equal(doc.openapi, '3.1.0');
      const api = await SwaggerParser.validate(structuredClone(doc));
      assert.equal(api.info.title, 'LexOS HTTP API');
      // Every schema compiles as JSON Schema 2020-12 (strict: unknown keywords are errors).
      const deref = await SwaggerParser.dereference(structuredClone(doc));
      const ajv = newAjv();
      let schemas = 0;
      let declared = 0;
      for (const [path, item] of Object.entries(deref.paths)) {
        for (const [method, op] of Object.entries(item)) {
          if (method === 'parameters') continue;
          assert.ok(op['x-lexos-permission'], `${method} ${path} names its permission`);
          assert.match(op['x-lexos-audience'], /^(public|staff|portal)$/, `${method} ${path} names its audience`);
          const media = [...Object.values(op.responses).flatMap((r) => Object.values(r.content || {})),
            ...Object.values((op.requestBody || {}).content || {})];
          for (const m of media) {
            if (!m.schema) continue;
            ajv.compile(m.schema);
            schemas += 1;
          }
          const ok = Object.entries(op.responses).find(([s]) => /^2/.test(s));
          if (ok && Object.values(ok[1].content || {}).some((m) => m.schema)) declared += 1;
        }
      }
      assert.ok(schemas > 100, `schemas compiled: ${schemas}`);
      assert.ok(declared >= 40, `operations whose answer is described: ${declared}`);
      // Every module is in it, and the error body is a shared component.
      for (const tag of ['core', 'clients', 'cases', 'portal', 'documents', 'billing', 'schedules', 'messages']) {
        assert.ok(doc.tags.some((t) => t.name === tag), `tag ${tag}`);
      }
      assert.deepEqual(doc.components.schemas.Error.required, ['error']);
    });

    test('the validator refuses a broken description (it checks what it is given)', async () => {
      const doc = await described();
      const broken = structuredClone(doc);
      broken.paths['/api/v1/clients'].get.responses['200'].description = 200;
      await assert.rejects(SwaggerParser.validate(broken), /description must be string/);
      const untitled = structuredClone(doc);
      delete untitled.info.title;
      await assert.rejects(SwaggerParser.validate(untitled), /title/);
      const badParameter = structuredClone(doc);
      badParameter.paths['/api/v1/clients/{id}'].parameters[0].in = 'body';
      await assert.rejects(SwaggerParser.validate(badParameter));
    });

    test('real answers of staff, portal and error requests match the schemas the description declares', async () => {
      const doc = await SwaggerParser.dereference(await described());
      const ajv = newAjv();
      const portal = await apiSession(server.baseUrl, CLIENT);
      const attorney = await apiSession(server.baseUrl, ATTORNEY);
      const base = server.baseUrl.replace('//localhost:', '//127.0.0.1:');
      const problems = [];
      const seen = [];
      async function call(who, method, path, body, expected) {
        let r;
        try {
          r = await who.request(method, path, body === undefined ? {} : { body });
        } catch (err) {
          // A kept-alive connection the server closed meanwhile ("fetch failed"): a GET is safe
          // to send again; anything else fails, naming the request.
          if (method !== 'GET') throw new Error(`${method} ${path}: ${err.message} (${err.cause && err.cause.message})`);
          r = await who.request(method, path);
        }
        const contentType = r.headers.get('content-type') || '';
        if (expected) assert.equal(r.status, expected, `${method} ${path}: ${JSON.stringify(r.data)}`);
        problems.push(...checkAnswer(doc, ajv, { method, path: `/api/v1/${path}`, status: r.status, contentType, body: r.data }));
        seen.push(`${method} /api/v1/${path} ${r.status}`);
        return r.data;
      }

      // The host's own.
      await call(owner, 'GET', 'me', undefined, 200);
      await call(owner, 'GET', 'firm', undefined, 200);
      await call(owner, 'PATCH', 'firm', { address: '1 Schema Street' }, 200);
      await call(owner, 'GET', 'openapi.json', undefined, 200);
      // Clients.
      const client = await call(owner, 'POST', 'clients', { name: 'Olive Organisation', kind: 'organisation',
        email: 'office@olive.test', phone: '+44 20 7946 0958', address: { city: 'London', country: 'GB' } }, 201);
      await call(owner, 'GET', `clients/${client.id}`, undefined, 200);
      await call(owner, 'GET', 'clients?limit=5', undefined, 200);
      await call(owner, 'GET', `clients/${ids.client}/portal`, undefined, 200);
      await call(owner, 'POST', `clients/${client.id}/portal/invite/preview`, {}, 200);
      // Cases, updates, notes.
      const kase = await call(owner, 'POST', 'cases', { client_id: client.id, title: 'Olive v. Grove' }, 201);
      await call(owner, 'GET', `cases/${kase.id}`, undefined, 200);
      await call(owner, 'GET', 'cases', undefined, 200);
      await call(owner, 'POST', `cases/${ids.case}/updates`, { text: 'Filed the claim.', client_visible: true }, 201);
      await call(owner, 'POST', `cases/${ids.case}/notes`, { text: 'Call the expert.' }, 201);
      await call(owner, 'GET', `cases/${ids.case}/notes`, undefined, 200);
      // Documents: an upload (raw bytes), the list, one, a share.
      const up = await fetch(`${base}/api/v1/cases/${ids.case}/documents?name=claim.txt`, {
        method: 'POST', headers: { Cookie: owner.cookie, 'X-CSRF-Token': owner.csrf, 'Content-Type': 'text/plain' },
        body: 'The claim, in full.\n',
      });
      const doc1 = await up.json();
      problems.push(...checkAnswer(doc, ajv, { method: 'POST', path: `/api/v1/cases/${ids.case}/documents`, status: up.status,
        contentType: up.headers.get('content-type'), body: doc1 }));
      assert.equal(up.status, 201);
      await call(owner, 'GET', `cases/${ids.case}/documents`, undefined, 200);
      await call(owner, 'GET', `documents/${doc1.id}`, undefined, 200);
      await call(owner, 'PUT', `documents/${doc1.id}/share`, { version: 'latest' }, 200);
      // Billing.
      await call(owner, 'POST', `cases/${ids.case}/time`, { minutes: 90, description: 'Drafting', rate_minor: 20000 }, 201);
      const invoice = await call(owner, 'POST', 'invoices', { client_id: ids.client, case_ids: [ids.case],
        lines: [{ description: 'Filing fee', unit_price_minor: 5000 }] }, 201);
      await call(owner, 'GET', 'invoices', undefined, 200);
      await call(owner, 'GET', `invoices/${invoice.id}`, undefined, 200);
      await call(owner, 'POST', `invoices/${invoice.id}/issue`, {}, 200);
      // Schedules and messages.
      await call(owner, 'POST', `cases/${ids.case}/events`, { title: 'Hearing', kind: 'hearing',
        starts_at: '2031-03-04T09:30:00Z', client_visible: true }, 201);
      await call(owner, 'GET', `cases/${ids.case}/events`, undefined, 200);
      await call(owner, 'POST', `cases/${ids.case}/messages`, { text: 'We filed today.' }, 201);
      await call(owner, 'GET', `cases/${ids.case}/messages`, undefined, 200);
      // The portal: what the client sees must not carry more than the portal schemas allow.
      await call(portal, 'GET', 'portal/cases', undefined, 200);
      await call(portal, 'GET', `portal/cases/${ids.case}`, undefined, 200);
      await call(portal, 'GET', 'portal/documents', undefined, 200);
      await call(portal, 'GET', `portal/cases/${ids.case}/documents`, undefined, 200);
      await call(portal, 'GET', 'portal/events', undefined, 200);
      await call(portal, 'GET', 'portal/invoices', undefined, 200);
      await call(portal, 'POST', `portal/cases/${ids.case}/messages`, { text: 'Thank you.' }, 201);
      await call(portal, 'GET', `portal/cases/${ids.case}/messages`, undefined, 200);
      // Errors: each is the shared error body.
      await call(owner, 'POST', 'clients', { name: '' }, 400);
      await call(owner, 'POST', 'clients', { name: 'X', colour: 'red' }, 400);
      await call(owner, 'GET', 'clients/999999999', undefined, 404);
      await call(attorney, 'GET', 'openapi.json', undefined, 403);
      await call(portal, 'GET', 'clients', undefined, 403);
      const anon = await fetch(`${base}/api/v1/openapi.json`);
      problems.push(...checkAnswer(doc, ajv, { method: 'GET', path: '/api/v1/openapi.json', status: anon.status,
        contentType: anon.headers.get('content-type'), body: await anon.json() }));
      assert.equal(anon.status, 401);

      assert.deepEqual(problems, [], `answers that differ from the description:\n${problems.join('\n')}`);
      assert.ok(seen.length >= 40, seen.join('\n'));
    });

    test('an answer that differs from what its module declared fails the check', async () => {
      const doc = await SwaggerParser.dereference(await described());
      const ajv = newAjv();
      const portal = await apiSession(server.baseUrl, CLIENT);
      const matter = (await portal.request('GET', `portal/cases/${ids.case}`)).data;
      const ok = { method: 'GET', path: `/api/v1/portal/cases/${ids.case}`, status: 200, contentType: 'application/json' };
      assert.deepEqual(checkAnswer(doc, ajv, { ...ok, body: matter }), []);
      // A staff-only member leaking into the portal's answer.
      assert.match(checkAnswer(doc, ajv, { ...ok, body: { ...matter, description: 'internal strategy' } })[0],
        /must NOT have additional properties/);
      // A member missing, and one of the wrong type.
      const { title, ...untitled } = matter;
      assert.ok(title);
      assert.match(checkAnswer(doc, ajv, { ...ok, body: untitled })[0], /must have required property 'title'/);
      const client = (await owner.request('GET', `clients/${ids.client}`)).data;
      assert.match(checkAnswer(doc, ajv, { method: 'GET', path: `/api/v1/clients/${ids.client}`, status: 200,
        contentType: 'application/json', body: { ...client, id: String(client.id) } })[0], /\/id must be integer/);
      // An answer the route does not declare at all.
      assert.match(checkAnswer(doc, ajv, { ...ok, status: 200, contentType: 'text/html', body: '<p>' })[0], /content type/);
    });

    test('owners browse the description by module in the staff app; attorneys are not offered it', async () => {
      const p = await newPage();
      const { page } = p;
      await signInStaff(page, server.baseUrl, OWNER);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API' }).click();
      await page.getByRole('heading', { level: 1, name: 'API' }).waitFor();
      const clients = page.getByRole('region', { name: 'clients' });
      await clients.getByRole('heading', { level: 2, name: 'clients' }).waitFor();
      const row = clients.getByRole('row').filter({ hasText: '/api/v1/clients/{id}' }).filter({ hasText: 'PATCH' });
      assert.equal(await row.count(), 1);
      assert.match(await row.innerText(), /clients\.write/);
      assert.match(await row.innerText(), /Yes/);
      assert.ok(await page.getByRole('region', { name: 'billing' }).isVisible());
      assert.equal(await page.getByRole('link', { name: 'openapi.json' }).getAttribute('href'), '/api/v1/openapi.json');
      await expectAccessible(page, 'staff API description');
      // Keyboard: the heading has the focus after navigation (the shell's rule).
      assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.textContent), 'API');
      assertClean(p);

      const q = await newPage();
      await signInStaff(q.page, server.baseUrl, ATTORNEY);
      assert.equal(await q.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API' }).count(), 0);
      assertClean(q);
    });
  });
}
