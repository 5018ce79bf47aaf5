// The documents module's screens (staff cards, portal section and tab) against lexosd on SQLite.
import { documentsSuite } from './support/documents.mjs';

documentsSuite({ backend: 'sqlite' });
