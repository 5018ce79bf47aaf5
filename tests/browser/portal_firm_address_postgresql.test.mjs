// A firm's own portal address, its logo and the invitation, against lexosd on PostgreSQL.
import { portalFirmAddressSuite } from './support/portal_firm_address.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(portalFirmAddressSuite);
