// The plugin author's path, end to end: LexOS installed into a prefix (cmake --install), the SDK's
// example plugin (share/doc/lexos-dev/examples/hello-plugin, as installed) built out of tree against
// that prefix only and installed into it, and lexosd serving the installed plugins. In Chromium:
// the example's navigation entry opens its own screen, its card sits on a client's profile and
// adds a note through its JSON POST; the firm switches the module off and all of it is gone
// (another firm keeps it).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { apiSession, BUILD_DIR } from './support/lexos.mjs';
import { suiteRig } from './support/rig.mjs';
import { assertClean, signInStaff } from './support/browser.mjs';

const PASSWORD = 'correct horse battery staple';
const ALPHA = { firm: 'alpha', email: 'owner@alpha.test', password: PASSWORD };
const BETA = { firm: 'beta', email: 'owner@beta.test', password: PASSWORD };

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, DESTDIR: '' } });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
}

/** Installs LexOS into a fresh prefix, builds and installs the example there; the prefix. */
function installWithExample() {
  const tmp = mkdtempSync(join(tmpdir(), 'lexos-example-'));
  const prefix = join(tmp, 'prefix');
  run('cmake', ['--install', BUILD_DIR, '--prefix', prefix]);
  const example = join(prefix, 'share/doc/lexos-dev/examples/hello-plugin');
  assert.ok(existsSync(join(example, 'CMakeLists.txt')), 'the example is installed with the SDK');
  const build = join(tmp, 'hello-build');
  run('cmake', ['-S', example, '-B', build, `-DCMAKE_PREFIX_PATH=${prefix}`]);
  run('cmake', ['--build', build]);
  run('cmake', ['--install', build]);
  return { tmp, prefix };
}

describe('the SDK example plugin, built out of tree, in Chromium (sqlite)', () => {
  let server;
  let installed;
  const ids = {};

  const { newPage } = suiteRig({
    database: async () => null,
    cleanup: async () => { if (installed) rmSync(installed.tmp, { recursive: true, force: true }); },
    lexos: {
      plugins: 'clients,cases,portal,hello',
      get installed() {
        installed = installWithExample();
        return { dir: join(installed.prefix, 'lib/lexos/plugins'), webDir: join(installed.prefix, 'share/lexos/web/plugins') };
      },
    },
    seed: async (started) => {
      server = started;
      for (const who of [ALPHA, BETA]) {
        const name = who.firm === 'alpha' ? 'Alpha' : 'Beta';
        await server.createFirmWithOwner({ slug: who.firm, name, email: who.email, password: who.password, displayName: `${name} Owner` });
        const staff = await apiSession(server.baseUrl, who);
        ids[who.firm] = (await staff.json('POST', 'clients', { name: `${name} Client`, email: `c@${who.firm}.test` })).id;
      }
    },
  });

  const mainNav = (page) => page.getByRole('navigation', { name: 'Main' });

  test('its navigation entry opens its own screen, served from /plugins/hello/', async () => {
    const p = await newPage();
    const { page } = p;
    await signInStaff(page, server.baseUrl, ALPHA);
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/plugins/hello/hello.js'),
      mainNav(page).getByRole('link', { name: 'Hello' }).click(),
    ]);
    assert.equal(response.status(), 200);
    await page.getByRole('heading', { level: 1, name: 'Hello' }).waitFor();
    await page.getByText(`Hello, ${ALPHA.email}.`, { exact: true }).waitFor();
    assert.equal(await page.title(), 'Hello \u2014 LexOS');
    assertClean(p);
  });

  test('its card on a client profile lists notes and adds one through the JSON POST', async () => {
    const p = await newPage();
    const { page } = p;
    await signInStaff(page, server.baseUrl, ALPHA);
    await page.goto(`${server.baseUrl}/app/#/clients/${ids.alpha}`);
    await page.getByRole('heading', { level: 1, name: 'Alpha Client' }).waitFor();
    const card = page.getByRole('region', { name: 'Notes (hello example)' });
    await card.getByText('No notes yet.').waitFor();
    await card.getByLabel('New note').fill('Called about the lease');
    await card.getByRole('button', { name: 'Add note' }).click();
    await card.getByText('Called about the lease', { exact: true }).waitFor();
    // An empty note: the server's 400 names the field, shown at the field.
    await card.getByRole('button', { name: 'Add note' }).click();
    await card.getByText('Write the note.').first().waitFor();
    p.expectProblem(/status of 400/);
    assertClean(p);
  });

  test('switched off for its firm, its navigation, screen and card are gone there and only there', async () => {
    await server.lexosctl(['firm', 'modules', '--firm', ALPHA.firm, '--disable', 'hello']);
    const a = await newPage();
    a.expectProblem(/status of 404 .*\/plugins\/hello\//);
    await signInStaff(a.page, server.baseUrl, ALPHA);
    assert.deepEqual(await mainNav(a.page).getByRole('list').getByRole('link').allTextContents(), ['Clients', 'Cases', 'Firm settings', 'Practice areas', 'Staff', 'Modules', 'Audit log', 'API']);
    await a.page.goto(`${server.baseUrl}/app/#/hello`);
    await a.page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    await a.page.goto(`${server.baseUrl}/app/#/clients/${ids.alpha}`);
    await a.page.getByRole('heading', { level: 1, name: 'Alpha Client' }).waitFor();
    await a.page.getByRole('region', { name: /^Cases/ }).waitFor();
    assert.equal(await a.page.getByRole('region', { name: 'Notes (hello example)' }).count(), 0);
    assert.equal(await a.page.evaluate(async () => (await fetch('/plugins/hello/hello.js')).status), 404);

    const b = await newPage();
    await signInStaff(b.page, server.baseUrl, BETA);
    await mainNav(b.page).getByRole('link', { name: 'Hello' }).waitFor();
    await b.page.goto(`${server.baseUrl}/app/#/clients/${ids.beta}`);
    await b.page.getByRole('region', { name: 'Notes (hello example)' }).getByText('No notes yet.').waitFor();
    assertClean(a);
    assertClean(b);
  });
});
