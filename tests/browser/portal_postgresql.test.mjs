// The client portal against lexosd on PostgreSQL (a throwaway cluster; support/rig.mjs).
import { portalSuite } from './support/portal.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(portalSuite);
