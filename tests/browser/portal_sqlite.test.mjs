// The client portal against lexosd on SQLite (the embedded default).
import { portalSuite } from './support/portal.mjs';

portalSuite({ backend: 'sqlite' });
