// A firm's own portal address, its logo and the invitation, against lexosd on SQLite.
import { portalFirmAddressSuite } from './support/portal_firm_address.mjs';

portalFirmAddressSuite({ backend: 'sqlite' });
