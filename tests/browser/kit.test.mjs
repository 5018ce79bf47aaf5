// The web kit's own rules, in Chromium against a real lexosd (SQLite; the kit does not touch
// the database): the router's matching, the formatting in the firm's time zone, and the API
// client's wording of what the server answers.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { suiteRig } from './support/rig.mjs';
import { assertClean, signInStaff } from './support/browser.mjs';

const OWNER = { firm: 'kit', email: 'owner@kit.test', password: 'correct horse battery staple' };

describe('web kit in Chromium', () => {
  let server;
  const { newPage } = suiteRig({
    database: async () => null, cleanup: async () => {}, lexos: { plugins: 'clients' },
    seed: async (started) => {
      server = started;
      await server.createFirmWithOwner({ slug: OWNER.firm, name: 'Kit & Co', email: OWNER.email, password: OWNER.password });
    },
  });

  test('the router prefers a literal segment to a parameter and decodes parameters', async () => {
    const p = await newPage();
    await p.page.goto(`${server.baseUrl}/app/`);
    const result = await p.page.evaluate(async () => {
      const { Router, currentRoute, hrefFor } = await import('/shared/js/router.js');
      const r = new Router().add('clients/{id}', 'profile').add('clients/{id}/edit', 'edit').add('clients/new', 'new')
        .add('clients', 'list').add('', 'home');
      const m = (path) => { const x = r.match(path); return x && [x.entry, x.params]; };
      return {
        newFirst: m('clients/new'),
        profile: m('clients/a%20b%2Fc'),
        edit: m('clients/7/edit'),
        home: m(''),
        none: [m('clients/7/edit/more'), m('clients/%E0%A4%A'), m('nope')],
        route: (() => { const c = currentRoute('#/clients?q=x%20y&status=all'); return [c.path, c.query.get('q'), c.query.get('status')]; })(),
        href: hrefFor('clients/{id}/edit', { id: 'a/b' }),
      };
    });
    assert.deepEqual(result.newFirst, ['new', {}]);
    assert.deepEqual(result.profile, ['profile', { id: 'a b/c' }]);
    assert.deepEqual(result.edit, ['edit', { id: '7' }]);
    assert.deepEqual(result.home, ['home', {}]);
    assert.deepEqual(result.none, [null, null, null]);
    assert.deepEqual(result.route, ['clients', 'x y', 'all']);
    assert.equal(result.href, '#/clients/a%2Fb/edit');
    assertClean(p);
  });

  test('formatting: moments in the firm\u2019s time zone, calendar days unmoved, money and phone numbers', async () => {
    const p = await newPage();
    await p.page.goto(`${server.baseUrl}/app/`);
    const result = await p.page.evaluate(async () => {
      const f = await import('/shared/js/format.js');
      const before = f.dateTime('2026-11-03T03:30:00Z');
      f.setTimeZone('America/New_York');
      const out = {
        before,
        ny: f.dateTime('2026-11-03T03:30:00Z'),
        day: f.calendarDate('2026-11-03'),
        long: f.calendarDate('2026-11-03', 'long'),
        today: f.todayIso(new Date('2026-11-03T03:30:00Z')),
        yesterday: f.momentText('2026-11-02T15:00:00Z', new Date('2026-11-03T14:00:00Z')),
        eur: f.money(27550, 'EUR'),
        jpy: f.money(1200, 'JPY'),
        none: f.money(null, 'EUR'),
        phones: [f.normalisePhone('+49 (30) 1234-5678'), f.normalisePhone('0044 20 7946 0958'), f.normalisePhone('12345')],
      };
      f.setTimeZone('Not/AZone');
      out.unknownZone = f.currentTimeZone() === undefined;
      f.setTimeZone('');
      return out;
    });
    assert.equal(result.before, '3 Nov 2026, 03:30', 'the browser\u2019s zone (UTC in these tests) until the firm\u2019s is known');
    assert.equal(result.ny, '2 Nov 2026, 22:30');
    assert.equal(result.day, '3 Nov 2026');
    assert.equal(result.long, '3 November 2026');
    assert.equal(result.today, '2026-11-02', 'today is the firm\u2019s day');
    assert.match(result.yesterday, /^Yesterday, 10:00$/);
    assert.equal(result.eur, '\u20ac275.50');
    assert.equal(result.jpy, 'JP\u00a51,200', 'no minor unit in yen');
    assert.equal(result.none, '');
    assert.deepEqual(result.phones, ['+493012345678', '+442079460958', '']);
    assert.equal(result.unknownZone, true, 'an unknown zone falls back to the browser\u2019s');
    assertClean(p);
  });

  test('the API client words a database outage for people and says when to try again', async () => {
    const p = await newPage();
    const { page } = p;
    p.expectProblem(/status of 503/);
    await signInStaff(page, server.baseUrl, OWNER);
    // What lexosd answers while its database is unreachable (tests/integration: the fault tests).
    await page.route('**/api/v1/clients?**', (route) => route.fulfill({
      status: 503, headers: { 'Retry-After': '2' }, contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'unavailable', message: 'The database is not reachable right now; try again in a moment.', request_id: 'r-1' } }),
    }));
    await page.getByLabel('Search').fill('anyone');
    await page.getByRole('alert').getByText(
      'The clients could not be loaded. LexOS cannot reach its database right now, so nothing was saved. Try again in 2 seconds.').waitFor();
    await page.unroute('**/api/v1/clients?**');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'No clients match \u201canyone\u201d' }).waitFor();
    assertClean(p);
  });
});
