// Online payment (Stripe-protocol stand-in, webhooks signed by Stripe's library) against lexosd on PostgreSQL.
import { billingPaymentsSuite } from './support/billing_payments.mjs';
import { onPostgres } from './support/rig.mjs';

onPostgres(billingPaymentsSuite);
