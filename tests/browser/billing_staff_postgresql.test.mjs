// The billing module's staff screens against lexosd on PostgreSQL (a throwaway cluster; support/rig.mjs).
import { billingStaffSuite } from './support/billing_staff.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(billingStaffSuite);
