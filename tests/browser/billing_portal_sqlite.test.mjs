// The billing module's portal screens against lexosd on SQLite (the embedded default).
import { billingPortalSuite } from './support/billing_portal.mjs';

billingPortalSuite({ backend: 'sqlite' });
