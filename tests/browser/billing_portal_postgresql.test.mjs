// The billing module's portal screens against lexosd on PostgreSQL (a throwaway cluster; support/rig.mjs).
import { billingPortalSuite } from './support/billing_portal.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(billingPortalSuite);
