// Online payment (Stripe-protocol stand-in, webhooks signed by Stripe's library) against lexosd on SQLite.
import { billingPaymentsSuite } from './support/billing_payments.mjs';

billingPaymentsSuite({ backend: 'sqlite' });
