// What an open conversation's polling costs (docs/messages.md, "Measured"): a real lexosd from
// the build (SQLite, or PostgreSQL with --postgresql), a client with a 20-message conversation,
// then, one request at a time and from 16 connections at once:
//   GET /api/v1/me                                   the cheapest signed-in request
//   GET /api/v1/portal/cases/{id}/messages?after=N   a poll that finds nothing new (the usual)
//   GET /api/v1/portal/cases/{id}/messages           the whole conversation (a page opening)
// Prints p50/p99 latency and requests per second for each. It prints figures; it gates nothing.
//   cd tests/browser && LEXOS_BUILD_DIR=../../build node ../../bench/messages_poll.mjs [--postgresql]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiSession, startLexos, startPostgres } from '../tests/browser/support/lexos.mjs';

const pg = process.argv.includes('--postgresql') ? await startPostgres() : null;
const server = await startLexos({ plugins: 'clients,cases,portal,documents,messages', database: pg });
try {
  const FIRM = 'bench-law';
  await server.createFirmWithOwner({ slug: FIRM, name: 'Bench Law LLP', email: 'owner@bench.test', password: 'correct horse battery staple', displayName: 'Owner' });
  const staff = await apiSession(server.baseUrl, { firm: FIRM, email: 'owner@bench.test', password: 'correct horse battery staple' });
  const client = (await staff.json('POST', 'clients', { name: 'Bench Client', email: 'client@bench.test' })).id;
  const kase = (await staff.json('POST', 'cases', { client_id: client, title: 'Bench matter' })).id;
  await staff.json('POST', `clients/${client}/portal/invite`, {});
  const outbox = join(server.stateDir, 'outbox');
  const mail = readdirSync(outbox).filter((f) => f.endsWith('.eml')).sort().map((f) => readFileSync(join(outbox, f), 'utf8')).pop()
    .replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const token = decodeURIComponent(mail.match(/#\/activate\/([0-9]+\.[A-Za-z0-9_-]+)/)[1]);
  const base = server.baseUrl.replace('//localhost:', '//127.0.0.1:');
  const act = await fetch(`${base}/api/v1/portal/activate`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token, password: 'amber river lantern 42' }) });
  if (act.status !== 200) throw new Error(`activation: ${act.status}`);
  const portal = await apiSession(server.baseUrl, { firm: FIRM, email: 'client@bench.test', password: 'amber river lantern 42' });
  for (let i = 0; i < 10; ++i) {
    await portal.json('POST', `portal/cases/${kase}/messages`, { text: `Question ${i}: ${'x'.repeat(200)}` });
    await staff.json('POST', `cases/${kase}/messages`, { text: `Answer ${i}: ${'y'.repeat(200)}` });
  }
  const last = (await portal.json('GET', `portal/cases/${kase}/messages`)).items.pop().id;
  const shapes = [
    ['GET /api/v1/me', 'me'],
    ['poll, nothing new (?after=last id)', `portal/cases/${kase}/messages?after=${last}`],
    ['whole conversation (20 messages)', `portal/cases/${kase}/messages`],
  ];
  const hit = async (path) => {
    const r = await fetch(`${base}/api/v1/${path}`, { headers: { Cookie: portal.cookie } });
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
    await r.arrayBuffer();
  };
  const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
  console.log(`backend: ${pg ? 'postgresql' : 'sqlite'}`);
  for (const [name, path] of shapes) {
    for (let i = 0; i < 50; ++i) await hit(path);  // warm up
    const lat = [];
    for (let i = 0; i < 1000; ++i) {
      const t = process.hrtime.bigint();
      await hit(path);
      lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    let n = 0;
    const until = Date.now() + 5000;
    await Promise.all(Array.from({ length: 16 }, async () => { while (Date.now() < until) { await hit(path); ++n; } }));
    console.log(`${name.padEnd(40)} p50 ${pct(lat, 0.5).toFixed(2)} ms  p99 ${pct(lat, 0.99).toFixed(2)} ms  16 connections: ${(n / 5).toFixed(0)} req/s`);
  }
} finally {
  await server.stop();
  if (pg) await pg.stop();
}
