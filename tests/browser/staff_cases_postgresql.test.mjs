// The staff app's cases pages and client-portal card against lexosd on PostgreSQL (a throwaway
// cluster from tests/support/pg-cluster.sh: runtime role without BYPASSRLS, migrations as the
// owner role).
import { existsSync } from 'node:fs';
import { staffCasesSuite } from './support/staff_cases.mjs';
import { startPostgres } from './support/lexos.mjs';

let pg = null;
if (!existsSync('/usr/lib/postgresql')) {
  console.log('# SKIP: no PostgreSQL server in /usr/lib/postgresql (run scripts/deps.sh)');
} else {
  staffCasesSuite({
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
