// What every suite needs around its tests: a database backend, a lexosd, its seed data and a
// Chromium, started in before() and stopped in after(), and the pages the tests open (each
// fails its test on a console error it did not allow; all are closed at the end).

import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { startLexos, startPostgres } from './lexos.mjs';
import { launchBrowser, trackedPages } from './browser.mjs';

/**
 * Defines `suite` ({ backend, database, cleanup } => void) on a throwaway PostgreSQL cluster
 * (tests/support/pg-cluster.sh: a runtime role without BYPASSRLS, migrations as the owner
 * role), or says why it is skipped.
 */
export function onPostgres(suite) {
  if (!existsSync('/usr/lib/postgresql')) {
    // deps.sh installs PostgreSQL, so this only happens on a machine set up by hand.
    console.log('# SKIP: no PostgreSQL server in /usr/lib/postgresql (run scripts/deps.sh)');
    return;
  }
  let pg = null;
  suite({
    backend: 'postgresql',
    database: async () => {
      pg = await startPostgres();
      return pg;
    },
    cleanup: async () => {
      if (pg) await pg.stop();
    },
  });
}

/**
 * Registers before() and after() for a suite: `database()` and `cleanup()` as the suite got
 * them, `lexos` the options of startLexos (or an async function resolving them, called after
 * `database()`), `seed(server)` what runs once lexosd is up.
 * Returns { newPage(opts) } (a tracked page in the suite's Chromium).
 */
export function suiteRig({ database, cleanup, lexos, seed = async () => {} }) {
  let server = null;
  let browser = null;
  const pages = trackedPages(() => browser);
  before(async () => {
    const db = await database();
    server = await startLexos({ ...(typeof lexos === 'function' ? await lexos() : lexos), database: db });
    await seed(server);
    browser = await launchBrowser();
  });
  after(async () => {
    await pages.closeAll();
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
    await cleanup();
  });
  return { newPage: (opts) => pages.open(opts) };
}
