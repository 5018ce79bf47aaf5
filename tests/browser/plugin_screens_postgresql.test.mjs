// Plugin screens against lexosd on PostgreSQL (a throwaway cluster from tests/support/pg-cluster.sh:
// runtime role without BYPASSRLS, migrations as the owner role).
import { existsSync } from 'node:fs';
import { pluginScreensSuite } from './support/plugin_screens.mjs';
import { startPostgres } from './support/lexos.mjs';

let pg = null;
if (!existsSync('/usr/lib/postgresql')) {
  // deps.sh installs PostgreSQL, so this only happens on a machine set up by hand.
  console.log('# SKIP: no PostgreSQL server in /usr/lib/postgresql (run scripts/deps.sh)');
} else {
  pluginScreensSuite({
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
