// The billing module's staff screens against lexosd on SQLite (the embedded default).
import { billingStaffSuite } from './support/billing_staff.mjs';

billingStaffSuite({ backend: 'sqlite' });
